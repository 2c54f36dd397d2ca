/**
 * Exponential moving average seeded with the simple mean of the first `period` values (docs/trading-logic.md §2.3).
 * trading-signals' EMA seeds with the first price instead, so its early values differ; this file keeps the spec's seed.
 */

/** EMA after every value; NaN until the seed (index period - 1). */
export function emaSeries(values: ArrayLike<number>, period: number): Float64Array {
  const n = values.length;
  const out = new Float64Array(n).fill(Number.NaN);
  if (period < 1 || n < period) return out;
  let sum = 0;
  for (let i = 0; i < period; i++) sum += values[i];
  let ema = sum / period;
  out[period - 1] = ema;
  const alpha = 2 / (period + 1);
  for (let i = period; i < n; i++) {
    ema = alpha * values[i] + (1 - alpha) * ema;
    out[i] = ema;
  }
  return out;
}

/** Last EMA value, or null when there are fewer than `period` values. */
export function lastEma(values: ArrayLike<number>, period: number): number | null {
  const n = values.length;
  if (period < 1 || n < period) return null;
  let sum = 0;
  for (let i = 0; i < period; i++) sum += values[i];
  let ema = sum / period;
  const alpha = 2 / (period + 1);
  for (let i = period; i < n; i++) ema = alpha * values[i] + (1 - alpha) * ema;
  return ema;
}

/** Simple mean of the last `period` values, or null. */
export function lastSma(values: ArrayLike<number>, period: number): number | null {
  const n = values.length;
  if (period < 1 || n < period) return null;
  let sum = 0;
  for (let i = n - period; i < n; i++) sum += values[i];
  return sum / period;
}
