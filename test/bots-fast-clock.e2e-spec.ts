import request from 'supertest';
import { ExchangeService } from '../src/exchange/exchange.service';
import { eventually, expectedPnl, waitForCoins } from './support/bots';
import { createTestApp, type TestApp } from './support/test-app';

jest.setTimeout(120_000);

/**
 * The service running on its own, as after `npm start`, with the paper clock at 3600× (one simulated hour per real
 * second): the workers alone open positions for signals, manage and close them, and keep bots and exchange in step.
 */
describe('workers on an accelerated paper clock', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { PAPER_SYMBOLS: '120', PAPER_TIME_SCALE: '3600' } });
  });
  afterAll(async () => t?.close());

  it('trades by itself: entries, exits by the protections, trades with consistent PnL, no worker failures', async () => {
    await waitForCoins(t);
    await request(t.http)
      .post('/api/bots/auto-bot')
      .send({
        enabled: true,
        check_interval: 60,
        max_loss_percent: 2,
        trailing_stop_activation: 1,
        trailing_stop_distance: 0.5,
      })
      .expect(200);

    const trades = await eventually(async () => {
      const body = (await request(t.http).get('/api/bots/trades')).body;
      return body.count >= 3 ? body.trades : undefined;
    }, 60_000);
    for (const trade of trades) {
      expect(trade.pnl).toBeCloseTo(expectedPnl(trade), 6);
      expect(trade.decision_source).toBe('SCRIPT');
      // What the entry was decided on (docs/backtest-engine.md): the auto-bot's filters, and a 2 % stop from the fill.
      expect(trade.decision).toMatchObject({
        decision_time_ms: expect.any(Number),
        decision_rsi: expect.any(Number),
        filters_passed: ['maturity', 'rsi_time_filter', 'exit_scam', 'scope', 'delisted'],
      });
      const stopFromFill = trade.entry_price * (trade.direction === 'LONG' ? 0.98 : 1.02);
      expect(Math.abs(trade.decision.stop_loss_set - stopFromFill) / stopFromFill).toBeLessThan(1e-3);
    }

    await request(t.http).post('/api/bots/auto-bot').send({ enabled: false }).expect(200);
    await request(t.http).post('/api/bots/async-control').send({ action: 'stop' }).expect(200);
    const state = (await request(t.http).get('/api/bots/process-state')).body.process_state;
    for (const name of ['auto_bot_worker', 'bot_status_worker', 'position_sync_worker']) {
      expect(state[name].runs).toBeGreaterThan(0);
      expect(state[name].failures).toBe(0);
    }
    // Every exchange position belongs to a bot (none opened behind the bots' back). The clock keeps running, so a
    // stop may still fire between two reads: only this direction is stable.
    const positions = await t.app.get(ExchangeService).fetchPositions();
    const bots = (await request(t.http).get('/api/bots/list')).body.bots
      .filter((b: any) => b.position_side)
      .map((b: any) => b.symbol);
    for (const p of positions) expect(bots).toContain(p.symbol);
  });
});
