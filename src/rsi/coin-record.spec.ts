import type { Candle } from '../exchange/exchange.types';
import { CandleSeries } from './candle-series';
import { analyzeSeries, type AnalysisParams } from './coin-analysis';
import { change24hFromCandles, emptyCoinRecord, indicatorFields, roundOrNull } from './coin-record';
import { DEFAULT_ENHANCED_RSI_SETTINGS } from './indicators/enhanced-rsi';
import { DEFAULT_EMA_TREND_PARAMS, DEFAULT_TREND_PARAMS } from './indicators/trend';

const SIX_HOURS = 6 * 3600_000;
const params: AnalysisParams = { trend: DEFAULT_TREND_PARAMS, emaTrend: DEFAULT_EMA_TREND_PARAMS };

function seriesOf(closes: number[]): CandleSeries {
  const candles: Candle[] = closes.map((close, i) => ({
    time: Date.UTC(2026, 0, 1) + i * SIX_HOURS,
    open: close,
    high: close + 0.5,
    low: close - 0.5,
    close,
    volume: 10,
  }));
  return CandleSeries.fromCandles(candles);
}

/** 100, 101, 100, 101, ... : 16 closes, 15 changes of ±1. */
const zigzag = Array.from({ length: 16 }, (_, i) => 100 + (i % 2));

describe('coin record builder (pure)', () => {
  it('indicator fields of a known series: Wilder RSI by hand, per-timeframe keys, trend too short to call', () => {
    const series = seriesOf(zigzag);
    // Seed over the first 14 changes: 7 gains and 7 losses of 1 → averages 0.5 / 0.5. The 15th change is +1:
    // gain (0.5·13 + 1)/14 = 7.5/14, loss 6.5/14 → RSI = 100 · 7.5 / 14 = 53.57.
    const fields = indicatorFields(series, analyzeSeries(series, params), {
      timeframe: '6h',
      tradingStatus: undefined,
      enhanced: null,
    });
    expect(fields.rsi).toBe(53.57);
    expect(fields.rsi6h).toBe(53.57);
    expect(fields.trend).toBe('NEUTRAL');
    expect(fields.trend6h).toBe('NEUTRAL');
    expect(fields.candles_count).toBe(16);
    expect(fields.trading_status).toBe('Trading');
    expect(fields.enhanced_rsi).toEqual({ enabled: false });
    expect(fields.trend_analysis).toMatchObject({
      trend: 'NEUTRAL',
      timeframe: '6h',
      change_percent: null,
      period: 30,
      ema_periods: { fast: 50, slow: 200 },
    });
  });

  it("the exchange status wins, then the record's own; enhanced RSI outside the entry zones says WAIT", () => {
    const series = seriesOf(zigzag);
    const analysis = analyzeSeries(series, params);
    expect(
      indicatorFields(series, analysis, { timeframe: '1h', tradingStatus: 'Closed', enhanced: null }, 'Trading')
        .trading_status,
    ).toBe('Closed');
    const fields = indicatorFields(
      series,
      analysis,
      { timeframe: '1h', tradingStatus: undefined, enhanced: DEFAULT_ENHANCED_RSI_SETTINGS },
      'Settling',
    );
    expect(fields.trading_status).toBe('Settling');
    expect(fields.rsi1h).toBe(53.57);
    expect(fields.rsi6h).toBeUndefined();
    expect(fields.enhanced_rsi).toEqual({ enabled: true, signal: 'WAIT', reason: 'RSI outside the entry zones' });
  });

  it('a steady rise: RSI 100, trend UP, enhanced RSI evaluated in the short zone', () => {
    const closes = Array.from({ length: 60 }, (_, i) => 100 + i);
    const series = seriesOf(closes);
    const fields = indicatorFields(series, analyzeSeries(series, params), {
      timeframe: '6h',
      tradingStatus: 'Trading',
      enhanced: DEFAULT_ENHANCED_RSI_SETTINGS,
    });
    expect(fields.rsi).toBe(100);
    expect(fields.trend).toBe('UP');
    // Last 30 closes 130 → 159: +22.31 %, 29 rising steps.
    expect(fields.trend_analysis).toMatchObject({ change_percent: 22.31, rising_candles: 29, falling_candles: 0 });
    expect(fields.enhanced_rsi).toMatchObject({ enabled: true });
    expect((fields.enhanced_rsi as { reason?: string }).reason).not.toBe('RSI outside the entry zones');
  });

  it('change over 24 h from the candles: 4 candles back on 6h, 2 decimals; 0 without enough candles', () => {
    const closes = Array.from({ length: 30 }, (_, i) => i + 1);
    // last 30 against 26 four candles earlier: +15.38 %.
    expect(change24hFromCandles(seriesOf(closes), '6h')).toBe(15.38);
    expect(change24hFromCandles(seriesOf(closes), '1h')).toBe(400); // 24 back: 30 against 6
    expect(change24hFromCandles(seriesOf(closes), '15m')).toBe(0); // 96 back: too few candles
    expect(change24hFromCandles(seriesOf([]), '6h')).toBe(0);
  });

  it('an empty record waits with every flag off; rounding keeps null for missing values', () => {
    expect(emptyCoinRecord('ABC', undefined, '2026-01-01 00:00:00')).toMatchObject({
      symbol: 'ABC',
      rsi: null,
      signal: 'WAIT',
      effective_signal: 'WAIT',
      is_mature: false,
      trading_status: 'Trading',
      enhanced_rsi: { enabled: false },
    });
    expect(roundOrNull(1.234567891, 8)).toBe(1.23456789);
    expect(roundOrNull(null, 8)).toBeNull();
    expect(roundOrNull(Number.NaN, 8)).toBeNull();
  });
});
