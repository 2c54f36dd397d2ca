/**
 * `npm run fake-exchange`: the fake Bybit v5 server (or, with FAKE_EXCHANGE=binance, the fake Binance USDⓈ-M
 * server) on its own, backed by the paper exchange, so the service can run in real-exchange mode
 * (EXCHANGE=bybit / binance) with no network and no real keys.
 *
 * Env: FAKE_EXCHANGE (bybit | binance), FAKE_EXCHANGE_PORT (5099), FAKE_EXCHANGE_SEED (42), FAKE_EXCHANGE_SYMBOLS (50),
 * FAKE_EXCHANGE_LATENCY_MS (0), FAKE_EXCHANGE_RATE_LIMIT_MODE (retCode | http429; Bybit only).
 */
import { SystemClock } from '../../src/common/clock';
import { PaperExchange } from '../../src/exchange/paper/paper-exchange';
import { startFakeBinance } from './fake-binance';
import { startFakeBybit } from './fake-bybit';

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return value;
}

async function main(): Promise<void> {
  const port = intEnv('FAKE_EXCHANGE_PORT', 5099);
  const mode = process.env.FAKE_EXCHANGE_RATE_LIMIT_MODE === 'http429' ? 'http429' : 'retCode';
  const backend = new PaperExchange({
    clock: new SystemClock(),
    seed: intEnv('FAKE_EXCHANGE_SEED', 42),
    symbolCount: intEnv('FAKE_EXCHANGE_SYMBOLS', 50),
  });
  await backend.init();
  const kind = (process.env.FAKE_EXCHANGE ?? 'bybit').trim().toLowerCase();
  if (kind !== 'bybit' && kind !== 'binance') throw new Error(`FAKE_EXCHANGE must be bybit or binance, got ${JSON.stringify(process.env.FAKE_EXCHANGE)}`);
  const latencyMs = intEnv('FAKE_EXCHANGE_LATENCY_MS', 0);
  const fake = kind === 'binance' ? await startFakeBinance({ backend, port, latencyMs }) : await startFakeBybit({ backend, port, latencyMs, rateLimit: { mode } });

  // Fake test credentials: they open nothing but this local server.
  console.log(
    kind === 'binance'
      ? `Fake Binance USDⓈ-M listening on ${fake.url} (paper backend, rate limit 2400 per minute)`
      : `Fake Bybit v5 listening on ${fake.url} (paper backend, rate limit 600 per 5 s, mode ${mode})`,
  );
  console.log(`  api key: ${fake.apiKey}`);
  console.log(`  secret:  ${fake.secret}`);
  console.log(`Run the service against it with:`);
  console.log(`  EXCHANGE=${kind} EXCHANGE_API_URL=${fake.url} EXCHANGE_API_KEY=${fake.apiKey} EXCHANGE_API_SECRET=${fake.secret} npm start`);
  console.log(`or as a dry run (the paper account on its public prices, no keys; docs/dry-run.md):`);
  console.log(`  PAPER_MARKET=${kind} EXCHANGE_API_URL=${fake.url} npm start`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await fake.close();
    await backend.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  console.error(`fake-exchange failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
