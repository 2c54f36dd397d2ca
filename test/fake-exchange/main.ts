/**
 * `npm run fake-exchange`: the fake Bybit v5 server (or, with FAKE_EXCHANGE=binance / okx, the fake Binance USDⓈ-M
 * or OKX v5 server) on its own, backed by the paper exchange, so the service can run in real-exchange mode
 * (EXCHANGE=bybit / binance / okx) with no network and no real keys.
 *
 * Env: FAKE_EXCHANGE (bybit | binance | okx), FAKE_EXCHANGE_PORT (5099), FAKE_EXCHANGE_SEED (42),
 * FAKE_EXCHANGE_SYMBOLS (50), FAKE_EXCHANGE_LATENCY_MS (0), FAKE_EXCHANGE_RATE_LIMIT_MODE (retCode | http429; Bybit
 * only).
 */
import { SystemClock } from '../../src/common/clock';
import { PaperExchange } from '../../src/exchange/paper/paper-exchange';
import { startFakeBinance } from './fake-binance';
import { startFakeBybit } from './fake-bybit';
import { startFakeOkx } from './fake-okx';

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  }
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
  if (kind !== 'bybit' && kind !== 'binance' && kind !== 'okx') {
    throw new Error(`FAKE_EXCHANGE must be bybit, binance or okx, got ${JSON.stringify(process.env.FAKE_EXCHANGE)}`);
  }
  const latencyMs = intEnv('FAKE_EXCHANGE_LATENCY_MS', 0);
  const starters = {
    bybit: async () => ({
      fake: await startFakeBybit({ backend, port, latencyMs, rateLimit: { mode } }),
      title: `Fake Bybit v5 (paper backend, rate limit 600 per 5 s, mode ${mode})`,
      passphrase: undefined,
    }),
    binance: async () => ({
      fake: await startFakeBinance({ backend, port, latencyMs }),
      title: 'Fake Binance USDⓈ-M (paper backend, rate limit 2400 per minute)',
      passphrase: undefined,
    }),
    okx: async () => {
      const fake = await startFakeOkx({ backend, port, latencyMs });
      return {
        fake,
        title: 'Fake OKX v5 USDT swaps (paper backend, rate limit 600 per 5 s)',
        passphrase: fake.passphrase,
      };
    },
  };
  const { fake, title, passphrase } = await starters[kind]();

  // Fake test credentials: they open nothing but this local server.
  console.log(`${title} listening on ${fake.url}`);
  console.log(`  api key: ${fake.apiKey}`);
  console.log(`  secret:  ${fake.secret}`);
  if (passphrase) console.log(`  passphrase: ${passphrase}`);
  const password = passphrase ? ` EXCHANGE_API_PASSWORD=${passphrase}` : '';
  console.log(`Run the service against it with:`);
  console.log(
    `  EXCHANGE=${kind} EXCHANGE_API_URL=${fake.url} EXCHANGE_API_KEY=${fake.apiKey} EXCHANGE_API_SECRET=${fake.secret}${password} npm start`,
  );
  if (kind !== 'okx') {
    console.log(`or as a dry run (the paper account on its public prices, no keys; docs/dry-run.md):`);
    console.log(`  PAPER_MARKET=${kind} EXCHANGE_API_URL=${fake.url} npm start`);
  }

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await fake.close();
    await backend.close();
    process.exit(0);
  };
  const stopOrDie = () =>
    void stop().catch((error: Error) => {
      console.error(`fake exchange: shutdown failed: ${error.message}`);
      process.exit(1);
    });
  process.on('SIGINT', stopOrDie);
  process.on('SIGTERM', stopOrDie);
}

main().catch((error: unknown) => {
  console.error(`fake-exchange failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
