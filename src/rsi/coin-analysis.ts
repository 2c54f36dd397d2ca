import type { CandleSeries } from './candle-series';
import { stochRsi } from './indicators/enhanced-rsi';
import { computeRsiSeries, rawRsiWithLastClose, round2, RSI_PERIOD, type WilderState } from './indicators/rsi';
import {
  analyzeEmaTrend,
  analyzeTrend,
  emaTrendState,
  emaTrendWithState,
  type EmaTrendParams,
  type EmaTrendResult,
  type EmaTrendState,
  type TrendParams,
  type TrendResult,
} from './indicators/trend';

/** Indicator settings of one coin (trend keys of the auto-bot config, the coin's EMA pair, confirmation bars). */
export interface AnalysisParams {
  trend: TrendParams;
  emaTrend: EmaTrendParams;
}

/** Everything computed from a coin's candles, plus the state that makes a forming-candle update cheap. */
export interface CoinAnalysis {
  rsi: number | null;
  /** RSI after every smoothing step (no seed value), unrounded; the last element follows the forming candle. */
  history: Float64Array;
  wilder: WilderState | null;
  trend: TrendResult;
  emaState: EmaTrendState | null;
  emaTrend: EmaTrendResult;
  stoch: { k: number | null; d: number | null };
}

/**
 * Full pass over the series: O(candles). `previous`: the analysis this one replaces (same coin); its RSI-history
 * storage is reused, so `previous.history` must not be read afterwards.
 */
export function analyzeSeries(series: CandleSeries, params: AnalysisParams, previous?: CoinAnalysis): CoinAnalysis {
  const closes = series.closes();
  const { rsi, history, state } = computeRsiSeries(closes, RSI_PERIOD, { reuse: previous?.history });
  const emaState = emaTrendState(closes, params.emaTrend);
  return {
    rsi,
    history,
    wilder: state,
    trend: analyzeTrend(closes, params.trend),
    emaState,
    emaTrend: emaState ? emaTrendWithState(closes, emaState) : analyzeEmaTrend(closes, params.emaTrend),
    stoch: stochRsi(history),
  };
}

/**
 * The last close changed (forming candle): O(1) for RSI and EMAs, O(trend period) for the price trend.
 * Same numbers as analyzeSeries on the updated series (coin-analysis.spec.ts).
 */
export function updateLastClose(analysis: CoinAnalysis, series: CandleSeries, params: AnalysisParams): void {
  const closes = series.closes();
  if (analysis.wilder) {
    const raw = rawRsiWithLastClose(analysis.wilder, closes[closes.length - 1]);
    analysis.rsi = round2(raw);
    if (analysis.history.length > 0) analysis.history[analysis.history.length - 1] = raw;
  }
  analysis.trend = analyzeTrend(closes, params.trend);
  if (analysis.emaState) analysis.emaTrend = emaTrendWithState(closes, analysis.emaState);
  analysis.stoch = stochRsi(analysis.history);
}
