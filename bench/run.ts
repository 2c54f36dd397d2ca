/**
 * `npm run bench` (not part of npm test): the market-data load path against a local fake Bybit.
 *
 * - bench/fake-server.ts (child process 1): the fake Bybit v5 server over a synthetic backend, 583 symbols x 1000
 *   candles, 50 ms latency per request, Bybit's limit of 600 requests per 5 s. A process of its own, so its CPU and
 *   memory are not counted against the service.
 * - bench/service-bench.ts (child process 2): the service's real code (RsiService, maturity and filter decorators,
 *   ExchangeService, the ccxt adapter and its limiter), measured.
 * Both children run as JS compiled here with swc, on plain node, like production (`node dist/main`); the ts loader
 * alone would add ~80 MB to the memory figure.
 *
 * Prints cold-load time vs the rate-limit floor, the between-closes refresh, the indicator math, event-loop delay
 * during the load, peak RSS and the conditions; marks each target OK or MISS.
 */
import { transformFileSync } from '@swc/core';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FakeStats, ServiceBenchResult } from './service-bench';

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'node_modules', '.cache', 'bots-bench');
const SYMBOLS = Number(process.env.BENCH_SYMBOLS ?? 583);
const CANDLES = 1000;
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);
const LIMIT = 600;
const WINDOW_MS = 5000;
const TARGETS = { coldRatio: 1.2, refreshMs: 1000, mathMs: 50, rssMb: 200 };

/** Compiles src/, bench/ and test/fake-exchange/ to CommonJS under node_modules/.cache (only changed files). */
function compile(): void {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return walk(full);
      return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.d.ts')
        ? [full]
        : [];
    });
  const files = ['src', 'bench', path.join('test', 'fake-exchange')].flatMap((dir) => walk(path.join(ROOT, dir)));
  for (const file of files) {
    const target = path.join(OUT, path.relative(ROOT, file)).replace(/\.ts$/, '.js');
    try {
      if (statSync(target).mtimeMs >= statSync(file).mtimeMs) continue;
    } catch {
      // not compiled yet
    }
    const { code } = transformFileSync(file, {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
        keepClassNames: true,
      },
      module: { type: 'commonjs' },
      sourceMaps: false,
    });
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, code);
  }
}

function start(script: string, env: Record<string, string>, execArgv: string[] = []): ChildProcess {
  return fork(path.join(OUT, 'bench', script), [], {
    env: { ...process.env, ...env },
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function once<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${type}: child exited with ${code}`));
    const onMessage = (message: { type?: string; message?: string } & Record<string, unknown>) => {
      if (message?.type === 'error') reject(new Error(message.message));
      if (message?.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message as T);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (value: number) => `${value.toFixed(1)} ms`;
const mark = (ok: boolean) => (ok ? 'OK' : 'MISS');

async function main(): Promise<void> {
  const compileStarted = performance.now();
  compile();
  const compileMs = performance.now() - compileStarted;
  const env = {
    BENCH_SYMBOLS: String(SYMBOLS),
    BENCH_CANDLES: String(CANDLES),
    BENCH_LATENCY_MS: String(LATENCY_MS),
    BENCH_LIMIT: String(LIMIT),
    BENCH_WINDOW_MS: String(WINDOW_MS),
  };
  const fakeChild = start('fake-server.js', env);
  let serviceChild: ChildProcess | undefined;
  try {
    const info = await once<{ url: string; apiKey: string; secret: string }>(fakeChild, 'ready');
    // BENCH_SERVICE_NODE_ARGS (e.g. "--cpu-prof") goes to the measured process only.
    // --expose-gc only serves the live-heap reading taken after everything else was measured.
    const serviceArgs = ['--expose-gc', ...(process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean)];
    serviceChild = start(
      'service-bench.js',
      { ...env, BENCH_FAKE_URL: info.url, BENCH_FAKE_KEY: info.apiKey, BENCH_FAKE_SECRET: info.secret },
      serviceArgs,
    );
    const service = serviceChild;
    // Relay the service's questions about request counts to the fake exchange.
    service.on('message', (message: { type?: string; command?: 'stats' | 'reset' }) => {
      if (message?.type !== 'fake' || !message.command) return;
      const command = message.command;
      once<{ reply: unknown }>(fakeChild, `fake:${command}`)
        .then((answer) => service.send({ type: `fake:${command}`, reply: answer.reply }))
        .catch((error: Error) => console.error(`relaying fake:${command} failed: ${error.message}`));
      fakeChild.send(command);
    });
    const { result } = await once<{ result: ServiceBenchResult }>(service, 'result');
    // Let it exit by itself (a --cpu-prof profile is written at exit); kill it only if it hangs.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => resolve(), 10_000);
      service.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    print(result, compileMs);
  } finally {
    if (serviceChild && serviceChild.exitCode === null) serviceChild.kill();
    if (fakeChild.connected) fakeChild.send('stop');
  }
}

function print(r: ServiceBenchResult, compileMs: number): void {
  const stats: FakeStats = r.coldStats;
  const floorMs = (stats.total * WINDOW_MS) / LIMIT;
  const ratio = r.coldMs / floorMs;
  const refresh = median(r.refreshMs);
  const math = median(r.mathMs);
  const cpu = os.cpus();
  const lines = [
    '',
    'bots-service market-data benchmark',
    '==================================',
    `conditions      node ${process.version}, ${cpu.length} CPUs (${cpu[0]?.model?.trim() ?? '?'}), load average ${os.loadavg()[0].toFixed(2)}`,
    `                ${r.symbols} symbols x ${CANDLES} candles (6h); fake Bybit in its own process: ${LATENCY_MS} ms latency per request,`,
    `                limit ${LIMIT} requests / ${WINDOW_MS / 1000} s; ccxt adapter with its own limiter; load concurrency ${r.concurrency}`,
    `                (compiled with swc in ${ms(compileMs)}; children run plain node)`,
    '',
    `exchange init           ${ms(r.initMs)} (market list)`,
    `cold load               ${ms(r.coldMs)}  ${r.coldSucceeded}/${r.symbols} coins, ${stats.total} requests ${JSON.stringify(stats.byPath)}, ${stats.rateLimited} rate-limited`,
    `  CPU time in the load  ${ms(r.coldCpuMs)} (this process, user + system; ${(r.coldCpuMs / stats.total).toFixed(1)} ms per request)`,
    `rate-limit floor        ${ms(floorMs)}  (${stats.total} requests at ${LIMIT} per ${WINDOW_MS / 1000} s)`,
    `cold / floor            ${ratio.toFixed(2)}           target <= ${TARGETS.coldRatio}    ${mark(ratio <= TARGETS.coldRatio)}`,
    `event loop during load  max delay ${ms(r.loopMaxMs)}, p99 ${ms(r.loopP99Ms)}`,
    `refresh between closes  ${ms(refresh)} median, ${ms(Math.max(...r.refreshMs))} max of ${r.refreshMs.length}; ${r.refreshRequests} request each   target <= ${TARGETS.refreshMs} ms   ${mark(refresh <= TARGETS.refreshMs)}`,
    `indicator math          ${ms(math)} median of ${r.mathMs.length} (min ${ms(Math.min(...r.mathMs))}): RSI + history + trend + EMA trend + stoch RSI, ${r.symbols} x ${CANDLES}   target <= ${TARGETS.mathMs} ms   ${mark(math <= TARGETS.mathMs)}`,
    `  trading-signals RSI   ${ms(median(r.referenceRsiMs))} median, RSI alone on the same closes (equal values: rsi.spec.ts)`,
    `  full recompute        ${ms(median(r.recomputeMs))} median (math + records + maturity and filter decorators)`,
    `memory                  peak RSS ${r.peakRssMb.toFixed(0)} MB   target <= ${TARGETS.rssMb} MB   ${mark(r.peakRssMb <= TARGETS.rssMb)}`,
    `                        RSS before the load (node + Nest pieces + ccxt + markets) ${r.rssBeforeLoadMb.toFixed(0)} MB, right after it ${r.rssAfterLoadMb.toFixed(0)} MB (heap used ${r.heapAfterLoadMb.toFixed(0)} MB)`,
    r.liveHeapMb === null
      ? ''
      : `                        live after a full GC: heap ${r.liveHeapMb.toFixed(0)} MB, array buffers ${r.arrayBuffersMb!.toFixed(0)} MB (I/O buffers and the market data)`,
    `                        market data itself (candle columns + RSI histories): ${r.marketDataMb.toFixed(1)} MB`,
    '',
  ];
  console.log(lines.join('\n'));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : String(error));
    process.exit(1);
  },
);
