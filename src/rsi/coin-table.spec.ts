import { CandleSeries } from './candle-series';
import { analyzeSeries } from './coin-analysis';
import { emptyCoinRecord } from './coin-record';
import { CoinTable } from './coin-table';
import { DEFAULT_EMA_TREND_PARAMS, DEFAULT_TREND_PARAMS } from './indicators/trend';

describe('CoinTable', () => {
  it('a patch writes fields and removes those set to undefined; every write changes the revision, not the version', () => {
    const table = new CoinTable();
    const record = table.recordFor('ABC', () => emptyCoinRecord('ABC', undefined, 't0'));
    record.data_source = 'cache';
    const revision = table.revision;
    table.apply(record, { price: 12.5, data_source: undefined, time_filter_info: { allowed: true } });
    expect(table.record('ABC')).toMatchObject({ price: 12.5, time_filter_info: { allowed: true } });
    expect('data_source' in table.record('ABC')!).toBe(false);
    expect(table.revision).toBe(revision + 1);
    expect(table.version).toBe(0);
    expect(table.dirty).toBe(false);
    table.bump();
    expect(table.version).toBe(1);
    expect(table.revision).toBe(revision + 2);
    expect(table.dirty).toBe(true);
  });

  it('recordFor creates a record once; views carry the stored series; remove and clear drop both', () => {
    const table = new CoinTable();
    let made = 0;
    const empty = () => {
      made++;
      return emptyCoinRecord('XYZ', 'Trading', 't0');
    };
    expect(table.recordFor('XYZ', empty)).toBe(table.recordFor('XYZ', empty));
    expect(made).toBe(1);
    const series = CandleSeries.fromCandles([{ time: 0, open: 1, high: 1, low: 1, close: 1, volume: 1 }]);
    table.setState('XYZ', {
      series,
      signal: series,
      analysis: analyzeSeries(series, { trend: DEFAULT_TREND_PARAMS, emaTrend: DEFAULT_EMA_TREND_PARAMS }),
      live: true,
    });
    expect(table.view('XYZ', '6h')).toMatchObject({ symbol: 'XYZ', timeframe: '6h', live: true });
    expect(table.view('XYZ', '6h')!.series).toBe(series);
    table.remove('XYZ');
    expect(table.record('XYZ')).toBeUndefined();
    expect(table.view('XYZ', '6h')).toBeUndefined();
    table.recordFor('A', () => emptyCoinRecord('A', undefined, 't0'));
    table.clear();
    expect(table.size).toBe(0);
  });
});
