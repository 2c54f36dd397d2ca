/**
 * `npm run bench:service` (not part of npm test): the WHOLE service as it runs in production (`node dist/main`, built
 * by `nest build`), measured from outside its process.
 *
 * 1. Bybit mode against the fake Bybit of bench/fake-server.ts (583 symbols x 1000 candles, 50 ms latency,
 *    600 req / 5 s, in a process of its own): peak RSS of the service process during the cold coin load
 *    (VmHWM / VmRSS of /proc/<pid>/status, sampled every 100 ms).
 * 2. Paper mode, accelerated clock (PAPER_TIME_SCALE, auto-bot on): RSS once the coins are loaded and settled, then
 *    after BENCH_PAPER_SECONDS of paper trading; the node heap breakdown from the service's own /metrics.
 * 3. Paper mode, real-time clock, workers running: 500 req/s open loop for BENCH_LOAD_SECONDS, first read-only
 *    (list, status, coins-with-rsi, auto-bot, health, history, account-info), then with 10 % writes;
 *    p50/p99/max per class.
 *
 * Prints the conditions (node, cores, load average, symbols, durations) and OK/MISS against the targets.
 * Env: BENCH_SYMBOLS (583), BENCH_PAPER_SECONDS (60), BENCH_PAPER_TIME_SCALE (3600), BENCH_SETTLE_SECONDS (20),
 * BENCH_LOAD_RATE (500), BENCH_LOAD_SECONDS (30), BENCH_SKIP (comma list of bybit,paper,load), BENCH_HEAP_SNAPSHOT=1
 * (at the end of the paper run: a heap snapshot of the service, summarised by object type and constructor; slow).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureBuilt, launchMain, type LaunchedMain } from '../test/support/built-service';
import { createLoadClient, http, percentile, seededRandom, sleep } from '../test/support/reliability';

const SYMBOLS = Number(process.env.BENCH_SYMBOLS ?? 583);
const PAPER_SECONDS = Number(process.env.BENCH_PAPER_SECONDS ?? 60);
const PAPER_TIME_SCALE = Number(process.env.BENCH_PAPER_TIME_SCALE ?? 3600);
const SETTLE_SECONDS = Number(process.env.BENCH_SETTLE_SECONDS ?? 20);
const LOAD_RATE = Number(process.env.BENCH_LOAD_RATE ?? 500);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 30);
const HEAP_SNAPSHOT = process.env.BENCH_HEAP_SNAPSHOT === '1';
const SKIP = new Set(
  (process.env.BENCH_SKIP ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
const TARGETS = { peakRssMb: 200, idleRssMb: 150, readP99Ms: 20, mixedP99Ms: 20 };
const ROOT = path.resolve(__dirname, '..');

const mark = (ok: boolean) => (ok ? 'OK  ' : 'MISS');
const mbText = (mb: number) => `${mb.toFixed(0)} MB`;
const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');

/** VmRSS and VmHWM (peak) of a process, in MB; null once it is gone. */
function memoryOf(pid: number): { rssMb: number; hwmMb: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/** CPU time (user + system) a process has used so far, ms (from /proc/<pid>/stat, in clock ticks of 10 ms). */
function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime) are the 12th and 13th after the command name.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/** Samples a process's memory every 100 ms until stopped; keeps the highest VmRSS seen and the kernel's VmHWM. */
function sampleMemory(pid: number) {
  let peakRssMb = 0;
  let hwmMb = 0;
  const timer = setInterval(() => {
    const m = memoryOf(pid);
    if (!m) return;
    peakRssMb = Math.max(peakRssMb, m.rssMb);
    hwmMb = Math.max(hwmMb, m.hwmMb);
  }, 100);
  return {
    stop: () => {
      clearInterval(timer);
      const m = memoryOf(pid);
      if (m) hwmMb = Math.max(hwmMb, m.hwmMb);
      return { peakRssMb, hwmMb };
    },
  };
}

/** The node heap breakdown the service reports on /metrics (prom-client default metrics), MB. */
async function heapBreakdown(url: string): Promise<string> {
  const text = (await http(`${url}/metrics`, 'GET')).body as unknown;
  if (typeof text !== 'string') return 'n/a (/metrics did not answer text)';
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) / 1_048_576;
  const spaces = [...text.matchAll(/^nodejs_heap_space_size_used_bytes\{space="(\w+)"\} (\S+)$/gm)]
    .map(([, space, bytes]) => ({ space, mb: Number(bytes) / 1_048_576 }))
    .filter((s) => s.mb >= 0.5)
    .sort((a, b) => b.mb - a.mb)
    .map((s) => `${s.space} ${s.mb.toFixed(1)}`)
    .join(', ');
  const rss = value('process_resident_memory_bytes');
  const heapTotal = value('nodejs_heap_size_total_bytes');
  const external = value('nodejs_external_memory_bytes');
  return (
    `rss ${rss.toFixed(1)} = heap total ${heapTotal.toFixed(1)} (used ${value('nodejs_heap_size_used_bytes').toFixed(1)}: ${spaces}) ` +
    `+ external ${external.toFixed(1)} + code/stacks/native ${(rss - heapTotal - external).toFixed(1)} MB`
  );
}

/** A heap snapshot of the service (started with --heapsnapshot-signal): self sizes by type and constructor. */
async function heapSnapshotSummary(pid: number, dir: string): Promise<string> {
  process.kill(pid, 'SIGUSR2');
  let file: string | undefined;
  let lastSize = -1;
  for (let i = 0; i < 600; i++) {
    await sleep(500);
    file = readdirSync(dir).find((f) => f.endsWith('.heapsnapshot'));
    if (!file) continue;
    const size = statSync(path.join(dir, file)).size;
    // Written in one go; a size that stopped growing (and parses) is the whole file.
    if (size > 0 && size === lastSize) break;
    lastSize = size;
  }
  if (!file) return 'no heap snapshot was written';
  const snapshot = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  rmSync(path.join(dir, file), { force: true });
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const byType = new Map<string, number>();
  const byName = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < snapshot.nodes.length; i += width) {
    const type = types[snapshot.nodes[i + typeAt]];
    const size = snapshot.nodes[i + sizeAt];
    total += size;
    byType.set(type, (byType.get(type) ?? 0) + size);
    if (type === 'object' || type === 'closure' || type === 'native') {
      const key = `${type}:${snapshot.strings[snapshot.nodes[i + nameAt]]}`;
      byName.set(key, (byName.get(key) ?? 0) + size);
    }
  }
  const top = (map: Map<string, number>, n: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `${k} ${(v / 1_048_576).toFixed(1)}`)
      .join(', ');
  return `heap snapshot ${(total / 1_048_576).toFixed(1)} MB live; by type: ${top(byType, 8)}; largest constructors: ${top(byName, 10)} (MB)`;
}

async function coinsLoaded(url: string, minimum: number, timeoutMs: number): Promise<{ total: number; ms: number }> {
  const started = performance.now();
  for (;;) {
    const res = await http(`${url}/api/bots/coins-with-rsi`, 'GET', undefined, 30_000).catch(() => null);
    const body = res?.body as { total?: number; update_in_progress?: boolean } | undefined;
    if (body && (body.total ?? 0) >= minimum && !body.update_in_progress) {
      return { total: body.total!, ms: performance.now() - started };
    }
    if (performance.now() - started > timeoutMs) {
      throw new Error(
        `coins did not load within ${timeoutMs / 1000} s (last: ${JSON.stringify(body ?? null)?.slice(0, 200)})`,
      );
    }
    await sleep(250);
  }
}

async function waitHealthy(service: LaunchedMain, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await http(`${service.url}/api/bots/health`, 'GET', undefined, 2000).catch(() => null))?.status === 200) {
      return;
    }
    await sleep(100);
  }
  throw new Error(`service did not answer /api/bots/health:\n${service.output().slice(-3000)}`);
}

async function stop(service: LaunchedMain): Promise<void> {
  service.child.kill('SIGTERM');
  const timer = setTimeout(() => service.child.kill('SIGKILL'), 15_000);
  await service.exit;
  clearTimeout(timer);
}

function startFake(): Promise<{ child: ChildProcess; url: string; apiKey: string; secret: string }> {
  const child = fork(path.join(__dirname, 'fake-server.ts'), [], {
    env: { ...process.env, BENCH_SYMBOLS: String(SYMBOLS), BENCH_CANDLES: '1000' },
    execArgv: ['-r', '@swc-node/register'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`fake server exited with ${code}`)));
    child.on('message', (message: { type?: string; url: string; apiKey: string; secret: string }) => {
      if (message?.type === 'ready') {
        resolve({ child, url: message.url, apiKey: message.apiKey, secret: message.secret });
      }
    });
  });
}

const lines: string[] = [];
const report = (line: string) => {
  lines.push(line);
  console.log(line);
};

/** 1. Cold load in Bybit mode against the fake: peak RSS of the whole service. */
async function bybitColdLoad(): Promise<void> {
  const fake = await startFake();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bots-bench-bybit-'));
  try {
    const started = performance.now();
    const service = await launchMain({
      EXCHANGE: 'bybit',
      EXCHANGE_API_KEY: fake.apiKey,
      EXCHANGE_API_SECRET: fake.secret,
      EXCHANGE_API_URL: fake.url,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    });
    const memory = sampleMemory(service.child.pid!);
    try {
      await waitHealthy(service);
      const bootMs = performance.now() - started;
      const loaded = await coinsLoaded(service.url, Math.floor(SYMBOLS * 0.9), 300_000);
      const { peakRssMb, hwmMb } = memory.stop();
      const after = memoryOf(service.child.pid!);
      const peak = Math.max(peakRssMb, hwmMb);
      report(
        `[bybit] cold load: ${loaded.total} coins loaded ${((bootMs + loaded.ms) / 1000).toFixed(1)} s after spawn (health after ${(bootMs / 1000).toFixed(1)} s)`,
      );
      report(
        `[bybit] ${mark(peak <= TARGETS.peakRssMb)} peak RSS ${mbText(peak)} (VmHWM ${mbText(hwmMb)}, highest sampled VmRSS ${mbText(peakRssMb)}; target <= ${TARGETS.peakRssMb} MB); RSS right after the load ${mbText(after?.rssMb ?? NaN)}`,
      );
      report(`[bybit] after the load: ${await heapBreakdown(service.url)}`);
    } finally {
      memory.stop();
      await stop(service);
    }
  } finally {
    fake.child.send('stop');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** 2. Paper mode, accelerated: idle RSS after the coin load and after a stretch of auto-bot trading. */
async function paperIdle(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bots-bench-paper-'));
  const snapshotDir = mkdtempSync(path.join(os.tmpdir(), 'bots-bench-heap-'));
  const nodeOptions: Record<string, string> = HEAP_SNAPSHOT
    ? { NODE_OPTIONS: `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${snapshotDir}` }
    : {};
  const service = await launchMain({
    DATA_DIR: dataDir,
    PAPER_SYMBOLS: String(SYMBOLS),
    PAPER_TIME_SCALE: String(PAPER_TIME_SCALE),
    LOG_LEVEL: 'warn',
    ...nodeOptions,
  });
  const memory = sampleMemory(service.child.pid!);
  try {
    await waitHealthy(service);
    const loaded = await coinsLoaded(service.url, Math.floor(SYMBOLS * 0.9), 300_000);
    await sleep(SETTLE_SECONDS * 1000);
    const idle = memoryOf(service.child.pid!)!;
    const loadPeak = memory.stop();
    report(
      `[paper] ${mark(idle.rssMb <= TARGETS.idleRssMb)} idle RSS ${mbText(idle.rssMb)} ${SETTLE_SECONDS} s after the load of ${loaded.total} coins (target <= ${TARGETS.idleRssMb} MB); peak so far ${mbText(Math.max(loadPeak.hwmMb, loadPeak.peakRssMb))}`,
    );
    report(`[paper] idle: ${await heapBreakdown(service.url)}`);

    const enabled = await http(`${service.url}/api/bots/auto-bot`, 'POST', {
      enabled: true,
      check_interval: 60,
      max_loss_percent: 2,
      trailing_stop_activation: 1,
      trailing_stop_distance: 0.5,
    });
    if (enabled.status !== 200) throw new Error(`enabling the auto-bot answered ${enabled.status}`);
    const trading = sampleMemory(service.child.pid!);
    await sleep(PAPER_SECONDS * 1000);
    const during = trading.stop();
    await http(`${service.url}/api/bots/auto-bot`, 'POST', { enabled: false });
    await sleep(2000);
    const after = memoryOf(service.child.pid!)!;
    const trades = ((await http(`${service.url}/api/bots/trades`, 'GET')).body as { count?: number })?.count ?? 0;
    const bots = ((await http(`${service.url}/api/bots/list`, 'GET')).body as { bots?: unknown[] })?.bots?.length ?? 0;
    const simulatedHours = (PAPER_SECONDS * PAPER_TIME_SCALE) / 3600;
    report(
      `[paper] ${mark(after.rssMb <= TARGETS.idleRssMb)} RSS ${mbText(after.rssMb)} after ${PAPER_SECONDS} s of auto-bot trading at x${PAPER_TIME_SCALE} (${simulatedHours.toFixed(0)} simulated hours, ${trades} trades, ${bots} bots); highest during trading ${mbText(during.peakRssMb)}, VmHWM ${mbText(during.hwmMb)}`,
    );
    report(`[paper] after trading: ${await heapBreakdown(service.url)}`);
    if (HEAP_SNAPSHOT) report(`[paper] ${await heapSnapshotSummary(service.child.pid!, snapshotDir)}`);
  } finally {
    memory.stop();
    await stop(service);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(snapshotDir, { recursive: true, force: true });
  }
}

interface Sample {
  label: string;
  status: number;
  ms: number;
}

type Request = { label: string; method: string; path: string; body?: unknown };

/** Open loop: whatever is due by now leaves now, so a slow answer never slows the schedule down. */
async function openLoop(
  url: string,
  next: () => Request,
): Promise<{ samples: Sample[]; offeredPerSecond: number; maxInFlight: number }> {
  const total = LOAD_RATE * LOAD_SECONDS;
  const client = createLoadClient();
  const samples: Sample[] = [];
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  let sent = 0;
  let maxInFlight = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * LOAD_RATE) + 1);
    while (sent < due) {
      const req = next();
      sent++;
      const p = client.send(`${url}${req.path}`, req.method, req.body, 10_000).then((res) => {
        samples.push({ label: req.label, status: res.status, ms: res.ms });
      });
      inFlight.add(p);
      // send() never rejects (a failure is status 0); both branches only untrack the request.
      p.then(
        () => inFlight.delete(p),
        () => inFlight.delete(p),
      );
    }
    maxInFlight = Math.max(maxInFlight, inFlight.size);
    await sleep(1);
  }
  const offeredPerSecond = sent / ((performance.now() - started) / 1000);
  await Promise.all(inFlight);
  client.close();
  return { samples, offeredPerSecond, maxInFlight };
}

function summarise(
  name: string,
  run: Awaited<ReturnType<typeof openLoop>>,
  isWrite: (label: string) => boolean,
  target: number,
  serviceCpuMs: number,
): void {
  const stats = (samples: Sample[]) => {
    const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
    return { n: ms.length, p50: percentile(ms, 50), p99: percentile(ms, 99), max: ms.at(-1) ?? NaN };
  };
  const text = (s: ReturnType<typeof stats>) =>
    `n=${String(s.n).padStart(5)} p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(1)} ms`;
  const failures = run.samples.filter((s) => s.status < 200 || s.status >= 300).length;
  const all = stats(run.samples);
  report(
    `[load] service CPU ${(serviceCpuMs / 1000).toFixed(1)} s over the run: ${(serviceCpuMs / run.samples.length).toFixed(2)} ms per request`,
  );
  report(
    `[load] ${mark(all.p99 <= target)} ${name}: ${run.offeredPerSecond.toFixed(0)} req/s offered for ${LOAD_SECONDS} s, ${failures} non-2xx, max in flight ${run.maxInFlight}; all ${text(all)} (target p99 <= ${target} ms)`,
  );
  const reads = run.samples.filter((s) => !isWrite(s.label));
  const writes = run.samples.filter((s) => isWrite(s.label));
  report(`[load]        reads  ${text(stats(reads))}`);
  if (writes.length) report(`[load]        writes ${text(stats(writes))}`);
  for (const label of [...new Set(run.samples.map((s) => s.label))].sort()) {
    report(`[load]          ${label.padEnd(26)} ${text(stats(run.samples.filter((s) => s.label === label)))}`);
  }
}

/**
 * Each endpoint alone, one request at a time (closed loop, 200 each): latency without queueing and the service's
 * CPU per request. Less sensitive to other work on the machine than the open-loop percentiles.
 */
async function endpointCosts(
  service: LaunchedMain,
  endpoints: Array<Request | (() => Request)>,
  count = 200,
): Promise<void> {
  const client = createLoadClient(1);
  const pid = service.child.pid!;
  for (const endpoint of endpoints) {
    const next = typeof endpoint === 'function' ? endpoint : () => endpoint;
    const label = next().label;
    const ms: number[] = [];
    const cpuBefore = cpuMsOf(pid);
    for (let i = 0; i < count; i++) {
      const req = next();
      ms.push((await client.send(`${service.url}${req.path}`, req.method, req.body, 10_000)).ms);
    }
    const cpuPerRequest = (cpuMsOf(pid) - cpuBefore) / ms.length;
    ms.sort((a, b) => a - b);
    report(
      `[cost] ${label.padEnd(22)} alone: p50 ${percentile(ms, 50).toFixed(2)} ms, p99 ${percentile(ms, 99).toFixed(2)} ms; service CPU ${cpuPerRequest.toFixed(2)} ms/request`,
    );
  }
  client.close();
}

/** 3. 500 req/s against the paper service at real time, workers running: read-only, then 10 % writes. */
async function loadMix(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bots-bench-load-'));
  const service = await launchMain({
    DATA_DIR: dataDir,
    PAPER_SYMBOLS: String(SYMBOLS),
    MUTATION_RATE_LIMIT: '1000000',
    LOG_LEVEL: 'warn',
  });
  try {
    await waitHealthy(service);
    await coinsLoaded(service.url, Math.floor(SYMBOLS * 0.9), 300_000);
    const coins = (await http(`${service.url}/api/bots/coins-with-rsi`, 'GET')).body as {
      coins: Record<string, { symbol: string; trading_status: string }>;
    };
    const symbols = Object.values(coins.coins)
      .filter((c) => c.trading_status === 'Trading')
      .map((c) => c.symbol);
    const botSymbols = symbols.slice(0, 10);
    for (const symbol of botSymbols) {
      const res = await http(`${service.url}/api/bots/create`, 'POST', {
        symbol,
        config: { status: 'paused', volume_mode: 'usdt', volume_value: 10 },
        skip_maturity_check: true,
      });
      if (res.status !== 200) throw new Error(`create ${symbol} answered ${res.status}`);
    }
    const random = seededRandom(500);
    const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
    const read = (): Request => {
      const r = random();
      if (r < 0.2) return { label: 'GET list', method: 'GET', path: '/api/bots/list' };
      if (r < 0.38) return { label: 'GET status', method: 'GET', path: '/api/bots/status' };
      if (r < 0.5) return { label: 'GET coins-with-rsi', method: 'GET', path: '/api/bots/coins-with-rsi' };
      if (r < 0.6) return { label: 'GET auto-bot', method: 'GET', path: '/api/bots/auto-bot' };
      if (r < 0.7) return { label: 'GET health', method: 'GET', path: '/api/bots/health' };
      if (r < 0.8) return { label: 'GET account-info', method: 'GET', path: '/api/bots/account-info' };
      if (r < 0.9) return { label: 'GET status/{symbol}', method: 'GET', path: `/api/bots/status/${pick(botSymbols)}` };
      return { label: 'GET history', method: 'GET', path: '/api/bots/history?limit=50' };
    };
    const mixed = (): Request => {
      const r = random();
      if (r >= 0.1) return read();
      // 10 % writes, each a durable (fsynced) save of its file.
      if (r < 0.04) {
        return {
          label: 'POST individual-settings',
          method: 'POST',
          path: `/api/bots/individual-settings/${pick(symbols)}`,
          body: { rsi_long_threshold: 20 + Math.floor(random() * 10) },
        };
      }
      if (r < 0.07) {
        return { label: 'POST stop', method: 'POST', path: '/api/bots/stop', body: { symbol: pick(botSymbols) } };
      }
      return {
        label: 'POST auto-bot',
        method: 'POST',
        path: '/api/bots/auto-bot',
        body: { rsi_long_threshold: 25 + Math.floor(random() * 5) },
      };
    };
    const isWrite = (label: string) => label.startsWith('POST');
    const get = (label: string, urlPath: string): Request => ({ label, method: 'GET', path: urlPath });
    await endpointCosts(service, [
      get('GET list', '/api/bots/list'),
      get('GET status', '/api/bots/status'),
      get('GET coins-with-rsi', '/api/bots/coins-with-rsi'),
      get('GET auto-bot', '/api/bots/auto-bot'),
      get('GET health', '/api/bots/health'),
      get('GET account-info', '/api/bots/account-info'),
      get('GET status/{symbol}', `/api/bots/status/${botSymbols[0]}`),
      get('GET history', '/api/bots/history?limit=50'),
    ]);
    const pid = service.child.pid!;
    let cpuBefore = cpuMsOf(pid);
    const reads = await openLoop(service.url, read);
    summarise('read-only mix', reads, isWrite, TARGETS.readP99Ms, cpuMsOf(pid) - cpuBefore);
    cpuBefore = cpuMsOf(pid);
    const mixes = await openLoop(service.url, mixed);
    summarise('mixed (10 % writes)', mixes, isWrite, TARGETS.mixedP99Ms, cpuMsOf(pid) - cpuBefore);
    // The writes alone last (they change settings the mixes above read).
    const write = (label: string) => () => {
      let req = mixed();
      while (req.label !== label) req = mixed();
      return req;
    };
    await endpointCosts(service, [write('POST individual-settings'), write('POST stop'), write('POST auto-bot')], 50);
    report(`[load] service RSS after both runs ${mbText(memoryOf(service.child.pid!)?.rssMb ?? NaN)}`);
  } finally {
    await stop(service);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const buildStarted = performance.now();
  ensureBuilt();
  const started = performance.now();
  const conditions = () =>
    `node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ${(os.totalmem() / 1_073_741_824).toFixed(1)} GB RAM, load average ${loadAverage()}`;
  report(
    `whole-service bench (${path.relative(process.cwd(), ROOT) || '.'}/dist/main, built in ${((performance.now() - buildStarted) / 1000).toFixed(1)} s)`,
  );
  report(`conditions at start: ${conditions()}`);
  report(
    `symbols ${SYMBOLS} x 1000 candles; fake Bybit latency 50 ms, 600 req / 5 s; paper trading ${PAPER_SECONDS} s at x${PAPER_TIME_SCALE}, settle ${SETTLE_SECONDS} s; load ${LOAD_RATE} req/s x ${LOAD_SECONDS} s per mix`,
  );
  if (!SKIP.has('bybit')) await bybitColdLoad();
  if (!SKIP.has('paper')) await paperIdle();
  if (!SKIP.has('load')) await loadMix();
  report(
    `conditions at end: load average ${loadAverage()}; bench took ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
