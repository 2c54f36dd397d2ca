import { ManualClock } from '../../common/clock';
import { ohlcvColumns } from '../ccxt/ccxt-exchange';
import { TIMEFRAME_MS, type Timeframe } from '../exchange.types';
import { PaperExchange } from './paper-exchange';

const NOW = Date.UTC(2026, 2, 1, 13, 37);

describe('fetchCandles with an until window (used to page through history)', () => {
  const paper = new PaperExchange({ clock: new ManualClock(NOW), seed: 3, symbolCount: 10 });

  it.each<[Timeframe, number]>([
    ['6h', 40],
    ['1h', 30],
    ['15m', 50],
    ['1d', 12],
  ])('%s: a past window equals the same candles of a full fetch', async (tf, back) => {
    const size = TIMEFRAME_MS[tf];
    const all = await paper.fetchCandles('BTC', tf, { limit: 1000 });
    const end = all[all.length - 1].time - back * size; // a closed candle's open, `back` candles before the forming one
    const since = end - 20 * size;
    const window = await paper.fetchCandles('BTC', tf, { since, until: end, limit: 1000 });
    expect(window).toEqual(all.filter((c) => c.time >= since && c.time < end));
    expect(window).toHaveLength(20);
    // An unaligned until keeps the candle that opened before it, complete.
    const unaligned = await paper.fetchCandles('BTC', tf, { since, until: end + 1, limit: 1000 });
    expect(unaligned).toEqual(all.filter((c) => c.time >= since && c.time <= end));
  });

  it('answers the newest `limit` candles of the window, and the forming candle when until is in the future', async () => {
    const all = await paper.fetchCandles('BTC', '6h', { limit: 1000 });
    const end = all[900].time;
    expect(await paper.fetchCandles('BTC', '6h', { until: end, limit: 5 })).toEqual(all.slice(895, 900));
    expect(
      await paper.fetchCandles('BTC', '6h', { since: all[990].time, until: NOW + 10 * TIMEFRAME_MS['6h'] }),
    ).toEqual(all.slice(990));
    await expect(paper.fetchCandles('BTC', '6h', { until: Number.NaN })).rejects.toThrow('until must be a time in ms');
  });

  it('the ccxt adapter drops rows from until on', () => {
    const rows = [0, 1, 2, 3, 4].map((i) => [i * 1000, 1, 2, 0.5, 1.5, 10]);
    expect(Array.from(ohlcvColumns(rows as never, 1000, 1000, 3000).time)).toEqual([1000, 2000]);
    expect(Array.from(ohlcvColumns(rows as never, undefined, 1000, undefined).time)).toEqual([
      0, 1000, 2000, 3000, 4000,
    ]);
  });
});
