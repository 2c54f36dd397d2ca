import request from 'supertest';
import { eventually, waitForCoins } from './support/bots';
import { createTestApp, type TestApp } from './support/test-app';

jest.setTimeout(120_000);

const COOLDOWN_MINUTES = 43_200; // 30 days: far longer than the test at 3600×

/**
 * The protections as the running service applies them, with its own workers on the paper clock at 3600× (one
 * simulated hour per real second): nobody calls evaluate(); the periodic check sets the locks.
 */
describe('protections with the workers on an accelerated paper clock', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { PAPER_SYMBOLS: '120', PAPER_TIME_SCALE: '3600' } });
  });
  afterAll(async () => t?.close());

  it('sets a cooldown lock by itself after an exit, and the coin is not entered again while it holds', async () => {
    await waitForCoins(t);
    await request(t.http)
      .post('/api/bots/auto-bot')
      .send({
        enabled: true,
        check_interval: 60,
        max_loss_percent: 2,
        trailing_stop_activation: 1,
        trailing_stop_distance: 0.5,
        exit_cooldown_enabled: true,
        exit_cooldown_minutes: COOLDOWN_MINUTES,
      })
      .expect(200);

    const first = await eventually(async () => {
      const body = (await request(t.http).get('/api/bots/trades')).body;
      return body.count >= 1 ? body.trades[body.count - 1] : undefined;
    }, 60_000);
    const lock = await eventually(async () => {
      const locks = (await request(t.http).get('/api/bots/locks').expect(200)).body.locks;
      return locks.find((l: any) => l.rule === 'cooldown' && l.symbol === first.symbol);
    }, 30_000);
    expect(lock).toMatchObject({ scope: 'coin', until_ms: first.close_time_ms + COOLDOWN_MINUTES * 60_000 });
    const coin = (await request(t.http).get('/api/bots/coins-with-rsi').expect(200)).body.coins[first.symbol];
    expect(coin.protection_lock).toMatchObject({ rule: 'cooldown', lock_id: lock.id });

    // Let the auto-bot run a while longer (several simulated days), then stop it.
    const ticksBefore = (await request(t.http).get('/api/bots/process-state')).body.process_state.auto_bot_worker.runs;
    await eventually(
      async () =>
        (await request(t.http).get('/api/bots/process-state')).body.process_state.auto_bot_worker.runs >=
        ticksBefore + 10,
      30_000,
    );
    await request(t.http).post('/api/bots/auto-bot').send({ enabled: false }).expect(200);
    await request(t.http).post('/api/bots/async-control').send({ action: 'stop' }).expect(200);

    const trades = (await request(t.http).get('/api/bots/trades?limit=1000')).body.trades as any[];
    expect(trades.filter((x) => x.symbol === first.symbol && x.entry_timestamp > first.close_time_ms)).toEqual([]);
    const list = (await request(t.http).get('/api/bots/list')).body.bots as any[];
    expect(list.find((b) => b.symbol === first.symbol && b.position_side)).toBeUndefined();
  });
});
