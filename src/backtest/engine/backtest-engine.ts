import type { CloseReason, Direction, EntryDecisionAudit } from '../../bots/engine/bot.types';
import { cooldownLeftMs, screenCandidate } from '../../bots/engine/candidate-screen';
import { entryLevels, exchangeCloseReason, type ExchangeCloseKind } from '../../bots/engine/entry-levels';
import { pnlUsdt } from '../../bots/engine/profit';
import { orderQuantity, positionNotionalUsdt, roundToTick } from '../../bots/engine/sizing';
import { stopRatchet } from '../../bots/engine/stop-ratchet';
import { TradingBot } from '../../bots/engine/trading-bot';
import { ManualClock, isoLocal } from '../../common/clock';
import type { EffectiveBotConfig } from '../../config/effective-bot-config';
import { TIMEFRAME_MS } from '../../exchange/exchange.types';
import { liquidationPrice } from '../../exchange/paper/paper-account';
import {
  FLAG_MIN_CANDLES,
  exitScamParams,
  lossReentryParams,
  rsiTimeFilterParams,
} from '../../filters/rules/filter-params';
import type { FilterDecision } from '../../filters/filter.types';
import { DELISTED_FILTER, MATURITY_FILTER, runEntryFilters } from '../../filters/rules/entry-chain';
import { checkExitScam } from '../../filters/rules/exit-scam';
import { checkLossReentry, type ClosedTradeInfo } from '../../filters/rules/loss-reentry';
import { checkRsiTimeFilter, RSI_TIME_FILTER_MIN_CANDLES } from '../../filters/rules/rsi-time-filter';
import { baseSignal, effectiveSignal, type SignalVerdict } from '../../rules/signal';
import { checkMaturity } from '../../maturity/maturity.rules';
import { computeRsiSeries, round2, RSI_PERIOD } from '../../rsi/indicators/rsi';
import { analyzeTrend } from '../../rsi/indicators/trend';
import {
  activeLockFor,
  applyLockProposals,
  liftExpiredLocks,
  proposeLocks,
  type LockBook,
} from '../../protections/lock-book';
import {
  protectionSettings as accountProtectionSettings,
  type ProtectionSettings as AccountProtectionSettings,
} from '../../protections/protection-settings';
import { EquityHistory } from '../../protections/rules/equity-history';
import { checkRiskCap } from '../../protections/rules/risk-cap';
import type { ClosedTradeFact } from '../../protections/rules/rule.types';
import type { Trend } from '../../rsi/rsi.types';
import type {
  BacktestParams,
  BacktestRun,
  BacktestSymbol,
  BacktestTrade,
  ExitPath,
  ReplayCandles,
} from './backtest.types';
import { coinSettings, timeGrid, type CoinSettings } from './replay-setup';

export { timeGrid };

/**
 * The backtest replay (docs/backtest-engine.md): the coin universe candle by candle in time order, through the same
 * pure rules the live service runs — TradingBot, protection, sizing, the effective signal, the entry filter chain,
 * the auto-bot's screenCandidate, the RSI exit, the paper fill model — on its own clock.
 *
 * Per candle close, in order: (1) every open position walks the candle's path (1m detail when given, else the
 * pessimistic OHLC path) with the exchange's stop / take-profit / liquidation and the monitor's protections;
 * (2) the RSI exit at the close; (3) the auto-bot screens the coins in universe order and enters at the close quote;
 * (4) an equity point.
 */
export function runBacktest(universe: readonly BacktestSymbol[], params: BacktestParams): BacktestRun {
  return new Replay(universe, params).run();
}

interface OpenPosition {
  bot: TradingBot;
  side: Direction;
  quantity: number;
  margin: number;
  entryFee: number;
  liquidation: number;
  /** Price at the end of the last path step (the gap to the next open is a segment too). */
  lastPrice: number;
}

const LONG_POINTS = [0, 1, 2, 3] as const; // open, low, high, close
const SHORT_POINTS = [0, 2, 1, 3] as const; // open, high, low, close

class Replay {
  private readonly clock: ManualClock;
  private readonly tfMs: number;
  private readonly n: number;
  private readonly settings: CoinSettings[];
  /** RSI (unrounded) at each candle index of each coin; NaN before the first value. */
  private readonly rsiAt: Float64Array[];
  /** The live RSI history of each coin (one value per smoothing step): a prefix of it is the history at any candle. */
  private readonly rsiHistory: Float64Array[];
  /** Index of the next candle of each coin. */
  private readonly cursor: Int32Array;
  private readonly mature: Uint8Array;
  private readonly lastCloseMs: Float64Array;
  private readonly closedTrades: ClosedTradeInfo[][];
  private readonly positions: Array<OpenPosition | null>;
  /** 1 when the coin has a candle at the current grid time. */
  private readonly present: Uint8Array;
  private openCount = 0;
  private wallet: number;
  private usedMargin = 0;
  private readonly trades: BacktestTrade[] = [];
  /** Account protections (src/protections): their locks, the drawdown rule's equity, the closed trades they read. */
  private readonly account: AccountProtectionSettings;
  private readonly accountOn: boolean;
  private readonly book: LockBook = { locks: [], resets: {} };
  private readonly equityHistory = new EquityHistory();
  private readonly tradeFacts: ClosedTradeFact[] = [];
  private lockSeq = 0;
  private detailBars = 0;
  private bars = 0;

  constructor(
    private readonly universe: readonly BacktestSymbol[],
    private readonly params: BacktestParams,
  ) {
    this.clock = new ManualClock(0);
    this.tfMs = TIMEFRAME_MS[params.timeframe];
    this.n = universe.length;
    this.wallet = params.startingBalance;
    this.cursor = new Int32Array(this.n);
    this.mature = new Uint8Array(this.n);
    this.lastCloseMs = new Float64Array(this.n);
    this.closedTrades = universe.map(() => []);
    this.positions = universe.map(() => null);
    this.present = new Uint8Array(this.n);
    this.account = accountProtectionSettings(params.config);
    const a = this.account;
    this.accountOn =
      a.maxDrawdown.enabled ||
      a.stoplossGuard.enabled ||
      a.dailyLoss.enabled ||
      a.cooldown.enabled ||
      a.lowProfit.enabled;
    this.settings = universe.map((coin) => coinSettings(params, coin));
    this.rsiAt = [];
    this.rsiHistory = [];
    for (const coin of universe) {
      // One Wilder pass per coin: the value at candle i reads closes 0..i only, so it equals the live incremental RSI.
      const closes = coin.candles.close.subarray(0, coin.candles.length);
      const { history } = computeRsiSeries(closes, RSI_PERIOD, { round: false });
      const at = new Float64Array(closes.length).fill(NaN);
      if (closes.length > RSI_PERIOD) {
        const seed = computeRsiSeries(closes.subarray(0, RSI_PERIOD + 1), RSI_PERIOD, { round: false }).rsi;
        at[RSI_PERIOD] = seed ?? NaN;
        at.set(history, RSI_PERIOD + 1);
      }
      this.rsiAt.push(at);
      this.rsiHistory.push(history);
    }
  }

  run(): BacktestRun {
    const grid = timeGrid(this.universe, this.tfMs);
    const equityTime = new Float64Array(grid.length);
    const balance = new Float64Array(grid.length);
    const equity = new Float64Array(grid.length);
    for (let g = 0; g < grid.length; g++) {
      const openTime = grid[g];
      const closeTime = openTime + this.tfMs;
      // (1) + (2): positions through the candle, then the RSI exit at its close.
      for (let s = 0; s < this.n; s++) {
        if (!this.hasCandle(s, openTime)) {
          this.present[s] = 0;
          continue;
        }
        this.present[s] = 1;
        const position = this.positions[s];
        if (position) this.managePosition(s, position, this.cursor[s], openTime);
        this.cursor[s]++;
        this.bars++;
      }
      this.clock.set(closeTime);
      // The protection check at the close (live: every bot_status_update_interval and after each close).
      if (this.accountOn) this.checkAccountProtections(closeTime);
      // (3) the auto-bot round.
      if (closeTime >= (this.params.tradeFromMs ?? -Infinity)) this.autoBotRound(closeTime);
      // (4) equity at the close.
      equityTime[g] = closeTime;
      balance[g] = this.wallet;
      equity[g] = this.wallet + this.unrealised();
    }
    return {
      trades: this.trades,
      equity: { time: equityTime, balance, equity },
      bars: this.bars,
      detailBars: this.detailBars,
      startingBalance: this.params.startingBalance,
      finalBalance: this.wallet,
      openAtEnd: this.openCount,
    };
  }

  /** Unrealised PnL of the open positions at their last close. */
  private unrealised(): number {
    let total = 0;
    if (this.openCount === 0) return total;
    for (let s = 0; s < this.n; s++) {
      const position = this.positions[s];
      if (!position) continue;
      const i = this.cursor[s] - 1;
      total += pnlUsdt(
        position.side,
        position.bot.record.entry_price as number,
        this.universe[s].candles.close[i],
        position.quantity,
      );
    }
    return total;
  }

  /**
   * The account protections' pass (ProtectionService.evaluate through the same lock book): lift expired locks, run
   * the enabled rules on the closed trades and the equity, add the locks; a drawdown lock with close_positions
   * closes every position at market.
   */
  private checkAccountProtections(now: number): void {
    const a = this.account;
    liftExpiredLocks(this.book, now);
    const equity = this.wallet + this.unrealised();
    const proposals = proposeLocks(
      {
        now,
        book: this.book,
        trades: this.tradeFacts,
        balance: { walletBalance: this.wallet, equity },
        equityHistory: this.equityHistory.all(),
      },
      a,
    );
    const set = applyLockProposals(
      this.book,
      proposals,
      now,
      (p) => `${p.rule}-${p.symbol ?? 'all'}-${now}-${++this.lockSeq}`,
    );
    if (a.maxDrawdown.enabled) this.equityHistory.record({ time: now, equity }, a.maxDrawdown.lookbackMs);
    if (a.maxDrawdown.closePositions && set.some((l) => l.rule === 'max_drawdown')) {
      for (let s = 0; s < this.n; s++) {
        const position = this.positions[s];
        if (position) {
          this.closeAtMarket(
            s,
            position,
            this.universe[s].candles.close[this.cursor[s] - 1],
            now,
            'MANUAL_CLOSE',
            null,
            'monitor',
            'close',
          );
        }
      }
    }
  }

  private hasCandle(s: number, openTime: number): boolean {
    const c = this.universe[s].candles;
    const i = this.cursor[s];
    return i < c.length && c.time[i] === openTime;
  }

  // ------------------------------------------------------------------ positions

  /** Walks candle i of coin s (or its 1m detail) with the open position, then the RSI exit at the close. */
  private managePosition(s: number, position: OpenPosition, i: number, openTime: number): void {
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
  private walkCandle(
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
  private segment(s: number, position: OpenPosition, price: number, t: number, path: ExitPath): boolean {
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
  private monitor(s: number, position: OpenPosition, price: number, t: number, path: ExitPath): boolean {
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
  private closeAtMarket(
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

  private finish(
    s: number,
    position: OpenPosition,
    exitPrice: number,
    t: number,
    reason: CloseReason,
    rsi: number | null,
    by: BacktestTrade['exit_by'],
    path: ExitPath,
  ): void {
    const fee = position.quantity * exitPrice * this.params.feeRate;
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

  private quote(s: number, price: number, side: 'buy' | 'sell'): number {
    const tick = this.universe[s].rules.tickSize;
    const shift = tick * this.params.spreadTicks;
    return roundToTick(side === 'buy' ? price + shift : price - shift, tick);
  }

  // ------------------------------------------------------------------ auto-bot

  /** The auto-bot round at a close: every coin in universe order through the live pipeline. */
  private autoBotRound(closeTime: number): void {
    const maxConcurrent = this.params.config.max_concurrent;
    for (let s = 0; s < this.n; s++) {
      if (this.present[s] === 0) continue;
      const i = this.cursor[s] - 1;
      const raw = this.rsiAt[s][i];
      if (!Number.isFinite(raw)) continue;
      const set = this.settings[s];
      const config = set.config;
      if (config.enable_maturity_check && !this.mature[s]) this.refreshMaturity(s, i);
      const rsi = round2(raw);
      // Not in an entry zone (or out of scope): no decision at all, as live.
      if (rsi > config.rsi_long_threshold && rsi < config.rsi_short_threshold) continue;
      if (!set.scope.allowed) continue;
      const base = baseSignal(rsi, {
        longThreshold: config.rsi_long_threshold,
        shortThreshold: config.rsi_short_threshold,
      });
      if (base === 'WAIT') continue;
      // Holding a position already (live: bot_exists), or every slot taken (live: the round stops at max_concurrent).
      if (this.positions[s] !== null || this.openCount >= maxConcurrent) continue;
      this.screen(s, i, rsi, base, set.scope, closeTime, maxConcurrent);
    }
  }

  private refreshMaturity(s: number, i: number): void {
    const closes = this.universe[s].candles.close.subarray(0, i + 1);
    if (closes.length < this.settings[s].maturity.minCandles) return;
    // Once mature, always mature (the maturity store keeps the coin).
    if (checkMaturity(closes, this.settings[s].maturity).is_mature) this.mature[s] = 1;
  }

  private screen(
    s: number,
    i: number,
    rsi: number,
    base: 'ENTER_LONG' | 'ENTER_SHORT',
    scope: FilterDecision,
    closeTime: number,
    maxConcurrent: number,
  ): void {
    const coin = this.universe[s];
    const set = this.settings[s];
    const config = set.config;
    const direction: Direction = base === 'ENTER_LONG' ? 'LONG' : 'SHORT';
    const m = i + 1;
    const c = coin.candles;
    const view = {
      open: c.open.subarray(0, m),
      close: c.close.subarray(0, m),
      history: this.rsiHistory[s].subarray(0, Math.max(0, m - RSI_PERIOD - 1)),
    };
    const rsiTime = () =>
      checkRsiTimeFilter(
        { candlesCount: m, rsiHistory: view.history, currentRsi: rsi, direction },
        rsiTimeFilterParams(config),
      );
    const exitScam = () => checkExitScam({ open: view.open, close: view.close }, exitScamParams(config));
    const delisted = coin.delistedAtMs !== undefined && closeTime >= coin.delistedAtMs;
    if (delisted) return;
    // The record flags in the effective signal's order. A flag only counts when its filter is on, and the first block
    // decides, so a coin stops at its first block without computing the rest (same verdict, less work).
    const exitScamDecision = config.exit_scam_enabled && m >= FLAG_MIN_CANDLES ? exitScam() : null;
    if (exitScamDecision && !exitScamDecision.allowed) return;
    const rsiTimeDecision = config.rsi_time_filter_enabled && m >= RSI_TIME_FILTER_MIN_CANDLES ? rsiTime() : null;
    if (rsiTimeDecision && !rsiTimeDecision.allowed) return;
    const lossReentry =
      config.loss_reentry_protection && m >= FLAG_MIN_CANDLES && this.closedTrades[s].length > 0
        ? checkLossReentry(
            { trades: this.closedTrades[s], candleTimes: c.time.subarray(0, m), timeframeMs: this.tfMs },
            lossReentryParams(config),
          )
        : null;
    if (lossReentry && !lossReentry.allowed) return;
    const isMature = !config.enable_maturity_check || this.mature[s] === 1;
    if (!isMature) return;
    const trend: Trend = analyzeTrend(view.close, set.trend).trend;
    const verdict: SignalVerdict = effectiveSignal(
      {
        rsi,
        signal: base,
        trend,
        enhancedSignal: null,
        blockedByScope: false,
        blockedByExitScam: exitScamDecision !== null && !exitScamDecision.allowed,
        blockedByRsiTime: rsiTimeDecision !== null && !rsiTimeDecision.allowed,
        blockedByLossReentry: lossReentry !== null && !lossReentry.allowed,
        isMature,
      },
      {
        ...{ longThreshold: config.rsi_long_threshold, shortThreshold: config.rsi_short_threshold },
        enhancedRsiEnabled: false,
        exitScamEnabled: config.exit_scam_enabled,
        rsiTimeFilterEnabled: config.rsi_time_filter_enabled,
        lossReentryEnabled: config.loss_reentry_protection,
        maturityCheckEnabled: config.enable_maturity_check,
        avoidDownTrend: config.avoid_down_trend,
        avoidUpTrend: config.avoid_up_trend,
      },
    );
    const position = this.positions[s];
    const verdictOut = screenCandidate({
      direction,
      rsi,
      effectiveSignal: verdict,
      lock: this.accountOn ? activeLockFor(this.book.locks, coin.symbol, closeTime) : null,
      activeBots: this.openCount,
      maxConcurrent,
      busyBotStatus: position ? position.bot.status : null,
      exchangeHoldsPosition: position !== null,
      entryCheck: () =>
        runEntryFilters(
          coin.symbol,
          direction,
          {
            maturity: config.enable_maturity_check,
            rsiTime: config.rsi_time_filter_enabled,
            exitScam: config.exit_scam_enabled,
          },
          {
            maturity: () => ({
              filter: MATURITY_FILTER,
              allowed: isMature,
              reason: isMature ? 'coin is mature' : 'coin is not mature',
            }),
            rsiTime: () => rsiTimeDecision ?? rsiTime(),
            exitScam: () => exitScamDecision ?? exitScam(),
            scope: () => scope,
            delisted: () => ({
              filter: DELISTED_FILTER,
              allowed: !delisted,
              reason: delisted ? 'coin is being delisted' : 'not delisted',
            }),
          },
        ),
      cooldownLeftMs: cooldownLeftMs(this.lastCloseMs[s], this.tfMs, closeTime),
      timeframe: this.params.timeframe,
      thresholds: () => ({ long: config.rsi_long_threshold, short: config.rsi_short_threshold }),
      guard: () => this.riskCap(config),
    });
    if (!verdictOut.ok) return;
    this.enter(
      s,
      i,
      direction,
      rsi,
      trend,
      verdictOut.check.decisions.map((d) => d.filter),
      closeTime,
    );
  }

  /** The risk cap of the entry guard (ProtectionService.checkEntry): open margin + this entry's within the cap. */
  private riskCap(config: EffectiveBotConfig): { rule: string; reason: string } | null {
    if (!this.account.riskCap.enabled) return null;
    const entryMargin =
      positionNotionalUsdt(config.default_position_mode, config.default_position_size, this.wallet) /
      Math.max(1, config.leverage || 1);
    const decision = checkRiskCap(
      { walletBalance: this.wallet, openMarginUsdt: this.usedMargin, entryMarginUsdt: entryMargin },
      { percent: this.account.riskCap.percent },
    );
    return decision.allowed ? null : { rule: 'risk_cap', reason: decision.reason };
  }

  /** The entry at the decision's close: a LONG buys at the ask, a SHORT sells at the bid, with the taker fee. */
  private enter(
    s: number,
    i: number,
    direction: Direction,
    rsi: number,
    trend: Trend,
    filtersPassed: string[],
    closeTime: number,
  ): void {
    const coin = this.universe[s];
    const set = this.settings[s];
    const config = set.config;
    if (config.trading_enabled === false) return;
    const close = coin.candles.close[i];
    const price = this.quote(s, close, direction === 'LONG' ? 'buy' : 'sell');
    if (!(price > 0)) return;
    const leverage = set.leverage;
    const available = this.wallet - this.usedMargin;
    const sizing = orderQuantity({
      notionalUsdt: positionNotionalUsdt(config.default_position_mode, config.default_position_size, this.wallet),
      price,
      qtyStep: coin.rules.qtyStep,
      minOrderQty: coin.rules.minOrderQty,
      minNotional: coin.rules.minNotional,
      availableBalance: Math.max(0, available),
      leverage,
    });
    if (!sizing.ok) return;
    const fee = sizing.quantity * price * this.params.feeRate;
    // The paper account refuses an order whose margin plus fee exceeds the available balance.
    if (sizing.marginUsdt + fee > available) return;
    const levels = entryLevels(direction, price, config, leverage, coin.rules.tickSize);
    const bot = TradingBot.create({
      symbol: coin.symbol,
      nowMs: closeTime,
      volumeMode: config.default_position_mode,
      volumeValue: config.default_position_size,
      leverage,
      autoManaged: true,
    });
    const decision: EntryDecisionAudit = {
      decision_time: isoLocal(closeTime),
      decision_time_ms: closeTime,
      decision_price: price,
      decision_rsi: rsi,
      decision_candle_time: coin.candles.time[i],
      decision_trend: trend,
      filters_passed: filtersPassed,
      stop_loss_set: levels.stopLoss,
      take_profit_set: levels.takeProfit,
    };
    bot.openPosition({
      direction,
      entryPrice: price,
      quantity: sizing.quantity,
      leverage,
      orderId: null,
      stopLoss: levels.stopLoss,
      takeProfit: levels.takeProfit,
      entryTrend: trend,
      entryTimeframe: this.params.timeframe,
      entryRsi: rsi,
      nowMs: closeTime,
      fee,
      decision,
    });
    this.wallet -= fee;
    this.usedMargin += sizing.marginUsdt;
    this.positions[s] = {
      bot,
      side: direction,
      quantity: sizing.quantity,
      margin: sizing.marginUsdt,
      entryFee: fee,
      liquidation: roundToTick(
        liquidationPrice(direction === 'LONG' ? 'Long' : 'Short', price, leverage),
        coin.rules.tickSize,
      ),
      lastPrice: price,
    };
    this.openCount++;
  }
}
