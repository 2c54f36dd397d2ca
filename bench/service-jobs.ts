/**
 * `npm run bench:service-jobs` (not part of npm test; docs/whole-service-bench.md, "Backtest and optimizer jobs"):
 * the whole service (`node dist/main`, paper exchange, 583 symbols, a DATA_DIR whose candle store holds the full
 * universe of 6h candles) measured from outside while a backtest job and then an optimizer run go on.
 *
 *  0. Fill: a first service fills the candle store through a full-universe backtest job, then stops; the measured
 *     service starts fresh on the same DATA_DIR, so its idle figure carries no garbage of the fill.
 *  1. Idle: RSS of the process (main thread + every worker thread) sampled every 20 ms, and the API's latency at a
 *     fixed request rate (open loop, latency counted from the scheduled send time) over a read mix of
 *     /api/bots/list, /api/bots/coins-with-rsi, /api/bots/health and /health/live.
 *  2. Backtest: full-universe jobs (583 × 1 000 6h candles + warm-up) through POST /api/bots/backtest, back to back
 *     for BENCH_PHASE_SECONDS; the same load; peak RSS over idle and the same percentiles.
 *  3. Optimizer: POST /api/bots/optimize (backtest evaluator, full universe) for BENCH_PHASE_SECONDS, then cancelled.
 * In every phase the live workers' tick durations are read from /api/bots/process-state.
 *
 * Targets (OK/MISS): peak RSS ≤ idle + 100 MB during the backtest job; p99 during the job < 2 × idle p99.
 * Env: BENCH_SYMBOLS (583), BENCH_RATE (req/s, 80), BENCH_PHASE_SECONDS (20), BENCH_SKIP (comma list of
 * backtest,optimize), BENCH_ROUNDS (1: idle + backtest jobs repeated this many times on the same service, before
 * the optimizer's idle + run),
 * BENCH_DATA_DIR (a DATA_DIR kept between runs: filled once, then reused), BENCH_NODE_ARGS (node flags for the
 * measured service, e.g. "--optimize-for-size" as `npm start` runs it).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureBuilt, startService, type RunningService } from '../test/support/built-service';
import { createLoadClient, http, percentile, sleep } from '../test/support/reliability';

const SYMBOLS = Number(process.env.BENCH_SYMBOLS ?? 583);
const RATE = Number(process.env.BENCH_RATE ?? 80);
const PHASE_SECONDS = Number(process.env.BENCH_PHASE_SECONDS ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const SKIP = new Set((process.env.BENCH_SKIP ?? '').split(',').map((s) => s.trim()));
const CANDLES = 1000;
const TF_MS = 6 * 3600_000;
const READS = ['/api/bots/list', '/api/bots/coins-with-rsi', '/api/bots/health', '/health/live'];

/** Node flags for the measured service: BENCH_NODE_ARGS="--optimize-for-size" measures it as `npm start` runs it. */
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
const conditions = () =>
  `node ${process.version}${NODE_ARGS.length ? ` ${NODE_ARGS.join(' ')}` : ''}, ${os.availableParallelism()} cores (${os.cpus()[0]?.model ?? '?'}), load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ')}`;

function rssMbOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN) / 1024;
  } catch {
    return NaN;
  }
}

/** CPU time of the whole process (all threads), or of its main thread alone, ms. */
function cpuMsOf(pid: number, mainThreadOnly = false): number {
  const stat = readFileSync(mainThreadOnly ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** CPU ms of each live thread of a process, with its name (/proc/<pid>/task/<tid>/comm). */
function threadCpu(pid: number): Map<string, { name: string; ms: number }> {
  const out = new Map<string, { name: string; ms: number }>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, { name: tid === String(pid) ? 'main' : name, ms: (Number(fields[11]) + Number(fields[12])) * 10 });
    } catch {
      /* the thread ended meanwhile */
    }
  }
  return out;
}

/** CPU cores used per thread name over a phase; threads that ended during it (job threads) as "ended threads". */
function threadBreakdown(
  before: Map<string, { name: string; ms: number }>,
  after: Map<string, { name: string; ms: number }>,
  totalMs: number,
  seconds: number,
): string {
  const byName = new Map<string, number>();
  let live = 0;
  for (const [tid, t] of after) {
    const ms = t.ms - (before.get(tid)?.ms ?? 0);
    live += ms;
    byName.set(t.name, (byName.get(t.name) ?? 0) + ms);
  }
  byName.set('ended threads', Math.max(0, totalMs - live));
  return [...byName.entries()]
    .filter(([, ms]) => ms > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([name, ms]) => `${name} ${(ms / 1000 / seconds).toFixed(2)}`)
    .join(', ');
}

interface PhaseFigures {
  name: string;
  rssMedianMb: number;
  rssPeakMb: number;
  /** RSS 2 s after the work ended (what the process keeps). */
  rssAfterMb: number;
  p50: number;
  p99: number;
  max: number;
  requests: number;
  errors: number;
  cpuCores: number;
  mainThreadCores: number;
  /** CPU cores per thread name. */
  threads: string;
  /** The service's own event-loop delay over the phase (prom-client's monitor, reset by each /metrics read), ms. */
  loopP99: number;
  loopMax: number;
  /** Live workers' tick durations seen during the phase: worker → durations, ms. */
  ticks: Map<string, number[]>;
  load: string;
  note: string;
}

/**
 * Runs `work` while the API gets RATE requests/s (open loop: a request's latency counts from the moment it was due,
 * so a stalled loop shows as queueing) and the process's RSS is sampled every 20 ms.
 */
async function measurePhase(
  service: RunningService,
  name: string,
  work: (phaseEnd: number) => Promise<string>,
): Promise<PhaseFigures> {
  const pid = service.process.pid!;
  const client = createLoadClient(64);
  const rss: number[] = [];
  const sampler = setInterval(() => rss.push(rssMbOf(pid)), 20);
  const ticks = new Map<string, number[]>();
  const seenRuns = new Map<string, number>();
  const readTicks = async () => {
    const res = await http(`${service.url}/api/bots/process-state`, 'GET');
    const workers = (res.body?.process_state ?? res.body ?? {}) as Record<
      string,
      { runs?: number; last_duration_ms?: number | null }
    >;
    for (const [worker, state] of Object.entries(workers)) {
      if (typeof state?.last_duration_ms !== 'number' || typeof state.runs !== 'number') continue;
      if (seenRuns.get(worker) === state.runs) continue;
      const first = !seenRuns.has(worker);
      seenRuns.set(worker, state.runs);
      if (!first) ticks.set(worker, [...(ticks.get(worker) ?? []), state.last_duration_ms]);
    }
  };
  await readTicks();
  const tickTimer = setInterval(() => {
    readTicks().catch(() => undefined);
  }, 500);

  await http(`${service.url}/metrics`, 'GET'); // resets the event-loop delay histogram
  const latencies: number[] = [];
  let errors = 0;
  let running = true;
  const cpu0 = cpuMsOf(pid);
  const mainCpu0 = cpuMsOf(pid, true);
  const threads0 = threadCpu(pid);
  const t0 = performance.now();
  const phaseEnd = Date.now() + PHASE_SECONDS * 1000;
  const inFlight: Promise<void>[] = [];
  const load = (async () => {
    const start = performance.now();
    for (let i = 0; running; i++) {
      const due = start + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const url = `${service.url}${READS[i % READS.length]}`;
      inFlight.push(
        client.send(url, 'GET').then(({ status }) => {
          if (status !== 200) errors++;
          latencies.push(performance.now() - due);
        }),
      );
    }
  })();
  const note = await work(phaseEnd);
  running = false;
  await load;
  await Promise.all(inFlight);
  const metrics = String((await http(`${service.url}/metrics`, 'GET')).body);
  const loopMs = (name: string) =>
    Number(new RegExp(`^nodejs_eventloop_lag_${name}_seconds (\\S+)`, 'm').exec(metrics)?.[1] ?? NaN) * 1000;
  await sleep(2000);
  const rssAfterMb = rssMbOf(pid);
  const seconds = (performance.now() - t0) / 1000;
  const cpuCores = (cpuMsOf(pid) - cpu0) / 1000 / seconds;
  const mainThreadCores = (cpuMsOf(pid, true) - mainCpu0) / 1000 / seconds;
  const threads = threadBreakdown(threads0, threadCpu(pid), cpuCores * 1000 * seconds, seconds);
  clearInterval(sampler);
  clearInterval(tickTimer);
  await readTicks();
  latencies.sort((a, b) => a - b);
  const sortedRss = rss.filter(Number.isFinite).sort((a, b) => a - b);
  return {
    name,
    rssMedianMb: percentile(sortedRss, 50),
    rssPeakMb: sortedRss[sortedRss.length - 1],
    rssAfterMb,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1],
    requests: latencies.length,
    errors,
    cpuCores,
    mainThreadCores,
    threads,
    loopP99: loopMs('p99'),
    loopMax: loopMs('max'),
    ticks,
    load: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' / '),
    note,
  };
}

const backtestBody = () => {
  const to = Math.floor(Date.now() / TF_MS) * TF_MS - TF_MS;
  return { from: to - CANDLES * TF_MS, to };
};

async function startBacktest(service: RunningService): Promise<string> {
  const res = await http(`${service.url}/api/bots/backtest`, 'POST', backtestBody(), 60_000);
  const id = res.body?.job?.id as string | undefined;
  if (!id) throw new Error(`POST /api/bots/backtest: ${res.status} ${JSON.stringify(res.body)}`);
  return id;
}

/** The list carries no results: polling it does not make the service read and send a multi-MB result. */
async function backtestStatus(service: RunningService, id: string): Promise<string> {
  const res = await http(`${service.url}/api/bots/backtests`, 'GET');
  return (
    (res.body?.backtests as Array<{ id: string; status: string }> | undefined)?.find((j) => j.id === id)?.status ??
    'missing'
  );
}

async function waitBacktest(service: RunningService, id: string): Promise<string> {
  for (;;) {
    const status = await backtestStatus(service, id);
    if (status !== 'running') return status;
    await sleep(100);
  }
}

/** Full-universe jobs back to back until the phase ends (at least one); each job's own RSS peak. */
async function backtestJobs(service: RunningService, phaseEnd: number): Promise<string> {
  const pid = service.process.pid!;
  const times: number[] = [];
  const peaks: number[] = [];
  const statuses = new Set<string>();
  do {
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMbOf(pid))), 20);
    const t0 = performance.now();
    const id = await startBacktest(service);
    statuses.add(await waitBacktest(service, id));
    times.push(performance.now() - t0);
    clearInterval(sampler);
    peaks.push(peak);
    await http(`${service.url}/api/bots/backtest/${id}`, 'DELETE');
  } while (Date.now() < phaseEnd);
  times.sort((a, b) => a - b);
  return `${times.length} jobs (${[...statuses].join(', ')}), median ${percentile(times, 50).toFixed(0)} ms each; RSS peak per job ${peaks.map((p) => p.toFixed(0)).join(' ')} MB`;
}

async function optimizerRun(service: RunningService, phaseEnd: number): Promise<string> {
  const res = await http(`${service.url}/api/bots/optimize`, 'POST', { budget: 5000, seed: 1 }, 60_000);
  const id = res.body?.id as string | undefined;
  if (!id) throw new Error(`POST /api/bots/optimize: ${res.status} ${JSON.stringify(res.body)}`);
  await sleep(Math.max(0, phaseEnd - Date.now()));
  const state = await http(`${service.url}/api/bots/optimize/${id}`, 'GET');
  await http(`${service.url}/api/bots/optimize/${id}`, 'DELETE');
  // Wait for the cancelled run to close its pool before the next phase.
  for (let i = 0; i < 300; i++) {
    const s = await http(`${service.url}/api/bots/optimize/${id}`, 'GET');
    if (s.body?.optimization?.status !== 'running') break;
    await sleep(100);
  }
  const run = state.body?.optimization as { evaluated?: number; stage?: string } | undefined;
  return `${run?.evaluated ?? '?'} evaluations in ${PHASE_SECONDS} s (stage ${run?.stage ?? '?'})`;
}

async function idle(_service: RunningService, phaseEnd: number): Promise<string> {
  await sleep(Math.max(0, phaseEnd - Date.now()));
  return '';
}

function tickText(ticks: Map<string, number[]>): string {
  const parts = [...ticks.entries()]
    .filter(([, d]) => d.length > 0)
    .map(([worker, d]) => {
      const sorted = [...d].sort((a, b) => a - b);
      return `${worker} ${percentile(sorted, 50).toFixed(0)}/${sorted[sorted.length - 1].toFixed(0)} ms (${d.length})`;
    });
  return parts.length ? parts.join(', ') : 'no tick completed';
}

function print(figures: PhaseFigures, idleFigures: PhaseFigures | null): void {
  const f = figures;
  console.log(`\n  ${f.name}${f.note ? `: ${f.note}` : ''} (load average at the end ${f.load})`);
  const over = idleFigures ? ` (+${(f.rssPeakMb - idleFigures.rssMedianMb).toFixed(0)} MB over this round's idle)` : '';
  console.log(
    `    RSS median ${f.rssMedianMb.toFixed(0)} MB, peak ${f.rssPeakMb.toFixed(0)} MB${over}, 2 s after the work ${f.rssAfterMb.toFixed(0)} MB`,
  );
  console.log(
    `    API at ${RATE} req/s: p50 ${f.p50.toFixed(1)} ms, p99 ${f.p99.toFixed(1)} ms, max ${f.max.toFixed(0)} ms (${f.requests} requests, ${f.errors} errors); service CPU ${f.cpuCores.toFixed(2)} cores (main thread ${f.mainThreadCores.toFixed(2)})`,
  );
  console.log(`    CPU cores by thread: ${f.threads}`);
  console.log(`    service event-loop delay p99 ${f.loopP99.toFixed(1)} ms, max ${f.loopMax.toFixed(0)} ms`);
  console.log(`    live worker ticks p50/max: ${tickText(f.ticks)}`);
}

async function fillStore(dataDir: string, env: Record<string, string>): Promise<void> {
  const service = await startService({ ...env, DATA_DIR: dataDir }, 120_000, NODE_ARGS);
  try {
    const t0 = performance.now();
    const status = await waitBacktest(service, await startBacktest(service));
    console.log(
      `fill: a first service filled the candle store (${SYMBOLS} symbols × ${CANDLES} 6h candles + warm-up) with a job: ${status} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  } finally {
    service.process.kill('SIGTERM');
    await service.exited;
  }
}

async function main(): Promise<void> {
  console.log(`bench:service-jobs — ${conditions()}`);
  console.log(
    `${SYMBOLS} paper symbols, ${RATE} req/s over ${READS.join(', ')}, phases of ${PHASE_SECONDS} s, ${ROUNDS} round(s)`,
  );
  ensureBuilt();
  const keep = process.env.BENCH_DATA_DIR;
  const dataDir = keep ? path.resolve(keep) : mkdtempSync(path.join(os.tmpdir(), 'bench-service-jobs-'));
  const env = { EXCHANGE: 'paper', PAPER_SYMBOLS: String(SYMBOLS), LOG_LEVEL: 'warn', BACKTEST_MAX_JOBS: '1' };
  try {
    if (!existsSync(path.join(dataDir, 'candles', '6h'))) await fillStore(dataDir, env);
    // A reused DATA_DIR keeps its candles only: an optimization left running by an interrupted bench would resume.
    for (const folder of ['optimizations', 'backtests']) {
      rmSync(path.join(dataDir, folder), { recursive: true, force: true });
    }
    const service = await startService({ ...env, DATA_DIR: dataDir }, 120_000, NODE_ARGS);
    try {
      // The coin load (583 paper histories) and its garbage settle before the idle figure.
      await sleep(15_000);
      const verdicts: string[] = [];
      // "Over the idle service" is over the first idle figure: later idle figures include what earlier jobs left.
      let freshIdleMb = NaN;
      let freshIdlePeakMb = NaN;
      // Backtest rounds first: the optimizer's pool leaves memory behind that would raise every later idle figure.
      for (let round = 1; round <= (SKIP.has('backtest') ? 0 : ROUNDS); round++) {
        console.log(`\nbacktest round ${round} — ${conditions()}`);
        const idleFigures = await measurePhase(service, 'idle', (end) => idle(service, end));
        print(idleFigures, null);
        if (round === 1) {
          freshIdleMb = idleFigures.rssMedianMb;
          freshIdlePeakMb = idleFigures.rssPeakMb;
        }
        const job = await measurePhase(service, 'backtest jobs', (end) => backtestJobs(service, end));
        print(job, idleFigures);
        const extra = job.rssPeakMb - freshIdleMb;
        verdicts.push(
          `backtest round ${round}: peak RSS ${job.rssPeakMb.toFixed(0)} MB = +${extra.toFixed(0)} MB over the fresh idle ${freshIdleMb.toFixed(0)} MB (≤ +100): ${extra <= 100 ? 'OK' : 'MISS'} (+${(job.rssPeakMb - freshIdlePeakMb).toFixed(0)} MB over its peak); p99 ${job.p99.toFixed(1)} vs idle ${idleFigures.p99.toFixed(1)} ms (< 2×): ${job.p99 < 2 * idleFigures.p99 ? 'OK' : 'MISS'}`,
        );
        await sleep(3000);
      }
      if (!SKIP.has('optimize')) {
        console.log(`\noptimizer — ${conditions()}`);
        const idleFigures = await measurePhase(service, 'idle', (end) => idle(service, end));
        print(idleFigures, null);
        const opt = await measurePhase(service, 'optimizer run', (end) => optimizerRun(service, end));
        print(opt, idleFigures);
        verdicts.push(
          `optimizer: peak RSS +${(opt.rssPeakMb - idleFigures.rssMedianMb).toFixed(0)} MB over idle; p99 ${opt.p99.toFixed(1)} vs idle ${idleFigures.p99.toFixed(1)} ms (${(opt.p99 / idleFigures.p99).toFixed(1)}×)`,
        );
      }
      console.log(`\n${verdicts.join('\n')}`);
    } finally {
      service.process.kill('SIGTERM');
      await service.exited;
    }
  } finally {
    if (!keep) rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(`\nafter: ${conditions()}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
