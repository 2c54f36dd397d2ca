import request from 'supertest';
import { ManualClock } from '../src/common/clock';
import { bot, eventually, waitForCoins, workers } from './support/bots';
import { createTestApp, type TestApp } from './support/test-app';

jest.setTimeout(120_000);

type Method = 'get' | 'post' | 'delete';
interface Route {
  method: Method;
  path: string;
  body?: unknown;
}

/**
 * Every in-scope route of docs/api-contract.md §2 (68 in the original plus the paths clients call that it lacked) is
 * documented in /api/docs-json and answers with a success on the paper exchange.
 */
describe('api-contract coverage', () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 3, 0));
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ clock, env: { PAPER_SYMBOLS: '60' } });
    await workers(t).stop();
  });
  afterAll(async () => t?.close());

  it('documents and serves every route', async () => {
    const coins = (await waitForCoins(t)).filter((c) => c.trading_status === 'Trading' && !c.is_delisting);
    const [held, settings] = coins.map((c) => c.symbol);
    // State the symbol routes need: a bot in a position, per-coin settings, a mature coin.
    await request(t.http)
      .post('/api/bots/create')
      .send({
        symbol: held,
        config: { volume_mode: 'usdt', volume_value: 50, leverage: 2 },
        signal: 'ENTER_LONG',
        skip_maturity_check: true,
        force_manual_entry: true,
      })
      .expect(200);
    await eventually(async () => (await bot(t, held))?.status === 'in_position_long');
    const mature = (await request(t.http).get('/api/bots/mature-coins-list').expect(200)).body.mature_coins as string[];
    expect(mature.length).toBeGreaterThan(0);

    const routes: Route[] = [
      // 2.1 status and health
      { method: 'get', path: '/api/status' },
      { method: 'get', path: '/health' },
      { method: 'get', path: '/api/bots/health' },
      { method: 'get', path: '/api/bots/status' },
      { method: 'get', path: '/api/bots/pairs' },
      { method: 'get', path: '/api/bots/async-status' },
      { method: 'post', path: '/api/bots/async-control', body: { action: 'restart' } },
      { method: 'post', path: '/api/bots/async-control', body: { action: 'stop' } },
      { method: 'get', path: '/api/bots/smart-rsi-status' },
      // 2.2 lifecycle
      { method: 'get', path: '/api/bots/list' },
      { method: 'get', path: '/api/bots/active-detailed' },
      { method: 'post', path: '/api/bots/create', body: { symbol: settings, signal: 'WAIT' } },
      { method: 'post', path: '/api/bots/start', body: { symbol: settings } },
      { method: 'post', path: '/api/bots/pause', body: { symbol: settings } },
      { method: 'post', path: '/api/bots/resume', body: { symbol: settings } },
      { method: 'post', path: `/api/bots/stop?symbol=${settings}` },
      { method: 'post', path: '/api/bots/cleanup-inactive' },
      { method: 'post', path: '/api/bots/process-trading-signals' },
      { method: 'post', path: '/api/bots/test-stop', body: { probe: 1 } },
      { method: 'get', path: `/api/bots/status/${held}` },
      { method: 'post', path: '/api/bots/control', body: { action: 'pause', symbol: settings } },
      // 2.3 config
      { method: 'get', path: '/api/bots/auto-bot' },
      { method: 'post', path: '/api/bots/auto-bot', body: { check_interval: 180 } },
      { method: 'post', path: '/api/bots/auto-bot/restore-defaults' },
      { method: 'get', path: '/api/bots/default-config' },
      { method: 'post', path: '/api/bots/auto-bot/test-signals' },
      { method: 'get', path: '/api/bots/system-config' },
      { method: 'post', path: '/api/bots/system-config', body: { position_sync_interval: 30 } },
      { method: 'get', path: '/api/bots/config' },
      { method: 'post', path: '/api/bots/config', body: { max_concurrent: 5 } },
      { method: 'get', path: '/api/bots/timeframe' },
      { method: 'post', path: '/api/bots/timeframe', body: { timeframe: '6h' } },
      { method: 'post', path: `/api/bots/individual-settings/${settings}`, body: { rsi_long_threshold: 27 } },
      { method: 'get', path: `/api/bots/individual-settings/${settings}` },
      { method: 'post', path: `/api/bots/individual-settings/${settings}/copy-to-all`, body: { targets: [held] } },
      { method: 'post', path: `/api/bots/individual-settings/${settings}/learn-exit-scam`, body: {} },
      { method: 'post', path: '/api/bots/individual-settings/learn-exit-scam-all', body: {} },
      { method: 'post', path: '/api/bots/individual-settings/reset-exit-scam-all' },
      { method: 'delete', path: `/api/bots/individual-settings/${settings}` },
      { method: 'delete', path: '/api/bots/individual-settings/reset-all' },
      { method: 'get', path: '/api/bots/export-config' },
      { method: 'post', path: '/api/bots/import-config', body: { config: { autoBot: { max_concurrent: 5 } } } },
      // 2.4 RSI, coins, candles
      { method: 'get', path: '/api/bots/coins-with-rsi' },
      { method: 'get', path: `/api/bots/rsi-history/${held}` },
      { method: 'get', path: `/api/bots/candles/${held}` },
      { method: 'post', path: `/api/bots/refresh-rsi/${held}` },
      { method: 'post', path: '/api/bots/refresh-rsi-all' },
      { method: 'post', path: '/api/bots/force-rsi-update' },
      { method: 'post', path: '/api/bots/reset-update-flag' },
      // 2.5 maturity
      { method: 'get', path: '/api/bots/mature-coins-list' },
      { method: 'get', path: '/api/bots/mature-coins' },
      { method: 'post', path: '/api/bots/mature-coins/reload' },
      { method: 'delete', path: `/api/bots/mature-coins/${mature[0]}` },
      { method: 'post', path: '/api/bots/remove-mature-coins', body: { coins: [mature[1] ?? mature[0]] } },
      { method: 'post', path: '/api/bots/activate-trading-rules' },
      // 2.6 filter tests
      { method: 'get', path: `/api/bots/test-exit-scam/${held}` },
      { method: 'get', path: `/api/bots/test-anti-pump/${held}` },
      { method: 'get', path: `/api/bots/test-rsi-time-filter/${held}` },
      // 2.7 positions and account
      { method: 'get', path: '/api/bots/sync-positions' },
      { method: 'post', path: '/api/bots/sync-positions' },
      { method: 'post', path: '/api/bots/manual-positions/refresh' },
      { method: 'get', path: '/api/bots/account-info' },
      { method: 'get', path: '/api/bots/exchange-info' },
      // 2.8 history
      { method: 'post', path: '/api/bots/history/demo' },
      { method: 'get', path: '/api/bots/history' },
      { method: 'get', path: '/api/bots/trades' },
      { method: 'get', path: '/api/bots/statistics' },
      { method: 'get', path: '/api/bots/stops' },
      { method: 'get', path: '/api/bots/analytics' },
      { method: 'get', path: '/api/bots/analytics/rsi-audit' },
      { method: 'post', path: '/api/bots/history/clear', body: {} },
      // 2.9 delisted
      { method: 'get', path: '/api/bots/delisted-coins' },
      { method: 'post', path: '/api/bots/delisted-coins/force-scan' },
      // 2.10 maintenance
      { method: 'get', path: '/api/bots/process-state' },
      { method: 'get', path: '/api/bots/debug-init' },
      { method: 'post', path: '/api/bots/reload-modules' },
      { method: 'post', path: '/api/system/reload-modules', body: {} },
      { method: 'post', path: '/api/bots/restart-service' },
      { method: 'post', path: '/api/bots/async-control', body: { action: 'stop' } },
      { method: 'post', path: '/api/bots/close-position', body: { symbol: held } },
      { method: 'post', path: '/api/bots/delete', body: { symbol: held } },
      { method: 'post', path: '/api/bots/mature-coins/clear' },
    ];

    const docs = (await request(t.http).get('/api/docs-json').expect(200)).body.paths as Record<
      string,
      Record<string, unknown>
    >;
    const failures: string[] = [];
    for (const route of routes) {
      const bare = route.path.split('?')[0];
      const documented = Object.entries(docs).some(
        ([template, ops]) => ops[route.method] && new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(bare),
      );
      if (!documented) failures.push(`${route.method.toUpperCase()} ${route.path}: not in /api/docs-json`);
      let call = request(t.http)[route.method](route.path);
      if (route.body !== undefined) call = call.send(route.body as object);
      const res = await call;
      if (res.status < 200 || res.status >= 300) {
        failures.push(
          `${route.method.toUpperCase()} ${route.path}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`,
        );
      }
    }
    expect(failures).toEqual([]);
  });
});
