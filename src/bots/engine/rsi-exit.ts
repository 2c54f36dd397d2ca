import type { Direction } from './bot.types';
import type { Trend } from '../../rsi/rsi.types';
import { TIMEFRAME_MS, type Timeframe } from '../../exchange/exchange.types';

/**
 * RSI exits of an open position (trading-logic §5.3 and §7.6).
 */

export interface RsiExitThresholds {
  longWithTrend: number;
  longAgainstTrend: number;
  shortWithTrend: number;
  shortAgainstTrend: number;
}

export const FALLBACK_EXIT_THRESHOLDS: RsiExitThresholds = { longWithTrend: 65, longAgainstTrend: 60, shortWithTrend: 35, shortAgainstTrend: 40 };

/**
 * The RSI level that closes a position: LONG "with trend" when it was entered in an UP trend,
 * SHORT "with trend" in a DOWN trend, otherwise the "against trend" level.
 */
export function rsiExitThreshold(side: Direction, entryTrend: Trend | null, t: RsiExitThresholds): number {
  if (side === 'LONG') return entryTrend === 'UP' ? t.longWithTrend : t.longAgainstTrend;
  return entryTrend === 'DOWN' ? t.shortWithTrend : t.shortAgainstTrend;
}

/** LONG closes at RSI >= threshold, SHORT at RSI <= threshold. */
export function rsiSaysExit(side: Direction, rsi: number, threshold: number): boolean {
  return side === 'LONG' ? rsi >= threshold : rsi <= threshold;
}

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
  const required = delays.minMinutes > 0 ? Math.ceil((delays.minMinutes * 60_000) / tfMs) : Math.max(0, delays.minCandles);
  if (required > 0 && Math.floor(heldMs / tfMs) < required) return false;
  if (delays.minMovePercent > 0 && Math.abs(movePercent) < delays.minMovePercent) return false;
  return true;
}

/** Profit needed to leave a break-even wait. */
export const BREAKEVEN_WAIT_EXIT_PROFIT = 0.05;

export type RsiExitStep =
  | { action: 'close'; reason: 'RSI_EXIT' | 'BREAKEVEN_WAIT_EXIT' }
  | { action: 'keep'; waitingBreakeven: boolean };

/**
 * §7.6 step 3: once waiting for break-even, a profit of +0.05 % closes regardless of RSI; an RSI exit
 * in a loss starts the wait instead of closing when `exit_wait_breakeven_when_loss` is on.
 */
export function rsiExitStep(input: { exitSignal: boolean; waitingBreakeven: boolean; profitPercent: number; waitWhenLoss: boolean }): RsiExitStep {
  if (input.waitingBreakeven) {
    // Once waiting, only +0.05 % (or the exchange stops / trailing) ends the position.
    return input.profitPercent >= BREAKEVEN_WAIT_EXIT_PROFIT ? { action: 'close', reason: 'BREAKEVEN_WAIT_EXIT' } : { action: 'keep', waitingBreakeven: true };
  }
  if (!input.exitSignal) return { action: 'keep', waitingBreakeven: false };
  if (!input.waitWhenLoss || input.profitPercent >= 0) return { action: 'close', reason: 'RSI_EXIT' };
  return { action: 'keep', waitingBreakeven: true };
}
