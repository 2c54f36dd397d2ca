import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import { RSI } from 'trading-signals';
import { ExchangeService } from '../src/exchange/exchange.service';
import { createTestApp, tempDataDir, type TestApp } from './support/test-app';

/**
 * Market analysis against the real AppModule on the paper exchange: coin table, RSI cross-check, maturity store,
 * filters, delisting, errors, cache restart and the timeframe switch.
 */

// A few hundred simulated coins keep a full load within seconds under jest while leaving enough coins in each zone.
const ENV = { EXCHANGE: 'paper', PAPER_TIME_SCALE: '1', PAPER_SYMBOLS: '200' };

type Coin = Record<string, any>;

async function waitForLoad(
  t: TestApp,
  predicate: (body: any) => boolean = () => true,
  timeoutMs = 45_000,
): Promise<any> {
  const started = Date.now();
  for (;;) {
    const body = (await request(t.http).get('/api/bots/coins-with-rsi').expect(200)).body;
    if (body.total > 0 && !body.update_in_progress && body.cache_info.data_source === 'live' && predicate(body)) {
      return body;
    }
    if (Date.now() - started > timeoutMs) throw new Error(`coin table not loaded after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('market analysis (paper exchange)', () => {
  const dataDir = tempDataDir('market-e2e-');
  let t: TestApp;
  let coins: Coin[];
  let body: any;

  beforeAll(async () => {
    t = await createTestApp({ dataDir, env: ENV });
  }, 30_000);

  afterAll(async () => {
    // Teardown of a test that may have failed half-way: a close error must not hide the real failure.
    await t?.close().catch(() => undefined);
  });

  it('start-up does not wait for the first load; its progress shows in /api/bots/status', async () => {
    // (How fast HTTP answers during the load is measured by the benchmark, not asserted here.)
    const status = (await request(t.http).get('/api/bots/status').expect(200)).body;
    expect(status).toHaveProperty('update_in_progress');
    expect(status.load_progress).toEqual(
      expect.objectContaining({ total: expect.any(Number), done: expect.any(Number), failed: expect.any(Number) }),
    );
    await waitForLoad(t);
    const after = (await request(t.http).get('/api/bots/status').expect(200)).body;
    expect(after).toMatchObject({ update_in_progress: false, failed_coins: 0 });
    expect(after.coins_loaded).toBe(after.total_coins);
    expect(after.load_progress.done).toBe(after.total_coins);
  }, 60_000);

  it('lists every tradable coin with RSI in [0, 100], a trend and a maturity flag', async () => {
    body = (await request(t.http).get('/api/bots/coins-with-rsi').expect(200)).body;
    coins = Object.values(body.coins);
    const tradable = t.app.get(ExchangeService).tradableSymbols().sort();
    expect(Object.keys(body.coins).sort()).toEqual(tradable);
    expect(body.total).toBe(tradable.length);
    expect(body.stats).toEqual({ total_coins: tradable.length, successful_coins: tradable.length, failed_coins: 0 });
    expect(typeof body.data_version).toBe('number');
    expect(body.manual_positions).toEqual([]);
    expect(body.cache_info).toMatchObject({ data_source: 'live' });
    for (const coin of coins) {
      expect(coin.rsi).toBeGreaterThanOrEqual(0);
      expect(coin.rsi).toBeLessThanOrEqual(100);
      expect(coin.rsi6h).toBe(coin.rsi);
      expect(['UP', 'DOWN', 'NEUTRAL']).toContain(coin.trend);
      expect(coin.trend6h).toBe(coin.trend);
      expect(typeof coin.is_mature).toBe('boolean');
      expect(coin.candles_count).toBeGreaterThanOrEqual(15);
    }
    // The paper exchange lists a few young coins (< 400 candles): never mature.
    expect(coins.some((c) => c.is_mature)).toBe(true);
    expect(coins.filter((c) => c.candles_count < 400).every((c) => !c.is_mature)).toBe(true);
  });

  it('signals follow the 29 / 71 thresholds, with coins in both zones', () => {
    const longs = coins.filter((c) => c.signal === 'ENTER_LONG');
    const shorts = coins.filter((c) => c.signal === 'ENTER_SHORT');
    expect(longs.length).toBeGreaterThan(0);
    expect(shorts.length).toBeGreaterThan(0);
    for (const coin of coins) {
      const expected = coin.rsi <= 29 ? 'ENTER_LONG' : coin.rsi >= 71 ? 'ENTER_SHORT' : 'WAIT';
      expect(coin.signal).toBe(expected);
      expect(coin.rsi_zone).toBe(
        expected === 'ENTER_LONG' ? 'BUY_ZONE' : expected === 'ENTER_SHORT' ? 'SELL_ZONE' : 'NEUTRAL',
      );
      if (coin.effective_signal !== 'WAIT') {
        expect(coin.effective_signal).toBe(coin.signal);
        expect(coin.is_mature).toBe(true);
        expect(coin.blocked_by_exit_scam || coin.blocked_by_rsi_time).toBe(false);
      }
    }
    // Entry-zone coins carry their filter verdicts.
    for (const coin of [...longs, ...shorts]) {
      expect(coin.exit_scam_info).toHaveProperty('allowed');
      if (coin.candles_count >= 50) expect(coin.time_filter_info).toHaveProperty('allowed');
    }
  });

  it("a coin's RSI equals trading-signals' RSI(14) over its cached candles", async () => {
    for (const coin of coins.slice(0, 3)) {
      const candles = (await request(t.http).get(`/api/bots/candles/${coin.symbol}`).expect(200)).body.data.candles;
      expect(candles).toHaveLength(coin.candles_count);
      expect(typeof candles[0].close).toBe('string');
      const reference = new RSI(14);
      for (const c of candles) reference.add(Number(c.close));
      expect(coin.rsi).toBeCloseTo(reference.getResultOrThrow(), 2);
    }
  });

  it('rsi-history gives the last 56 values ending at the current RSI', async () => {
    const coin = coins[0];
    const res = await request(t.http).get(`/api/bots/rsi-history/${coin.symbol.toLowerCase()}usdt`).expect(200);
    expect(res.body.rsi_history).toHaveLength(56);
    expect(res.body.rsi_history[55]).toBe(res.body.current_rsi);
    expect(res.body.current_rsi).toBe(coin.rsi);
    expect(res.body.source).toBe('cache');
  });

  it('candles honour period (days) and echo the timeframe', async () => {
    const res = await request(t.http).get(`/api/bots/candles/${coins[0].symbol}?period=2&timeframe=6h`).expect(200);
    expect(res.body.data.count).toBe(8);
    expect(res.body.data.timeframe).toBe('6h');
    expect(res.body.data.candles[0].timestamp).toBe(res.body.data.candles[0].time);
  });

  it('pairs, smart-rsi-status, refresh of one coin and of all', async () => {
    const pairs = (await request(t.http).get('/api/bots/pairs').expect(200)).body;
    expect(pairs.total).toBe(coins.length);
    expect(pairs.pairs).toContain(`${coins[0].symbol}USDT`);
    const status = (await request(t.http).get('/api/bots/smart-rsi-status').expect(200)).body.status;
    expect(status).toMatchObject({ active: true, service: 'Continuous Data Loader', first_round_complete: true });
    expect(status.update_count).toBeGreaterThan(0);
    const before = (await request(t.http).get('/api/bots/coins-with-rsi').expect(200)).body.data_version;
    const refreshed = await request(t.http).post(`/api/bots/refresh-rsi/${coins[0].symbol}`).expect(200);
    expect(refreshed.body.coin_data.symbol).toBe(coins[0].symbol);
    const withRefresh = (
      await request(t.http).get(`/api/bots/coins-with-rsi?refresh_symbol=${coins[1].symbol}`).expect(200)
    ).body;
    expect(withRefresh.data_version).toBeGreaterThan(before);
    const flag = (await request(t.http).post('/api/bots/reset-update-flag').expect(200)).body;
    expect(flag).toMatchObject({ success: true, was_in_progress: false });
  });

  it('mature coins: list, details, delete one, remove many, clear, reload', async () => {
    const list = (await request(t.http).get('/api/bots/mature-coins-list').expect(200)).body;
    const matureInTable = coins
      .filter((c) => c.is_mature)
      .map((c) => c.symbol)
      .sort();
    expect(list.mature_coins).toEqual(matureInTable);
    expect(list.total_count).toBe(matureInTable.length);
    const details = (await request(t.http).get('/api/bots/mature-coins').expect(200)).body.data;
    const [first, second, third] = list.mature_coins;
    expect(details.storage_details[first].maturity_data).toMatchObject({
      is_mature: true,
      details: { min_required: 400, timeframe: '6h', config_min_rsi_low: 35, config_max_rsi_high: 65 },
    });
    expect(details.storage_details[first].maturity_data.details.rsi_min).toBeLessThanOrEqual(35);
    await request(t.http).delete(`/api/bots/mature-coins/${first}`).expect(200);
    await request(t.http).delete(`/api/bots/mature-coins/${first}`).expect(404);
    const removed = (
      await request(t.http)
        .post('/api/bots/remove-mature-coins')
        .send({ coins: [second, `${third}USDT`, 'NOTACOIN'] })
        .expect(200)
    ).body;
    expect(removed).toMatchObject({ removed_count: 2, removed_coins: [second, third], not_found: ['NOTACOIN'] });
    const onDisk = JSON.parse(readFileSync(path.join(dataDir, 'mature_coins.json'), 'utf8'));
    expect(onDisk[second]).toBeUndefined();
    expect(Object.keys(onDisk).length).toBe(list.total_count - 3);
    await request(t.http).post('/api/bots/mature-coins/clear').expect(200);
    expect((await request(t.http).get('/api/bots/mature-coins-list').expect(200)).body.total_count).toBe(0);
    const reloaded = (await request(t.http).post('/api/bots/mature-coins/reload').expect(200)).body;
    expect(reloaded.data.count).toBe(0);
    // The next round re-checks every coin not in the store.
    await request(t.http).post('/api/bots/refresh-rsi-all').expect(200);
    expect((await request(t.http).get('/api/bots/mature-coins-list').expect(200)).body.total_count).toBe(
      list.total_count,
    );
  }, 60_000);

  it('filter test endpoints report their decision; anti-pump is the exit-scam alias', async () => {
    const symbol = coins[0].symbol;
    const scam = (await request(t.http).get(`/api/bots/test-exit-scam/${symbol}`).expect(200)).body;
    expect(scam.decision).toMatchObject({ filter: 'exit_scam' });
    expect(typeof scam.message).toBe('string');
    const pump = (await request(t.http).get(`/api/bots/test-anti-pump/${symbol}`).expect(200)).body;
    expect(pump.decision).toEqual(scam.decision);
    const time = (await request(t.http).get(`/api/bots/test-rsi-time-filter/${symbol}`).expect(200)).body;
    expect(time.decision.filter).toBe('rsi_time_filter');
    expect(time.decisions).toHaveProperty('LONG');
    expect(time.decisions).toHaveProperty('SHORT');
  });

  it('delisted coins: the scan finds the Closed / Delivering instruments', async () => {
    const exchange = t.app.get(ExchangeService);
    const expected = exchange
      .markets()
      .filter((m) => m.status === 'Closed' || m.status === 'Delivering')
      .map((m) => m.symbol)
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    const scan = (await request(t.http).post('/api/bots/delisted-coins/force-scan').expect(200)).body;
    expect(Object.keys(scan.delisted_coins).sort()).toEqual(expected);
    expect(scan.total_count).toBe(expected.length);
    const list = (await request(t.http).get('/api/bots/delisted-coins').expect(200)).body;
    expect(list).toMatchObject({ scan_enabled: true, total_count: expected.length });
    expect(list.last_scan).toEqual(expect.any(String));
    expect(list.delisted_coins[expected[0]]).toMatchObject({
      source: 'exchange_scan',
      detected_at: expect.any(String),
    });
    const file = JSON.parse(readFileSync(path.join(dataDir, 'delisted.json'), 'utf8'));
    expect(Object.keys(file.delisted_coins).sort()).toEqual(expected);
    // A delisted (non-trading) coin is known but not in the coin table.
    await request(t.http).get(`/api/bots/test-exit-scam/${expected[0]}`).expect(200);
  });

  it('unknown symbols are 404, malformed ones 400, both {success:false,error}', async () => {
    for (const url of [
      '/api/bots/rsi-history/ZZZNOPE',
      '/api/bots/candles/ZZZNOPE',
      '/api/bots/test-exit-scam/ZZZNOPE',
      '/api/bots/test-rsi-time-filter/ZZZNOPE',
      '/api/bots/coins-with-rsi?refresh_symbol=ZZZNOPE',
    ]) {
      const res = await request(t.http).get(url).expect(404);
      expect(res.body).toEqual({ success: false, error: expect.stringContaining('ZZZNOPE') });
    }
    await request(t.http).post('/api/bots/refresh-rsi/ZZZNOPE').expect(404);
    await request(t.http).delete('/api/bots/mature-coins/ZZZNOPE').expect(404);
    for (const url of [
      '/api/bots/rsi-history/BT-C',
      '/api/bots/candles/B%24TC',
      '/api/bots/test-anti-pump/B_TC',
      '/api/bots/coins-with-rsi?refresh_symbol=B-TC',
      `/api/bots/candles/${coins[0].symbol}?period=0`,
    ]) {
      const res = await request(t.http).get(url).expect(400);
      expect(res.body.success).toBe(false);
      expect(typeof res.body.error).toBe('string');
    }
    await request(t.http).post('/api/bots/refresh-rsi/all').expect(400);
    const missing = await request(t.http).post('/api/bots/remove-mature-coins').send({}).expect(400);
    expect(missing.body.error).toMatch(/coins/);
    await request(t.http).post('/api/bots/remove-mature-coins').send({ coins: 'BTC' }).expect(400);
  });

  it('timeframe: GET lists the supported ones; bad values are 400 and change nothing', async () => {
    const res = (await request(t.http).get('/api/bots/timeframe').expect(200)).body;
    expect(res.timeframe).toBe('6h');
    expect(res.supported_timeframes).toEqual(expect.arrayContaining(['1m', '1h', '4h', '6h', '1d']));
    for (const bad of [{ timeframe: '7m' }, { timeframe: '8h' }, {}, { timeframe: 6 }]) {
      const answer = await request(t.http).post('/api/bots/timeframe').send(bad).expect(400);
      expect(answer.body.success).toBe(false);
      expect(answer.body.error).toMatch(/timeframe/i);
    }
    expect((await request(t.http).get('/api/bots/timeframe').expect(200)).body.timeframe).toBe('6h');
  });

  it('writes data/rsi_cache.json in the contract shape', () => {
    const cache = JSON.parse(readFileSync(path.join(dataDir, 'rsi_cache.json'), 'utf8'));
    expect(Object.keys(cache.coins).length).toBe(coins.length);
    expect(cache.stats).toMatchObject({ total_coins: coins.length });
    expect(typeof cache.timestamp).toBe('string');
  });

  it('a restart serves the cache at once; a timeframe switch clears the table and reloads on the new timeframe', async () => {
    const loaded = (await request(t.http).get('/api/bots/coins-with-rsi').expect(200)).body;
    await t.close();

    // Workers off: nothing reloads by itself, so what answers is the cache. The exchange now lists only its first
    // 30 coins (same names): the reload after the switch must drop the others from the table.
    const second = await createTestApp({ dataDir, env: { ...ENV, WORKERS_ENABLED: 'false', PAPER_SYMBOLS: '30' } });
    try {
      const cached = (await request(second.http).get('/api/bots/coins-with-rsi').expect(200)).body;
      expect(cached.cache_info).toMatchObject({ cache_exists: true, data_source: 'cache' });
      expect(cached.total).toBe(loaded.total);
      const symbol = Object.keys(loaded.coins)[0];
      expect(cached.coins[symbol].rsi).toBe(loaded.coins[symbol].rsi);
      // Served from the cache, no entry until live data is in.
      expect(Object.values(cached.coins).every((c: any) => c.effective_signal === 'WAIT')).toBe(true);

      const switched = (await request(second.http).post('/api/bots/timeframe').send({ timeframe: '12h' }).expect(200))
        .body;
      expect(switched).toMatchObject({ success: true, old_timeframe: '6h', new_timeframe: '12h' });
      expect((await request(second.http).get('/api/bots/timeframe').expect(200)).body.timeframe).toBe('12h');
      const config = JSON.parse(readFileSync(path.join(dataDir, 'system_config.json'), 'utf8'));
      expect(config.system_timeframe).toBe('12h');

      const reloaded = await waitForLoad(second, (b) => Object.values(b.coins).every((c: any) => 'rsi12h' in c));
      expect(Object.keys(reloaded.coins).sort()).toEqual(second.app.get(ExchangeService).tradableSymbols().sort());
      expect(reloaded.total).toBe(30);
      const coin = Object.values(reloaded.coins)[0] as Coin;
      expect(coin).not.toHaveProperty('rsi6h');
      expect(coin.rsi12h).toBe(coin.rsi);
      expect(coin.trend12h).toBe(coin.trend);
      const mature = (await request(second.http).get('/api/bots/mature-coins').expect(200)).body.data.storage_details;
      for (const record of Object.values(mature) as any[]) expect(record.maturity_data.details.timeframe).toBe('12h');
    } finally {
      await second.close();
    }
  }, 120_000);
});
