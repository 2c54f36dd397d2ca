import { isoLocal } from '../../common/clock';
import type { Position, Timeframe } from '../../exchange/exchange.types';
import type { Trend } from '../../rsi/rsi.types';
import type { BotRecord, BotStatus, CloseReason, Direction, EntryDecisionAudit, TradeRecord } from './bot.types';
import { newBotRecord, type NewBotParams } from './new-bot-record';
import { marginUsdt, pnlUsdt, profitPercent, roiPercent, round } from './profit';
import {
  evaluateProtections,
  type ProtectionResult,
  type ProtectionSettings,
  type ProtectionState,
} from './protection';
import { exitSignal, type ExitThresholds } from '../../rules/signal';
import { rsiExitDelayMet, rsiExitStep, type RsiExitDelaySettings, type RsiExitStep } from './rsi-exit';

export type { NewBotParams } from './new-bot-record';

/** An action the bot's current status does not allow (e.g. entering while already in a position). */
export class BotStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BotStateError';
  }
}

export interface EntryFill {
  direction: Direction;
  entryPrice: number;
  quantity: number;
  leverage: number;
  orderId: string | null;
  stopLoss: number | null;
  takeProfit: number | null;
  entryTrend: Trend | null;
  entryTimeframe: Timeframe;
  entryRsi: number | null;
  nowMs: number;
  /** Fee of the entry fill, USDT. */
  fee?: number;
  /** Whether the auto-bot (not a user) opened the position; unchanged when left out. */
  openedByAutobot?: boolean;
  /** What the entry was decided on (docs/backtest-engine.md). */
  decision?: EntryDecisionAudit | null;
}

export interface ExitFill {
  exitPrice: number;
  nowMs: number;
  reason: CloseReason;
  exitRsi?: number | null;
  simulated: boolean;
  /** Fee of the exit fill, USDT. */
  fee?: number;
  /** Net PnL as the exchange reports it (fees included), when it closed the position itself. */
  netPnl?: number;
}

export interface RsiExitInput {
  rsi: number;
  price: number;
  nowMs: number;
  thresholds: ExitThresholds;
  delays: RsiExitDelaySettings;
  waitWhenLoss: boolean;
}

export interface RsiExitOutcome {
  step: RsiExitStep;
  threshold: number;
  signal: boolean;
}

/**
 * One trading bot: a state machine over its persisted record (docs/trading-logic.md §7.1).
 *
 *   (new) ─create→ running ─entry→ in_position_long|short ─close→ idle ─start→ running
 *   any ─stop/pause→ paused ─start/resume→ running (or back in position if it still holds one)
 *   running ─RSI neutral, no position→ idle
 *
 * The class decides and records; the BotManager performs the exchange calls and persists.
 */
export class TradingBot {
  constructor(public record: BotRecord) {}

  static create(p: NewBotParams): TradingBot {
    return new TradingBot(newBotRecord(p));
  }

  get symbol(): string {
    return this.record.symbol;
  }

  get status(): BotStatus {
    return this.record.status;
  }

  /** The side of the position the bot holds, whatever its status (a paused bot may still hold one). */
  get side(): Direction | null {
    return this.record.position_side;
  }

  get inPosition(): boolean {
    return this.record.status === 'in_position_long' || this.record.status === 'in_position_short';
  }

  /** Holds a position, even while paused. */
  get holdsPosition(): boolean {
    return this.record.position_side !== null && this.record.entry_price !== null;
  }

  /** "Active" = counts toward max_concurrent: neither idle nor paused. */
  get isActive(): boolean {
    return this.record.status !== 'idle' && this.record.status !== 'paused';
  }

  private touch(nowMs: number): void {
    this.record.last_update = isoLocal(nowMs);
  }

  /** stop / pause: the position (if any) is left open and its exchange stops stay in place. */
  pause(nowMs: number, reason: string | null = null): boolean {
    const changed = this.record.status !== 'paused';
    this.record.status = 'paused';
    this.record.pause_reason = reason;
    this.touch(nowMs);
    return changed;
  }

  /** start / resume: paused or idle → running, or straight back to in_position_* if it still holds one. */
  resume(nowMs: number): boolean {
    if (this.record.status !== 'paused' && this.record.status !== 'idle') return false;
    this.record.status = this.holdsPosition ? statusFor(this.record.position_side as Direction) : 'running';
    this.record.pause_reason = null;
    this.touch(nowMs);
    return true;
  }

  /** Housekeeping: a running bot without a position whose coin left the entry zones goes idle. */
  markIdle(nowMs: number): boolean {
    if (this.record.status !== 'running' || this.holdsPosition) return false;
    this.record.status = 'idle';
    this.touch(nowMs);
    return true;
  }

  /**
   * After a user's manual close: a bot left without a position goes idle, even a paused one (the user ended its
   * trade). Answers whether the status changed.
   */
  settleAfterManualClose(nowMs: number): boolean {
    if (this.holdsPosition || this.record.status === 'idle') return false;
    this.record.status = 'idle';
    this.touch(nowMs);
    return true;
  }

  /** The auto-bot takes over a bot a user created (it then manages its entries and cleanup). */
  takeOverByAutobot(nowMs: number): void {
    this.record.auto_managed = true;
    this.touch(nowMs);
  }

  /**
   * At load: a bot in a position waits for the exchange sync to confirm it; a position status without the position
   * data cannot be managed, so the bot waits as running and the sync adopts the exchange's position.
   */
  awaitExchangeSync(nowMs: number): void {
    const r = this.record;
    const hasPositionData =
      typeof r.entry_price === 'number' && (r.position_side === 'LONG' || r.position_side === 'SHORT');
    const inPosition = this.inPosition;
    if (inPosition && !hasPositionData) {
      r.status = 'running';
      r.position_side = null;
      r.entry_price = null;
      this.touch(nowMs);
    }
    if (inPosition || hasPositionData) r.needs_exchange_sync = true;
  }

  /** Whether an entry may be attempted now. */
  canEnter(): boolean {
    return (this.record.status === 'running' || this.record.status === 'idle') && !this.holdsPosition;
  }

  openPosition(fill: EntryFill): void {
    if (!this.canEnter()) throw new BotStateError(`Bot ${this.symbol} cannot enter from status ${this.status}`);
    if (!(fill.entryPrice > 0) || !(fill.quantity > 0)) {
      throw new BotStateError('Entry fill needs a positive price and quantity');
    }
    const r = this.record;
    const iso = isoLocal(fill.nowMs);
    r.status = statusFor(fill.direction);
    r.position_side = fill.direction;
    r.entry_price = fill.entryPrice;
    r.entry_time = iso;
    r.position_start_time = iso;
    r.entry_timestamp = fill.nowMs;
    r.entry_trend = fill.entryTrend ?? 'NEUTRAL';
    r.entry_timeframe = fill.entryTimeframe;
    r.entry_rsi = fill.entryRsi;
    r.position_size = fill.quantity;
    r.position_size_coins = fill.quantity;
    r.leverage = fill.leverage;
    r.margin_usdt = round(marginUsdt(fill.entryPrice, fill.quantity, fill.leverage), 8);
    r.order_id = fill.orderId;
    r.entry_fee = fill.fee ?? 0;
    r.stop_loss = fill.stopLoss;
    r.take_profit = fill.takeProfit;
    r.stop_loss_price = fill.stopLoss;
    r.take_profit_price = fill.takeProfit;
    r.current_price = fill.entryPrice;
    r.mark_price = fill.entryPrice;
    r.last_price = fill.entryPrice;
    r.last_rsi = fill.entryRsi;
    r.last_trend = fill.entryTrend;
    r.unrealized_pnl = 0;
    r.unrealized_pnl_usdt = 0;
    r.unrealized_pnl_percent = 0;
    r.roi = 0;
    this.resetProtection();
    r.needs_exchange_sync = false;
    if (fill.openedByAutobot !== undefined) r.opened_by_autobot = fill.openedByAutobot;
    r.entry_decision = fill.decision ?? null;
    this.touch(fill.nowMs);
  }

  private resetProtection(): void {
    const r = this.record;
    r.max_profit_achieved = 0;
    r.trailing_active = false;
    r.trailing_stop_price = null;
    r.trailing_reference_price = null;
    r.trailing_activation_profit = 0;
    r.trailing_steps = 0;
    r.trailing_last_update_ts = 0;
    r.break_even_activated = false;
    r.break_even_stop_set = false;
    r.break_even_stop_price = null;
    r.exit_waiting_breakeven = false;
  }

  private protectionState(): ProtectionState {
    const r = this.record;
    return {
      maxProfitPercent: r.max_profit_achieved,
      trailingActive: r.trailing_active,
      trailingReference: r.trailing_reference_price,
      trailingStop: r.trailing_stop_price,
      breakEvenActive: r.break_even_activated,
      breakEvenStop: r.break_even_stop_price,
    };
  }

  /** Marks the position to `price` (unrealised PnL in USDT and %, ROI). */
  markPrice(price: number, nowMs: number): void {
    const r = this.record;
    if (!this.holdsPosition || !(price > 0)) return;
    const side = r.position_side as Direction;
    const entry = r.entry_price as number;
    const qty = r.position_size_coins ?? 0;
    const pnl = pnlUsdt(side, entry, price, qty);
    r.current_price = price;
    r.mark_price = price;
    r.last_price = price;
    r.unrealized_pnl_usdt = round(pnl, 8);
    r.unrealized_pnl = r.unrealized_pnl_usdt;
    r.unrealized_pnl_percent = round(profitPercent(side, entry, price), 4);
    r.roi = round(roiPercent(pnl, entry, qty, r.leverage), 4);
    this.touch(nowMs);
  }

  /**
   * Runs the protection engine at `price`. Updates trailing / break-even state on the record and returns
   * the exit to take (if any) and the stop the exchange should hold.
   */
  evaluateProtections(
    market: { price: number; nowMs: number; cumRealisedPnl?: number },
    settings: ProtectionSettings,
  ): ProtectionResult {
    if (!this.inPosition) throw new BotStateError(`Bot ${this.symbol} is not in a position`);
    const r = this.record;
    this.markPrice(market.price, market.nowMs);
    const wasTrailing = r.trailing_active;
    const previousTrailingStop = r.trailing_stop_price;
    const result = evaluateProtections(
      this.protectionState(),
      {
        side: r.position_side as Direction,
        entryPrice: r.entry_price as number,
        price: market.price,
        quantity: r.position_size_coins ?? 0,
        cumRealisedPnl: market.cumRealisedPnl ?? 0,
        positionStartMs: r.entry_timestamp ?? market.nowMs,
        nowMs: market.nowMs,
      },
      settings,
    );
    const s = result.state;
    r.max_profit_achieved = round(s.maxProfitPercent, 4);
    r.trailing_active = s.trailingActive;
    r.trailing_reference_price = s.trailingReference;
    r.trailing_stop_price = s.trailingStop;
    r.break_even_activated = s.breakEvenActive;
    r.break_even_stop_price = s.breakEvenStop;
    r.trailing_activation_threshold = settings.trailingActivation;
    if (!wasTrailing && s.trailingActive) r.trailing_activation_profit = round(result.profitPercent, 4);
    if (s.trailingStop !== null && s.trailingStop !== previousTrailingStop) r.trailing_steps += 1;
    return result;
  }

  /** Records that the exchange now holds `stop` as the position's stop-loss. */
  stopPlaced(stop: number, nowMs: number, trailing: boolean): void {
    this.record.stop_loss_price = stop;
    if (trailing) this.record.trailing_last_update_ts = Math.floor(nowMs / 1000);
    if (this.record.break_even_activated && this.record.break_even_stop_price !== null) {
      this.record.break_even_stop_set = true;
    }
    this.touch(nowMs);
  }

  /**
   * RSI exit on the entry timeframe: the with/against-trend level, the exit delays, then the
   * break-even wait. Records the wait flag; the caller closes on `step.action === 'close'`.
   */
  evaluateRsiExit(input: RsiExitInput): RsiExitOutcome {
    if (!this.inPosition) throw new BotStateError(`Bot ${this.symbol} is not in a position`);
    const r = this.record;
    const side = r.position_side as Direction;
    const entry = r.entry_price as number;
    const verdict = exitSignal(input.rsi, side, r.entry_trend, input.thresholds);
    const threshold = verdict.threshold;
    const profit = profitPercent(side, entry, input.price);
    const delayOk = rsiExitDelayMet(
      input.delays,
      r.entry_timeframe ?? '6h',
      input.nowMs - (r.entry_timestamp ?? input.nowMs),
      profit,
    );
    const signal = verdict.exit && delayOk;
    const step = rsiExitStep({
      exitSignal: signal,
      waitingBreakeven: r.exit_waiting_breakeven,
      profitPercent: profit,
      waitWhenLoss: input.waitWhenLoss,
    });
    if (step.action === 'keep') r.exit_waiting_breakeven = step.waitingBreakeven;
    r.last_rsi = input.rsi;
    this.markPrice(input.price, input.nowMs);
    return { step, threshold, signal };
  }

  /** The position is closed: build the trade and return to idle (or stay paused), clearing side and entry. */
  closePosition(exit: ExitFill): TradeRecord {
    if (!this.holdsPosition) throw new BotStateError(`Bot ${this.symbol} has no position to close`);
    const r = this.record;
    const side = r.position_side as Direction;
    const entry = r.entry_price as number;
    const qty = r.position_size_coins ?? 0;
    const pnl = pnlUsdt(side, entry, exit.exitPrice, qty);
    const netPnl = exit.netPnl ?? pnl - r.entry_fee - (exit.fee ?? 0);
    const trade: TradeRecord = {
      id: `${r.id}_${exit.nowMs}`,
      timestamp: r.entry_time ?? isoLocal(exit.nowMs),
      bot_id: r.id,
      symbol: r.symbol,
      direction: side,
      size: qty,
      entry_price: entry,
      exit_price: exit.exitPrice,
      pnl: round(pnl, 8),
      fees: round(pnl - netPnl, 8),
      net_pnl: round(netPnl, 8),
      roi: round(roiPercent(pnl, entry, qty, r.leverage), 4),
      pnl_percent: round(profitPercent(side, entry, exit.exitPrice), 4),
      leverage: r.leverage,
      status: 'CLOSED',
      decision_source: r.auto_managed ? 'SCRIPT' : 'MANUAL',
      rsi: r.entry_rsi,
      trend: r.entry_trend,
      exit_rsi: exit.exitRsi ?? r.last_rsi,
      entry_timeframe: r.entry_timeframe,
      entry_time: r.entry_time ?? isoLocal(exit.nowMs),
      entry_timestamp: r.entry_timestamp ?? exit.nowMs,
      close_timestamp: isoLocal(exit.nowMs),
      close_time_ms: exit.nowMs,
      close_reason: exit.reason,
      is_successful: pnl > 0,
      is_simulated: exit.simulated,
    };
    if (r.entry_decision) trade.decision = r.entry_decision;
    if (r.status !== 'paused') r.status = 'idle';
    r.realized_pnl = round(r.realized_pnl + pnl, 8);
    r.position_side = null;
    r.entry_price = null;
    r.entry_time = null;
    r.entry_timestamp = null;
    r.position_start_time = null;
    r.position_size = null;
    r.position_size_coins = null;
    r.margin_usdt = null;
    r.order_id = null;
    r.entry_fee = 0;
    r.stop_loss = null;
    r.take_profit = null;
    r.stop_loss_price = null;
    r.take_profit_price = null;
    r.unrealized_pnl = 0;
    r.unrealized_pnl_usdt = 0;
    r.unrealized_pnl_percent = 0;
    r.roi = 0;
    r.exchange_position = null;
    r.liquidation_price = null;
    r.distance_to_liquidation = null;
    r.needs_exchange_sync = false;
    r.last_position_close_timestamp = exit.nowMs;
    r.entry_decision = null;
    this.resetProtection();
    this.touch(exit.nowMs);
    return trade;
  }

  /**
   * Copies the exchange's view of the position onto the record. A bot that is not paused takes its side
   * and entry from the exchange (adopting a position it did not know about).
   */
  applyExchangePosition(p: Position, nowMs: number, currentTrend: Trend | null, timeframe: Timeframe): void {
    const r = this.record;
    const side: Direction = p.side === 'Long' ? 'LONG' : 'SHORT';
    // A paused bot without a position only shows the exchange's one; it does not take it over.
    const manages = this.holdsPosition || r.status !== 'paused';
    if (manages) {
      if (!this.holdsPosition || r.position_side !== side) {
        r.position_side = side;
        r.entry_timestamp = p.createdAt || nowMs;
        r.entry_time = isoLocal(r.entry_timestamp);
        r.position_start_time = r.entry_time;
        r.entry_trend = currentTrend ?? 'NEUTRAL';
        r.entry_timeframe = timeframe;
        // Adopted from the exchange: no decision of ours to record.
        r.entry_decision = null;
        this.resetProtection();
      }
      if (r.status !== 'paused') r.status = statusFor(side);
      r.entry_price = p.entryPrice;
      r.position_size = p.size;
      r.position_size_coins = p.size;
      r.leverage = p.leverage || r.leverage;
      r.margin_usdt = round(marginUsdt(p.entryPrice, p.size, r.leverage), 8);
      r.stop_loss_price = p.stopLoss;
      r.take_profit_price = p.takeProfit;
      r.liquidation_price = p.liquidationPrice;
      r.distance_to_liquidation =
        p.liquidationPrice && p.markPrice > 0
          ? round((Math.abs(p.markPrice - p.liquidationPrice) / p.markPrice) * 100, 4)
          : null;
    }
    r.exchange_position = {
      size: p.size,
      side: p.side,
      unrealized_pnl: p.unrealizedPnl,
      mark_price: p.markPrice,
      entry_price: p.entryPrice,
      leverage: p.leverage,
      stop_loss: p.stopLoss === null ? '' : String(p.stopLoss),
      take_profit: p.takeProfit === null ? '' : String(p.takeProfit),
      roi: round(roiPercent(p.unrealizedPnl, p.entryPrice, p.size, p.leverage || 1), 4),
      realized_pnl: p.realizedPnl,
      margin_usdt: p.margin,
    };
    r.needs_exchange_sync = false;
    if (manages) this.markPrice(p.markPrice, nowMs);
    this.touch(nowMs);
  }
}

export function statusFor(side: Direction): BotStatus {
  return side === 'LONG' ? 'in_position_long' : 'in_position_short';
}
