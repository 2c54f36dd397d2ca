/**
 * Exchange faults during auto-bot trading: the real app on the ccxt adapter (EXCHANGE=bybit) against the local
 * fake Bybit, which injects timeouts, rate-limit storms, 5xx pages and malformed JSON at random — and loses the
 * answers of orders it did execute. The auto-bot, protection and position-sync workers tick all the while.
 * Proves: the service keeps answering; retries stay bounded (at most attempts−1 per call); no order is placed
 * twice; and once the faults stop, every bot agrees with the exchange's positions (same symbols, sides, sizes).
 */
import request from 'supertest';
import { SystemClock } from '../src/common/clock';
import { ExchangeService } from '../src/exchange/exchange.service';
import { PaperExchange } from '../src/exchange/paper/paper-exchange';
import { startFakeBybit, type FakeBybit } from './fake-exchange/fake-bybit';
import { bots, waitForCoins, workers } from './support/bots';
import { createTestApp, type TestApp } from './support/test-app';

jest.setTimeout(180_000);

const SEED = Number(process.env.RELIABILITY_SEED ?? 20260105);
const ATTEMPTS = 3; // the ccxt adapter's default: the first try and two retries

function metric(text: string, name: string): Map<string, number> {
  const byMethod = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`).exec(line);
    if (!match) continue;
    const method = /method="([^"]+)"/.exec(match[1])?.[1] ?? '';
    byMethod.set(method, (byMethod.get(method) ?? 0) + Number(match[2]));
  }
  return byMethod;
}

describe('exchange faults during auto-bot trading (fake Bybit)', () => {
  let backend: PaperExchange;
  let fake: FakeBybit;
  let t: TestApp;
  const unhandled: string[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(String((reason as Error)?.stack ?? reason));

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    backend = new PaperExchange({ clock: new SystemClock(), seed: 42, symbolCount: 60 });
    await backend.init();
    fake = await startFakeBybit({ backend, apiKey: 'faults-test-key-0001', secret: 'faults-test-secret-0001' });
    t = await createTestApp({
      env: {
        EXCHANGE: 'bybit',
        EXCHANGE_API_URL: fake.url,
        EXCHANGE_API_KEY: fake.apiKey,
        EXCHANGE_API_SECRET: fake.secret,
        EXCHANGE_TIMEOUT_MS: '600',
        MUTATION_RATE_LIMIT: '100000',
      },
    });
    // The test ticks the workers itself, so that faults hit every step of a trading round.
    await workers(t).stop();
    await waitForCoins(t);
  });

  afterAll(async () => {
    await t?.close();
    await fake?.close();
    await backend?.close();
    process.off('unhandledRejection', onUnhandled);
  });

  it('stays up, retries a bounded number of times, never doubles an order, and ends consistent with the exchange', async () => {
    const healthFailures: string[] = [];
    const tickMs: number[] = [];
    const round = async () => {
      for (const worker of ['auto_bot_worker', 'bot_status_worker', 'position_sync_worker'] as const) {
        const started = performance.now();
        await workers(t)
          .runNow(worker)
          .catch((error: Error) => healthFailures.push(`${worker} threw: ${error.message}`));
        tickMs.push(performance.now() - started);
      }
      for (const path of ['/api/bots/health', '/health/live', '/api/bots/list']) {
        const res = await request(t.http).get(path);
        if (res.status !== 200) healthFailures.push(`${path} → ${res.status}`);
      }
    };

    // Phase 1: random faults on every endpoint, and orders whose answers get lost after they executed.
    fake.faults.chaos({ seed: SEED, probability: 0.3, kinds: ['timeout', 'rateLimit', 'http5xx', 'malformed'] });
    fake.faults
      .add({ kind: 'timeout', path: '/v5/order/create', afterProcessing: true, times: 2 })
      .add({ kind: 'http5xx', path: '/v5/order/create', afterProcessing: true, times: 2 })
      .add({ kind: 'malformed', path: '/v5/order/create', afterProcessing: true, variant: 'truncated', times: 2 });
    // Entries for many coins (wide RSI zones, the slow filters off, small positions); switching the auto-bot on
    // runs a first pass at once, already under the faults.
    await request(t.http)
      .post('/api/bots/auto-bot')
      .send({
        enabled: true,
        max_concurrent: 10,
        rsi_long_threshold: 45,
        rsi_short_threshold: 55,
        enable_maturity_check: false,
        rsi_time_filter_enabled: false,
        exit_scam_enabled: false,
        loss_reentry_protection: false,
        trend_detection_enabled: false,
        default_position_mode: 'usdt',
        default_position_size: 20,
        leverage: 2,
      })
      .expect(200);

    const closeAnswers: number[] = [];
    for (let i = 0; i < 10; i++) {
      await round();
      if (i % 3 === 2) {
        // A manual close in the middle of the storm: it may fail, but never with a crash.
        const holder = (await bots(t)).find((b) => b.position_side !== null);
        if (holder) {
          closeAnswers.push(
            (await request(t.http).post('/api/bots/close-position').send({ symbol: holder.symbol })).status,
          );
        }
      }
    }

    // Phase 2: a rate-limit storm (every request refused for a while), then recovery.
    fake.faults.clear();
    fake.faults.add({ kind: 'rateLimit', times: 60, retryAfterMs: 100 });
    for (let i = 0; i < 3; i++) await round();

    // Phase 3: the exchange is healthy again; two rounds reconcile.
    fake.faults.clear();
    for (let i = 0; i < 2; i++) await round();

    const exchange = t.app.get(ExchangeService);
    const positions = await exchange.fetchPositions();
    const list = await bots(t);
    const holding = list.filter((b) => b.position_side !== null);
    const history = (await request(t.http).get('/api/bots/history?limit=5000').expect(200)).body.history as Array<{
      action_type: string;
    }>;
    const opened = history.filter((h) => h.action_type === 'POSITION_OPENED').length;
    const metrics = (await request(t.http).get('/metrics').expect(200)).text;
    const calls = metric(metrics, 'bots_exchange_requests_total');
    const retries = metric(metrics, 'bots_exchange_retries_total');
    const totalCalls = [...calls.values()].reduce((a, b) => a + b, 0);
    const totalRetries = [...retries.values()].reduce((a, b) => a + b, 0);
    const sortedTicks = [...tickMs].sort((a, b) => a - b);

    console.log(
      `exchange faults (seed ${SEED}): ${fake.stats.faultsInjected} faults injected in ${fake.stats.total} requests ` +
        `(${fake.stats.rateLimited} rate-limited); ${totalCalls} adapter calls, ${totalRetries} retries ` +
        `(${[...retries].map(([m, n]) => `${m} ${n}`).join(', ')}); ${opened} entries, ${fake.stats.ordersCreated} orders executed, ` +
        `${fake.stats.duplicateOrderLinks} duplicate order ids refused by the exchange; ${holding.length} bots in position at the end; ` +
        `manual closes answered ${JSON.stringify(closeAnswers)}; worker tick max ${Math.round(sortedTicks.at(-1)!)} ms`,
    );

    // The faults really happened and trading really went on through them.
    expect(fake.stats.faultsInjected).toBeGreaterThan(20);
    expect(totalRetries).toBeGreaterThan(0);
    expect(opened).toBeGreaterThan(0);

    // Up all along: every health probe answered, no worker tick threw, no stray promise rejection.
    expect(healthFailures).toEqual([]);
    expect(unhandled).toEqual([]);
    expect(closeAnswers.every((s) => s < 600 && s !== 0)).toBe(true);

    // Retries bounded: never more than attempts−1 per call, for every method.
    for (const [method, n] of retries) {
      expect([method, n <= (ATTEMPTS - 1) * (calls.get(method) ?? 0)]).toEqual([method, true]);
    }
    // A worker tick cannot hang on a dead exchange: each is bounded by the per-request timeout and the retries.
    expect(sortedTicks.at(-1)!).toBeLessThan(60_000);

    // No duplicate order and consistent state: one bot per exchange position, same side and size.
    const inconsistencies: string[] = [];
    for (const position of positions) {
      const b = holding.find((x) => x.symbol === position.symbol);
      if (!b) {
        const h = (await request(t.http).get(`/api/bots/history?symbol=${position.symbol}&limit=50`)).body
          .history as Array<{ action_type: string; details?: string }>;
        const orders = fake.stats
          .sent('/v5/order/create')
          .filter((r) => r.body.includes(`"${position.symbol}USDT"`))
          .map((r) => /"orderLinkId":"([^"]+)"/.exec(r.body)?.[1] ?? '?');
        inconsistencies.push(
          `exchange holds ${position.symbol} ${position.side} ${position.size} but no bot does ` +
            `(order/create requests: ${orders.length}, order ids ${JSON.stringify([...new Set(orders)])}; history: ${h.map((x) => `${x.action_type} ${x.details ?? ''}`).join(' | ') || 'none'})`,
        );
      } else if (String(position.side).toUpperCase() !== b.position_side || position.size !== b.position_size_coins) {
        inconsistencies.push(
          `${position.symbol}: exchange ${position.side} ${position.size}, bot ${b.position_side} ${b.position_size_coins}`,
        );
      }
    }
    for (const b of holding) {
      if (!positions.some((p) => p.symbol === b.symbol)) {
        inconsistencies.push(
          `bot ${b.symbol} holds ${b.position_side} ${b.position_size_coins}, the exchange has no position`,
        );
      }
    }
    expect(inconsistencies).toEqual([]);
    // Every executed order is one the bots account for: each entry once, plus at most one close per trade.
    const trades = (await request(t.http).get('/api/bots/trades?limit=5000').expect(200)).body.trades as unknown[];
    expect(fake.stats.ordersCreated).toBeGreaterThanOrEqual(opened);
    expect(fake.stats.ordersCreated).toBeLessThanOrEqual(opened + trades.length);
  });
});
