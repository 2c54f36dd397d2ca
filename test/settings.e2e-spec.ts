import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import { ManualClock } from '../src/common/clock';
import { ExchangeService } from '../src/exchange/exchange.service';
import { bot, eventually, waitForCoins, workers, type CoinView } from './support/bots';
import { createTestApp, type TestApp } from './support/test-app';

jest.setTimeout(120_000);

/** Settings owners and the effective bot config seen from outside (docs/settings.md). */
describe('settings: per-coin values reach the exchange, one owner per key, unsupported settings refused', () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 3, 0));
  let t: TestApp;
  let coins: CoinView[];

  beforeAll(async () => {
    t = await createTestApp({ clock, env: { PAPER_SYMBOLS: '60' } });
    await workers(t).stop();
    coins = (await waitForCoins(t)).filter((c) => c.trading_status === 'Trading' && !c.is_delisting);
  });
  afterAll(async () => t?.close());

  async function openLong(symbol: string, settings: Record<string, unknown>): Promise<any> {
    await request(t.http).post(`/api/bots/individual-settings/${symbol}`).send(settings).expect(200);
    await request(t.http)
      .post('/api/bots/create')
      .send({
        symbol,
        config: { volume_mode: 'usdt', volume_value: 100, leverage: 5 },
        signal: 'ENTER_LONG',
        skip_maturity_check: true,
        force_manual_entry: true,
      })
      .expect(200);
    return eventually(async () => {
      const b = await bot(t, symbol);
      return b?.status === 'in_position_long' ? b : undefined;
    });
  }

  it("the exchange take-profit at entry is the coin's take_profit_percent: +20 % for a coin set to 20, +5 % (global) for one without", async () => {
    const exchange = t.app.get(ExchangeService);
    const [tuned, plain] = [coins[0].symbol, coins[1].symbol];
    const a = await openLong(tuned, { take_profit_percent: 20 });
    const b = await openLong(plain, {});
    const positions = await exchange.fetchPositions();
    for (const [symbol, opened, percent] of [
      [tuned, a, 20],
      [plain, b, 5],
    ] as const) {
      const position = positions.find((p) => p.symbol === symbol)!;
      const tick = exchange.market(symbol)!.tickSize;
      expect(position.takeProfit).not.toBeNull();
      expect(Math.abs(position.takeProfit! - opened.entry_price * (1 + percent / 100))).toBeLessThanOrEqual(tick);
      expect(opened.take_profit).toBe(position.takeProfit);
    }
  });

  it("GET auto-bot shows the system's values of the system-owned keys (inactive_bot_cleanup_interval 60, not the old copy 600)", async () => {
    const autoBot = (await request(t.http).get('/api/bots/auto-bot').expect(200)).body.config;
    const system = (await request(t.http).get('/api/bots/system-config').expect(200)).body.config;
    expect(system.inactive_bot_cleanup_interval).toBe(60);
    expect(autoBot).toMatchObject({
      inactive_bot_cleanup_interval: 60,
      rsi_update_interval: 300,
      position_sync_interval: 30,
      system_timeframe: '6h',
    });
    const defaults = (await request(t.http).get('/api/bots/default-config').expect(200)).body.default_config;
    expect(defaults).toMatchObject({
      inactive_bot_cleanup_interval: 60,
      break_even_trigger: 5,
      exit_wait_breakeven_when_loss: true,
    });
    // The auto-bot file no longer keeps copies.
    const file = JSON.parse(readFileSync(path.join(t.dataDir, 'auto_bot_config.json'), 'utf8'));
    expect(file).not.toHaveProperty('inactive_bot_cleanup_interval');
    expect(file).not.toHaveProperty('system_timeframe');
  });

  it('a system-owned key posted to auto-bot is written to the system config (the owner), validated with its range', async () => {
    const post = (
      await request(t.http)
        .post('/api/bots/auto-bot')
        .send({ inactive_bot_cleanup_interval: 120, max_concurrent: 6 })
        .expect(200)
    ).body;
    expect(post).toMatchObject({ changes_count: 2, config: { inactive_bot_cleanup_interval: 120, max_concurrent: 6 } });
    expect(post.changed_params.sort()).toEqual(['inactive_bot_cleanup_interval: 60 → 120', 'max_concurrent: 5 → 6']);
    expect((await request(t.http).get('/api/bots/system-config')).body.config.inactive_bot_cleanup_interval).toBe(120);
    expect(
      JSON.parse(readFileSync(path.join(t.dataDir, 'system_config.json'), 'utf8')).inactive_bot_cleanup_interval,
    ).toBe(120);
    expect(JSON.parse(readFileSync(path.join(t.dataDir, 'auto_bot_config.json'), 'utf8'))).not.toHaveProperty(
      'inactive_bot_cleanup_interval',
    );

    // The system range applies (rsi_update_interval ≥ 5); nothing of the request is applied.
    const bad = await request(t.http)
      .post('/api/bots/auto-bot')
      .send({ rsi_update_interval: 2, max_concurrent: 8 })
      .expect(400);
    expect(bad.body.error).toContain('rsi_update_interval');
    expect((await request(t.http).get('/api/bots/auto-bot')).body.config).toMatchObject({
      max_concurrent: 6,
      rsi_update_interval: 300,
    });
  });

  it("import-config: the system block's spelling wins over the autoBot block's copy; a copy alone is applied to the system config", async () => {
    await request(t.http)
      .post('/api/bots/import-config')
      .send({
        config: {
          autoBot: { inactive_bot_cleanup_interval: 600, position_sync_interval: 15 },
          system: { inactive_bot_cleanup_interval: 90 },
        },
      })
      .expect(200);
    const system = (await request(t.http).get('/api/bots/system-config')).body.config;
    expect(system).toMatchObject({ inactive_bot_cleanup_interval: 90, position_sync_interval: 15 });
    await request(t.http)
      .post('/api/bots/system-config')
      .send({ inactive_bot_cleanup_interval: 60, position_sync_interval: 30 })
      .expect(200);
  });

  it('limit-order entry is refused with a 400 that says it is not supported (auto-bot, per coin, import); false and the ladder lists are accepted', async () => {
    const refused = await request(t.http)
      .post('/api/bots/auto-bot')
      .send({ limit_orders_entry_enabled: true })
      .expect(400);
    expect(refused.body).toMatchObject({ success: false });
    expect(refused.body.error).toContain('limit_orders_entry_enabled');
    expect(refused.body.error).toContain('not supported');
    await request(t.http)
      .post(`/api/bots/individual-settings/${coins[2].symbol}`)
      .send({ limit_orders_entry_enabled: true })
      .expect(400);
    await request(t.http)
      .post('/api/bots/import-config')
      .send({ autoBot: { limit_orders_entry_enabled: true } })
      .expect(400);
    const ok = await request(t.http)
      .post('/api/bots/auto-bot')
      .send({
        limit_orders_entry_enabled: false,
        limit_orders_percent_steps: [0, 1],
        limit_orders_margin_amounts: [5, 5],
      })
      .expect(200);
    expect(ok.body.config).toMatchObject({ limit_orders_entry_enabled: false, limit_orders_percent_steps: [0, 1] });
  });
});
