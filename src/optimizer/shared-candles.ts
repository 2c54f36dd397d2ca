import * as path from 'node:path';
import { readCandleFileInto, type CandleReadScratch } from '../candles/candle-file';
import type { Timeframe } from '../exchange/exchange.types';
import type { CandleColumns } from './evaluation-port';
import { SeededRng } from './rng';

/**
 * Candle columns in SharedArrayBuffers: built once, handed to every worker at start (workerData), read in place.
 * A worker never receives a copy per task (docs/optimizer.md, "Every core").
 */
export type SharedCandles = {
  symbols: string[];
  candles: number;
  timeframeMs: number;
  buffers: Record<'time' | 'open' | 'high' | 'low' | 'close' | 'volume', SharedArrayBuffer>;
};

const COLUMNS = ['open', 'high', 'low', 'close', 'volume'] as const;

export function allocateSharedCandles(
  symbols: string[],
  candles: number,
  timeframeMs: number,
): { shared: SharedCandles; columns: CandleColumns } {
  const size = symbols.length * candles * Float64Array.BYTES_PER_ELEMENT;
  const buffers = {
    time: new SharedArrayBuffer(candles * Float64Array.BYTES_PER_ELEMENT),
    ...Object.fromEntries(COLUMNS.map((c) => [c, new SharedArrayBuffer(size)])),
  } as SharedCandles['buffers'];
  const shared = { symbols, candles, timeframeMs, buffers };
  return { shared, columns: attachSharedCandles(shared) };
}

/** Views over the shared buffers (no copy). */
export function attachSharedCandles(shared: SharedCandles): CandleColumns {
  const { buffers } = shared;
  return {
    symbols: shared.symbols,
    candles: shared.candles,
    timeframeMs: shared.timeframeMs,
    time: new Float64Array(buffers.time),
    open: new Float64Array(buffers.open),
    high: new Float64Array(buffers.high),
    low: new Float64Array(buffers.low),
    close: new Float64Array(buffers.close),
    volume: new Float64Array(buffers.volume),
  };
}

/** Where a run's candles come from; a descriptor small enough to put in a Redis job so any machine can rebuild it. */
export type DatasetSpec = SyntheticDatasetSpec | CandleStoreDatasetSpec;

export type SyntheticDatasetSpec = {
  kind: 'synthetic';
  symbols: number;
  candles: number;
  seed: number;
  timeframeMs: number;
  startTime: number;
};

/**
 * Candles from the candle store's files (docs/candle-store.md), on one grid of `candles` open times from
 * `startTime`. The coordinator fills the store (CandleStoreService.ensure) before the run starts; a Redis worker
 * reads the same files (a shared DATA_DIR). Candles before `tradeFromMs` only warm the indicators up.
 */
export type CandleStoreDatasetSpec = {
  kind: 'candle-store';
  candleRoot: string;
  timeframe: Timeframe;
  timeframeMs: number;
  symbols: string[];
  startTime: number;
  candles: number;
  tradeFromMs: number;
};

/** Deterministic random-walk candles (the synthetic data set used by tests and the bench). */
export function buildDataset(spec: DatasetSpec): SharedCandles {
  if (spec.kind !== 'synthetic') throw new Error('store candles are read with loadDataset');
  const symbols = Array.from({ length: spec.symbols }, (_, i) => `SYN${i}`);
  const { shared, columns } = allocateSharedCandles(symbols, spec.candles, spec.timeframeMs);
  for (let i = 0; i < spec.candles; i++) columns.time[i] = spec.startTime + i * spec.timeframeMs;
  const rng = SeededRng.fromSeed(spec.seed);
  for (let s = 0; s < symbols.length; s++) {
    let price = 1 + rng.next() * 100;
    for (let i = 0; i < spec.candles; i++) {
      const at = s * spec.candles + i;
      const open = price;
      price = Math.max(1e-6, price * (1 + rng.normal() * 0.02));
      columns.open[at] = open;
      columns.close[at] = price;
      columns.high[at] = Math.max(open, price) * (1 + rng.next() * 0.01);
      columns.low[at] = Math.min(open, price) * (1 - rng.next() * 0.01);
      columns.volume[at] = 1000 + rng.next() * 1000;
    }
  }
  return shared;
}

export function datasetTimeRange(shared: SharedCandles): { start: number; end: number } {
  const time = new Float64Array(shared.buffers.time);
  return { start: time[0], end: time[shared.candles - 1] + shared.timeframeMs };
}

/**
 * The time range trades are scored on, from the descriptor alone (a coordinator need not build the candles):
 * the whole grid, or from the end of the warm-up for store candles.
 */
export function datasetSpecRange(spec: DatasetSpec): { start: number; end: number } {
  const end = spec.startTime + spec.candles * spec.timeframeMs;
  return { start: spec.kind === 'candle-store' ? spec.tradeFromMs : spec.startTime, end };
}

/**
 * Reads the store's files into shared columns on the run's grid. A grid time a coin has no candle for is NaN in
 * every column (before its listing, after its delisting, a gap); the evaluator skips those rows.
 */
export async function loadStoreDataset(spec: CandleStoreDatasetSpec): Promise<SharedCandles> {
  const { shared, columns } = allocateSharedCandles(spec.symbols, spec.candles, spec.timeframeMs);
  for (let i = 0; i < spec.candles; i++) columns.time[i] = spec.startTime + i * spec.timeframeMs;
  for (const column of COLUMNS) columns[column].fill(Number.NaN);
  const end = spec.startTime + spec.candles * spec.timeframeMs;
  // One read buffer for every file: the values are copied into the shared columns (no 40 MB of file buffers).
  const scratch: CandleReadScratch = { buffer: Buffer.alloc(0) };
  for (let s = 0; s < spec.symbols.length; s++) {
    const symbol = spec.symbols[s];
    const file = path.join(spec.candleRoot, spec.timeframe, `${symbol}.bin`);
    const series = await readCandleFileInto(file, { symbol, timeframe: spec.timeframe }, scratch);
    if (!series) continue;
    const source = series.columns;
    for (let r = 0; r < source.time.length; r++) {
      const t = source.time[r];
      if (t < spec.startTime || t >= end) continue;
      const offset = (t - spec.startTime) / spec.timeframeMs;
      if (!Number.isInteger(offset)) continue; // off the exchange's grid: not a candle of this timeframe
      const at = s * spec.candles + offset;
      for (const column of COLUMNS) columns[column][at] = source[column][r];
    }
  }
  return shared;
}

/** Builds any data set (the synthetic one synchronously, store candles from disk). */
export async function loadDataset(spec: DatasetSpec): Promise<SharedCandles> {
  return spec.kind === 'candle-store' ? loadStoreDataset(spec) : buildDataset(spec);
}
