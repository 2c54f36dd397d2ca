/**
 * Worker-thread entry of a backtest job (docs/backtest.md, "Jobs"): reads the candles from the store's files,
 * replays them with runBacktest (1m detail asked of the main thread, which fills the store), assembles the result
 * and posts it back. The main thread only waits, so the live workers and the API keep their latency.
 */
import * as path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { lowerBound } from '../../candles/candle-codec';
import { lowerThreadPriority } from '../../common/thread-priority';
import { CandleFileError } from '../../candles/candle-codec';
import { readCandleFileIntoSync, type CandleReadScratch } from '../../candles/candle-file';
import { atomicWrite } from '../../persistence/atomic-write';
import { TIMEFRAME_MS, type CandleColumns, type Timeframe } from '../../exchange/exchange.types';
import type { BacktestSymbol, ReplayCandles } from '../engine/backtest.types';
import { runBacktestWithDetail, type CandleSource } from '../engine/candle-source';
import { runBacktest } from '../engine/backtest-engine';
import { assembleBacktestResult, equityPointsFromColumns } from '../result/assemble-result';
import type { BacktestResultTrade, CandleTuple, TradePricePath } from '../result/backtest-result';
import type { CloseColumns } from '../result/statistics';
import { DamagedCandlesError, type BacktestSpec, type DetailAnswer, type WorkerMessage } from './backtest-job.types';
import { Float64Slab } from './float64-slab';

/** Trades that get a price chart in the report, and candles shown around each (bounds the result's size). */
export const MAX_PRICE_PATHS = 2000;
const PATH_MARGIN_CANDLES = 10;
const MAX_PATH_CANDLES = 200;

function post(message: WorkerMessage): void {
  parentPort!.postMessage(message);
}

/** The range's open times on the timeframe's grid, once per job: coins without gaps share views of it. */
class TimeGrid {
  private readonly times: Float64Array;

  constructor(
    private readonly fromMs: number,
    toMs: number,
    private readonly tfMs: number,
  ) {
    const count = Math.max(0, Math.ceil((toMs - fromMs) / tfMs));
    this.times = Float64Array.from({ length: count }, (_, i) => fromMs + i * tfMs);
  }

  /** A view equal to `times` when they are consecutive grid times inside the range; null otherwise. */
  viewOf(times: Float64Array): Float64Array | null {
    if (times.length === 0) return null;
    const offset = (times[0] - this.fromMs) / this.tfMs;
    if (!Number.isInteger(offset) || offset < 0 || offset + times.length > this.times.length) return null;
    const view = this.times.subarray(offset, offset + times.length);
    for (let i = 0; i < times.length; i++) if (view[i] !== times[i]) return null;
    return view;
  }
}

/**
 * Copies the wanted rows out of the file's columns (a view over the read scratch) into the job's slab, so no file
 * buffer is kept; open times on the grid are shared. Volume is left out: the replay does not read it (the report's
 * trade charts show none), and it is a sixth of the memory.
 */
function copyRange(
  columns: CandleColumns,
  fromMs: number,
  toMs: number,
  slab: Float64Slab,
  grid: TimeGrid,
): ReplayCandles {
  const start = lowerBound(columns.time, fromMs);
  const end = lowerBound(columns.time, toMs);
  const length = Math.max(0, end - start);
  const copy = (column: Float64Array) => {
    const out = slab.take(length);
    out.set(column.subarray(start, start + length));
    return out;
  };
  const time = columns.time.subarray(start, start + length);
  return {
    length,
    time: grid.viewOf(time) ?? copy(columns.time),
    open: copy(columns.open),
    high: copy(columns.high),
    low: copy(columns.low),
    close: copy(columns.close),
  };
}

/**
 * The spec's candles, read from the store's files one after the other through one read buffer and kept in one
 * slab (docs/whole-service-bench.md, "Backtest and optimizer jobs": a job's memory stays near its data).
 */
export async function loadSpecUniverse(
  spec: BacktestSpec,
  onProgress?: (fraction: number) => void,
): Promise<BacktestSymbol[]> {
  const universe: BacktestSymbol[] = [];
  const slab = new Float64Slab();
  const grid = new TimeGrid(spec.loadFromMs, spec.toMs, TIMEFRAME_MS[spec.timeframe]);
  const scratch: CandleReadScratch = { buffer: Buffer.alloc(0) };
  let done = 0;
  for (const entry of spec.entries) {
    const file = path.join(spec.candleRoot, spec.timeframe, `${entry.symbol}.bin`);
    let series;
    try {
      // Blocking reads: this is the job's own thread (see readCandleFileIntoSync).
      series = readCandleFileIntoSync(file, { symbol: entry.symbol, timeframe: spec.timeframe }, scratch);
    } catch (error) {
      if (error instanceof CandleFileError) {
        throw new DamagedCandlesError(entry.symbol, `${entry.symbol} ${spec.timeframe} candles: ${error.message}`);
      }
      throw error;
    }
    if (series) {
      const candles = copyRange(series.columns, spec.loadFromMs, spec.toMs, slab, grid);
      if (candles.length > 0) universe.push({ ...entry, candles });
    }
    if (++done % 25 === 0) onProgress?.(done / spec.entries.length);
  }
  return universe;
}

/** Each coin's closes from `fromMs` as views over its candles (no per-candle objects) for the buy-and-hold line. */
function closesInRange(universe: readonly BacktestSymbol[], fromMs: number, tfMs: number): CloseColumns[] {
  return universe.map((coin) => {
    const c = coin.candles;
    const time = c.time as Float64Array;
    const first = lowerBound(time, fromMs);
    return {
      symbol: coin.symbol,
      openTime: time.subarray(first, c.length),
      close: (c.close as Float64Array).subarray(first, c.length),
      periodMs: tfMs,
    };
  });
}

function pricePaths(
  universe: readonly BacktestSymbol[],
  trades: readonly BacktestResultTrade[],
  timeframe: Timeframe,
  tfMs: number,
): TradePricePath[] {
  const bySymbol = new Map(universe.map((coin) => [coin.symbol, coin.candles]));
  const paths: TradePricePath[] = [];
  for (const trade of trades.slice(0, MAX_PRICE_PATHS)) {
    const c = bySymbol.get(trade.symbol);
    if (!c) continue;
    const first = Math.max(0, lowerBound(c.time as Float64Array, trade.entry_timestamp) - PATH_MARGIN_CANDLES);
    const last = Math.min(
      c.length,
      lowerBound(c.time as Float64Array, trade.close_time_ms + tfMs) + PATH_MARGIN_CANDLES,
      first + MAX_PATH_CANDLES,
    );
    const candles: CandleTuple[] = [];
    for (let i = first; i < last; i++) candles.push([c.time[i], c.open[i], c.high[i], c.low[i], c.close[i], 0]);
    paths.push({ trade_id: trade.id, symbol: trade.symbol, timeframe, candles });
  }
  return paths;
}

/** 1m candles asked of the main thread (it fills the store through ExchangeService, then answers). */
function mainThreadDetailSource(): CandleSource {
  let nextId = 1;
  const pending = new Map<number, { resolve: (c: CandleColumns) => void; reject: (e: Error) => void }>();
  parentPort!.on('message', (answer: DetailAnswer) => {
    if (answer?.type !== 'detail') return;
    const waiter = pending.get(answer.requestId);
    pending.delete(answer.requestId);
    if (!waiter) return;
    if (answer.candles) waiter.resolve(answer.candles);
    else waiter.reject(new Error(answer.error ?? '1m candles unavailable'));
  });
  return {
    load: (symbol, _timeframe, fromMs, toMs) =>
      new Promise((resolve, reject) => {
        const requestId = nextId++;
        pending.set(requestId, { resolve, reject });
        post({ type: 'need-detail', requestId, symbol, fromMs, toMs });
      }),
  };
}

export async function runSpec(
  spec: BacktestSpec,
  detailSource: CandleSource | null,
  onProgress: (message: WorkerMessage) => void,
): Promise<WorkerMessage> {
  const tfMs = TIMEFRAME_MS[spec.timeframe];
  const universe = await loadSpecUniverse(spec, (fraction) =>
    onProgress({ type: 'progress', stage: 'load', fraction }),
  );
  if (universe.length === 0) return { type: 'error', message: 'no candles in the range for these symbols' };
  onProgress({ type: 'progress', stage: 'replay', fraction: 0 });
  const params = {
    timeframe: spec.timeframe,
    config: spec.config,
    startingBalance: spec.startingBalance,
    feeRate: spec.feeRate,
    spreadTicks: spec.spreadTicks,
    tradeFromMs: spec.fromMs,
  };
  const started = performance.now();
  const run =
    spec.detail && detailSource
      ? (await runBacktestWithDetail(universe, params, detailSource)).run
      : runBacktest(universe, params);
  const replayMs = performance.now() - started;
  onProgress({ type: 'progress', stage: 'assemble', fraction: 0 });
  const result = assembleBacktestResult({
    id: spec.id,
    generatedAtMs: spec.generatedAtMs,
    parameters: spec.parameters,
    trades: run.trades,
    equity: equityPointsFromColumns(run.equity).filter((point) => point.time_ms >= spec.fromMs),
    closes: closesInRange(universe, spec.fromMs, tfMs),
    pricePaths: pricePaths(universe, run.trades, spec.timeframe, tfMs),
    locks: run.locks,
  });
  if (spec.resultFile) await atomicWrite(spec.resultFile, JSON.stringify(result));
  return {
    type: 'done',
    result: spec.resultFile ? null : result,
    statistics: result.statistics,
    bars: run.bars,
    detailBars: run.detailBars,
    replayMs,
  };
}

if (parentPort && workerData?.backtestSpec) {
  lowerThreadPriority();
  const spec = workerData.backtestSpec as BacktestSpec;
  runSpec(spec, mainThreadDetailSource(), post)
    .then(post)
    .catch((error: unknown) =>
      post({
        type: 'error',
        message: error instanceof Error ? error.message : String(error),
        ...(error instanceof DamagedCandlesError ? { damagedSymbol: error.symbol } : {}),
      }),
    )
    .finally(() => parentPort!.close());
}
