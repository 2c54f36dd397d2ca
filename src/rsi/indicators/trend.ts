import type { Trend } from '../rsi.types';

/** Parameters of the price trend (docs/trading-logic.md §2.2; auto-bot config trend_* keys). */
export interface TrendParams {
  /** Candles looked at (trend_analysis_period, 30). */
  period: number;
  /** Percent change that alone makes a trend (trend_price_change_threshold, 7). */
  priceChangeThreshold: number;
  /** Percent of rising (falling) steps that alone makes a trend (trend_candles_threshold, 70). */
  candlesThreshold: number;
}

export const DEFAULT_TREND_PARAMS: TrendParams = { period: 30, priceChangeThreshold: 7, candlesThreshold: 70 };

export interface TrendResult {
  trend: Trend;
  change_percent: number | null;
  rising: number;
  falling: number;
  period: number;
}

/**
 * Trend over the last `period` closes: UP when the change exceeds the threshold or more than K % of the steps rise;
 * DOWN mirrors it; otherwise NEUTRAL. Fewer than `period` closes gives NEUTRAL.
 */
export function analyzeTrend(closes: ArrayLike<number>, params: TrendParams = DEFAULT_TREND_PARAMS): TrendResult {
  const n = closes.length;
  const period = Math.max(2, Math.floor(params.period));
  if (n < period) return { trend: 'NEUTRAL', change_percent: null, rising: 0, falling: 0, period };
  const start = n - period;
  const first = closes[start];
  const last = closes[n - 1];
  const changePercent = first > 0 ? ((last - first) * 100) / first : 0;
  let rising = 0;
  let falling = 0;
  for (let i = start + 1; i < n; i++) {
    if (closes[i] > closes[i - 1]) rising++;
    else if (closes[i] < closes[i - 1]) falling++;
  }
  const minSteps = (period * params.candlesThreshold) / 100;
  let trend: Trend = 'NEUTRAL';
  if (changePercent > params.priceChangeThreshold || rising > minSteps) trend = 'UP';
  else if (changePercent < -params.priceChangeThreshold || falling > minSteps) trend = 'DOWN';
  return { trend, change_percent: Math.round(changePercent * 100) / 100, rising, falling, period };
}

/** Parameters of the EMA trend (§2.3): the coin's optimal EMA pair or 50/200, and trend_confirmation_bars. */
export interface EmaTrendParams {
  fast: number;
  slow: number;
  confirmationBars: number;
}

export const DEFAULT_EMA_TREND_PARAMS: EmaTrendParams = { fast: 50, slow: 200, confirmationBars: 3 };

export interface EmaTrendResult {
  trend: Trend;
  ema_fast: number | null;
  ema_slow: number | null;
  slope: number | null;
  fast_period: number;
  slow_period: number;
  confirmation_bars: number;
  reason: string;
}

/** Candles the EMA trend needs: max(slow, confirmation bars) + 10 (and never fewer than the fast period + 10). */
export function emaTrendMinCandles(params: EmaTrendParams): number {
  return Math.max(params.fast, params.slow, params.confirmationBars) + 10;
}

/** EMA values that do not depend on the last close, so a forming-candle update costs O(confirmation bars). */
export interface EmaTrendState {
  params: EmaTrendParams;
  fastBeforeLast: number;
  slowBeforeLast: number;
  /** Slow EMA of all closes but the last two (the slope's reference). */
  slowTwoBack: number;
}

export function emaTrendState(
  closes: ArrayLike<number>,
  params: EmaTrendParams = DEFAULT_EMA_TREND_PARAMS,
): EmaTrendState | null {
  const n = closes.length;
  if (n < emaTrendMinCandles(params)) return null;
  // Scalar passes (no series arrays): only the values before the last close and two closes back are kept.
  const slow = emaAt(closes, params.slow, n - 3);
  const slowAlpha = 2 / (params.slow + 1);
  const slowBeforeLast = slowAlpha * closes[n - 2] + (1 - slowAlpha) * slow;
  return { params, fastBeforeLast: emaAt(closes, params.fast, n - 2), slowBeforeLast, slowTwoBack: slow };
}

/** EMA (SMA seed) of values[0..end] inclusive; end >= period - 1. */
function emaAt(values: ArrayLike<number>, period: number, end: number): number {
  let sum = 0;
  for (let i = 0; i < period; i++) sum += values[i];
  let ema = sum / period;
  const alpha = 2 / (period + 1);
  for (let i = period; i <= end; i++) ema = alpha * values[i] + (1 - alpha) * ema;
  return ema;
}

/**
 * UP needs all of: close > slow EMA, fast EMA > slow EMA, slow-EMA slope over the last 2 steps > 0, and the last
 * `confirmationBars` closes above the slow EMA. DOWN mirrors it. Otherwise NEUTRAL.
 */
export function emaTrendWithState(closes: ArrayLike<number>, state: EmaTrendState): EmaTrendResult {
  const { params } = state;
  const n = closes.length;
  const close = closes[n - 1];
  const slowAlpha = 2 / (params.slow + 1);
  const fastAlpha = 2 / (params.fast + 1);
  const emaSlow = slowAlpha * close + (1 - slowAlpha) * state.slowBeforeLast;
  const emaFast = fastAlpha * close + (1 - fastAlpha) * state.fastBeforeLast;
  const slope = emaSlow - state.slowTwoBack;
  const bars = Math.max(1, Math.floor(params.confirmationBars));
  let allAbove = true;
  let allBelow = true;
  for (let i = Math.max(0, n - bars); i < n; i++) {
    if (!(closes[i] > emaSlow)) allAbove = false;
    if (!(closes[i] < emaSlow)) allBelow = false;
  }
  let trend: Trend = 'NEUTRAL';
  let reason = 'mixed conditions';
  if (close > emaSlow && emaFast > emaSlow && slope > 0 && allAbove) {
    trend = 'UP';
    reason = 'close and fast EMA above slow EMA, rising slope, confirmed';
  } else if (close < emaSlow && emaFast < emaSlow && slope < 0 && allBelow) {
    trend = 'DOWN';
    reason = 'close and fast EMA below slow EMA, falling slope, confirmed';
  }
  return {
    trend,
    ema_fast: emaFast,
    ema_slow: emaSlow,
    slope,
    fast_period: params.fast,
    slow_period: params.slow,
    confirmation_bars: params.confirmationBars,
    reason,
  };
}

/** EMA trend of the whole series (§2.3); NEUTRAL with fewer than emaTrendMinCandles closes. */
export function analyzeEmaTrend(
  closes: ArrayLike<number>,
  params: EmaTrendParams = DEFAULT_EMA_TREND_PARAMS,
): EmaTrendResult {
  const state = emaTrendState(closes, params);
  if (state) return emaTrendWithState(closes, state);
  const needed = emaTrendMinCandles(params);
  return {
    trend: 'NEUTRAL',
    ema_fast: null,
    ema_slow: null,
    slope: null,
    fast_period: params.fast,
    slow_period: params.slow,
    confirmation_bars: params.confirmationBars,
    reason: `needs ${needed} candles, has ${closes.length}`,
  };
}
