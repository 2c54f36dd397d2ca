import { TIMEFRAME_MS, type Timeframe } from '../../exchange/exchange.types';

/**
 * RSI-exit timing of an open position (docs/trading-logic.md §7.6). The exit level itself (§5.3, with / against
 * the entry trend) is the filters module's `exitSignal` rule.
 */

export interface RsiExitDelaySettings {
  minCandles: number;
  /** Overrides minCandles when > 0. */
  minMinutes: number;
  /** When > 0 the price must also have moved at least this % (either way). */
  minMovePercent: number;
}

/**
 * Whether the RSI-exit delays allow an exit now: enough candles of the entry timeframe held
 * (minutes converted to candles, rounded up) and, when configured, a large enough price move.
 */
export function rsiExitDelayMet(
  delays: RsiExitDelaySettings,
  timeframe: Timeframe,
  heldMs: number,
  movePercent: number,
): boolean {
  const tfMs = TIMEFRAME_MS[timeframe];
  const required =
    delays.minMinutes > 0 ? Math.ceil((delays.minMinutes * 60_000) / tfMs) : Math.max(0, delays.minCandles);
  if (required > 0 && Math.floor(heldMs / tfMs) < required) return false;
  if (delays.minMovePercent > 0 && Math.abs(movePercent) < delays.minMovePercent) return false;
  return true;
}

/** Tolerance for comparing float percentages (100.05 vs 100 gives 0.04999999999). */
export const PERCENT_EPSILON = 1e-9;

/** Profit needed to leave a break-even wait. */
export const BREAKEVEN_WAIT_EXIT_PROFIT = 0.05;

export type RsiExitStep =
  { action: 'close'; reason: 'RSI_EXIT' | 'BREAKEVEN_WAIT_EXIT' } | { action: 'keep'; waitingBreakeven: boolean };

/**
 * §7.6 step 3: once waiting for break-even, only +0.05 % closes (the exchange stops and trailing still
 * apply); an RSI exit in a loss starts the wait instead of closing when `exit_wait_breakeven_when_loss` is on.
 */
export function rsiExitStep(input: {
  exitSignal: boolean;
  waitingBreakeven: boolean;
  profitPercent: number;
  waitWhenLoss: boolean;
}): RsiExitStep {
  if (input.waitingBreakeven) {
    return input.profitPercent >= BREAKEVEN_WAIT_EXIT_PROFIT - PERCENT_EPSILON
      ? { action: 'close', reason: 'BREAKEVEN_WAIT_EXIT' }
      : { action: 'keep', waitingBreakeven: true };
  }
  if (!input.exitSignal) return { action: 'keep', waitingBreakeven: false };
  if (!input.waitWhenLoss || input.profitPercent >= 0) return { action: 'close', reason: 'RSI_EXIT' };
  return { action: 'keep', waitingBreakeven: true };
}
