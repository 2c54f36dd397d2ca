/**
 * `npm run bench:backtest` (docs/backtest.md, "Figures"): not a test, never part of npm test.
 *  1. 583 symbols × 1 000 6h candles of the paper exchange's seeded history, default settings (every filter on),
 *     5 slots, candle resolution: replay time and bars/s (target ≤ 200 ms).
 *  2. The same with 1m detail while positions are open, the paper exchange's minute path, cached (target ≤ 2 s).
 *  3. The built service (dist/main, paper exchange, 583 symbols, temp DATA_DIR): RSS over idle while a
 *     full-universe job runs (target ≤ +100 MB), and the API's p99 while jobs run vs idle (must not double).
 * Prints the conditions (node, cores, load average): this machine is shared, so wall times vary with its load.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runBacktest } from '../src/backtest/engine/backtest-engine';
import { instrumentRules, type BacktestSymbol, type ReplayCandles } from '../src/backtest/engine/backtest.types';
import { runBacktestWithDetail, type CandleSource } from '../src/backtest/engine/candle-source';
import { SystemClock } from '../src/common/clock';
import { DEFAULT_AUTO_BOT_CONFIG } from '../src/config/defaults';
import { TIMEFRAME_MS, type CandleColumns } from '../src/exchange/exchange.types';
import { PaperExchange } from '../src/exchange/paper/paper-exchange';
import { ensureBuilt, startService } from '../test/support/built-service';

const SYMBOLS = 583;
const CANDLES = 1000;
const TF = TIMEFRAME_MS['6h'];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function conditions(): string {
  return `node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`;
}

async function engineFigures(): Promise<void> {
  const clock = new SystemClock();
  const paper = new PaperExchange({ clock, seed: 42, symbolCount: SYMBOLS });
  await paper.init();
  const markets = (await paper.listMarkets()).filter((m) => m.status === 'Trading').slice(0, SYMBOLS);
  const end = Math.floor(clock.now() / TF) * TF - TF;
  const start = end - CANDLES * TF;
  const universe: BacktestSymbol[] = [];
  for (const m of markets) {
    const candles = await paper.fetchCandleColumns(m.symbol, '6h', { since: start, until: end, limit: CANDLES });
    universe.push({
      symbol: m.symbol,
      candles,
      rules: instrumentRules(m),
    });
  }
  const bars = universe.reduce((s, c) => s + c.candles.length, 0);
  const params = {
    timeframe: '6h' as const,
    config: {
      ...DEFAULT_AUTO_BOT_CONFIG,
      default_position_mode: 'usdt' as const,
      default_position_size: 100,
      max_concurrent: 5,
    },
    startingBalance: 10_000,
    feeRate: 0.00055,
    spreadTicks: 1,
  };
  console.log(
    `\n1. ${universe.length} symbols x ${CANDLES} 6h candles (paper seed 42, ${bars} bars), default settings (all filters), 5 slots, candle resolution`,
  );
  let run = runBacktest(universe, params);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let k = 0; k < 7; k++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    run = runBacktest(universe, params);
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  console.log(
    `   wall best ${Math.min(...wall).toFixed(1)} ms, median ${median(wall).toFixed(1)} ms (target <= 200 ms); CPU median ${median(cpu).toFixed(1)} ms; ${(bars / (median(wall) / 1000) / 1e6).toFixed(2)} M bars/s; ${run.trades.length} trades`,
  );

  // 1m detail: the paper exchange's minute path of each candle a position is open in, loaded once and cached.
  const minutes: CandleSource = {
    load: (symbol, _tf, from, to) =>
      paper.fetchCandleColumns(symbol, '1m', { since: from, until: to, limit: 1000 }) as Promise<CandleColumns>,
  };
  const cache = new Map<string, ReplayCandles>();
  const t0 = performance.now();
  const first = await runBacktestWithDetail(universe, params, minutes, cache);
  const fillMs = performance.now() - t0;
  const detailWall: number[] = [];
  let detailed = first;
  for (let k = 0; k < 5; k++) {
    const t1 = performance.now();
    detailed = await runBacktestWithDetail(universe, params, minutes, cache);
    detailWall.push(performance.now() - t1);
  }
  console.log(
    `2. same with 1m detail while positions are open (${cache.size} windows cached, ${detailed.run.detailBars} 1m bars walked, first run with the fetch ${fillMs.toFixed(0)} ms in ${first.rounds} rounds)`,
  );
  console.log(
    `   cached: best ${Math.min(...detailWall).toFixed(1)} ms, median ${median(detailWall).toFixed(1)} ms (target <= 2000 ms); ${detailed.run.trades.length} trades`,
  );
  await paper.close();
}

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.replace(/\D+/g, '') ?? 0) / 1024;
}

async function timedGets(url: string, count: number, whileTrue: () => boolean = () => true): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count && whileTrue(); i++) {
    const t0 = performance.now();
    const res = await fetch(`${url}/api/bots/health`);
    await res.arrayBuffer();
    times.push(performance.now() - t0);
    await sleep(5);
  }
  return times;
}

async function serviceFigures(): Promise<void> {
  ensureBuilt();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-backtest-'));
  const service = await startService(
    { EXCHANGE: 'paper', DATA_DIR: dataDir, PAPER_SYMBOLS: String(SYMBOLS), LOG_LEVEL: 'warn', BACKTEST_MAX_JOBS: '1' },
    60_000,
  );
  const pid = service.process.pid!;
  try {
    const now = Date.now();
    const to = Math.floor(now / TF) * TF - TF;
    const body = JSON.stringify({ from: to - CANDLES * TF, to });
    const post = async () => {
      const res = await fetch(`${service.url}/api/bots/backtest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const json = (await res.json()) as { job?: { id: string }; error?: string };
      if (!json.job) throw new Error(`POST /api/bots/backtest: ${res.status} ${json.error}`);
      return json.job.id;
    };
    // The list carries no results: polling it does not make the service read and send a multi-MB result.
    const status = async (id: string) =>
      (
        (await (await fetch(`${service.url}/api/bots/backtests`)).json()) as {
          backtests: Array<{ id: string; status: string }>;
        }
      ).backtests.find((j) => j.id === id)?.status ?? 'missing';
    const waitDone = async (id: string, onTick?: () => void) => {
      for (;;) {
        onTick?.();
        const s = await status(id);
        if (s !== 'running') return s;
        await sleep(50);
      }
    };
    // First job fills the candle store (583 × 1 450 candles incl. the warm-up) through the service's exchange.
    const t0 = performance.now();
    const firstId = await post();
    console.log(
      `\n3. built service, ${SYMBOLS} paper symbols; first full-universe job (fills the store): ${await waitDone(firstId)} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    await sleep(3000);
    const idleP = await timedGets(service.url, 1000);
    const idleRss: number[] = [];
    for (let i = 0; i < 10; i++) {
      idleRss.push(rssMb(pid));
      await sleep(100);
    }
    const idle = median(idleRss);
    // Jobs back to back while the API is timed; RSS sampled throughout.
    const busyP: number[] = [];
    let peak = 0;
    const jobTimes: number[] = [];
    while (busyP.length < 1000) {
      const t1 = performance.now();
      const id = await post();
      let running = true;
      const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 20);
      const done = waitDone(id).then((s) => {
        running = false;
        return s;
      });
      busyP.push(...(await timedGets(service.url, 10_000, () => running)));
      await done;
      clearInterval(sampler);
      jobTimes.push(performance.now() - t1);
    }
    console.log(`   job (candles on disk): median ${median(jobTimes).toFixed(0)} ms over ${jobTimes.length} jobs`);
    console.log(
      `   RSS idle ${idle.toFixed(0)} MB, peak while a job runs ${peak.toFixed(0)} MB: +${(peak - idle).toFixed(0)} MB (target <= +100 MB)`,
    );
    console.log(
      `   GET /api/bots/health p50/p99: idle ${percentile(idleP, 50).toFixed(1)}/${percentile(idleP, 99).toFixed(1)} ms, while jobs run ${percentile(busyP, 50).toFixed(1)}/${percentile(busyP, 99).toFixed(1)} ms (${busyP.length} requests; must not double)`,
    );
  } finally {
    service.process.kill('SIGTERM');
    await service.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`bench:backtest — ${conditions()}`);
  if (!process.argv.includes('--service-only')) await engineFigures();
  await serviceFigures();
  console.log(`\nafter: ${conditions()}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
