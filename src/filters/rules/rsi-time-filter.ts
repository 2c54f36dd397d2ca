import { round2 } from '../../rsi/indicators/rsi';
import type { EntryDirection, FilterDecision } from '../filter.types';

export const RSI_TIME_FILTER = 'rsi_time_filter';
export const RSI_TIME_FILTER_MIN_CANDLES = 50;

/** rsi_time_filter_* keys plus the entry thresholds. */
export interface RsiTimeFilterParams {
  /** N: candles RSI must have stayed in the zone (rsi_time_filter_candles, 7; 8 when missing; at least 2). */
  candles: number;
  /** LONG: every RSI in the window must stay <= lower (35). */
  lower: number;
  /** SHORT: every RSI in the window must stay >= upper (65). */
  upper: number;
  longThreshold: number;
  shortThreshold: number;
}

export const DEFAULT_RSI_TIME_FILTER_PARAMS: RsiTimeFilterParams = {
  candles: 7,
  lower: 35,
  upper: 65,
  longThreshold: 29,
  shortThreshold: 71,
};

export function normalizeTimeFilterCandles(value: unknown): number {
  const n = Number(value);
  if (value === undefined || value === null || !Number.isFinite(n)) return 8;
  return Math.max(2, Math.floor(n));
}

/**
 * RSI time filter (docs/trading-logic.md §6.E): an entry is allowed only if RSI crossed the entry threshold exactly
 * N candles ago and has stayed on the entry side of lower/upper ever since, i.e. it reached the zone and held there
 * (LONG: RSI[now-N+1] <= long threshold and every RSI of the window <= lower; SHORT mirrors).
 * Missing data (fewer than 50 candles or a short history) blocks.
 */
export function checkRsiTimeFilter(
  input: { candlesCount: number; rsiHistory: ArrayLike<number>; currentRsi: number | null; direction: EntryDirection },
  params: RsiTimeFilterParams,
): FilterDecision {
  const n = normalizeTimeFilterCandles(params.candles);
  const { direction } = input;
  const decision = (allowed: boolean, reason: string, details: Record<string, unknown> = {}): FilterDecision => ({
    filter: RSI_TIME_FILTER,
    allowed,
    reason,
    details: { direction, candles: n, lower: params.lower, upper: params.upper, ...details },
  });
  if (input.candlesCount < RSI_TIME_FILTER_MIN_CANDLES) {
    return decision(false, `not enough candles (${input.candlesCount} < ${RSI_TIME_FILTER_MIN_CANDLES})`);
  }
  const minHistory = Math.max(2 * n + 14, 30);
  if (input.rsiHistory.length < minHistory || input.currentRsi === null) {
    return decision(false, `not enough RSI history (${input.rsiHistory.length} < ${minHistory})`);
  }
  // The window, rounded to 2 decimals like every RSI the service shows; the last value is the current RSI.
  const total = input.rsiHistory.length;
  const history: number[] = [];
  for (let i = total - n; i < total; i++) history.push(round2(input.rsiHistory[i]));
  history[history.length - 1] = input.currentRsi;
  const isLong = direction === 'LONG';
  const entered = (v: number) => (isLong ? v <= params.longThreshold : v >= params.shortThreshold);
  const left = (v: number) => (isLong ? v > params.lower : v < params.upper);
  const start = history.findIndex(entered);
  const window = history;
  if (start === -1) {
    return decision(
      false,
      `RSI did not reach ${isLong ? `<= ${params.longThreshold}` : `>= ${params.shortThreshold}`} in the last ${n} candles`,
      { window },
    );
  }
  for (let i = start; i < history.length; i++) {
    if (left(history[i])) {
      return decision(
        false,
        `entry missed: RSI ${history[i]} went ${isLong ? `above ${params.lower}` : `below ${params.upper}`} after the extreme`,
        { window, extreme_index: start },
      );
    }
  }
  const held = history.length - start;
  if (held < n) {
    return decision(false, `waiting: RSI in the zone for ${held} of ${n} candles`, {
      window,
      extreme_index: start,
      candles_in_zone: held,
    });
  }
  return decision(true, `RSI held in the zone for ${n} candles`, { window, candles_in_zone: held });
}
