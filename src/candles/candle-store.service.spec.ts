import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ManualClock } from '../common/clock';
import { ExchangeService } from '../exchange/exchange.service';
import type { CandleColumns, ExchangeAdapter, FetchCandlesOptions, Timeframe } from '../exchange/exchange.types';
import { PaperExchange } from '../exchange/paper/paper-exchange';
import { CANDLE_HEADER_BYTES, decodeCandles } from './candle-codec';
import * as candleFile from './candle-file';
import { CandleStoreError, CandleStoreService, type CandleFillProgress } from './candle-store.service';

const H6 = 6 * 3600_000;
const H1 = 3600_000;
const NOW = Date.UTC(2026, 5, 1, 3, 17); // inside a 6h candle

/** The paper exchange, with a hook that can fail a given fetch (a dropped connection in the middle of a fill). */
class FlakyPaper extends PaperExchange {
  failOnFetch: number | null = null;
  fetches = 0;
  override async fetchCandles(symbol: string, timeframe: Timeframe, options?: FetchCandlesOptions) {
    this.fetches++;
    if (this.fetches === this.failOnFetch) throw new Error('connection reset (test)');
    return super.fetchCandles(symbol, timeframe, options);
  }
  override async fetchCandleColumns(symbol: string, timeframe: Timeframe, options?: FetchCandlesOptions) {
    this.fetches++;
    if (this.fetches === this.failOnFetch) throw new Error('connection reset (test)');
    return super.fetchCandleColumns(symbol, timeframe, options);
  }
}

describe('CandleStoreService on the paper exchange', () => {
  let dir: string;
  let clock: ManualClock;
  let paper: FlakyPaper;
  let exchange: ExchangeService;
  let store: CandleStoreService;

  const requests = () => exchange.stats.get('fetchCandles')?.calls ?? 0;

  /** Closed candles straight from the exchange, for comparison. */
  async function expected(symbol: string, timeframe: Timeframe, from: number): Promise<CandleColumns> {
    const out = {
      length: 0,
      time: [] as number[],
      close: [] as number[],
      high: [] as number[],
      volume: [] as number[],
    };
    const size = timeframe === '6h' ? H6 : H1;
    const end = Math.floor(clock.now() / size) * size;
    for (let since = from; since < end; since += 1000 * size) {
      for (const c of await paper.fetchCandles(symbol, timeframe, {
        since,
        until: Math.min(since + 1000 * size, end),
      })) {
        out.time.push(c.time);
        out.close.push(c.close);
        out.high.push(c.high);
        out.volume.push(c.volume);
      }
    }
    out.length = out.time.length;
    return out as unknown as CandleColumns;
  }

  function expectSame(actual: CandleColumns, wanted: CandleColumns): void {
    expect(actual.length).toBe(wanted.length);
    expect(Array.from(actual.time)).toEqual(Array.from(wanted.time));
    expect(Array.from(actual.close)).toEqual(Array.from(wanted.close));
    expect(Array.from(actual.high)).toEqual(Array.from(wanted.high));
    expect(Array.from(actual.volume)).toEqual(Array.from(wanted.volume));
  }

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'candle-store-'));
    clock = new ManualClock(NOW);
    paper = new FlakyPaper({ clock, seed: 7, symbolCount: 20 });
    exchange = new ExchangeService(
      { name: 'paper' } as never,
      clock,
      null as never,
      null as never,
      paper as ExchangeAdapter,
    );
    await exchange.onModuleInit();
    store = new CandleStoreService(exchange, clock, { dataDir: dir } as never);
  });

  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('fills every closed candle of the range, equal to the exchange, one request per 1000 candles', async () => {
    const from = Date.UTC(2024, 0, 1);
    const progress: CandleFillProgress[] = [];
    const summary = await store.ensure(['BTC', 'ETH'], '6h', from, NOW, (p) => progress.push(p));
    const btc = await store.load('BTC', '6h', 0, NOW);
    const wanted = await expected('BTC', '6h', from);
    expectSame(btc, wanted);
    expect(btc.length).toBe((Math.floor(NOW / H6) * H6 - from) / H6); // every closed candle, no forming one
    expect(summary).toMatchObject({
      symbols: 2,
      failed: [],
      quarantined: [],
      candlesStored: btc.length + (await store.load('ETH', '6h', 0, NOW)).length,
    });
    expect(summary.requests).toBe(2 * Math.ceil(btc.length / 1000));
    expect(summary.bytes).toBe(2 * CANDLE_HEADER_BYTES + summary.candlesStored * 48);
    expect(requests()).toBe(summary.requests);
    const last = progress[progress.length - 1];
    expect(last).toMatchObject({
      symbolsDone: 2,
      symbolsTotal: 2,
      pagesDone: summary.requests,
      pagesTotal: summary.requests,
      candlesFetched: summary.candlesFetched,
    });
    expect(progress.map((p) => p.pagesDone)).toEqual([...progress.map((p) => p.pagesDone)].sort((a, b) => a - b));
  });

  it('a second fill fetches nothing; after the clock moves, only the new candles (one request)', async () => {
    await store.ensure(['BTC'], '6h', Date.UTC(2024, 0, 1), NOW);
    const before = requests();
    const again = await store.ensure(['BTC'], '6h', Date.UTC(2024, 0, 1), NOW);
    expect(again).toMatchObject({ requests: 0, candlesFetched: 0 });
    expect(requests()).toBe(before);
    clock.advance(3 * H6);
    const next = await store.ensure(['BTC'], '6h', Date.UTC(2024, 0, 1), clock.now());
    expect(next).toMatchObject({ requests: 1, candlesFetched: 3 });
    expectSame(await store.load('BTC', '6h', 0, clock.now()), await expected('BTC', '6h', Date.UTC(2024, 0, 1)));
  });

  it('fetches an earlier range backwards in front of the stored candles, and load() answers [from, to)', async () => {
    const recent = NOW - 200 * H6;
    await store.ensure(['BTC'], '6h', recent, NOW);
    expect((await store.load('BTC', '6h', 0, NOW)).time[0]).toBe(Math.ceil(recent / H6) * H6);
    const summary = await store.ensure(['BTC'], '6h', 0, NOW);
    const listed = exchange.market('BTC')!.launchTime!;
    // Backwards from the first stored candle to the listing (the exchange tells it), 1000 candles a request.
    expect(summary.requests).toBe(Math.ceil((Math.ceil(recent / H6) * H6 - listed) / H6 / 1000));
    expectSame(await store.load('BTC', '6h', 0, NOW), await expected('BTC', '6h', listed));
    const slice = await store.load('BTC', '6h', listed + 10 * H6, listed + 15 * H6);
    expect(Array.from(slice.time)).toEqual([10, 11, 12, 13, 14].map((i) => listed + i * H6));
  });

  it('resumes after a failure mid-fill: the pages that arrived are on disk, the next fill fetches only the rest', async () => {
    paper.failOnFetch = 3; // the third 1h page of six
    const failed = await store.ensure(['BTC'], '1h', 0, NOW);
    expect(failed.failed).toEqual([{ symbol: 'BTC', error: 'connection reset (test)' }]);
    const file = store.fileOf('BTC', '1h');
    const partial = decodeCandles(await fs.readFile(file));
    expect(partial.columns.length).toBe(2000);
    paper.failOnFetch = null;
    const listed = exchange.market('BTC')!.launchTime!;
    const all = await expected('BTC', '1h', listed);
    const rest = await store.ensure(['BTC'], '1h', 0, NOW);
    expect(rest.requests).toBe(Math.ceil(all.length / 1000) - 2);
    expectSame(await store.load('BTC', '1h', 0, NOW), all);
  });

  it('a damaged file is never used: load() moves it aside and refuses, ensure() fetches it again', async () => {
    await store.ensure(['BTC'], '6h', 0, NOW);
    const good = await store.load('BTC', '6h', 0, NOW);
    const wanted = {
      ...good,
      time: Float64Array.from(good.time),
      close: Float64Array.from(good.close),
      high: Float64Array.from(good.high),
      volume: Float64Array.from(good.volume),
    };
    const file = store.fileOf('BTC', '6h');
    const bytes = await fs.readFile(file);
    bytes[bytes.length - 100] ^= 0x40;
    await fs.writeFile(file, bytes);
    await expect(store.load('BTC', '6h', 0, NOW)).rejects.toThrow(CandleStoreError);
    await expect(store.load('BTC', '6h', 0, NOW)).resolves.toMatchObject({ length: 0 }); // moved aside: nothing stored now
    const names = await fs.readdir(path.dirname(file));
    expect(names.filter((n) => n.startsWith('BTC.bin.corrupt-'))).toHaveLength(1);

    await fs.writeFile(file, bytes.subarray(0, 1000)); // truncated, found by ensure this time
    const summary = await store.ensure(['BTC'], '6h', 0, NOW);
    expect(summary.quarantined).toHaveLength(1);
    expect((await fs.readdir(path.dirname(file))).filter((n) => n.startsWith('BTC.bin.corrupt-'))).toHaveLength(2);
    expect(summary.requests).toBe(Math.ceil(good.length / 1000));
    expectSame(await store.load('BTC', '6h', 0, NOW), wanted as CandleColumns);
  });

  it('verifyPayload false: a file whose header covers the range is not read; a missing range is still fetched', async () => {
    await store.ensure(['BTC', 'ETH'], '6h', Date.UTC(2025, 0, 1), NOW);
    const read = jest.spyOn(candleFile, 'readCandleFile');
    const file = store.fileOf('BTC', '6h');
    const bytes = await fs.readFile(file);
    bytes[bytes.length - 100] ^= 0x40; // a damaged payload behind a good header: only a payload read finds it
    await fs.writeFile(file, bytes);
    const trusted = await store.ensure(['BTC', 'ETH'], '6h', Date.UTC(2025, 0, 1), NOW, undefined, {
      verifyPayload: false,
    });
    expect(trusted).toMatchObject({ requests: 0, quarantined: [], failed: [] });
    expect(read).not.toHaveBeenCalled();
    clock.advance(2 * H6); // ETH now lacks two candles: that one is read and filled as usual
    const next = await store.ensure(['ETH'], '6h', Date.UTC(2025, 0, 1), clock.now(), undefined, {
      verifyPayload: false,
    });
    expect(next).toMatchObject({ requests: 1, candlesFetched: 2 });
    expect(read).toHaveBeenCalledTimes(1);
    // The default reads and verifies: the damaged BTC file is moved aside and fetched again.
    const verified = await store.ensure(['BTC'], '6h', Date.UTC(2025, 0, 1), clock.now());
    expect(verified.quarantined).toHaveLength(1);
    read.mockRestore();
  });

  it('writes every page of a small file, and a large one only each time it grew by a quarter', async () => {
    const write = jest.spyOn(candleFile, 'writeCandleFile');
    try {
      const summary = await store.ensure(['BTC'], '1m', NOW - 20_000 * 60_000, NOW); // 20 pages of 1m candles
      expect(summary.requests).toBe(20);
      // Sizes after each write: 1k, 2k, 3k, 4k, 5k (a page is a quarter of 4k), then 7k, 9k, 12k, 15k, 19k, 20k.
      const sizes = write.mock.calls.map(([, content]) => (content.length - CANDLE_HEADER_BYTES) / 48);
      expect(sizes).toEqual([1000, 2000, 3000, 4000, 5000, 7000, 9000, 12000, 15000, 19000, 20000]);
    } finally {
      write.mockRestore();
    }
  });

  it('removes the temp file of a fill killed between write and rename, not those of a running process', async () => {
    const folder = path.join(dir, 'candles', '6h');
    await fs.mkdir(folder, { recursive: true });
    // Temp names as atomicWrite makes them (pid, time, counter), and as candle writes made them before (no time).
    const dead = path.join(folder, '.BTC.bin.2147483646.1767582245678.0.tmp'); // no such process
    const deadOlder = path.join(folder, '.SOL.bin.2147483646.0.tmp');
    const alive = path.join(folder, `.ETH.bin.${process.ppid}.1767582245678.0.tmp`);
    await fs.writeFile(dead, 'half a file');
    await fs.writeFile(deadOlder, 'half a file');
    await fs.writeFile(alive, 'being written');
    await store.ensure(['BTC'], '6h', NOW - 10 * H6, NOW);
    expect((await fs.readdir(folder)).sort()).toEqual([path.basename(alive), 'BTC.bin']);
  });

  it('refuses bad arguments and reports unknown symbols without fetching', async () => {
    await expect(store.ensure(['BTC'], '1w', 0, NOW)).rejects.toThrow(/timeframe must be one of/);
    await expect(store.ensure(['../etc'], '6h', 0, NOW)).rejects.toThrow(/not a coin symbol/);
    await expect(store.ensure(['BTC'], '6h', NOW, 0)).rejects.toThrow(/from must be before to/);
    await expect(store.ensure([], '6h', 0, NOW)).rejects.toThrow(/symbols/);
    const summary = await store.ensure(['NOSUCHCOIN'], '6h', 0, NOW);
    expect(summary.failed).toEqual([{ symbol: 'NOSUCHCOIN', error: 'unknown symbol' }]);
    expect(requests()).toBe(0);
  });
});
