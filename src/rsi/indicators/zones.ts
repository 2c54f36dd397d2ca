import type { EntrySignal, RsiZone } from '../rsi.types';

export interface EntryThresholds {
  longThreshold: number;
  shortThreshold: number;
}

/** RSI <= long threshold → ENTER_LONG, >= short threshold → ENTER_SHORT, else WAIT; no RSI → WAIT. */
export function baseSignal(rsi: number | null, thresholds: EntryThresholds): EntrySignal {
  if (rsi === null || !Number.isFinite(rsi)) return 'WAIT';
  if (rsi <= thresholds.longThreshold) return 'ENTER_LONG';
  if (rsi >= thresholds.shortThreshold) return 'ENTER_SHORT';
  return 'WAIT';
}

export function rsiZone(rsi: number | null, thresholds: EntryThresholds): RsiZone {
  if (rsi === null || !Number.isFinite(rsi)) return 'NEUTRAL';
  if (rsi <= thresholds.longThreshold) return 'BUY_ZONE';
  if (rsi >= thresholds.shortThreshold) return 'SELL_ZONE';
  return 'NEUTRAL';
}
