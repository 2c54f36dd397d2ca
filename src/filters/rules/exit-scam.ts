import type { FilterDecision } from '../filter.types';

export const EXIT_SCAM_FILTER = 'exit_scam';

/** exit_scam_* keys. */
export interface ExitScamParams {
  /** Candles inspected for a single big candle (exit_scam_candles, 8). */
  candles: number;
  /** A single candle body above this percent blocks (15). */
  singleCandlePercent: number;
  /** Candles of the multi-candle move (4). */
  multiCandleCount: number;
  /** A move over those candles above this percent blocks (50). */
  multiCandlePercent: number;
}

export const DEFAULT_EXIT_SCAM_PARAMS: ExitScamParams = {
  candles: 8,
  singleCandlePercent: 15,
  multiCandleCount: 4,
  multiCandlePercent: 50,
};

/**
 * Exit-scam / anti-pump filter: blocks a coin that just pumped or dumped. Any of the last `candles` candles (the
 * forming one included) with |close - open| / open above the single limit blocks; else a move of |last close - first
 * open| over the last `multiCandleCount` candles above the multi limit blocks. Too few candles block.
 */
export function checkExitScam(
  candles: { open: ArrayLike<number>; close: ArrayLike<number> },
  params: ExitScamParams,
): FilterDecision {
  const count = candles.close.length;
  const window = Math.max(1, Math.floor(params.candles));
  const base = {
    candles: window,
    single_candle_percent: params.singleCandlePercent,
    multi_candle_count: params.multiCandleCount,
    multi_candle_percent: params.multiCandlePercent,
  };
  if (count < window) {
    return {
      filter: EXIT_SCAM_FILTER,
      allowed: false,
      reason: `not enough candles (${count} < ${window})`,
      details: base,
    };
  }
  let maxSingle = 0;
  for (let i = count - window; i < count; i++) {
    const open = candles.open[i];
    if (!(open > 0)) continue;
    const change = (Math.abs(candles.close[i] - open) * 100) / open;
    if (change > maxSingle) maxSingle = change;
    if (change > params.singleCandlePercent) {
      return {
        filter: EXIT_SCAM_FILTER,
        allowed: false,
        reason: `candle ${count - 1 - i} back moved ${change.toFixed(2)}% (> ${params.singleCandlePercent}%)`,
        details: { ...base, single_candle_change: Math.round(change * 100) / 100, candles_back: count - 1 - i },
      };
    }
  }
  const multi = Math.max(1, Math.floor(params.multiCandleCount));
  let multiChange: number | null = null;
  if (count >= multi) {
    const firstOpen = candles.open[count - multi];
    if (firstOpen > 0) {
      multiChange = (Math.abs(candles.close[count - 1] - firstOpen) * 100) / firstOpen;
      if (multiChange > params.multiCandlePercent) {
        return {
          filter: EXIT_SCAM_FILTER,
          allowed: false,
          reason: `${multi} candles moved ${multiChange.toFixed(2)}% (> ${params.multiCandlePercent}%)`,
          details: { ...base, multi_candle_change: Math.round(multiChange * 100) / 100 },
        };
      }
    }
  }
  return {
    filter: EXIT_SCAM_FILTER,
    allowed: true,
    reason: 'no pump or dump',
    details: {
      ...base,
      max_single_change: Math.round(maxSingle * 100) / 100,
      multi_candle_change: multiChange === null ? null : Math.round(multiChange * 100) / 100,
    },
  };
}
