import type { FilterDecision } from '../filter.types';

export const LOSS_REENTRY_FILTER = 'loss_reentry';

/** A closed trade of the symbol, as the bots module reports it. */
export interface ClosedTradeInfo {
  pnl: number;
  /** Close time, epoch ms. */
  exitTime: number;
}

/** loss_reentry_count (N, 1) and loss_reentry_candles (X, 3). */
export interface LossReentryParams {
  count: number;
  candles: number;
}

export const DEFAULT_LOSS_REENTRY_PARAMS: LossReentryParams = { count: 1, candles: 3 };

/**
 * Loss re-entry protection: after the last N closed trades of a symbol all lost, wait X candles after the last exit.
 * Fewer than N trades, or any of them not losing, allows. `trades` are newest first.
 */
export function checkLossReentry(
  input: { trades: readonly ClosedTradeInfo[]; candleTimes: ArrayLike<number>; timeframeMs: number },
  params: LossReentryParams,
): FilterDecision {
  const n = Math.max(1, Math.floor(params.count));
  const x = Math.max(0, Math.floor(params.candles));
  const base = { count: n, candles: x };
  const recent = input.trades.slice(0, n);
  if (recent.length < n) {
    return {
      filter: LOSS_REENTRY_FILTER,
      allowed: true,
      reason: `only ${recent.length} closed trades (< ${n})`,
      details: base,
    };
  }
  if (recent.some((t) => t.pnl >= 0)) {
    return {
      filter: LOSS_REENTRY_FILTER,
      allowed: true,
      reason: `not all of the last ${n} trades lost`,
      details: base,
    };
  }
  const lastExit = recent[0].exitTime;
  const times = input.candleTimes;
  let passed = 0;
  for (let i = times.length - 1; i >= 0 && times[i] >= lastExit; i--) passed++;
  if (passed === 0 && times.length > 0 && input.timeframeMs > 0) {
    const elapsed = times[times.length - 1] - lastExit;
    if (elapsed > 0) passed = Math.max(1, Math.floor(elapsed / input.timeframeMs));
  }
  const details = { ...base, candles_passed: passed, last_exit_time: lastExit };
  if (passed < x) {
    return {
      filter: LOSS_REENTRY_FILTER,
      allowed: false,
      reason: `last ${n} trades lost; ${passed} of ${x} candles since the exit`,
      details,
    };
  }
  return {
    filter: LOSS_REENTRY_FILTER,
    allowed: true,
    reason: `${passed} candles since the last losing exit (>= ${x})`,
    details,
  };
}
