/**
 * Paper-mode RSS of the whole service (`node [flags] dist/main`), real-time clock, default simulator: VmRSS and VmHWM
 * of /proc/<pid>/status 20 s and 60 s after the coin load, plus the heap split from /metrics. Not part of npm test.
 *
 *   node -r @swc-node/register bench/paper-rss.ts [node flags...]     e.g. ... bench/paper-rss.ts --optimize-for-size
 *
 * Env: BENCH_SYMBOLS (583), BENCH_SAMPLES_S ("20,60"); the service's own variables pass through (e.g.
 * PAPER_TIME_SCALE=3600 for accelerated workers, MALLOC_ARENA_MAX); BENCH_AUTO_BOT=1 turns the auto-bot on once the
 * coins are loaded; BENCH_REQUESTS=N ends with N reads one at a time (p50/p99, service CPU per request).
 * Prints the conditions (node, load average). See docs/whole-service-bench.md ("Lean paper mode").
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureBuilt, freePort } from '../test/support/built-service';
import { http, percentile, sleep } from '../test/support/reliability';

const SYMBOLS = Number(process.env.BENCH_SYMBOLS ?? 583);
const SAMPLES_S = (process.env.BENCH_SAMPLES_S ?? '20,60').split(',').map(Number);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 0);
const AUTO_BOT = process.env.BENCH_AUTO_BOT === '1';
const ROOT = path.resolve(__dirname, '..');
const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');

function memoryOf(pid: number): { rssMb: number; hwmMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

/** CPU time (user + system) the process has used so far, s (fields 14 and 15 of /proc/<pid>/stat, 10 ms ticks). */
function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function heapSplit(url: string): Promise<string> {
  const text = (await http(`${url}/metrics`, 'GET')).body;
  if (typeof text !== 'string') return 'n/a';
  const mb = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) / 1048576;
  return `heap total ${mb('nodejs_heap_size_total_bytes').toFixed(1)} (used ${mb('nodejs_heap_size_used_bytes').toFixed(1)}), external ${mb('nodejs_external_memory_bytes').toFixed(1)} MB`;
}

async function main(): Promise<void> {
  ensureBuilt();
  const flags = process.argv.slice(2);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bots-paper-rss-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  console.log(
    `paper RSS: node ${process.version}, flags [${flags.join(' ')}], MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX ?? '-'}, PAPER_TIME_SCALE=${process.env.PAPER_TIME_SCALE ?? '1'}, auto-bot ${AUTO_BOT ? 'on' : 'off'}, ${SYMBOLS} symbols, load average ${loadAverage()}`,
  );
  const child = spawn(process.execPath, [...flags, path.join(ROOT, 'dist/main')], {
    cwd: ROOT,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dataDir,
      PAPER_SYMBOLS: String(SYMBOLS),
      LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
  });
  try {
    const started = performance.now();
    for (;;) {
      const body = (await http(`${url}/api/bots/coins-with-rsi`, 'GET', undefined, 30_000).catch(() => null))?.body as
        { total?: number; update_in_progress?: boolean } | undefined;
      if (body && (body.total ?? 0) >= Math.floor(SYMBOLS * 0.9) && !body.update_in_progress) break;
      if (performance.now() - started > 300_000) throw new Error('coins did not load within 300 s');
      await sleep(250);
    }
    if (AUTO_BOT) {
      const body = {
        enabled: true,
        check_interval: 60,
        max_loss_percent: 2,
        trailing_stop_activation: 1,
        trailing_stop_distance: 0.5,
      };
      const enabled = await http(`${url}/api/bots/auto-bot`, 'POST', body);
      if (enabled.status !== 200) throw new Error(`enabling the auto-bot answered ${enabled.status}`);
    }
    const loadedAt = performance.now();
    console.log(
      `coins loaded ${((loadedAt - started) / 1000).toFixed(1)} s after start; VmHWM so far ${memoryOf(child.pid!).hwmMb.toFixed(0)} MB`,
    );
    for (const seconds of SAMPLES_S) {
      await sleep(Math.max(0, loadedAt + seconds * 1000 - performance.now()));
      const m = memoryOf(child.pid!);
      console.log(
        `+${seconds} s: VmRSS ${m.rssMb.toFixed(0)} MB, VmHWM ${m.hwmMb.toFixed(0)} MB, CPU used ${cpuSecondsOf(child.pid!).toFixed(1)} s; ${await heapSplit(url)}`,
      );
    }
    if (REQUESTS > 0) {
      // Closed loop (one request at a time): the per-request cost of the flags, not queueing.
      const paths = [
        '/api/bots/coins-with-rsi',
        '/api/bots/list',
        '/api/bots/status',
        '/api/bots/auto-bot',
        '/api/bots/health',
      ];
      const cpuBefore = cpuSecondsOf(child.pid!);
      const ms: number[] = [];
      for (let i = 0; i < REQUESTS; i++) {
        const t0 = performance.now();
        await http(`${url}${paths[i % paths.length]}`, 'GET');
        ms.push(performance.now() - t0);
      }
      ms.sort((a, b) => a - b);
      const cpuMs = ((cpuSecondsOf(child.pid!) - cpuBefore) * 1000) / REQUESTS;
      console.log(
        `${REQUESTS} reads one at a time (${paths.length} endpoints in turn): p50 ${percentile(ms, 50).toFixed(2)} ms, p99 ${percentile(ms, 99).toFixed(2)} ms, service CPU ${cpuMs.toFixed(2)} ms per request; ${memoryOf(child.pid!).rssMb.toFixed(0)} MB RSS, VmHWM ${memoryOf(child.pid!).hwmMb.toFixed(0)} MB after`,
      );
    }
    console.log(`load average at end ${loadAverage()}`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
