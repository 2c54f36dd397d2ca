/**
 * `npm run bench`: the market-data load path of the service against a local fake Bybit.
 *
 * The service side is the real code: RsiService + MaturityService + FilterService (record decorators) over
 * ExchangeService and the ccxt adapter (with its own rate limiter), wired by hand instead of the whole Nest app so the
 * memory figure is that of the market-data path. The fake exchange runs in a child process (bench/fake-server.ts):
 * 583 symbols x 1000 candles, 50 ms latency per request, Bybit's 600 requests per 5 s.
 *
 * Prints: cold-load time vs the rate-limit floor, the between-closes refresh (one tickers request + recompute), the
 * indicator math for 583 x 1000 candles (ours and trading-signals' RSI for comparison), event-loop delay during the
 * load, peak RSS, and the conditions.
 */
import { Logger } from '@nestjs/common';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { RSI } from 'trading-signals';
import { SystemClock } from '../src/common/clock';
import { AutoBotConfigService } from '../src/config/auto-bot-config.service';
import { IndividualSettingsService } from '../src/config/individual-settings.service';
import { SystemConfigService } from '../src/config/system-config.service';
import { CcxtExchange } from '../src/exchange/ccxt/ccxt-exchange';
import { ExchangeService } from '../src/exchange/exchange.service';
import { DelistingService } from '../src/filters/delisting.service';
import { FilterService } from '../src/filters/filter.service';
import { StatusService } from '../src/health/status.service';
import { MaturityService } from '../src/maturity/maturity.service';
import { JsonStore } from '../src/persistence/json-store.service';
import { StateRegistry } from '../src/persistence/state-registry.service';
import type { CandleSeries } from '../src/rsi/candle-series';
import { analyzeSeries, type AnalysisParams } from '../src/rsi/coin-analysis';
import { DEFAULT_EMA_TREND_PARAMS, DEFAULT_TREND_PARAMS } from '../src/rsi/indicators/trend';
import { RsiService } from '../src/rsi/rsi.service';

const SYMBOLS = Number(process.env.BENCH_SYMBOLS ?? 583);
const CANDLES = 1000;
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);
const LIMIT = 600;
const WINDOW_MS = 5000;
const REPEATS = 5;

const TARGETS = { coldRatio: 1.2, refreshMs: 1000, mathMs: 50, rssMb: 200 };

interface FakeInfo {
  url: string;
  apiKey: string;
  secret: string;
}
interface FakeStats {
  total: number;
  rateLimited: number;
  maxInWindow: number;
  byPath: Record<string, number>;
}

function ask<T>(child: ChildProcess, message: string, type: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (reply: { type?: string }) => {
      if (reply?.type !== type) return;
      child.off('message', onMessage);
      resolve(reply as T);
    };
    child.on('message', onMessage);
    child.send(message);
  });
}

function startFake(): Promise<{ child: ChildProcess; info: FakeInfo }> {
  const child = fork(path.join(__dirname, 'fake-server.ts'), [], {
    execArgv: ['-r', '@swc-node/register'],
    env: { ...process.env, BENCH_SYMBOLS: String(SYMBOLS), BENCH_CANDLES: String(CANDLES), BENCH_LATENCY_MS: String(LATENCY_MS), BENCH_LIMIT: String(LIMIT), BENCH_WINDOW_MS: String(WINDOW_MS) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`fake exchange exited with ${code}`)));
    child.on('message', (message: { type?: string } & FakeInfo) => {
      if (message?.type === 'ready') resolve({ child, info: message });
    });
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (value: number) => `${value.toFixed(1)} ms`;
const verdict = (ok: boolean) => (ok ? 'OK ' : 'MISS');

async function main(): Promise<void> {
  Logger.overrideLogger(['error']);
  const { child, info } = await startFake();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bots-bench-'));
  try {
    // ---- the service side, wired like the Nest modules do
    const clock = new SystemClock(1);
    const store = new JsonStore({ dataDir } as never);
    const system = new SystemConfigService(store);
    await system.onModuleInit();
    const autoBot = new AutoBotConfigService(store);
    await autoBot.onModuleInit();
    const individual = new IndividualSettingsService(store, autoBot, clock);
    await individual.onModuleInit();
    const registry = new StateRegistry();
    const adapter = new CcxtExchange({
      exchangeId: 'bybit', apiKey: info.apiKey, secret: info.secret, apiUrl: info.url, timeoutMs: 10_000,
      rateLimit: { requestsPerWindow: LIMIT, windowMs: WINDOW_MS },
    });
    const exchange = new ExchangeService({ name: 'bybit' } as never, clock, store, registry, adapter);
    const initStarted = performance.now();
    await exchange.onModuleInit();
    const initMs = performance.now() - initStarted;
    const mem = (label: string) => { const m = process.memoryUsage(); console.log(label, 'rss', (m.rss/1048576).toFixed(0), 'heapUsed', (m.heapUsed/1048576).toFixed(0), 'heapTotal', (m.heapTotal/1048576).toFixed(0), 'ext', (m.external/1048576).toFixed(0), 'ab', (m.arrayBuffers/1048576).toFixed(0), 'maxRSS', (process.resourceUsage().maxRSS/1024).toFixed(0)); };
    mem('after init');
    if (!exchange.isReady) throw new Error(`exchange not ready: ${exchange.lastInitError}`);
    const status = new StatusService(exchange, clock);
    const rsi = new RsiService(exchange, system, autoBot, individual, store, registry, clock, status);
    await rsi.onModuleInit();
    const maturity = new MaturityService(rsi, autoBot, store, registry, clock);
    await maturity.onModuleInit();
    const delisting = new DelistingService(exchange, store, clock);
    await delisting.onModuleInit();
    new FilterService(rsi, maturity, individual, exchange, delisting).onModuleInit();

    // The market list was loaded by init (within ccxt's 5 s reuse window): the cold load is tickers + klines.
    await ask(child, 'reset', 'reset');
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const coldStarted = performance.now();
    const summary = await rsi.requestFullLoad('bench');
    const coldMs = performance.now() - coldStarted;
    loop.disable();
    const coldStats = await ask<FakeStats>(child, 'stats', 'stats');
    mem('after load');
    (global as any).gc?.();
    mem('after gc');
    if (summary.succeeded !== SYMBOLS) throw new Error(`cold load: ${summary.succeeded}/${SYMBOLS} coins (${summary.failed} failed)`);
    const floorMs = (coldStats.total * WINDOW_MS) / LIMIT;

    // ---- between closes: one tickers request + O(1) update per coin + maturity/filter decorators
    const refreshTimes: number[] = [];
    await ask(child, 'reset', 'reset');
    for (let i = 0; i < REPEATS; i++) {
      const started = performance.now();
      const result = await rsi.refreshFromTickers();
      refreshTimes.push(performance.now() - started);
      if (result.succeeded !== SYMBOLS) throw new Error(`refresh updated ${result.succeeded}/${SYMBOLS} coins (a candle closed during the run?)`);
    }
    const refreshStats = await ask<FakeStats>(child, 'stats', 'stats');

    // ---- indicator math over the loaded candles
    const series: CandleSeries[] = rsi.getCoins().map((c) => rsi.getMarketView(c.symbol)!.series);
    const params: AnalysisParams = { trend: DEFAULT_TREND_PARAMS, emaTrend: DEFAULT_EMA_TREND_PARAMS };
    const ours: number[] = [];
    const reference: number[] = [];
    const recompute: number[] = [];
    let checksum = 0;
    for (let r = 0; r < REPEATS; r++) {
      let started = performance.now();
      for (const s of series) checksum += analyzeSeries(s, params).rsi ?? 0;
      ours.push(performance.now() - started);
      started = performance.now();
      for (const s of series) {
        const indicator = new RSI(14);
        const closes = s.closes();
        for (let i = 0; i < closes.length; i++) indicator.add(closes[i]);
        checksum -= indicator.getResult() ?? 0;
      }
      reference.push(performance.now() - started);
      started = performance.now();
      rsi.recomputeAll();
      recompute.push(performance.now() - started);
    }

    const rssMb = process.resourceUsage().maxRSS / 1024;
    const coldRatio = coldMs / floorMs;
    const refreshMs = median(refreshTimes);
    const mathMs = median(ours);

    const lines = [
      '',
      'bots-service market-data benchmark',
      '==================================',
      `conditions   node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), ${SYMBOLS} symbols x ${CANDLES} candles (6h),`,
      `             fake Bybit in a child process: ${LATENCY_MS} ms latency per request, limit ${LIMIT} requests / ${WINDOW_MS / 1000} s,`,
      `             ccxt adapter with its own limiter, load concurrency ${rsi.loadConcurrency}`,
      '',
      `exchange init (markets)      ${ms(initMs)}`,
      `cold load                    ${ms(coldMs)}   (${coldStats.total} requests: ${JSON.stringify(coldStats.byPath)}, ${coldStats.rateLimited} rate-limited)`,
      `rate-limit floor             ${ms(floorMs)}   (${coldStats.total} requests at ${LIMIT}/${WINDOW_MS / 1000} s)`,
      `cold / floor                 ${coldRatio.toFixed(2)}          target <= ${TARGETS.coldRatio}   ${verdict(coldRatio <= TARGETS.coldRatio)}`,
      `event-loop delay in load     max ${ms(loop.max / 1e6)}, p99 ${ms(loop.percentile(99) / 1e6)}`,
      `refresh between closes       ${ms(refreshMs)} median, ${ms(Math.max(...refreshTimes))} max of ${REPEATS} (${refreshStats.total / REPEATS} request each)   target <= ${TARGETS.refreshMs} ms   ${verdict(refreshMs <= TARGETS.refreshMs)}`,
      `indicator math (ours)        ${ms(mathMs)} median of ${REPEATS}: RSI + history + trend + EMA trend + stoch RSI, ${SYMBOLS} x ${CANDLES}   target <= ${TARGETS.mathMs} ms   ${verdict(mathMs <= TARGETS.mathMs)}`,
      `  trading-signals RSI only   ${ms(median(reference))} median (same closes; equal values, see rsi.spec.ts)`,
      `  full recompute             ${ms(median(recompute))} median (math + records + maturity + filter decorators)`,
      `peak RSS                     ${rssMb.toFixed(0)} MB (this process; the fake exchange is a separate process)   target <= ${TARGETS.rssMb} MB   ${verdict(rssMb <= TARGETS.rssMb)}`,
      `(checksum ${checksum.toFixed(6)})`,
      '',
    ];
    console.log(lines.join('\n'));
  } finally {
    child.send('stop');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : String(error));
    process.exit(1);
  },
);
