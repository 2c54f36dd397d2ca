import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeCandles } from '../../candles/candle-codec';
import { readCandleFileInto, readCandleFileIntoSync, writeCandleFile } from '../../candles/candle-file';
import { emptyColumns, TIMEFRAME_MS } from '../../exchange/exchange.types';
import type { BacktestSpec } from './backtest-job.types';
import { loadSpecUniverse } from './backtest-worker';

const TF = TIMEFRAME_MS['6h'];
const T0 = Date.UTC(2026, 0, 1);
const RULES = { tickSize: 0.01, qtyStep: 0.001, minOrderQty: 0.001, minNotional: 5, maxLeverage: 50 };

/** Candles at the given grid offsets from T0; prices derived from the offset so each row is recognisable. */
async function writeCoin(root: string, symbol: string, offsets: number[]): Promise<void> {
  const c = emptyColumns(offsets.length);
  offsets.forEach((k, i) => {
    c.time[i] = T0 + k * TF;
    c.open[i] = 100 + k;
    c.high[i] = 101 + k;
    c.low[i] = 99 + k;
    c.close[i] = 100.5 + k;
    c.volume[i] = 7;
  });
  const content = encodeCandles({ symbol, timeframe: '6h', coveredFrom: T0, coveredTo: T0 + 100 * TF }, [c]);
  await writeCandleFile(path.join(root, '6h', `${symbol}.bin`), content);
}

describe('loadSpecUniverse (backtest job thread)', () => {
  let root: string;
  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'load-universe-'));
    await writeCoin(
      root,
      'AAAUSDT',
      Array.from({ length: 40 }, (_, k) => k),
    ); // 0..39, no gap
    await writeCoin(root, 'GAPUSDT', [0, 1, 2, 5, 6, 7, 8, 9, 10, 11, 12]); // a gap at 3–4
    await writeCoin(
      root,
      'LATEUSDT',
      Array.from({ length: 20 }, (_, k) => 25 + k),
    ); // lists at 25
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const spec = (symbols: string[]): BacktestSpec =>
    ({
      id: 'x',
      candleRoot: root,
      timeframe: '6h',
      loadFromMs: T0 + 2 * TF,
      fromMs: T0 + 10 * TF,
      toMs: T0 + 30 * TF,
      entries: symbols.map((symbol) => ({ symbol, rules: RULES })),
    }) as unknown as BacktestSpec;

  it('keeps the rows in [loadFrom, to) of each file, gaps and late listings as stored, missing files left out', async () => {
    const universe = await loadSpecUniverse(spec(['AAAUSDT', 'GAPUSDT', 'NONEUSDT', 'LATEUSDT']));
    expect(universe.map((c) => c.symbol)).toEqual(['AAAUSDT', 'GAPUSDT', 'LATEUSDT']);
    const offsets = (times: ArrayLike<number>) => Array.from(times, (t) => (t - T0) / TF);
    const [aaa, gap, late] = universe.map((c) => c.candles);
    expect(offsets(aaa.time)).toEqual(Array.from({ length: 28 }, (_, k) => 2 + k));
    expect(Array.from(aaa.close)).toEqual(Array.from({ length: 28 }, (_, k) => 102.5 + k));
    expect(Array.from(aaa.low)).toEqual(Array.from({ length: 28 }, (_, k) => 101 + k));
    expect(offsets(gap.time)).toEqual([2, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(Array.from(gap.open)).toEqual([102, 105, 106, 107, 108, 109, 110, 111, 112]);
    expect(Array.from(gap.high)).toEqual([103, 106, 107, 108, 109, 110, 111, 112, 113]);
    expect(offsets(late.time)).toEqual([25, 26, 27, 28, 29]);
    expect(universe.every((c) => c.candles.length === c.candles.time.length)).toBe(true);
    expect(universe[0].rules).toEqual(RULES);
  });

  it('readCandleFileInto (and its sync twin) reuses one buffer and reads the candles as stored', async () => {
    const scratch = { buffer: Buffer.alloc(0) };
    const first = await readCandleFileInto(
      path.join(root, '6h', 'AAAUSDT.bin'),
      { symbol: 'AAAUSDT', timeframe: '6h' },
      scratch,
    );
    expect(first?.columns.length).toBe(40);
    expect(first?.columns.close[39]).toBe(139.5);
    const buffer = scratch.buffer;
    const second = await readCandleFileInto(
      path.join(root, '6h', 'GAPUSDT.bin'),
      { symbol: 'GAPUSDT', timeframe: '6h' },
      scratch,
    );
    expect(scratch.buffer).toBe(buffer); // smaller file: no new buffer
    expect(Array.from(second!.columns.time, (t) => (t - T0) / TF)).toEqual([0, 1, 2, 5, 6, 7, 8, 9, 10, 11, 12]);
    const gapClose = Array.from(second!.columns.close);
    const sync = readCandleFileIntoSync(
      path.join(root, '6h', 'GAPUSDT.bin'),
      { symbol: 'GAPUSDT', timeframe: '6h' },
      scratch,
    );
    expect(Array.from(sync!.columns.close)).toEqual(gapClose);
    expect(
      readCandleFileIntoSync(path.join(root, '6h', 'NONEUSDT.bin'), { symbol: 'NONEUSDT', timeframe: '6h' }, scratch),
    ).toBeNull();
    expect(
      await readCandleFileInto(path.join(root, '6h', 'NONEUSDT.bin'), { symbol: 'NONEUSDT', timeframe: '6h' }, scratch),
    ).toBeNull();
    await expect(
      readCandleFileInto(path.join(root, '6h', 'AAAUSDT.bin'), { symbol: 'GAPUSDT', timeframe: '6h' }, scratch),
    ).rejects.toThrow(/expected GAPUSDT/);
  });
});
