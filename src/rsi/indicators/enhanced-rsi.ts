import { analyzeEmaTrend, type EmaTrendParams, type EmaTrendResult, DEFAULT_EMA_TREND_PARAMS } from './trend';
import type { EntrySignal } from '../rsi.types';
import { round2 } from './rsi';

/** Settings of the enhanced RSI analysis (docs/trading-logic.md §4; system-config enhanced_rsi_* and rsi_* keys). */
export interface EnhancedRsiSettings {
  /** Strict mode: an entry needs the adaptive level AND a divergence (enhanced_rsi_require_divergence_confirmation). */
  requireDivergence: boolean;
  /** Volume confirmation counts as a confirmation in non-strict mode (enhanced_rsi_require_volume_confirmation). */
  useVolumeConfirmation: boolean;
  /** %K counts as a confirmation in non-strict mode (enhanced_rsi_use_stoch_rsi). */
  useStochRsi: boolean;
  extremeOversold: number;
  extremeOverbought: number;
  /** Extreme-zone duration above which two confirmations are needed (rsi_extreme_zone_timeout). */
  extremeZoneTimeout: number;
  divergenceLookback: number;
  volumeMultiplier: number;
  longThreshold: number;
  shortThreshold: number;
  emaTrend: EmaTrendParams;
}

export const DEFAULT_ENHANCED_RSI_SETTINGS: EnhancedRsiSettings = {
  requireDivergence: false,
  useVolumeConfirmation: true,
  useStochRsi: true,
  extremeOversold: 20,
  extremeOverbought: 80,
  extremeZoneTimeout: 3,
  divergenceLookback: 10,
  volumeMultiplier: 1.2,
  longThreshold: 29,
  shortThreshold: 71,
  emaTrend: DEFAULT_EMA_TREND_PARAMS,
};

export const ENHANCED_RSI_MIN_CANDLES = 50;
const ATR_PERIOD = 14;
const STOCH_PERIOD = 14;
const STOCH_SMOOTH = 3;

export type Divergence = 'BULLISH' | 'BEARISH' | null;

export interface EnhancedRsiInput {
  high: ArrayLike<number>;
  low: ArrayLike<number>;
  close: ArrayLike<number>;
  volume: ArrayLike<number>;
  /** RSI history (one value per candle after the seed), the last one being the current RSI. */
  rsiHistory: ArrayLike<number>;
  rsi: number;
  /** The coin's base signal; the analysis only refines ENTER signals. */
  baseSignal: EntrySignal;
}

export interface EnhancedRsiResult {
  enabled: true;
  signal: EntrySignal;
  reason: string;
  adaptive_levels: { low: number; high: number; volatility_ratio: number | null };
  divergence: Divergence;
  volume_confirmed: boolean;
  stoch_rsi_k: number | null;
  stoch_rsi_d: number | null;
  extreme_duration: number;
  confirmations: number;
  required_confirmations: number;
  ema_trend: EmaTrendResult;
}

function trueRange(high: ArrayLike<number>, low: ArrayLike<number>, close: ArrayLike<number>, i: number): number {
  const range = high[i] - low[i];
  if (i === 0) return range;
  const prev = close[i - 1];
  return Math.max(range, Math.abs(high[i] - prev), Math.abs(low[i] - prev));
}

/**
 * Volatility ratio = mean true range of the last 14 candles / mean of the same measure over every full
 * 14-candle chunk of the series (counted back from the newest). null when there is not one full chunk.
 */
export function volatilityRatio(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
): number | null {
  const n = close.length;
  const chunks = Math.floor(n / ATR_PERIOD);
  if (chunks < 1) return null;
  let sumOfChunkAtrs = 0;
  let lastAtr = 0;
  for (let c = 0; c < chunks; c++) {
    const end = n - c * ATR_PERIOD;
    let sum = 0;
    for (let i = end - ATR_PERIOD; i < end; i++) sum += trueRange(high, low, close, i);
    const atr = sum / ATR_PERIOD;
    if (c === 0) lastAtr = atr;
    sumOfChunkAtrs += atr;
  }
  const meanAtr = sumOfChunkAtrs / chunks;
  return meanAtr > 0 ? lastAtr / meanAtr : null;
}

/** Entry levels adapted to volatility: wide (24/76) when volatile, narrow (32/68) when calm, else the thresholds. */
export function adaptiveLevels(
  ratio: number | null,
  longThreshold = 29,
  shortThreshold = 71,
): { low: number; high: number } {
  if (ratio !== null && ratio > 1.5) return { low: 24, high: 76 };
  if (ratio !== null && ratio < 0.7) return { low: 32, high: 68 };
  return { low: longThreshold, high: shortThreshold };
}

/**
 * BULLISH: price fell (by more than 0.01 absolute) while RSI rose by more than 1 over the lookback; BEARISH mirrors.
 */
export function detectDivergence(
  close: ArrayLike<number>,
  rsiHistory: ArrayLike<number>,
  lookback: number,
): Divergence {
  const n = close.length;
  const m = rsiHistory.length;
  if (lookback < 1 || n <= lookback || m <= lookback) return null;
  const priceChange = close[n - 1] - close[n - 1 - lookback];
  const rsiChange = rsiHistory[m - 1] - rsiHistory[m - 1 - lookback];
  if (priceChange < -0.01 && rsiChange > 1) return 'BULLISH';
  if (priceChange > 0.01 && rsiChange < -1) return 'BEARISH';
  return null;
}

/** Mean volume of the last 5 candles > multiplier x mean of the 5 before. */
export function volumeConfirmed(volume: ArrayLike<number>, multiplier: number): boolean {
  const n = volume.length;
  if (n < 10) return false;
  let recent = 0;
  let previous = 0;
  for (let i = n - 5; i < n; i++) recent += volume[i];
  for (let i = n - 10; i < n - 5; i++) previous += volume[i];
  return recent / 5 > (multiplier * previous) / 5;
}

/** Stochastic RSI 14/3/3 over the RSI history: %K = SMA3(raw) x 100, %D = SMA3(%K); raw is 0.5 on a flat window. */
export function stochRsi(rsiHistory: ArrayLike<number>): { k: number | null; d: number | null } {
  const m = rsiHistory.length;
  const rawCount = m - STOCH_PERIOD + 1;
  if (rawCount < STOCH_SMOOTH) return { k: null, d: null };
  // Only the last 2 x 3 - 1 raw values feed %K and %D.
  const need = Math.min(rawCount, STOCH_SMOOTH * 2 - 1);
  const raw: number[] = [];
  for (let end = m - need; end < m; end++) {
    let min = Infinity;
    let max = -Infinity;
    for (let i = end - STOCH_PERIOD + 1; i <= end; i++) {
      const v = rsiHistory[i];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    raw.push(max === min ? 0.5 : (rsiHistory[end] - min) / (max - min));
  }
  const kSeries: number[] = [];
  for (let i = STOCH_SMOOTH - 1; i < raw.length; i++) {
    kSeries.push(((raw[i] + raw[i - 1] + raw[i - 2]) / 3) * 100);
  }
  const k = kSeries[kSeries.length - 1];
  const d =
    kSeries.length >= STOCH_SMOOTH
      ? (kSeries[kSeries.length - 1] + kSeries[kSeries.length - 2] + kSeries[kSeries.length - 3]) / 3
      : null;
  return { k: Math.round(k * 100) / 100, d: d === null ? null : Math.round(d * 100) / 100 };
}

/** How many of the newest RSI values in a row sit in an extreme zone (<= oversold or >= overbought). */
export function extremeDuration(rsiHistory: ArrayLike<number>, oversold: number, overbought: number): number {
  let count = 0;
  for (let i = rsiHistory.length - 1; i >= 0; i--) {
    const v = round2(rsiHistory[i]);
    if (v <= oversold || v >= overbought) count++;
    else break;
  }
  return count;
}

/**
 * Enhanced RSI decision for a coin with an ENTER signal. Strict mode: the entry needs the adaptive level and a
 * divergence in its direction. Otherwise confirmations are counted (RSI in the zone, divergence, volume, %K) and one is
 * enough, two when RSI has been extreme for longer than the zone timeout. Fewer than 50 candles gives WAIT.
 */
export function analyzeEnhancedRsi(
  input: EnhancedRsiInput,
  settings: EnhancedRsiSettings = DEFAULT_ENHANCED_RSI_SETTINGS,
): EnhancedRsiResult {
  const n = input.close.length;
  const ratio = n >= ATR_PERIOD ? volatilityRatio(input.high, input.low, input.close) : null;
  const levels = adaptiveLevels(ratio, settings.longThreshold, settings.shortThreshold);
  const divergence = detectDivergence(input.close, input.rsiHistory, settings.divergenceLookback);
  const volumeOk = volumeConfirmed(input.volume, settings.volumeMultiplier);
  const stoch = stochRsi(input.rsiHistory);
  const duration = extremeDuration(input.rsiHistory, settings.extremeOversold, settings.extremeOverbought);
  const emaTrend = analyzeEmaTrend(input.close, settings.emaTrend);
  const required = duration > settings.extremeZoneTimeout ? 2 : 1;
  const result: EnhancedRsiResult = {
    enabled: true,
    signal: 'WAIT',
    reason: '',
    adaptive_levels: { ...levels, volatility_ratio: ratio === null ? null : Math.round(ratio * 1000) / 1000 },
    divergence,
    volume_confirmed: volumeOk,
    stoch_rsi_k: stoch.k,
    stoch_rsi_d: stoch.d,
    extreme_duration: duration,
    confirmations: 0,
    required_confirmations: settings.requireDivergence ? 0 : required,
    ema_trend: emaTrend,
  };
  if (n < ENHANCED_RSI_MIN_CANDLES) {
    result.reason = `needs ${ENHANCED_RSI_MIN_CANDLES} candles, has ${n}`;
    return result;
  }
  const direction = input.baseSignal === 'ENTER_LONG' ? 'LONG' : input.baseSignal === 'ENTER_SHORT' ? 'SHORT' : null;
  if (direction === null) {
    result.reason = 'no entry signal to confirm';
    return result;
  }
  const rsi = input.rsi;
  if (settings.requireDivergence) {
    const levelOk = direction === 'LONG' ? rsi <= levels.low : rsi >= levels.high;
    const divergenceOk = direction === 'LONG' ? divergence === 'BULLISH' : divergence === 'BEARISH';
    if (levelOk && divergenceOk) {
      result.signal = input.baseSignal;
      result.reason = `strict: RSI beyond adaptive level and ${divergence} divergence`;
    } else {
      result.reason =
        `strict: ${levelOk ? '' : 'RSI not beyond adaptive level; '}${divergenceOk ? '' : 'no matching divergence'}`.trim();
    }
    return result;
  }
  let confirmations = 0;
  const found: string[] = [];
  if (direction === 'LONG' ? rsi <= settings.longThreshold : rsi >= settings.shortThreshold) {
    confirmations++;
    found.push('rsi zone');
  }
  if (direction === 'LONG' ? divergence === 'BULLISH' : divergence === 'BEARISH') {
    confirmations++;
    found.push('divergence');
  }
  if (settings.useVolumeConfirmation && volumeOk) {
    confirmations++;
    found.push('volume');
  }
  if (settings.useStochRsi && stoch.k !== null && (direction === 'LONG' ? stoch.k < 20 : stoch.k > 80)) {
    confirmations++;
    found.push('stoch rsi');
  }
  result.confirmations = confirmations;
  if (confirmations >= required) {
    result.signal = input.baseSignal;
    result.reason = `${confirmations}/${required} confirmations: ${found.join(', ')}`;
  } else {
    result.reason = `${confirmations}/${required} confirmations${found.length ? `: ${found.join(', ')}` : ''}`;
  }
  return result;
}
