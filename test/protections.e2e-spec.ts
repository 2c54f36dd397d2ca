import { EventEmitter2 } from '@nestjs/event-emitter';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import { ManualClock } from '../src/common/clock';
import { DomainEvent, type LockEvent } from '../src/events/domain-events';
import { PaperExchange } from '../src/exchange/paper/paper-exchange';
import { ProtectionService } from '../src/protections/protection.service';
import { bots, waitForCoins, workers, type CoinView } from './support/bots';
import { createTestApp, tempDataDir, type TestApp } from './support/test-app';

jest.setTimeout(120_000);

const HOUR = 3_600_000;

/**
 * Account protections on the paper exchange with a hand-moved clock (docs/protections.md). The paper exchange is one
 * object that outlives the service, as a real exchange would, so a restart finds the same account.
 */
describe('account protections on the paper exchange', () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 3, 0));
  const dataDir = tempDataDir('bots-protections-');
  const paper = new PaperExchange({ clock, symbolCount: 120 });
  const lockEvents: Array<{ name: string; event: LockEvent }> = [];
  let t: TestApp | null = null;
  let entries: CoinView[] = [];

  async function start(): Promise<TestApp> {
    const app = await createTestApp({ clock, dataDir, adapter: paper, env: { PAPER_SYMBOLS: '120' } });
    // The test drives every tick itself.
    await workers(app).stop();
    await app.app.get(ProtectionService).stop();
    const events = app.app.get(EventEmitter2);
    for (const name of [DomainEvent.LockSet, DomainEvent.LockLifted]) {
      events.on(name, (event: LockEvent) => lockEvents.push({ name, event }));
    }
    return app;
  }
  const protections = () => t!.app.get(ProtectionService);
  const autoBotRound = async () =>
    (await request(t!.http).get('/api/bots/process-state').expect(200)).body.process_state.auto_bot_signals;

  beforeAll(async () => {
    t = await start();
    entries = (await waitForCoins(t)).filter(
      (c) => c.effective_signal === 'ENTER_LONG' || c.effective_signal === 'ENTER_SHORT',
    );
  });
  afterAll(async () => t?.close());

  it('every protection is off by default, each with its documented value', async () => {
    const config = (await request(t!.http).get('/api/bots/auto-bot').expect(200)).body.config;
    expect(config).toMatchObject({
      max_drawdown_enabled: false,
      max_drawdown_percent: 10,
      max_drawdown_lookback_hours: 24,
      max_drawdown_lock_hours: 12,
      max_drawdown_close_positions: false,
      stoploss_guard_enabled: false,
      stoploss_guard_trade_limit: 3,
      daily_loss_limit_enabled: false,
      daily_loss_limit_percent: 5,
      exit_cooldown_enabled: false,
      exit_cooldown_minutes: 60,
      low_profit_enabled: false,
      risk_cap_enabled: false,
      risk_cap_percent: 10,
    });
    const report = await protections().evaluate();
    expect(report).toMatchObject({ equity: null, set: [], lifted: [] });
    expect((await request(t!.http).get('/api/bots/locks').expect(200)).body).toEqual({
      success: true,
      locks: [],
      count: 0,
    });
  });

  it('risk cap: an entry that would push the open margin over the cap is skipped with the figures', async () => {
    expect(entries.length).toBeGreaterThan(0);
    await request(t!.http)
      .post('/api/bots/auto-bot')
      .send({ risk_cap_enabled: true, risk_cap_percent: 0.01 })
      .expect(200);
    await protections().evaluate(); // reads the balance the cap is a share of
    const signals = (await request(t!.http).post('/api/bots/auto-bot/test-signals').expect(200)).body.signals;
    for (const coin of entries) {
      const decision = signals.find((d: any) => d.symbol === coin.symbol);
      expect(decision).toMatchObject({ action: 'skipped', filter: 'protection:risk_cap' });
      // default size 5 % of 10 000 USDT = 500 USDT at 10x = 50 USDT of margin; the cap is 0.01 % of 10 000 USDT = 1
      // USDT
      expect(decision.reason).toBe(
        'risk cap: open margin 0.00 USDT + entry 50.00 USDT = 50.00 USDT would exceed 0.01 % of 10000.00 USDT = 1.00 USDT',
      );
    }
    await request(t!.http)
      .post('/api/bots/auto-bot')
      .send({ risk_cap_enabled: false, risk_cap_percent: 10 })
      .expect(200);
  });

  it('a drawdown lock stops new entries, shows as the block reason everywhere, survives a restart and lifts on time', async () => {
    await request(t!.http)
      .post('/api/bots/auto-bot')
      .send({
        max_drawdown_enabled: true,
        max_drawdown_percent: 10,
        max_drawdown_lookback_hours: 24,
        max_drawdown_lock_hours: 6,
      })
      .expect(200);
    const first = await protections().evaluate();
    expect(first.equity).toBeCloseTo(10_000, 6);
    expect(first.set).toEqual([]);

    // The account loses 12 % (realised elsewhere): 10 000 → 8 800 USDT.
    clock.advance(60_000);
    paper.importState({ ...paper.exportState(), walletBalance: 8_800 });
    const lockedAt = clock.now();
    const second = await protections().evaluate();
    expect(second.set).toHaveLength(1);
    const lock = second.set[0];
    expect(lock).toMatchObject({ rule: 'max_drawdown', symbol: null, locked_at: lockedAt, until: lockedAt + 6 * HOUR });
    expect(lock.reason).toContain('12.00 % below');
    expect(lockEvents).toEqual([
      {
        name: DomainEvent.LockSet,
        event: {
          at: lockedAt,
          lockId: lock.id,
          symbol: null,
          rule: 'max_drawdown',
          reason: lock.reason,
          until: lock.until,
        },
      },
    ]);

    const listed = (await request(t!.http).get('/api/bots/locks').expect(200)).body;
    expect(listed).toMatchObject({
      success: true,
      count: 1,
      locks: [
        {
          id: lock.id,
          rule: 'max_drawdown',
          symbol: null,
          scope: 'account',
          until_ms: lock.until,
          remaining_seconds: 6 * 3600,
        },
      ],
    });

    const table = (await request(t!.http).get('/api/bots/coins-with-rsi').expect(200)).body.coins;
    for (const coin of Object.values(table) as any[]) {
      expect(coin.protection_lock).toMatchObject({ rule: 'max_drawdown', lock_id: lock.id });
    }

    await request(t!.http).post('/api/bots/auto-bot').send({ enabled: true }).expect(200);
    await workers(t!).runNow('auto_bot_worker');
    const round = await autoBotRound();
    expect(round.created).toEqual([]);
    for (const coin of entries) {
      expect(round.decisions.find((d: any) => d.symbol === coin.symbol)).toMatchObject({
        action: 'skipped',
        filter: 'protection:max_drawdown',
        reason: expect.stringContaining('max drawdown'),
      });
    }
    expect(await bots(t!)).toEqual([]);
    const signals = (await request(t!.http).post('/api/bots/auto-bot/test-signals').expect(200)).body.signals;
    expect(signals.length).toBeGreaterThan(0);
    for (const d of signals) expect(d).toMatchObject({ action: 'skipped', filter: 'protection:max_drawdown' });

    const metrics = (await request(t!.http).get('/metrics').expect(200)).text;
    expect(metrics).toContain('bots_protection_locks{rule="max_drawdown",scope="account"} 1');
    expect(metrics).toContain('bots_protection_locks_set_total{rule="max_drawdown"} 1');

    // Restart an hour later on the same data folder and exchange: the lock is still there.
    await t!.close();
    t = null;
    const file = JSON.parse(readFileSync(path.join(dataDir, 'protection_locks.json'), 'utf8'));
    expect(file.locks).toEqual([lock]);
    clock.advance(HOUR);
    t = await start();
    await waitForCoins(t);
    expect((await request(t.http).get('/api/bots/locks').expect(200)).body.locks.map((l: any) => l.id)).toEqual([
      lock.id,
    ]);
    expect((await protections().evaluate()).set).toEqual([]);
    await workers(t).runNow('auto_bot_worker');
    expect((await autoBotRound()).created).toEqual([]);

    // One millisecond before the end the lock holds; at its end it lifts, and the same fall does not lock again.
    clock.set(lock.until - 1);
    expect((await protections().evaluate()).lifted).toEqual([]);
    expect((await request(t.http).get('/api/bots/locks').expect(200)).body.count).toBe(1);
    clock.set(lock.until);
    const lifted = await protections().evaluate();
    expect(lifted.lifted.map((l) => l.id)).toEqual([lock.id]);
    expect(lifted.set).toEqual([]);
    expect(lockEvents.at(-1)).toEqual({
      name: DomainEvent.LockLifted,
      event: expect.objectContaining({ lockId: lock.id, rule: 'max_drawdown', at: lock.until }),
    });
    expect((await request(t.http).get('/api/bots/locks').expect(200)).body.count).toBe(0);
    const coin = (await request(t.http).get('/api/bots/coins-with-rsi').expect(200)).body.coins[entries[0].symbol];
    expect(coin).not.toHaveProperty('protection_lock');

    await workers(t).runNow('auto_bot_worker');
    const after = await autoBotRound();
    expect(after.created.length).toBeGreaterThan(0);
    expect(after.decisions.filter((d: any) => String(d.filter).startsWith('protection:'))).toEqual([]);
    expect((await request(t.http).get('/metrics').expect(200)).text).toContain(
      'bots_protection_locks_lifted_total{rule="max_drawdown",how="expired"} 1',
    );
  });

  it('a cooldown lock after an exit; DELETE removes it for good; bad and unknown ids are refused', async () => {
    const held = (await bots(t!)).find((b) => b.position_side);
    expect(held).toBeDefined();
    await request(t!.http)
      .post('/api/bots/auto-bot')
      .send({ enabled: false, exit_cooldown_enabled: true, exit_cooldown_minutes: 90 })
      .expect(200);
    await request(t!.http).post('/api/bots/close-position').send({ symbol: held.symbol }).expect(200);
    const closedAt = clock.now();
    const report = await protections().evaluate();
    const cooldown = report.set.find((l) => l.rule === 'cooldown' && l.symbol === held.symbol)!;
    expect(cooldown).toMatchObject({ until: closedAt + 90 * 60_000 });
    const coin = (await request(t!.http).get('/api/bots/coins-with-rsi').expect(200)).body.coins[held.symbol];
    expect(coin.protection_lock).toMatchObject({ rule: 'cooldown', lock_id: cooldown.id });

    const bad = await request(t!.http).delete('/api/bots/locks/bad%20id').expect(400);
    expect(bad.body).toMatchObject({ success: false, error: expect.stringContaining('id must be') });
    const unknown = await request(t!.http).delete('/api/bots/locks/cooldown-BTC-1').expect(404);
    expect(unknown.body).toMatchObject({ success: false, error: 'Unknown lock: cooldown-BTC-1' });

    const removed = await request(t!.http).delete(`/api/bots/locks/${cooldown.id}`).expect(200);
    expect(removed.body).toMatchObject({
      success: true,
      lock: { id: cooldown.id, rule: 'cooldown', symbol: held.symbol, scope: 'coin' },
    });
    expect(lockEvents.at(-1)).toEqual({
      name: DomainEvent.LockLifted,
      event: expect.objectContaining({ lockId: cooldown.id }),
    });
    const file = JSON.parse(readFileSync(path.join(dataDir, 'protection_locks.json'), 'utf8'));
    expect(file.locks.map((l: any) => l.id)).not.toContain(cooldown.id);
    expect(file.resets.cooldown[held.symbol]).toBe(clock.now());
    // The same exit does not set the lock again.
    expect((await protections().evaluate()).set).toEqual([]);
    await request(t!.http).delete(`/api/bots/locks/${cooldown.id}`).expect(404);
  });
});
