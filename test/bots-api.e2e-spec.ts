import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import { ManualClock } from '../src/common/clock';
import { eventually, expectedPnl, waitForCoins, workers, type CoinView } from './support/bots';
import { createTestApp, type TestApp } from './support/test-app';

jest.setTimeout(120_000);

/** The bots API as the web UI and Swagger UI use it, and how it answers mistakes. */
describe('bots HTTP API', () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 3, 0));
  let t: TestApp;
  let coins: CoinView[];

  beforeAll(async () => {
    t = await createTestApp({ clock, env: { PAPER_SYMBOLS: '60' } });
    await workers(t).stop();
    coins = (await waitForCoins(t)).filter((c) => c.trading_status === 'Trading' && !c.is_delisting);
  });
  afterAll(async () => t?.close());

  it('Swagger-UI flow: create a bot, start it, see position and PnL, close it, see the trade in history', async () => {
    const symbol = coins[0].symbol;
    const created = await request(t.http)
      .post('/api/bots/create')
      .send({
        symbol: `${symbol.toLowerCase()}usdt`,
        config: { volume_mode: 'usdt', volume_value: 150, leverage: 3 },
        signal: 'ENTER_SHORT',
        skip_maturity_check: true,
        force_manual_entry: true,
        unknown_ui_field: 1,
      })
      .expect(200);
    expect(created.body).toMatchObject({
      success: true,
      existing_position: false,
      bot: { symbol, status: 'running', volume_mode: 'usdt', volume_value: 150, leverage: 3 },
    });

    await request(t.http).post('/api/bots/start').send({ symbol }).expect(200);
    const inPosition = await eventually(async () => {
      const list = (await request(t.http).get('/api/bots/list').expect(200)).body;
      const b = list.bots.find((x: any) => x.symbol === symbol);
      return b?.status === 'in_position_short' ? b : undefined;
    });
    expect(inPosition).toMatchObject({ position_side: 'SHORT', leverage: 3, bot_status: 'Активен' });
    expect(inPosition.work_time).toMatch(/^\d+м \d+с$/);
    // 150 USDT notional, rounded up to the coin's quantity step.
    expect(inPosition.entry_price * inPosition.position_size_coins).toBeGreaterThanOrEqual(150);

    clock.advance(2 * 3_600_000);
    await request(t.http).post('/api/bots/process-trading-signals').expect(200);
    const detailed = (await request(t.http).get('/api/bots/active-detailed').expect(200)).body.bots.find(
      (b: any) => b.symbol === symbol,
    );
    const price = detailed.current_price;
    expect(detailed).toMatchObject({
      position_side: 'Short',
      entry_price: inPosition.entry_price,
      position_size: inPosition.position_size_coins,
    });
    expect(detailed.pnl).toBeCloseTo((inPosition.entry_price - price) * inPosition.position_size_coins, 6);

    const closed = await request(t.http).post(`/api/bots/close-position?symbol=${symbol}`).expect(200);
    expect(closed.body).toMatchObject({ success: true, errors: null });
    const trades = (await request(t.http).get(`/api/bots/trades?symbol=${symbol}`).expect(200)).body;
    expect(trades.count).toBe(1);
    const trade = trades.trades[0];
    expect(trade).toMatchObject({
      symbol,
      direction: 'SHORT',
      entry_price: inPosition.entry_price,
      size: inPosition.position_size_coins,
      close_reason: 'MANUAL_CLOSE',
      decision_source: 'MANUAL',
      status: 'CLOSED',
    });
    expect(trade.pnl).toBeCloseTo(expectedPnl(trade), 6);
    expect(trade.roi).toBeCloseTo((trade.pnl / ((trade.entry_price * trade.size) / 3)) * 100, 2);

    const history = (await request(t.http).get(`/api/bots/history?symbol=${symbol}`).expect(200)).body.history.map(
      (h: any) => h.action_type,
    );
    expect(history).toEqual(
      expect.arrayContaining(['BOT_START', 'POSITION_OPENED', 'STOP_LOSS_SET', 'POSITION_CLOSED']),
    );
    const closedEntry = (await request(t.http).get(`/api/bots/history?symbol=${symbol}&action_type=position_closed`))
      .body.history[0];
    expect(closedEntry).toMatchObject({ direction: 'SHORT', pnl: trade.pnl, reason: 'MANUAL_CLOSE' });
    const stats = (await request(t.http).get(`/api/bots/statistics?symbol=${symbol}`).expect(200)).body.statistics;
    expect(stats).toMatchObject({ total_trades: 1, symbol, total_pnl: trade.pnl });
  });

  it('validates every body: 400 naming the field, unknown bot 404, unknown fields dropped', async () => {
    const missing = await request(t.http)
      .post('/api/bots/create')
      .send({ config: { leverage: 5 } })
      .expect(400);
    expect(missing.body).toMatchObject({ success: false });
    expect(missing.body.error).toMatch(/symbol/);
    const leverage = await request(t.http)
      .post('/api/bots/create')
      .send({ symbol: coins[1].symbol, config: { leverage: 500 } })
      .expect(400);
    expect(leverage.body.error).toMatch(/config\.leverage/);
    const badSymbol = await request(t.http).post('/api/bots/start').send({ symbol: 'no way!' }).expect(400);
    expect(badSymbol.body.error).toMatch(/symbol/);
    expect((await request(t.http).post('/api/bots/stop').send({}).expect(400)).body.error).toBe('Symbol required');
    // stop / delete / close-position also take the symbol from the query string (body-less POST); form bodies are 415.
    expect((await request(t.http).post('/api/bots/delete?symbol=ZZZZ').expect(404)).body.error).toBe('Bot not found');
    expect(
      (await request(t.http).post('/api/bots/delete').type('form').send({ symbol: 'ZZZZ' }).expect(415)).body.success,
    ).toBe(false);
    expect((await request(t.http).post('/api/bots/start').send({ symbol: 'ZZZZ' }).expect(404)).body).toEqual({
      success: false,
      error: 'Bot not found',
    });
    expect((await request(t.http).post('/api/bots/create').send({ symbol: 'ZZZZ' }).expect(404)).body.success).toBe(
      false,
    );
    expect((await request(t.http).get('/api/bots/history?limit=abc').expect(400)).body.error).toMatch(/limit/);
    expect((await request(t.http).get('/api/bots/trades?trade_type=sideways').expect(400)).body.error).toMatch(
      /trade_type/,
    );
    expect(
      (await request(t.http).post('/api/bots/async-control').send({ action: 'explode' }).expect(400)).body.error,
    ).toMatch(/action/);
    expect((await request(t.http).get('/api/bots/status/ZZZZ').expect(404)).body.error).toBe('Bot not found');
    await request(t.http).post('/api/bots/individual-settings/BTC/copy-to-all').send({ targets: 'ETH' }).expect(400);
  });

  it('auto-bot POST merges partial bodies, reports changes, refuses out-of-range values without saving anything', async () => {
    const before = (await request(t.http).get('/api/bots/auto-bot').expect(200)).body.config;
    expect(before).toMatchObject({
      enabled: false,
      max_concurrent: 5,
      rsi_long_threshold: 29,
      rsi_short_threshold: 71,
      exit_scam_timeframe: '6h',
    });

    const lists = await request(t.http)
      .post('/api/bots/auto-bot')
      .send({ whitelist: ['btcusdt', 'ETH'], blacklist: ['DOGE'], scope: 'whitelist' })
      .expect(200);
    expect(lists.body).toMatchObject({
      changes_count: 3,
      saved_to_file: true,
      config: { whitelist: ['BTC', 'ETH'], blacklist: ['DOGE'], scope: 'whitelist' },
    });

    const echoed = await request(t.http).post('/api/bots/auto-bot').send(lists.body.config).expect(200);
    expect(echoed.body).toMatchObject({ changes_count: 0, changed_params: [] });

    const bad = await request(t.http)
      .post('/api/bots/auto-bot')
      .send({ max_concurrent: 0, rsi_long_threshold: 25 })
      .expect(400);
    expect(bad.body.error).toMatch(/max_concurrent/);
    const after = (await request(t.http).get('/api/bots/auto-bot').expect(200)).body.config;
    expect(after.rsi_long_threshold).toBe(29);
    expect(after.max_concurrent).toBe(5);

    const changed = await request(t.http)
      .post('/api/bots/auto-bot')
      .send({ rsi_long_threshold: '27', break_even_trigger_percent: 8 })
      .expect(200);
    expect(changed.body.changed_params).toEqual(
      expect.arrayContaining([
        'rsi_long_threshold: 29 → 27',
        'break_even_trigger_percent: 5 → 8',
        'break_even_trigger: 5 → 8',
      ]),
    );
    const restored = await request(t.http).post('/api/bots/auto-bot/restore-defaults').expect(200);
    expect(restored.body).toMatchObject({
      restored_to_defaults: true,
      config: { rsi_long_threshold: 29, scope: 'all', whitelist: [] },
    });
  });

  it('system-config, export and import round-trip', async () => {
    const system = (await request(t.http).get('/api/bots/system-config').expect(200)).body.config;
    expect(system).toMatchObject({
      position_sync_interval: 30,
      bot_status_update_interval: 30,
      mini_chart_update_interval: 30,
      auto_refresh_ui: true,
      timeframe: '6h',
    });
    await request(t.http).post('/api/bots/system-config').send({}).expect(400);
    await request(t.http).post('/api/bots/system-config').send({ position_sync_interval: -1 }).expect(400);
    const updated = await request(t.http)
      .post('/api/bots/system-config')
      .send({ position_sync_interval: 45 })
      .expect(200);
    expect(updated.body).toMatchObject({
      saved_to_file: true,
      config: { position_sync_interval: 45, mini_chart_update_interval: 45 },
    });
    // The workers pick the new interval up when (re)started.
    expect(
      (await request(t.http).post('/api/bots/async-control').send({ action: 'start' }).expect(200)).body.success,
    ).toBe(true);
    expect(
      (await request(t.http).get('/api/bots/process-state')).body.process_state.position_sync_worker,
    ).toMatchObject({ active: true, interval_seconds: 45 });
    expect(
      (await request(t.http).post('/api/bots/async-control').send({ action: 'stop' }).expect(200)).body.success,
    ).toBe(true);
    expect(
      (await request(t.http).post('/api/bots/async-control').send({ action: 'stop' }).expect(200)).body,
    ).toMatchObject({ success: false });

    const exported = (await request(t.http).get('/api/bots/export-config').expect(200)).body;
    expect(exported).toMatchObject({
      timeframe: '6h',
      config: { autoBot: { max_concurrent: 5 }, system: { position_sync_interval: 45 } },
    });
    expect(Object.keys(exported.config.ai)).toHaveLength(26);

    const imported = await request(t.http)
      .post('/api/bots/import-config')
      .send({ config: { autoBot: { max_concurrent: 7 }, system: { position_sync_interval: 30 } } })
      .expect(200);
    expect(imported.body.applied).toEqual({ autoBot: true, system: true, ai: false });
    expect((await request(t.http).get('/api/bots/auto-bot')).body.config.max_concurrent).toBe(7);
    const failed = await request(t.http)
      .post('/api/bots/import-config')
      .send({ autoBot: { leverage: 1000 }, system: { position_sync_interval: 60 } })
      .expect(400);
    expect(failed.body.applied).toEqual({ autoBot: false, system: false, ai: false });
    await request(t.http).post('/api/bots/import-config').send({}).expect(400);
  });

  it('individual settings: literal sub-paths before :symbol, replace semantics, copy, exit-scam learning and resets', async () => {
    const [a, b, c] = coins.slice(2, 5).map((x) => x.symbol);
    await request(t.http).get(`/api/bots/individual-settings/${a}`).expect(404);
    const saved = await request(t.http)
      .post(`/api/bots/individual-settings/${a.toLowerCase()}`)
      .send({ rsi_long_threshold: 25, leverage: null, exit_scam_candles: 6 })
      .expect(200);
    expect(saved.body.symbol).toBe(a);
    expect(saved.body.settings).toMatchObject({ rsi_long_threshold: 25, exit_scam_candles: 6 });
    expect(saved.body.settings).not.toHaveProperty('leverage');
    expect(
      (await request(t.http).post(`/api/bots/individual-settings/${a}`).send({ leverage: 999 }).expect(400)).body.error,
    ).toMatch(/leverage/);

    const copied = await request(t.http)
      .post(`/api/bots/individual-settings/${a}/copy-to-all`)
      .send({ targets: [b, c] })
      .expect(200);
    expect(copied.body.copied_count).toBe(2);
    expect(
      (await request(t.http).get(`/api/bots/individual-settings/${c}`).expect(200)).body.settings.rsi_long_threshold,
    ).toBe(25);

    const learned = await request(t.http)
      .post(`/api/bots/individual-settings/${b}/learn-exit-scam`)
      .send({ aggressiveness: 'conservative' })
      .expect(200);
    expect(learned.body.stats).toMatchObject({ aggressiveness: 'conservative', percentile_used: 99.5 });
    expect(learned.body.stats.candles_analyzed).toBeGreaterThanOrEqual(50);
    const stored = (await request(t.http).get(`/api/bots/individual-settings/${b}`)).body.settings;
    expect(stored).toMatchObject({
      rsi_long_threshold: 25,
      exit_scam_single_candle_percent: learned.body.params.exit_scam_single_candle_percent,
    });

    const reset = await request(t.http).post('/api/bots/individual-settings/reset-exit-scam-all').expect(200);
    expect(reset.body.reset_count).toBe(3);
    expect((await request(t.http).get(`/api/bots/individual-settings/${b}`)).body.settings).not.toHaveProperty(
      'exit_scam_candles',
    );
    const cleared = await request(t.http).delete('/api/bots/individual-settings/reset-all').expect(200);
    expect(cleared.body.removed_count).toBe(3);
    await request(t.http).delete(`/api/bots/individual-settings/${a}`).expect(404);
  });

  it('history clear and demo; stops and analytics serve real data', async () => {
    const demo = await request(t.http).post('/api/bots/history/demo').expect(200);
    expect(demo.body).toMatchObject({ trades: 3 });
    const stops = (await request(t.http).get('/api/bots/stops').expect(200)).body;
    expect(stops).toMatchObject({ success: true, premium: true });
    expect(stops.trades.every((x: any) => x.close_reason.includes('STOP'))).toBe(true);
    const analytics = (await request(t.http).get('/api/bots/analytics?include_exchange=1').expect(200)).body.report;
    expect(analytics.bot_trades_count).toBeGreaterThanOrEqual(4);
    expect(analytics.exchange_trades_count).toBeGreaterThanOrEqual(1);
    const audit = (await request(t.http).get('/api/bots/analytics/rsi-audit?limit=5000').expect(200)).body.report;
    expect(audit.summary.total).toBe(analytics.bot_trades_count);
    await request(t.http).post('/api/bots/history/clear').send({ symbol: 'BTC' }).expect(200);
    expect((await request(t.http).get('/api/bots/trades?symbol=BTC')).body.count).toBe(0);
    await request(t.http).post('/api/bots/history/clear').send({}).expect(200);
    expect((await request(t.http).get('/api/bots/history')).body.count).toBe(0);
  });

  it('restart-service re-reads the settings and bots from disk', async () => {
    const file = path.join(t.dataDir, 'auto_bot_config.json');
    const onDisk = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...onDisk, max_concurrent: 9 }));
    const all = (await request(t.http).get('/api/bots/list')).body.bots;
    expect(all.some((b: any) => b.status === 'idle')).toBe(true);
    // Idle bots are not loaded back (as at start-up); the others are.
    const bots = all.filter((b: any) => b.status !== 'idle').map((b: any) => b.symbol);
    const res = await request(t.http).post('/api/bots/restart-service').expect(200);
    expect(res.body.success).toBe(true);
    expect((await request(t.http).get('/api/bots/auto-bot')).body.config.max_concurrent).toBe(9);
    expect((await request(t.http).get('/api/bots/list')).body.bots.map((b: any) => b.symbol)).toEqual(bots);
    const state = (await request(t.http).get('/api/bots/process-state')).body.process_state;
    expect(state.service_restarts.count).toBe(1);
  });

  it('account info comes from the exchange balance', async () => {
    const info = (await request(t.http).get('/api/bots/account-info').expect(200)).body;
    expect(info).toMatchObject({ success: true, account_type: 'UNIFIED', insufficient_funds: false });
    for (const key of [
      'total_equity',
      'total_wallet_balance',
      'total_available_balance',
      'total_unrealized_pnl',
      'total_margin_balance',
      'active_positions',
      'total_position_value',
      'bots_count',
      'active_bots',
    ]) {
      expect(typeof info[key]).toBe('number');
    }
  });
});
