/**
 * `npm run bench:optimize` (not part of npm test; docs/optimizer.md, "Benchmark"). The synthetic evaluator over the
 * full universe (583 symbols × 1000 6h candles, in SharedArrayBuffers), 1000 evaluations:
 *   1. in-process: the piscina pool on every core vs one thread; evaluations/s and CPU utilisation
 *      (process CPU time, all threads, over wall time × cores);
 *   2. over Redis: a redis-server on a free 127.0.0.1 port, 1 then 2 `optimizer-worker` processes; evaluations/s,
 *      the ratio, and whether the best candidate equals the in-process run's (same seed).
 *   3. the backtest evaluator (the replay engine, the default): 583 paper symbols × 1000 6h candles (paper seed 42)
 *      in SharedArrayBuffers, 1000 evaluations on the pool vs a few on one thread; evaluations/s and CPU;
 *   4. the backtest evaluator over Redis: the same universe written to a candle store in a temp folder, 1 then 2
 *      worker processes, BENCH_REDIS_BACKTEST_EVALS (480) candidates; the ratio and the best candidate vs part 3.
 * Runs go through driveRun with the run file written as in production. Marks each target OK or MISS.
 * BENCH_SYMBOLS, BENCH_EVALS, BENCH_REDIS_EVALS and BENCH_BACKTEST_EVALS shrink it for a quick check;
 * BENCH_ONLY=backtest runs part 3 alone; BENCH_ONLY=redis runs part 2 alone (its in-process reference on the pool,
 * BENCH_REDIS_EVALS candidates); BENCH_ONLY=redis-backtest runs part 4 (its reference: part 3 with as many
 * candidates); BENCH_TRACE=1 prints the Redis parts' phases with their times; BENCH_BATCH sets the generation size
 * (default 32, the API's default). Each figure line ends with the
 * 1-minute load average at its end (the bench's own threads included).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import * as net from 'node:net';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { SystemClock } from '../src/common/clock';
import { DEFAULT_AUTO_BOT_CONFIG } from '../src/config/defaults';
import { PaperExchange } from '../src/exchange/paper/paper-exchange';
import type { ReplaySetup } from '../src/optimizer/backtest-evaluator';
import { evaluatorModulePath } from '../src/optimizer/evaluation-port';
import { InlineExecutor } from '../src/optimizer/inline-executor';
import { driveRun, newRunState, rankResults, type RunSpec, type RunState } from '../src/optimizer/optimization-run';
import { PoolExecutor, type EvaluationExecutor } from '../src/optimizer/pool-executor';
import { QueueExecutor } from '../src/optimizer/queue-executor';
import { RunStore } from '../src/optimizer/run-store';
import { buildSearchSpace } from '../src/optimizer/search-space';
import { encodeCandles } from '../src/candles/candle-codec';
import {
  allocateSharedCandles,
  attachSharedCandles,
  buildDataset,
  type CandleStoreDatasetSpec,
  datasetSpecRange,
  type DatasetSpec,
  type SharedCandles,
} from '../src/optimizer/shared-candles';
import { foldWindows } from '../src/optimizer/walk-forward';
import { instrumentRules } from '../src/backtest/engine/backtest.types';

const ROOT = path.resolve(__dirname, '..');
const SYMBOLS = Number(process.env.BENCH_SYMBOLS ?? 583);
const EVALS = Number(process.env.BENCH_EVALS ?? 1000);
const REDIS_EVALS = Number(process.env.BENCH_REDIS_EVALS ?? 300);
const BACKTEST_EVALS = Number(process.env.BENCH_BACKTEST_EVALS ?? 1000);
const BACKTEST_ONLY = process.env.BENCH_ONLY === 'backtest';
const REDIS_ONLY = process.env.BENCH_ONLY === 'redis';
const REDIS_BACKTEST_ONLY = process.env.BENCH_ONLY === 'redis-backtest';
/** A multiple of the batch size (32): the in-process run's first candidates are then the same sequence. */
const REDIS_BACKTEST_EVALS = Number(process.env.BENCH_REDIS_BACKTEST_EVALS ?? 480);
const REDIS = '/usr/bin/redis-server';
/** Candidates per generation: the sampler refits between generations, a barrier for the workers. */
const BATCH = Number(process.env.BENCH_BATCH ?? 32);
const TARGETS = { fullRunS: 60, redisRatio: 1.8 };
const CORES = availableParallelism();

const dataset: DatasetSpec = {
  kind: 'synthetic',
  symbols: SYMBOLS,
  candles: 1000,
  seed: 1,
  timeframeMs: 6 * 3600_000,
  startTime: Date.UTC(2025, 0, 1),
};

function spec(id: string, budget: number): RunSpec {
  return {
    id,
    space: buildSearchSpace(undefined),
    objective: 'sharpe',
    constraints: { minTrades: 30, maxDrawdownPercent: 50 },
    walkForward: { folds: 4, mode: 'rolling' },
    budget,
    seed: 12345,
    batchSize: BATCH,
    scope: { kind: 'global' },
    evaluator: 'synthetic',
    dataset,
    topN: 10,
  };
}

const candles = BACKTEST_ONLY ? (null as unknown as SharedCandles) : buildDataset(dataset);
const scoring = (s: RunSpec) => ({
  windows: foldWindows(datasetSpecRange(s.dataset), s.walkForward),
  objective: s.objective,
  constraints: s.constraints,
});

type Measured = { evals: number; seconds: number; perSecond: number; cpuPercent: number; state: RunState };

/** The 1-minute load average now: the machine may be shared, every figure says how busy it was. */
const load = (): string => `load ${loadavg()[0].toFixed(1)}`;

async function measure(s: RunSpec, executor: EvaluationExecutor, store: RunStore): Promise<Measured> {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const state = await driveRun(newRunState(s, Date.now()), executor, {
    save: (st) => store.save(st),
    now: () => Date.now(),
    cancelled: () => false,
    // As the service and the CLI: back-to-back saves would serialise the run on the main thread all the time,
    // taking a core's share from the pool on a small machine.
    saveIntervalMs: 250,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  await executor.close();
  if (state.status !== 'completed') throw new Error(`run ${s.id} ${state.status}: ${state.error}`);
  return {
    evals: state.results.length,
    seconds,
    perSecond: state.results.length / seconds,
    cpuPercent: ((used.user + used.system) / 1e6 / (seconds * CORES)) * 100,
    state,
  };
}

const mark = (ok: boolean): string => (ok ? 'OK' : 'MISS');
const best = (state: RunState) => rankResults(state.results)[0];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function waitFor(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(text)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

const stop = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => (child.once('exit', () => resolve()), child.kill('SIGTERM')));

/**
 * 1 then 2 optimizer-worker processes on a fresh redis-server, the same run (`make(id, budget)`) each time; compares
 * their best candidate with `reference`'s among its first `budget` candidates (same seed: the same sequence, when
 * `budget` is a multiple of the batch size or the reference's whole budget).
 */
async function redisRuns(
  store: RunStore,
  label: string,
  make: (id: string, budget: number) => RunSpec,
  budget: number,
  reference: RunState,
): Promise<void> {
  if (!existsSync(REDIS)) return void console.log(`Redis: skipped, ${REDIS} is not installed`);
  const port = await freePort();
  const redis = spawn(REDIS, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const started = Date.now();
  const phase = (what: string) =>
    process.env.BENCH_TRACE && console.log(`  [${((Date.now() - started) / 1000).toFixed(1)} s] ${what}`);
  await waitFor(redis, 'Ready to accept connections');
  const url = `redis://127.0.0.1:${port}`;
  const task = (s: RunSpec) => ({
    evaluator: s.evaluator,
    dataset: s.dataset,
    ...(s.context ? { context: s.context } : {}),
    ...scoring(s),
  });
  const results: Measured[] = [];
  const cpuNotes: string[] = [];
  try {
    for (const count of [1, 2]) {
      const workers = Array.from({ length: count }, () =>
        spawn(
          process.execPath,
          ['-r', '@swc-node/register', path.join(ROOT, 'src/optimizer/optimizer-worker.cli.ts')],
          {
            cwd: ROOT,
            env: { ...process.env, OPTIMIZER_REDIS_URL: url },
            stdio: ['ignore', 'pipe', 'inherit'],
          },
        ),
      );
      await Promise.all(workers.map((w) => waitFor(w, 'ready')));
      phase(`${count} worker(s) ready`);
      const s = make(`benchredis${label}${count}`, budget);
      // Warm-up run (its own id): every worker builds the data set once before the timed run.
      const warmUp = make(`benchwarm${label}${count}`, 8 * count);
      const warmUpExecutor = new QueueExecutor(url, warmUp.id, task(warmUp));
      await driveRun(newRunState(warmUp, 0), warmUpExecutor, {
        save: async () => undefined,
        now: () => 0,
        cancelled: () => false,
      });
      // Left open, its Redis connections retry after redis-server stops and the bench never exits.
      await warmUpExecutor.close();
      const before = [...workers, redis].map(cpuSeconds);
      const measured = await measure(s, new QueueExecutor(url, s.id, task(s)), store);
      const used = [...workers, redis].map((p, k) => cpuSeconds(p) - before[k]);
      const share = (seconds: number) => `${((seconds / (measured.seconds * CORES)) * 100).toFixed(0)}%`;
      cpuNotes.push(
        `workers ${used.slice(0, count).map(share).join(' + ')}, coordinator ` +
          `${share((measured.cpuPercent / 100) * measured.seconds * CORES)}, redis-server ${share(used[count])}`,
      );
      results.push(measured);
      phase(`${count} worker(s) measured`);
      await Promise.all(workers.map(stop));
      phase(`${count} worker(s) stopped`);
    }
  } finally {
    await stop(redis);
  }
  const [one, two] = results;
  const ratio = two.perSecond / one.perSecond;
  console.log(
    `Redis (${label}), 1 worker process:  ${one.evals} evaluations in ${one.seconds.toFixed(1)} s = ${one.perSecond.toFixed(1)}/s, ${load()}; CPU of ${CORES} cores: ${cpuNotes[0]}`,
  );
  console.log(
    `Redis (${label}), 2 worker processes: ${two.evals} evaluations in ${two.seconds.toFixed(1)} s = ${two.perSecond.toFixed(1)}/s, ${load()}; CPU of ${CORES} cores: ${cpuNotes[1]}`,
  );
  console.log(`  2 vs 1: ×${ratio.toFixed(2)} (target ≥ ×${TARGETS.redisRatio}) ${mark(ratio >= TARGETS.redisRatio)}`);
  const inProcessBest = rankResults(reference.results.filter((r) => r.index < budget))[0];
  const same =
    JSON.stringify(best(two.state)) === JSON.stringify(best(one.state)) &&
    JSON.stringify(best(two.state)) === JSON.stringify(inProcessBest);
  console.log(`  best candidate equals the in-process run's (same seed): ${same ? 'yes' : 'NO'} ${mark(same)}`);
}

/** CPU seconds (user + system) a child process has used so far, from /proc (Linux); 0 elsewhere. */
function cpuSeconds(child: ChildProcess): number {
  try {
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // Fields 14 and 15 of stat (utime, stime), in clock ticks of 1/100 s on Linux.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** The paper universe as candle-store files under `root`: Redis workers read the store (docs/optimizer.md). */
async function writeStoreFiles(shared: SharedCandles, root: string): Promise<void> {
  const columns = attachSharedCandles(shared);
  const start = columns.time[0];
  const end = columns.time[shared.candles - 1] + shared.timeframeMs;
  for (let s = 0; s < shared.symbols.length; s++) {
    const rows = [...Array(shared.candles).keys()].filter((i) => !Number.isNaN(columns.close[s * shared.candles + i]));
    const pick = (c: Float64Array, offset: number) => Float64Array.from(rows, (i) => c[offset + i]);
    const base = s * shared.candles;
    const part = {
      length: rows.length,
      time: pick(columns.time, 0),
      open: pick(columns.open, base),
      high: pick(columns.high, base),
      low: pick(columns.low, base),
      close: pick(columns.close, base),
      volume: pick(columns.volume, base),
    };
    const content = encodeCandles({ symbol: shared.symbols[s], timeframe: '6h', coveredFrom: start, coveredTo: end }, [
      part,
    ]);
    // A plain write: temp data of the bench, no fsync (the store's writeCandleFile syncs each file and its folder,
    // which can take minutes for 580 files on a busy disk).
    await mkdir(path.join(root, '6h'), { recursive: true });
    await writeFile(path.join(root, '6h', `${shared.symbols[s]}.bin`), content);
  }
}

const SIX_HOURS = 6 * 3600_000;
const WARMUP_CANDLES = DEFAULT_AUTO_BOT_CONFIG.min_candles_for_maturity + 50;

/** The paper universe's 6h candles in shared memory and the replay setup the API would save (default settings). */
async function paperUniverse(): Promise<{ spec: RunSpec; shared: SharedCandles }> {
  const clock = new SystemClock();
  const paper = new PaperExchange({ clock, seed: 42, symbolCount: SYMBOLS });
  await paper.init();
  const markets = (await paper.listMarkets()).filter((m) => m.status === 'Trading').slice(0, SYMBOLS);
  const candlesPerSymbol = 1000;
  const end = Math.floor(clock.now() / SIX_HOURS) * SIX_HOURS - SIX_HOURS;
  const start = end - candlesPerSymbol * SIX_HOURS;
  const symbols = markets.map((m) => m.symbol);
  const { shared, columns } = allocateSharedCandles(symbols, candlesPerSymbol, SIX_HOURS);
  for (let i = 0; i < candlesPerSymbol; i++) columns.time[i] = start + i * SIX_HOURS;
  for (const key of ['open', 'high', 'low', 'close', 'volume'] as const) columns[key].fill(Number.NaN);
  for (let s = 0; s < markets.length; s++) {
    const c = await paper.fetchCandleColumns(symbols[s], '6h', { since: start, until: end, limit: candlesPerSymbol });
    for (let r = 0; r < c.length; r++) {
      const at = s * candlesPerSymbol + (c.time[r] - start) / SIX_HOURS;
      if (!Number.isInteger(at - s * candlesPerSymbol) || c.time[r] < start || c.time[r] >= end) continue;
      columns.open[at] = c.open[r];
      columns.high[at] = c.high[r];
      columns.low[at] = c.low[r];
      columns.close[at] = c.close[r];
      columns.volume[at] = c.volume[r];
    }
  }
  const config = {
    ...DEFAULT_AUTO_BOT_CONFIG,
    default_position_mode: 'usdt' as const,
    default_position_size: 100,
    max_concurrent: 5,
  };
  // The warm-up a service run adds (maturity minimum + 50 candles), inside the 1000: trades are scored after it.
  const tradeFromMs = start + WARMUP_CANDLES * SIX_HOURS;
  const context: ReplaySetup = {
    timeframe: '6h',
    config,
    coins: markets.map((m) => ({
      symbol: m.symbol,
      rules: instrumentRules(m),
    })),
    startingBalance: 10_000,
    feeRate: 0.00055,
    spreadTicks: 1,
    tradeFromMs,
  };
  const base = spec('benchbacktest', BACKTEST_EVALS);
  return {
    shared,
    spec: {
      ...base,
      evaluator: 'backtest',
      constraints: { minTrades: 1, maxDrawdownPercent: 50 },
      // Described as store candles (what a real run saves); the bench hands the columns over directly.
      dataset: {
        kind: 'candle-store',
        candleRoot: '(in memory)',
        timeframe: '6h',
        timeframeMs: SIX_HOURS,
        symbols,
        startTime: start,
        candles: candlesPerSymbol,
        tradeFromMs,
      },
      context,
    },
  };
}

type BacktestBench = { full: RunSpec; shared: SharedCandles; pool: RunState };

async function backtestRuns(store: RunStore, budget = BACKTEST_EVALS): Promise<BacktestBench> {
  const loadStarted = Date.now();
  const { spec: paper, shared } = await paperUniverse();
  const full = { ...paper, budget };
  console.log(
    `\nBacktest evaluator: ${shared.symbols.length} paper symbols × ${shared.candles} 6h candles (seed 42, ` +
      `${((shared.symbols.length * shared.candles * 8 * 5) / 1e6).toFixed(0)} MB shared, built in ` +
      `${((Date.now() - loadStarted) / 1000).toFixed(1)} s), default settings, 5 slots, candle resolution, trades scored after a ${WARMUP_CANDLES}-candle warm-up, 4 folds, sharpe`,
  );
  const init = {
    evaluatorModule: evaluatorModulePath('backtest'),
    candles: shared,
    context: full.context ?? null,
    ...scoring(full),
  };
  const single = { ...full, id: 'benchbtinline', budget: Math.min(budget, 32) };
  const inline = new InlineExecutor(init);
  // Warmed up like the pool's threads (below), so the ratio compares steady states.
  for (let i = 0; i < 4; i++) await inline.evaluate(-1 - i, {});
  const one = await measure(single, inline, store);
  console.log(
    `One thread (inline):   ${one.evals} evaluations in ${one.seconds.toFixed(1)} s = ${one.perSecond.toFixed(2)}/s, CPU ${one.cpuPercent.toFixed(0)}% of ${CORES} cores, ${load()}`,
  );
  const poolExecutor = new PoolExecutor(init, CORES);
  const warm = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CORES }, (_, i) => poolExecutor.evaluate(-1 - i, {})));
  console.log(
    `Pool start-up (${CORES} threads, first evaluations): ${(Number(process.hrtime.bigint() - warm) / 1e6).toFixed(0)} ms`,
  );
  const pool = await measure(full, poolExecutor, store);
  const top = best(pool.state);
  console.log(
    `Pool (${CORES} threads):      ${pool.evals} evaluations in ${pool.seconds.toFixed(1)} s = ${pool.perSecond.toFixed(2)}/s, CPU ${pool.cpuPercent.toFixed(0)}% of ${CORES} cores, ×${(pool.perSecond / one.perSecond).toFixed(2)} vs one thread, ${load()}`,
  );
  console.log(
    `  best: #${top.index} in-sample ${top.inSampleScore?.toFixed(4) ?? '—'} out-of-sample ${top.outOfSampleScore?.toFixed(4) ?? '—'}`,
  );
  const projected = 1000 / pool.perSecond;
  console.log(
    `  1000 evaluations: ${projected.toFixed(1)} s (target ≤ ${TARGETS.fullRunS} s) ${mark(projected <= TARGETS.fullRunS)}`,
  );
  return { full, shared, pool: pool.state };
}

/** The backtest evaluator over Redis: the paper universe written to a candle store the workers read. */
async function redisBacktestRuns(store: RunStore, bench: BacktestBench, dir: string): Promise<void> {
  const candleRoot = path.join(dir, 'candles');
  await writeStoreFiles(bench.shared, candleRoot);
  const dataset = { ...(bench.full.dataset as CandleStoreDatasetSpec), candleRoot };
  await redisRuns(
    store,
    'backtest',
    (id, budget) => ({ ...bench.full, id, budget, dataset }),
    REDIS_BACKTEST_EVALS,
    bench.pool,
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-optimize-'));
  const store = new RunStore(dir);
  console.log(
    `Conditions: ${cpus()[0]?.model ?? '?'}, ${CORES} cores (availableParallelism), node ${process.version}, batch size ${BATCH}`,
  );
  console.log(
    `Load average before: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  if (BACKTEST_ONLY || REDIS_BACKTEST_ONLY) {
    try {
      if (BACKTEST_ONLY) await backtestRuns(store);
      // The in-process reference: as many candidates as the Redis runs, on the pool.
      else await redisBacktestRuns(store, await backtestRuns(store, REDIS_BACKTEST_EVALS), dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return;
  }
  console.log(
    `Data: ${SYMBOLS} symbols × 1000 6h candles (${((SYMBOLS * 1000 * 8 * 5) / 1e6).toFixed(0)} MB shared), synthetic evaluator, 4 folds, sharpe`,
  );
  if (REDIS_ONLY) {
    try {
      const reference = spec('benchpoolref', REDIS_EVALS);
      const pool = new PoolExecutor(
        { evaluatorModule: evaluatorModulePath('synthetic'), candles, ...scoring(reference) },
        CORES,
      );
      await redisRuns(store, 'synthetic', spec, REDIS_EVALS, (await measure(reference, pool, store)).state);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return;
  }
  try {
    const single = spec('benchinline', Math.min(EVALS, 200));
    const one = await measure(single, InlineExecutor.synthetic({ candles, ...scoring(single) }), store);
    console.log(
      `One thread (inline):   ${one.evals} evaluations in ${one.seconds.toFixed(1)} s = ${one.perSecond.toFixed(1)}/s, CPU ${one.cpuPercent.toFixed(0)}% of ${CORES} cores, ${load()}`,
    );
    const full = spec('benchpool', EVALS);
    const poolExecutor = new PoolExecutor(
      { evaluatorModule: evaluatorModulePath('synthetic'), candles, ...scoring(full) },
      CORES,
    );
    // Thread start and the TS loader in each worker are paid once per run, not per evaluation: timed apart.
    const warm = process.hrtime.bigint();
    await Promise.all(Array.from({ length: CORES * 2 }, (_, i) => poolExecutor.evaluate(-1 - i, {})));
    console.log(
      `Pool start-up (${CORES} threads, first evaluations): ${(Number(process.hrtime.bigint() - warm) / 1e6).toFixed(0)} ms`,
    );
    const pool = await measure(full, poolExecutor, store);
    console.log(
      `Pool (${CORES} threads):      ${pool.evals} evaluations in ${pool.seconds.toFixed(1)} s = ${pool.perSecond.toFixed(1)}/s, CPU ${pool.cpuPercent.toFixed(0)}% of ${CORES} cores, ×${(pool.perSecond / one.perSecond).toFixed(2)} vs one thread, ${load()}`,
    );
    const projected = (1000 / pool.perSecond).toFixed(1);
    console.log(
      `  1000 evaluations: ${projected} s (target ≤ ${TARGETS.fullRunS} s) ${mark(1000 / pool.perSecond <= TARGETS.fullRunS)}`,
    );
    await redisRuns(store, 'synthetic', spec, REDIS_EVALS, pool.state);
    await redisBacktestRuns(store, await backtestRuns(store), dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
