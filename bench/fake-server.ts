/**
 * The benchmark's exchange, in a child process of its own (so its CPU and memory are not counted against the
 * service): the fake Bybit v5 server over a synthetic backend, with per-request latency and Bybit's IP rate limit.
 * Talks to bench/run.ts over IPC: sends {type:'ready', url, apiKey, secret} when listening; answers 'stats', 'reset',
 * 'stop'.
 */
import { startFakeBybit } from '../test/fake-exchange/fake-bybit';
import { SyntheticExchange } from './synthetic-exchange';

async function main(): Promise<void> {
  const symbols = Number(process.env.BENCH_SYMBOLS ?? 583);
  const candles = Number(process.env.BENCH_CANDLES ?? 1000);
  const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 50);
  const requestsPerWindow = Number(process.env.BENCH_LIMIT ?? 600);
  const windowMs = Number(process.env.BENCH_WINDOW_MS ?? 5000);
  const backend = new SyntheticExchange(symbols, candles);
  const fake = await startFakeBybit({
    backend,
    latencyMs,
    rateLimit: { requestsPerWindow, windowMs, mode: 'retCode' },
  });
  process.on('message', (message: unknown) => {
    if (message === 'stats') {
      const stats = {
        total: fake.stats.total,
        rateLimited: fake.stats.rateLimited,
        maxInWindow: fake.stats.maxRequestsInWindow,
        byPath: Object.fromEntries(fake.stats.requests),
      };
      process.send?.({ type: 'fake:stats', reply: stats });
    } else if (message === 'reset') {
      fake.stats.reset();
      process.send?.({ type: 'fake:reset', reply: true });
    } else if (message === 'stop') {
      // The bench's fake exits either way; a failed close is only logged.
      fake
        .close()
        .catch((error: Error) => console.error(`fake server close failed: ${error.message}`))
        .finally(() => process.exit(0));
    }
  });
  process.send?.({ type: 'ready', url: fake.url, apiKey: fake.apiKey, secret: fake.secret });
}

main().catch((error: unknown) => {
  console.error(`bench fake server failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
