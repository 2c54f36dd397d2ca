// The auto-bot round of the replay: at each close every coin in universe order through the live entry pipeline
// (signal, entry filters, screenCandidate, risk cap), then the entry at the close quote.
import type { Direction, EntryDecisionAudit } from '../../bots/engine/bot.types';
import { cooldownLeftMs, screenCandidate } from '../../bots/engine/candidate-screen';
import { entryLevels } from '../../bots/engine/entry-levels';
import { orderQuantity, positionNotionalUsdt, roundToTick } from '../../bots/engine/sizing';
import { TradingBot } from '../../bots/engine/trading-bot';
import { isoLocal } from '../../common/clock';
import type { EffectiveBotConfig } from '../../config/effective-bot-config';
import { liquidationPrice, takerFee } from '../../exchange/paper/paper-account';
import {
  FLAG_MIN_CANDLES,
  exitScamParams,
  lossReentryParams,
  rsiTimeFilterParams,
} from '../../filters/rules/filter-params';
import type { FilterDecision } from '../../filters/filter.types';
import { DELISTED_FILTER, MATURITY_FILTER, runEntryFilters } from '../../filters/rules/entry-chain';
import { checkExitScam } from '../../filters/rules/exit-scam';
import { checkLossReentry } from '../../filters/rules/loss-reentry';
import { checkRsiTimeFilter, RSI_TIME_FILTER_MIN_CANDLES } from '../../filters/rules/rsi-time-filter';
import { baseSignal, effectiveSignal, type SignalVerdict } from '../../rules/signal';
import { RSI_PERIOD } from '../../rsi/indicators/rsi';
import { analyzeTrend } from '../../rsi/indicators/trend';
import { activeLockFor } from '../../protections/lock-book';
import { checkRiskCap } from '../../protections/rules/risk-cap';
import type { Trend } from '../../rsi/rsi.types';
import { PositionWalk } from './position-walk';

export abstract class AutoBotEntry extends PositionWalk {
  /** The auto-bot round at a close: every coin in universe order through the live pipeline. */
  protected autoBotRound(closeTime: number): void {
    const maxConcurrent = this.params.config.max_concurrent;
    // Every slot taken: the round decides nothing (live: it stops at max_concurrent); only entries change the count.
    for (let s = 0; s < this.n && !(this.openCount >= maxConcurrent); s++) {
      const i = this.candleAt(s);
      if (i < 0) continue;
      const rsi = this.rsiRounded[s][i];
      if (Number.isNaN(rsi)) continue;
      // Not in an entry zone (or out of scope): no decision at all, as live.
      if (rsi > this.longThreshold[s] && rsi < this.shortThreshold[s]) continue;
      const set = this.settings[s];
      const config = set.config;
      if (config.enable_maturity_check && !this.mature[s]) this.refreshMaturity(s, i);
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

  protected refreshMaturity(s: number, i: number): void {
    // Once mature, always mature (the maturity store keeps the coin): checked at every close from the first decision,
    // once per universe (replay-precompute.ts); read only by screen, so asking in the entry zone only is the same.
    if (this.matureAt(s, i)) this.mature[s] = 1;
  }

  protected screen(
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
  protected riskCap(config: EffectiveBotConfig): { rule: string; reason: string } | null {
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
  protected enter(
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
    const fee = takerFee(sizing.quantity, price, this.params.feeRate);
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
