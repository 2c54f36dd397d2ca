import type { Candle } from '../exchange/exchange.types';
import { CandleSeries } from './candle-series';
import { analyzeSeries, type AnalysisParams } from './coin-analysis';
import { change24hFromCandles, emptyCoinRecord, indicatorFields, roundOrNull, signalSeries } from './coin-record';
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

  describe('signal candle (docs/settings.md §Signal candle)', () => {
    const settings = { timeframe: '6h' as const, tradingStatus: undefined, enhanced: null };
    // The zigzag's 16 closed candles, then a forming 17th that jumped to 110.
    const series = seriesOf([...zigzag, 110]);
    const formingOpen = series.time[16];

    it("'closed' leaves the forming candle out: RSI, history and candle count of the 16 closed candles (53.57)", () => {
      const closed = signalSeries(series, 'closed', '6h', formingOpen + 3 * 3600_000);
      expect(closed.length).toBe(16);
      expect(closed.lastClose).toBe(101);
      const analysis = analyzeSeries(closed, params);
      expect(indicatorFields(closed, analysis, settings)).toMatchObject({ rsi: 53.57, candles_count: 16 });
      expect(Array.from(analysis.history)).toEqual([100 * (7.5 / 14)]); // after the seed: the 15th change only
      // A view, not a copy: the stored series is untouched and still holds the forming candle.
      expect(series.length).toBe(17);
      expect(closed.close.buffer).toBe(series.close.buffer);
    });

    it("'forming' reads every candle; the RSI follows the forming candle's price", () => {
      const forming = signalSeries(series, 'forming', '6h', formingOpen + 3 * 3600_000);
      expect(forming).toBe(series);
      const rsi = indicatorFields(forming, analyzeSeries(forming, params), settings).rsi as number;
      // 16th change +9: gain (7.5·13/14 + 9)/14, loss 6.5·13/14/14 → RSI = 100 · 16.5 / 21.5... by the same recursion:
      const gain = ((7.5 / 14) * 13 + 9) / 14;
      const loss = ((6.5 / 14) * 13) / 14;
      expect(rsi).toBeCloseTo((100 * gain) / (gain + loss), 2);
      expect(rsi).toBeGreaterThan(53.57);
    });

    it("'closed' keeps a last candle whose period has ended (at its close time exactly)", () => {
      expect(signalSeries(series, 'closed', '6h', formingOpen + SIX_HOURS)).toBe(series);
      expect(signalSeries(series, 'closed', '6h', formingOpen + SIX_HOURS - 1).length).toBe(16);
      expect(signalSeries(seriesOf([]), 'closed', '6h', formingOpen).length).toBe(0);
    });
  });
});
