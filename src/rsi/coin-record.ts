import type { SignalCandle } from '../config/defaults';
import { TIMEFRAME_MS, type Timeframe } from '../exchange/exchange.types';
import type { CandleSeries } from './candle-series';
import type { CoinAnalysis } from './coin-analysis';
import { analyzeEnhancedRsi, type EnhancedRsiSettings } from './indicators/enhanced-rsi';
import { baseSignal } from './indicators/zones';
import type { CoinRecord, Trend } from './rsi.types';

/** What a coin record's indicator fields depend on besides the candles (all read by the caller, none here). */
export interface RecordSettings {
  timeframe: Timeframe;
  /** The exchange's instrument status; undefined keeps the record's own (or 'Trading'). */
  tradingStatus: string | undefined;
  /** Enhanced RSI settings with the coin's thresholds; null when enhanced RSI is off for the coin. */
  enhanced: EnhancedRsiSettings | null;
}

/** The fields of a coin record computed from its candles (the maturity and filter enrichers add the rest). */
export type IndicatorFields = Pick<
  CoinRecord,
  | 'rsi'
  | 'trend'
  | 'candles_count'
  | 'stoch_rsi_k'
  | 'stoch_rsi_d'
  | 'trading_status'
  | 'trend_analysis'
  | 'enhanced_rsi'
> &
  Record<string, unknown>;

/**
 * Indicator fields of one coin (docs/api-contract.md §2.4): a pure function of the candles, their analysis and the
 * settings; the coin table writes the result into its record.
 */
export function indicatorFields(
  series: CandleSeries,
  analysis: CoinAnalysis,
  settings: RecordSettings,
  previousStatus?: string,
): IndicatorFields {
  const tf = settings.timeframe;
  const trend: Trend = analysis.trend.trend;
  return {
    rsi: analysis.rsi,
    trend,
    [`rsi${tf}`]: analysis.rsi,
    [`trend${tf}`]: trend,
    candles_count: series.length,
    stoch_rsi_k: analysis.stoch.k,
    stoch_rsi_d: analysis.stoch.d,
    trading_status: settings.tradingStatus ?? previousStatus ?? 'Trading',
    trend_analysis: {
      trend,
      timeframe: tf,
      change_percent: analysis.trend.change_percent,
      rising_candles: analysis.trend.rising,
      falling_candles: analysis.trend.falling,
      period: analysis.trend.period,
      ema_trend: analysis.emaTrend.trend,
      ema_fast: roundOrNull(analysis.emaTrend.ema_fast, 8),
      ema_slow: roundOrNull(analysis.emaTrend.ema_slow, 8),
      ema_periods: { fast: analysis.emaTrend.fast_period, slow: analysis.emaTrend.slow_period },
    },
    enhanced_rsi: enhancedRsiField(series, analysis, settings.enhanced),
  };
}

/** docs/trading-logic.md §4: only when enabled and only for coins in an entry zone. */
export function enhancedRsiField(
  series: CandleSeries,
  analysis: CoinAnalysis,
  settings: EnhancedRsiSettings | null,
): { enabled: boolean; [key: string]: unknown } {
  if (!settings) return { enabled: false };
  const base = baseSignal(analysis.rsi, {
    longThreshold: settings.longThreshold,
    shortThreshold: settings.shortThreshold,
  });
  if (base === 'WAIT' || analysis.rsi === null) {
    return { enabled: true, signal: 'WAIT', reason: 'RSI outside the entry zones' };
  }
  const result = analyzeEnhancedRsi(
    {
      high: series.highs(),
      low: series.lows(),
      close: series.closes(),
      volume: series.volumes(),
      rsiHistory: analysis.history,
      rsi: analysis.rsi,
      baseSignal: base,
    },
    settings,
  );
  return { ...result, ema_trend: { trend: result.ema_trend.trend, reason: result.ema_trend.reason } };
}

/**
 * The candles a coin's record is computed on (docs/settings.md §Signal candle): every candle ('forming': the last one
 * may still be forming and moves with the price), or only those closed at `now` ('closed': a last candle whose period
 * has not ended is left out, so RSI, trend, the RSI history and the candle count read closed candles only, as the
 * backtest does). Returns the series itself or a view on it without copying.
 */
export function signalSeries(
  series: CandleSeries,
  mode: SignalCandle,
  timeframe: Timeframe,
  now: number,
): CandleSeries {
  if (mode === 'forming' || series.length === 0) return series;
  const lastOpen = series.time[series.length - 1];
  return lastOpen + TIMEFRAME_MS[timeframe] > now ? series.prefix(series.length - 1) : series;
}

/** A record before any data: every flag off, signals WAIT. */
export function emptyCoinRecord(symbol: string, tradingStatus: string | undefined, lastUpdate: string): CoinRecord {
  return {
    symbol,
    rsi: null,
    trend: 'NEUTRAL',
    rsi_zone: 'NEUTRAL',
    signal: 'WAIT',
    effective_signal: 'WAIT',
    price: 0,
    change24h: 0,
    last_update: lastUpdate,
    candles_count: 0,
    is_mature: false,
    blocked_by_scope: false,
    blocked_by_exit_scam: false,
    blocked_by_rsi_time: false,
    blocked_by_loss_reentry: false,
    has_existing_position: false,
    trading_status: tradingStatus ?? 'Trading',
    is_delisting: false,
    enhanced_rsi: { enabled: false },
    stoch_rsi_k: null,
    stoch_rsi_d: null,
  };
}

/** Percent change of the last close against the close 24 h earlier, 2 decimals; 0 without enough candles. */
export function change24hFromCandles(series: CandleSeries, timeframe: Timeframe): number {
  const last = series.lastClose;
  const back = Math.round(86_400_000 / TIMEFRAME_MS[timeframe]);
  if (last === null || back < 1 || series.length <= back) return 0;
  const before = series.close[series.length - 1 - back];
  return before > 0 ? Math.round(((last - before) * 10_000) / before) / 100 : 0;
}

export function roundOrNull(value: number | null, decimals: number): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}
