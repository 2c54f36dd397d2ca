/**
 * The measured side of `npm run bench` (a child process of bench/run.ts, compiled JS on plain node like
 * `node dist/main`): RsiService + MaturityService + FilterService over ExchangeService and the ccxt adapter (with its
 * own rate limiter), wired by hand instead of the whole Nest app, pointed at the fake Bybit of bench/fake-server.ts.
 * Sends its figures to the parent over IPC.
 */
import { Logger } from '@nestjs/common';
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
import { MaturityService } from '../src/maturity/maturity.service';
import { JsonStore } from '../src/persistence/json-store.service';
import { StateRegistry } from '../src/persistence/state-registry.service';
import type { CandleSeries } from '../src/rsi/candle-series';
import { analyzeSeries, type AnalysisParams, type CoinAnalysis } from '../src/rsi/coin-analysis';
import { DEFAULT_EMA_TREND_PARAMS, DEFAULT_TREND_PARAMS } from '../src/rsi/indicators/trend';
import { RsiService } from '../src/rsi/rsi.service';

export interface FakeStats {
  total: number;
  rateLimited: number;
  maxInWindow: number;
  byPath: Record<string, number>;
}

export interface ServiceBenchResult {
  symbols: number;
  concurrency: number;
  initMs: number;
  coldMs: number;
  /** CPU time (user + system) this process spent during the cold load: what a busy machine cannot shrink. */
  coldCpuMs: number;
  coldStats: FakeStats;
  coldSucceeded: number;
  loopMaxMs: number;
  loopP99Ms: number;
  refreshMs: number[];
  refreshRequests: number;
  mathMs: number[];
  referenceRsiMs: number[];
  recomputeMs: number[];
  rssBeforeLoadMb: number;
  rssAfterLoadMb: number;
  peakRssMb: number;
  heapAfterLoadMb: number;
  /** After a full GC at the very end (the parent starts this process with --expose-gc only for this reading). */
  liveHeapMb: number | null;
  arrayBuffersMb: number | null;
  /** Bytes of the candle columns and RSI histories themselves. */
  marketDataMb: number;
}

const REPEATS = 7;

/** Asks the parent to relay a command to the fake exchange and waits for its answer. */
function fake<T>(command: 'stats' | 'reset'): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (message: { type?: string; reply?: T }) => {
      if (message?.type !== `fake:${command}`) return;
      process.off('message', onMessage);
      resolve(message.reply as T);
    };
    process.on('message', onMessage);
    process.send!({ type: 'fake', command });
  });
}

const mb = (bytes: number) => bytes / 1048576;

async function main(): Promise<void> {
  Logger.overrideLogger(['error']);
  const url = process.env.BENCH_FAKE_URL!;
  const symbols = Number(process.env.BENCH_SYMBOLS);
  const limit = Number(process.env.BENCH_LIMIT);
  const windowMs = Number(process.env.BENCH_WINDOW_MS);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bots-bench-'));
  try {
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
      exchangeId: 'bybit',
      apiKey: process.env.BENCH_FAKE_KEY,
      secret: process.env.BENCH_FAKE_SECRET,
      apiUrl: url,
      timeoutMs: 10_000,
      rateLimit: { requestsPerWindow: limit, windowMs },
    });
    const exchange = new ExchangeService({ name: 'bybit' } as never, clock, store, registry, adapter);
    const initStarted = performance.now();
    await exchange.onModuleInit();
    const initMs = performance.now() - initStarted;
    if (!exchange.isReady) throw new Error(`exchange not ready: ${exchange.lastInitError}`);
    // The enricher port (src/rsi/ports.ts) resolves to the filter service created below.
    // Assigned once below, after the services it needs; the port lookup above reads it lazily.
    // eslint-disable-next-line prefer-const -- the closure must capture the binding before the assignment
    let filters: FilterService | undefined;
    const moduleRef = { get: () => filters } as never;
    const rsi = new RsiService(exchange, system, autoBot, individual, store, registry, clock, moduleRef);
    if (process.env.BENCH_CONCURRENCY) rsi.loadConcurrency = Number(process.env.BENCH_CONCURRENCY);
    await rsi.onModuleInit();
    const maturity = new MaturityService(rsi, autoBot, store, registry, clock);
    await maturity.onModuleInit();
    const delisting = new DelistingService(exchange, store, clock);
    await delisting.onModuleInit();
    filters = new FilterService(rsi, maturity, individual, exchange, delisting);
    const rssBeforeLoadMb = mb(process.memoryUsage().rss);

    // Cold load. The market list came with init (ccxt reuses it for 5 s): the load is one tickers request + klines.
    await fake('reset');
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const coldStarted = performance.now();
    const cpuBefore = process.cpuUsage();
    const summary = await rsi.requestFullLoad('bench');
    const coldMs = performance.now() - coldStarted;
    const cpu = process.cpuUsage(cpuBefore);
    const coldCpuMs = (cpu.user + cpu.system) / 1000;
    loop.disable();
    const coldStats = await fake<FakeStats>('stats');
    const memory = process.memoryUsage();

    // Between closes: one tickers request, O(1) update per coin, maturity and filter decorators.
    await fake('reset');
    const refreshMs: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const started = performance.now();
      const result = await rsi.refreshFromTickers();
      refreshMs.push(performance.now() - started);
      if (result.succeeded !== symbols) {
        throw new Error(`refresh updated ${result.succeeded}/${symbols} coins (a candle closed during the run?)`);
      }
    }
    const refreshRequests = (await fake<FakeStats>('stats')).total / REPEATS;

    // Indicator math over the loaded candles: ours (RSI + history + trend + EMA trend + stoch RSI) and trading-signals'
    // RSI alone on the same closes, for comparison.
    const series: CandleSeries[] = rsi.getCoins().map((c) => rsi.getMarketView(c.symbol)!.series);
    const params: AnalysisParams = { trend: DEFAULT_TREND_PARAMS, emaTrend: DEFAULT_EMA_TREND_PARAMS };
    const mathMs: number[] = [];
    const referenceRsiMs: number[] = [];
    const recomputeMs: number[] = [];
    const scratch: (CoinAnalysis | undefined)[] = [];
    let checksum = 0;
    for (let r = 0; r < REPEATS; r++) {
      let started = performance.now();
      // Each pass replaces the previous one like recomputeAll does (history storage reused), not 583 fresh arrays.
      for (let i = 0; i < series.length; i++) {
        const analysis = analyzeSeries(series[i], params, scratch[i]);
        scratch[i] = analysis;
        checksum += analysis.rsi ?? 0;
      }
      mathMs.push(performance.now() - started);
      started = performance.now();
      for (const s of series) {
        const indicator = new RSI(14);
        const closes = s.closes();
        for (let i = 0; i < closes.length; i++) indicator.add(closes[i]);
        checksum -= indicator.getResult() ?? 0;
      }
      referenceRsiMs.push(performance.now() - started);
      started = performance.now();
      rsi.recomputeAll();
      recomputeMs.push(performance.now() - started);
    }
    if (!Number.isFinite(checksum)) throw new Error('indicator checksum is not finite');

    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    let marketBytes = 0;
    for (const coin of rsi.getCoins()) {
      const view = rsi.getMarketView(coin.symbol)!;
      marketBytes += view.series.time.byteLength * 6 + view.analysis.history.byteLength;
    }
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const live = process.memoryUsage();
    const result: ServiceBenchResult = {
      symbols,
      concurrency: rsi.loadConcurrency,
      initMs,
      coldMs,
      coldCpuMs,
      coldStats,
      coldSucceeded: summary.succeeded,
      loopMaxMs: loop.max / 1e6,
      loopP99Ms: loop.percentile(99) / 1e6,
      refreshMs,
      refreshRequests,
      mathMs,
      referenceRsiMs,
      recomputeMs,
      rssBeforeLoadMb,
      rssAfterLoadMb: mb(memory.rss),
      peakRssMb,
      heapAfterLoadMb: mb(memory.heapUsed),
      liveHeapMb: gc ? mb(live.heapUsed) : null,
      arrayBuffersMb: gc ? mb(live.arrayBuffers) : null,
      marketDataMb: mb(marketBytes),
    };
    process.send!({ type: 'result', result });
    await exchange.onApplicationShutdown();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.send?.({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exit(1);
  },
);
