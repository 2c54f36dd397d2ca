// The per-position walk of the replay: stops, take-profit and liquidation on the candle path (or its 1m detail),
// the monitor's protections and stop ratchet, the RSI exit, and the market / exchange closes with their accounting.
import type { CloseReason, EntryDecisionAudit } from '../../bots/engine/bot.types';
import { exchangeCloseReason, type ExchangeCloseKind } from '../../bots/engine/entry-levels';
import { roundToTick } from '../../bots/engine/sizing';
import { stopRatchet } from '../../bots/engine/stop-ratchet';
import { takerFee } from '../../exchange/paper/paper-account';
import { round2 } from '../../rsi/indicators/rsi';
import type { BacktestTrade, ExitPath, ReplayCandles } from './backtest.types';
import { ReplayState, type OpenPosition } from './replay-state';

const LONG_POINTS = [0, 1, 2, 3] as const; // open, low, high, close
const SHORT_POINTS = [0, 2, 1, 3] as const; // open, high, low, close

export abstract class PositionWalk extends ReplayState {
  /** Walks candle i of coin s (or its 1m detail) with the open position, then the RSI exit at the close. */
  protected managePosition(s: number, position: OpenPosition, i: number, openTime: number): void {
    const coin = this.universe[s];
    const closeTime = openTime + this.tfMs;
    const detail = this.params.detail?.(coin.symbol, openTime, closeTime) ?? null;
    let closed = false;
    if (detail && detail.length > 0) {
      this.detailBars += detail.length;
      for (let k = 0; k < detail.length && !closed; k++) {
        const t = detail.time[k];
        closed = this.walkCandle(s, position, detail, k, t, Math.min(t + 60_000, closeTime), 'detail');
      }
    } else {
      closed = this.walkCandle(s, position, coin.candles, i, openTime, closeTime, 'ohlc');
    }
    if (closed) return;
    // The RSI exit on the entry timeframe, with the candle's closing RSI.
    const rsi = this.rsiAt[s][i];
    if (!Number.isFinite(rsi)) return;
    const rounded = round2(rsi);
    const close = coin.candles.close[i];
    const set = this.settings[s];
    const outcome = position.bot.evaluateRsiExit({
      rsi: rounded,
      price: close,
      nowMs: closeTime,
      thresholds: set.thresholds,
      delays: set.delays,
      waitWhenLoss: set.waitWhenLoss,
    });
    if (outcome.step.action === 'close') {
      this.closeAtMarket(s, position, close, closeTime, outcome.step.reason, rounded, 'rsi_exit', 'close');
    }
  }

  /**
   * One candle as a path of four points — open, then the adverse extreme, then the favourable one, then close
   * (a LONG sees its low before its high) — so a candle that reaches both the stop and the take-profit is a stop.
   * Between points the exchange's own stop, take-profit and liquidation fire at their price; at each point the
   * monitor runs the protections at that price and ratchets the exchange stop. Returns true when the position closed.
   */
  protected walkCandle(
    s: number,
    position: OpenPosition,
    c: ReplayCandles,
    k: number,
    startMs: number,
    endMs: number,
    path: ExitPath,
  ): boolean {
    const order = position.side === 'LONG' ? LONG_POINTS : SHORT_POINTS;
    const step = (endMs - startMs) / 3;
    for (let p = 0; p < 4; p++) {
      const which = order[p];
      const price = which === 0 ? c.open[k] : which === 1 ? c.low[k] : which === 2 ? c.high[k] : c.close[k];
      const t = p === 3 ? endMs : Math.floor(startMs + step * p);
      if (this.segment(s, position, price, t, path)) return true;
      // On the 1m path the monitor ticks once a minute, at its close (live: every few seconds at the then price, so it
      // does not see every minute's extremes; the exchange's own stops do). On the coarse path it sees all four points.
      if ((path === 'ohlc' || p === 3) && this.monitor(s, position, price, t, path)) return true;
    }
    return false;
  }

  /** The price moves from position.lastPrice to `price`: the exchange-side triggers it crosses, nearer one first. */
  protected segment(s: number, position: OpenPosition, price: number, t: number, path: ExitPath): boolean {
    const from = position.lastPrice;
    position.lastPrice = price;
    const r = position.bot.record;
    const isLong = position.side === 'LONG';
    const stop = r.stop_loss_price;
    // As the paper exchange: the stop nearer to the price fires first; on a tie the stop-loss wins over liquidation.
    const stopFirst = stop !== null && (isLong ? stop >= position.liquidation : stop <= position.liquidation);
    const adverse = stopFirst ? (stop as number) : position.liquidation;
    const adverseKind: ExchangeCloseKind = stopFirst ? 'STOP_LOSS' : 'LIQUIDATION';
    const tp = r.take_profit_price;
    let hit: number | null = null;
    let kind: ExchangeCloseKind = undefined;
    if (price < from || price === from) {
      // Moving down: a LONG's stop / liquidation, a SHORT's take-profit.
      if (isLong && price <= adverse) [hit, kind] = [adverse, adverseKind];
      else if (!isLong && tp !== null && price <= tp) [hit, kind] = [tp, 'TAKE_PROFIT'];
    }
    if (hit === null && price >= from) {
      if (!isLong && price >= adverse) [hit, kind] = [adverse, adverseKind];
      else if (isLong && tp !== null && price >= tp) [hit, kind] = [tp, 'TAKE_PROFIT'];
    }
    if (hit === null) return false;
    const reason = exchangeCloseReason(kind, {
      trailingActive: r.trailing_active,
      breakEvenActivated: r.break_even_activated,
      breakEvenStopSet: r.break_even_stop_set,
    });
    this.finish(s, position, hit, t, reason, null, 'exchange', path);
    return true;
  }

  /** The monitor's pass at one price: delisting, protections, then the exchange stop ratchet. */
  protected monitor(s: number, position: OpenPosition, price: number, t: number, path: ExitPath): boolean {
    const coin = this.universe[s];
    const bot = position.bot;
    if (coin.delistedAtMs !== undefined && t >= coin.delistedAtMs) {
      this.closeAtMarket(s, position, price, t, 'DELISTING_EMERGENCY', null, 'monitor', path);
      return true;
    }
    const set = this.settings[s];
    const result = bot.evaluateProtections({ price, nowMs: t, cumRealisedPnl: -position.entryFee }, set.protection);
    if (result.close) {
      this.closeAtMarket(s, position, price, t, result.close, null, 'monitor', path);
      return true;
    }
    const r = bot.record;
    const move = stopRatchet({
      side: position.side,
      desired: result.desiredStop,
      price,
      tickSize: coin.rules.tickSize,
      currentStop: r.stop_loss_price,
      trailingActive: r.trailing_active,
      trailingStop: r.trailing_stop_price,
      lastTrailingUpdateSec: r.trailing_last_update_ts,
      nowMs: t,
      spacingSec: set.protection.trailingUpdateIntervalSec,
    });
    if (move) bot.stopPlaced(move.stop, t, move.trailing);
    return false;
  }

  /** A market close by the bot: a LONG sells at the bid, a SHORT buys at the ask (the paper fill model). */
  protected closeAtMarket(
    s: number,
    position: OpenPosition,
    price: number,
    t: number,
    reason: CloseReason,
    rsi: number | null,
    by: BacktestTrade['exit_by'],
    path: ExitPath,
  ): void {
    const fill = this.quote(s, price, position.side === 'LONG' ? 'sell' : 'buy');
    this.finish(s, position, fill, t, reason, rsi, by, path);
  }

  protected finish(
    s: number,
    position: OpenPosition,
    exitPrice: number,
    t: number,
    reason: CloseReason,
    rsi: number | null,
    by: BacktestTrade['exit_by'],
    path: ExitPath,
  ): void {
    const fee = takerFee(position.quantity, exitPrice, this.params.feeRate);
    const trade = position.bot.closePosition({ exitPrice, nowMs: t, reason, exitRsi: rsi, simulated: true, fee });
    this.wallet += trade.pnl - fee;
    this.usedMargin -= position.margin;
    this.positions[s] = null;
    this.openCount--;
    this.lastCloseMs[s] = t;
    this.closedTrades[s].unshift({ pnl: trade.pnl, exitTime: t }); // as live: the gross PnL of the trade history
    this.tradeFacts.push({
      symbol: trade.symbol,
      closedAt: t,
      pnlUsdt: trade.net_pnl,
      roiPercent: trade.roi,
      exitReason: trade.close_reason,
    });
    this.trades.push({ ...trade, decision: trade.decision as EntryDecisionAudit, exit_by: by, exit_path: path });
  }

  protected quote(s: number, price: number, side: 'buy' | 'sell'): number {
    const tick = this.universe[s].rules.tickSize;
    const shift = tick * this.params.spreadTicks;
    return roundToTick(side === 'buy' ? price + shift : price - shift, tick);
  }
}
