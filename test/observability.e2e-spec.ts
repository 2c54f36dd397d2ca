/**
 * Metrics (GET /metrics, Prometheus text) and the terminus probes (/health/live, /health/ready) on the real app,
 * with the exchange counters fed by real adapter calls — the ccxt adapter against the local fake Bybit for retries.
 */
import request from 'supertest';
import { BotsWorkers } from '../src/bots/bots.workers';
import { ManualClock } from '../src/common/clock';
import { ExchangeService } from '../src/exchange/exchange.service';
import { MetricsService } from '../src/metrics/metrics.service';
import { startFakeBybit, type FakeBybit } from './fake-exchange/fake-bybit';
import { freePort } from './support/built-service';
import { StubExchange } from './support/stub-exchange';
import { createTestApp, type TestApp } from './support/test-app';

/** The value of one sample line (`name{labels} value`), or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3]);
  }
  return undefined;
}

/** The stub market, with positions that can be made to fail like an exchange outage. */
class FlakyStub extends StubExchange {
  positionsDown = false;
  override async fetchPositions() {
    if (this.positionsDown) throw new Error('exchange down');
    return super.fetchPositions();
  }
}

describe('metrics and probes on the stub market', () => {
  let t: TestApp;
  let stub: FlakyStub;
  beforeAll(async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 3));
    stub = new FlakyStub(() => clock.now());
    t = await createTestApp({ clock, adapter: stub, env: { WORKERS_ENABLED: 'false' } });
  });
  afterAll(() => t.close());

  it('GET /metrics serves Prometheus text with every documented metric', async () => {
    const res = await request(t.http).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
    for (const name of [
      'bots_exchange_requests_total',
      'bots_exchange_errors_total',
      'bots_exchange_retries_total',
      'bots_exchange_request_duration_seconds',
      'bots_exchange_ready',
      'bots_rsi_coins_loaded',
      'bots_rsi_load_duration_seconds',
      'bots_rsi_load_in_progress',
      'bots_rsi_failed_coins',
      'bots_bots',
      'bots_open_positions',
      'bots_realized_pnl_usdt',
      'bots_closed_trades',
      'bots_unrealized_pnl_usdt',
      'bots_worker_ticks_total',
      'bots_worker_tick_failures_total',
      'bots_worker_tick_duration_seconds',
      'bots_worker_runs',
      'bots_worker_failures',
      'bots_worker_last_duration_seconds',
      'bots_worker_running',
      'bots_http_requests_total',
      'bots_http_request_duration_seconds',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect([name, res.text.includes(`# TYPE ${name} `)]).toEqual([name, true]);
    }
    expect(sample(res.text, 'bots_exchange_ready')).toBe(1);
    // listMarkets ran once at start-up.
    expect(
      sample(res.text, 'bots_exchange_requests_total', { method: 'listMarkets', outcome: 'ok' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('counts exchange calls, errors by method, and their duration', async () => {
    const exchange = t.app.get(ExchangeService);
    const before = (await request(t.http).get('/metrics')).text;
    const okBefore = sample(before, 'bots_exchange_requests_total', { method: 'fetchTickers', outcome: 'ok' }) ?? 0;
    await exchange.fetchTickers();
    await exchange.fetchTickers();
    stub.positionsDown = true;
    await expect(exchange.fetchPositions()).rejects.toThrow('exchange down');
    stub.positionsDown = false;
    const after = (await request(t.http).get('/metrics')).text;
    expect(sample(after, 'bots_exchange_requests_total', { method: 'fetchTickers', outcome: 'ok' })).toBe(okBefore + 2);
    expect(sample(after, 'bots_exchange_requests_total', { method: 'fetchPositions', outcome: 'error' })).toBe(1);
    expect(sample(after, 'bots_exchange_errors_total', { method: 'fetchPositions' })).toBe(1);
    expect(sample(after, 'bots_exchange_request_duration_seconds_count', { method: 'fetchTickers' })).toBe(
      okBefore + 2,
    );
  });

  it('records worker ticks reported through observeWorkerTick', async () => {
    const metrics = t.app.get(MetricsService);
    metrics.observeWorkerTick('position-sync', 120, true);
    metrics.observeWorkerTick('position-sync', 2500, false);
    const text = (await request(t.http).get('/metrics')).text;
    expect(sample(text, 'bots_worker_ticks_total', { worker: 'position-sync', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'bots_worker_ticks_total', { worker: 'position-sync', outcome: 'error' })).toBe(1);
    expect(sample(text, 'bots_worker_tick_failures_total', { worker: 'position-sync' })).toBe(1);
    expect(sample(text, 'bots_worker_tick_duration_seconds_sum', { worker: 'position-sync' })).toBeCloseTo(2.62, 6);
    expect(sample(text, 'bots_worker_tick_duration_seconds_bucket', { worker: 'position-sync', le: '0.5' })).toBe(1);
  });

  it("reads bots by status and the bots workers' own tick counts at scrape time", async () => {
    await request(t.http)
      .post('/api/bots/create')
      .send({
        symbol: 'ETH',
        config: { status: 'paused', volume_mode: 'usdt', volume_value: 10 },
        skip_maturity_check: true,
      })
      .expect(200);
    await t.app.get(BotsWorkers).runNow('position_sync_worker');
    const text = (await request(t.http).get('/metrics')).text;
    expect(sample(text, 'bots_bots', { status: 'paused' })).toBe(1);
    expect(sample(text, 'bots_open_positions')).toBe(0);
    expect(sample(text, 'bots_closed_trades')).toBe(0);
    expect(sample(text, 'bots_worker_runs', { worker: 'position_sync_worker' })).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'bots_worker_last_duration_seconds', { worker: 'position_sync_worker' }),
    ).toBeGreaterThanOrEqual(0);
  });

  it('counts HTTP answers by route pattern and status', async () => {
    await request(t.http).get('/api/bots/status').expect(200);
    await request(t.http).get('/api/nope').expect(404);
    const text = (await request(t.http).get('/metrics')).text;
    expect(
      sample(text, 'bots_http_requests_total', { method: 'GET', route: '/api/bots/status', status: '200' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'bots_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('/health/live and /health/ready answer 200 once started; the contract health answers are unchanged', async () => {
    const live = await request(t.http).get('/health/live').expect(200);
    expect(live.body).toMatchObject({ success: true, status: 'ok', details: { process: { status: 'up' } } });
    const ready = await request(t.http).get('/health/ready').expect(200);
    expect(ready.body).toEqual({
      success: true,
      status: 'ok',
      details: { state: { status: 'up' }, exchange: { status: 'up' }, storage: { status: 'up' } },
    });
    const health = await request(t.http).get('/health').expect(200);
    expect(Object.keys(health.body).sort()).toEqual([
      'bots_active',
      'coins_loaded',
      'dry_run',
      'exchange',
      'exchange_connected',
      'exchange_mode',
      'paper_market',
      'service',
      'status',
      'timestamp',
    ]);
    expect(health.body).toMatchObject({
      exchange: 'paper',
      paper_market: 'sim',
      dry_run: false,
      exchange_mode: 'paper account on simulated prices',
    });
    const botsHealth = await request(t.http).get('/api/bots/health').expect(200);
    expect(Object.keys(botsHealth.body).sort()).toEqual(['components', 'service', 'status', 'timestamp', 'uptime']);
  });
});

describe('with the ccxt adapter against the fake Bybit', () => {
  let fake: FakeBybit;
  let t: TestApp;
  beforeAll(async () => {
    fake = await startFakeBybit({
      backend: new StubExchange(() => Date.now()),
      apiKey: 'obs-test-key-1234',
      secret: 'obs-test-secret-5678',
    });
    t = await createTestApp({
      env: {
        WORKERS_ENABLED: 'false',
        EXCHANGE: 'bybit',
        EXCHANGE_API_URL: fake.url,
        EXCHANGE_API_KEY: fake.apiKey,
        EXCHANGE_API_SECRET: fake.secret,
        EXCHANGE_TIMEOUT_MS: '2000',
      },
    });
  }, 30_000);
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it('counts retries by method: a 5xx then success is one retry and one ok call', async () => {
    expect(t.app.get(ExchangeService).isReady).toBe(true);
    fake.faults.add({ kind: 'http5xx', path: '/v5/market/tickers', times: 1 });
    await t.app.get(ExchangeService).fetchTickers();
    const text = (await request(t.http).get('/metrics')).text;
    expect(sample(text, 'bots_exchange_retries_total', { method: 'fetchTickers' })).toBe(1);
    expect(sample(text, 'bots_exchange_requests_total', { method: 'fetchTickers', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'bots_exchange_errors_total', { method: 'fetchTickers' })).toBeUndefined();
  });
});

describe('readiness when the exchange cannot be initialised', () => {
  let t: TestApp;
  beforeAll(async () => {
    const closedPort = await freePort(); // nothing listens there
    t = await createTestApp({
      env: {
        WORKERS_ENABLED: 'false',
        EXCHANGE: 'bybit',
        EXCHANGE_API_URL: `http://127.0.0.1:${closedPort}`,
        EXCHANGE_API_KEY: 'ready-test-key-1234',
        EXCHANGE_API_SECRET: 'ready-test-secret-5678',
        EXCHANGE_TIMEOUT_MS: '1000',
      },
    });
  }, 30_000);
  afterAll(() => t?.close());

  it('is live but not ready (503 naming the exchange), and metrics say so', async () => {
    await request(t.http).get('/health/live').expect(200);
    const ready = await request(t.http).get('/health/ready').expect(503);
    expect(ready.body).toMatchObject({
      success: false,
      status: 'error',
      details: { state: { status: 'up' }, exchange: { status: 'down' } },
    });
    expect(ready.body.error).toMatch(/^Not ready: exchange bybit is not initialised/);
    // The contract's health endpoints still answer 200 and report the exchange as disconnected.
    expect((await request(t.http).get('/health').expect(200)).body.exchange_connected).toBe(false);
    const text = (await request(t.http).get('/metrics')).text;
    expect(sample(text, 'bots_exchange_ready')).toBe(0);
    expect(sample(text, 'bots_exchange_errors_total', { method: 'init' })).toBe(1);
  });
});
