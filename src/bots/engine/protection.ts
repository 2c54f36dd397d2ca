import type { CloseReason, Direction } from './bot.types';
import { profitPercent } from './profit';

/**
 * The protection engine (docs/trading-logic.md §7.3–7.5): fixed stop-loss, take-profit, max hold time,
 * break-even and trailing stop. Pure: state in, new state and a decision out.
 */

export interface ProtectionSettings {
  /** Stop-loss distance, % of price; 0 = off. */
  maxLossPercent: number;
  /** Take-profit distance, % of price; 0 = off. */
  takeProfitPercent: number;
  closeAtProfitEnabled: boolean;
  /** Arm the trailing stop at this profit %. */
  trailingActivation: number;
  /** Trailing distance % from the best price; <= 0 disables trailing. */
  trailingDistance: number;
  /** Minimum spacing between trailing stop updates on the exchange, seconds. */
  trailingUpdateIntervalSec: number;
  /** 0 = off. */
  maxPositionHours: number;
  breakEvenProtection: boolean;
  breakEvenTrigger: number;
}

export interface ProtectionState {
  maxProfitPercent: number;
  trailingActive: boolean;
  /** Best price since trailing activation (max for LONG, min for SHORT). */
  trailingReference: number | null;
  trailingStop: number | null;
  breakEvenActive: boolean;
  breakEvenStop: number | null;
}

export interface ProtectionInput {
  side: Direction;
  entryPrice: number;
  price: number;
  quantity: number;
  /** Cumulative realised PnL of the position (fees, negative); 0 when unknown. */
  cumRealisedPnl: number;
  positionStartMs: number;
  nowMs: number;
}

export interface ProtectionResult {
  state: ProtectionState;
  profitPercent: number;
  close: CloseReason | null;
  /** The tightest stop the exchange should hold now (never looser than before). */
  desiredStop: number | null;
}

/** The break-even band: a position back within ±0.05 % of entry after arming closes at break-even. */
export const BREAK_EVEN_CLOSE_BAND = 0.05;
/** Fees multiplier for the break-even stop (covers the round trip). */
export const BREAK_EVEN_FEE_MULTIPLIER = 2.5;

export function initialProtectionState(): ProtectionState {
  return {
    maxProfitPercent: 0,
    trailingActive: false,
    trailingReference: null,
    trailingStop: null,
    breakEvenActive: false,
    breakEvenStop: null,
  };
}

/** A trigger configured in (0,1) reads as 1 %, as the original did. */
export function normalizeTrigger(value: number): number {
  return value > 0 && value < 1 ? 1 : value;
}

/** Share of the liquidation distance a stop may use: a stop beyond the liquidation price would never fire. */
export const LIQUIDATION_STOP_SHARE = 0.8;

/**
 * The stop-loss distance (price %) actually used: max_loss_percent, but inside the liquidation distance
 * (about 100/leverage %), e.g. the default 15 % at 10x becomes 8 % so the stop fires before liquidation.
 */
export function stopLossPercentWithinLiquidation(maxLossPercent: number, leverage: number): number {
  if (!(maxLossPercent > 0) || !(leverage > 1)) return maxLossPercent;
  return Math.min(maxLossPercent, (100 / leverage) * LIQUIDATION_STOP_SHARE);
}

/** Fixed stop-loss price at `percent` below (LONG) / above (SHORT) entry; null when off. */
export function stopLossPrice(side: Direction, entryPrice: number, percent: number): number | null {
  if (!(percent > 0) || !(entryPrice > 0)) return null;
  return side === 'LONG' ? entryPrice * (1 - percent / 100) : entryPrice * (1 + percent / 100);
}

/** Take-profit price at `percent` above (LONG) / below (SHORT) entry; null when off. */
export function takeProfitPrice(side: Direction, entryPrice: number, percent: number): number | null {
  const p = normalizeTrigger(percent);
  if (!(p > 0) || !(entryPrice > 0)) return null;
  if (side === 'SHORT' && p >= 100) return null;
  return side === 'LONG' ? entryPrice * (1 + p / 100) : entryPrice * (1 - p / 100);
}

/** True when `candidate` is a tighter (more protective) stop than `current` for the side. */
export function isTighterStop(side: Direction, candidate: number, current: number | null): boolean {
  if (current === null) return true;
  return side === 'LONG' ? candidate > current : candidate < current;
}

/** The stop only ever moves in the profitable direction. */
export function ratchetStop(side: Direction, current: number | null, candidate: number | null): number | null {
  if (candidate === null) return current;
  return isTighterStop(side, candidate, current) ? candidate : current;
}

/** Best price seen: max for LONG, min for SHORT. */
export function nextTrailingReference(side: Direction, reference: number | null, price: number): number {
  if (reference === null) return price;
  return side === 'LONG' ? Math.max(reference, price) : Math.min(reference, price);
}

/**
 * Trailing stop from the reference: LONG `ref·(1−d)`, never below entry or the break-even stop;
 * SHORT `ref·(1+d)`, never above them.
 */
export function trailingStopPrice(
  side: Direction,
  reference: number,
  distancePercent: number,
  entryPrice: number,
  breakEvenStop: number | null,
): number {
  if (side === 'LONG') {
    const raw = reference * (1 - distancePercent / 100);
    return Math.max(raw, entryPrice, breakEvenStop ?? -Infinity);
  }
  const raw = reference * (1 + distancePercent / 100);
  return Math.min(raw, entryPrice, breakEvenStop ?? Infinity);
}

/**
 * Break-even stop: entry shifted by 2.5× the fees already paid per coin, clamped between entry and the
 * current price so it can never sit on the losing side of entry or beyond the market.
 */
export function breakEvenStopPrice(
  side: Direction,
  entryPrice: number,
  price: number,
  cumRealisedPnl: number,
  quantity: number,
): number {
  const feeShift = quantity > 0 ? (Math.abs(cumRealisedPnl) * BREAK_EVEN_FEE_MULTIPLIER) / quantity : 0;
  if (side === 'LONG') {
    const raw = entryPrice + feeShift;
    return Math.min(Math.max(raw, entryPrice), Math.max(price, entryPrice));
  }
  const raw = entryPrice - feeShift;
  return Math.max(Math.min(raw, entryPrice), Math.min(price, entryPrice));
}

/** The tightest of the candidate stops, but never through the current price (else it fires at once). */
export function tightestStop(side: Direction, price: number, stops: Array<number | null>): number | null {
  const present = stops.filter((s): s is number => s !== null && Number.isFinite(s));
  if (present.length === 0) return null;
  return side === 'LONG' ? Math.min(Math.max(...present), price) : Math.max(Math.min(...present), price);
}

/** Has the price crossed the stop (LONG: at or below; SHORT: at or above)? */
export function stopHit(side: Direction, price: number, stop: number | null): boolean {
  if (stop === null) return false;
  return side === 'LONG' ? price <= stop : price >= stop;
}

/**
 * One pass of the protection engine in the documented order: stop-loss, max-profit tracking,
 * take-profit, max hold, break-even, trailing. Returns the updated state and the first exit that fires.
 */
export function evaluateProtections(
  prev: ProtectionState,
  input: ProtectionInput,
  settings: ProtectionSettings,
): ProtectionResult {
  const { side, entryPrice, price } = input;
  const state: ProtectionState = { ...prev };
  const profit = profitPercent(side, entryPrice, price);
  const fixedStop = stopLossPrice(side, entryPrice, settings.maxLossPercent);
  const result = (close: CloseReason | null): ProtectionResult => ({
    state,
    profitPercent: profit,
    close,
    desiredStop: tightestStop(side, price, [
      fixedStop,
      state.breakEvenActive ? state.breakEvenStop : null,
      state.trailingActive ? state.trailingStop : null,
    ]),
  });

  if (settings.maxLossPercent > 0 && profit <= -settings.maxLossPercent) return result('STOP_LOSS');

  state.maxProfitPercent = Math.max(state.maxProfitPercent, profit);

  const tp = normalizeTrigger(settings.takeProfitPercent);
  if (settings.closeAtProfitEnabled && tp > 0 && profit >= tp) return result('TAKE_PROFIT');

  if (settings.maxPositionHours > 0 && input.nowMs - input.positionStartMs >= settings.maxPositionHours * 3_600_000) {
    return result('MAX_POSITION_HOURS');
  }

  if (settings.breakEvenProtection) {
    const trigger = normalizeTrigger(settings.breakEvenTrigger);
    if (trigger > 0 && profit >= trigger) state.breakEvenActive = true;
    if (state.breakEvenActive) {
      const candidate = breakEvenStopPrice(side, entryPrice, price, input.cumRealisedPnl, input.quantity);
      state.breakEvenStop = ratchetStop(side, state.breakEvenStop, candidate);
      // Back at entry (within the band), or already through the break-even stop between two ticks.
      if (Math.abs(profit) <= BREAK_EVEN_CLOSE_BAND + 1e-9 || stopHit(side, price, state.breakEvenStop)) {
        return result('BREAK_EVEN');
      }
    }
  }

  if (settings.trailingDistance > 0) {
    if (!state.trailingActive && settings.trailingActivation >= 0 && profit >= settings.trailingActivation) {
      state.trailingActive = true;
      state.trailingReference = price;
    }
    if (state.trailingActive) {
      state.trailingReference = nextTrailingReference(side, state.trailingReference, price);
      const candidate = trailingStopPrice(
        side,
        state.trailingReference,
        settings.trailingDistance,
        entryPrice,
        state.breakEvenActive ? state.breakEvenStop : null,
      );
      state.trailingStop = ratchetStop(side, state.trailingStop, candidate);
      if (stopHit(side, price, state.trailingStop)) return result('TRAILING_STOP');
    }
  }

  return result(null);
}
