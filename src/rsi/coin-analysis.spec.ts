import { candlesToColumns, type Candle } from '../exchange/exchange.types';
import { CandleSeries } from './candle-series';
import { analyzeSeries, updateLastClose, type AnalysisParams } from './coin-analysis';
import { DEFAULT_EMA_TREND_PARAMS, DEFAULT_TREND_PARAMS } from './indicators/trend';

const params: AnalysisParams = { trend: DEFAULT_TREND_PARAMS, emaTrend: DEFAULT_EMA_TREND_PARAMS };
const HOUR = 3600_000;

function candles(count: number, start = Date.UTC(2026, 0, 1)): Candle[] {
  return Array.from({ length: count }, (_, i) => {
    const close = 100 + Math.sin(i / 11) * 6 + Math.cos(i / 3) * 1.5;
    return { time: start + i * 6 * HOUR, open: close - 0.3, high: close + 1, low: close - 1, close, volume: 1000 + i };
  });
}

describe('CandleSeries', () => {
  it('keeps the newest 1000 candles, replaces a candle with the same open time, appends newer ones', () => {
    const series = CandleSeries.fromCandles(candles(1000));
    expect(series.length).toBe(1000);
    const all = candles(1002);
    const replacedLast = { ...all[999], close: 555 };
    expect(series.merge([replacedLast, all[1000], all[1001]])).toBe(2);
    expect(series.length).toBe(1000);
    expect(series.time[0]).toBe(all[2].time);
    expect(series.close[997]).toBe(555);
    expect(series.lastTime).toBe(all[1001].time);
  });

  it('sorts input, ignores invalid candles, and widens the forming candle to the live price', () => {
    const list = candles(5).reverse();
    const series = CandleSeries.fromCandles([...list, { ...list[0], time: NaN }]);
    expect(Array.from(series.times())).toEqual(candles(5).map((c) => c.time));
    const high = series.high[4];
    series.updateForming(high + 2);
    expect(series.close[4]).toBe(high + 2);
    expect(series.high[4]).toBe(high + 2);
    expect(series.toCandles(2)).toHaveLength(2);
  });

  it('from columns: the same series as from candles, full columns adopted, partial, unsorted or invalid ones merged', () => {
    const full = candles(1000);
    const adopted = candlesToColumns(full);
    const fromColumns = CandleSeries.fromColumns(adopted);
    expect(fromColumns.close).toBe(adopted.close); // no copy for a clean full load
    expect(fromColumns.toCandles()).toEqual(CandleSeries.fromCandles(full).toCandles());
    // Still a working 1000-candle buffer: a newer candle drops the oldest.
    expect(fromColumns.merge([candles(1001)[1000]])).toBe(1);
    expect(fromColumns.time[0]).toBe(full[1].time);

    const few = candles(30);
    const withInvalid = [...few.slice(0, 10), { ...few[10], close: 0 }, ...few.slice(11)];
    const cases: Candle[][] = [
      few,
      withInvalid,
      [...few].reverse(),
      [...few, { ...few[29], close: 77 }],
      candles(1005),
    ];
    for (const list of cases) {
      const columns = {
        length: list.length,
        time: new Float64Array(list.map((c) => c.time)),
        open: new Float64Array(list.map((c) => c.open)),
        high: new Float64Array(list.map((c) => c.high)),
        low: new Float64Array(list.map((c) => c.low)),
        close: new Float64Array(list.map((c) => c.close)),
        volume: new Float64Array(list.map((c) => c.volume)),
      };
      const series = CandleSeries.fromColumns(columns);
      expect(series.toCandles()).toEqual(CandleSeries.fromCandles(list).toCandles());
      expect(series.close).not.toBe(columns.close);
    }
    expect(CandleSeries.fromColumns(candlesToColumns(withInvalid)).length).toBe(29);
  });
});

describe('coin analysis', () => {
  it('a pass that replaces the previous analysis reuses its history storage and gives the same numbers', () => {
    const series = CandleSeries.fromCandles(candles(600));
    const first = analyzeSeries(series, params);
    const expected = analyzeSeries(CandleSeries.fromCandles(candles(600)), params);
    const again = analyzeSeries(series, params, first);
    expect(again.history.buffer).toBe(first.history.buffer);
    expect(again).toEqual(expected);
    // Fewer candles (a reload): a shorter view of the same storage; more than it holds: new storage.
    const shorter = analyzeSeries(CandleSeries.fromCandles(candles(300)), params, again);
    expect(shorter.history.buffer).toBe(first.history.buffer);
    expect(shorter).toEqual(analyzeSeries(CandleSeries.fromCandles(candles(300)), params));
    const longer = analyzeSeries(CandleSeries.fromCandles(candles(700)), params, shorter);
    expect(longer.history.buffer).not.toBe(first.history.buffer);
    expect(longer).toEqual(analyzeSeries(CandleSeries.fromCandles(candles(700)), params));
  });

  it('a forming-candle update gives the same indicators as a full pass', () => {
    const base = candles(600);
    const series = CandleSeries.fromCandles(base);
    const analysis = analyzeSeries(series, params);
    for (const price of [90, 101.234, 99.5, 120]) {
      series.updateForming(price);
      updateLastClose(analysis, series, params);
      const full = analyzeSeries(series, params);
      expect(analysis.rsi).toBe(full.rsi);
      expect(analysis.history).toEqual(full.history);
      expect(analysis.trend).toEqual(full.trend);
      expect(analysis.emaTrend.trend).toBe(full.emaTrend.trend);
      expect(analysis.emaTrend.ema_slow!).toBeCloseTo(full.emaTrend.ema_slow!, 9);
      expect(analysis.stoch).toEqual(full.stoch);
    }
  });
});
