import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import { ManualClock } from '../src/common/clock';
import { ExchangeService } from '../src/exchange/exchange.service';
import { bot, bots, eventually, waitForCoins, workers } from './support/bots';
import { createTestApp, tempDataDir, type TestApp } from './support/test-app';

jest.setTimeout(120_000);

/** Close the service mid-position and start a new one on the same data folder: the bot resumes where it was. */
describe('restart mid-position', () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 3, 0));
  const dataDir = tempDataDir('bots-restart-');
  let t: TestApp | null = null;

  async function start(): Promise<TestApp> {
    const app = await createTestApp({ clock, dataDir, env: { PAPER_SYMBOLS: '60' } });
    await workers(app).stop();
    return app;
  }

  afterAll(async () => t?.close());

  it('restores the in-position bot (needs_exchange_sync → synced), keeps paused bots, drops idle ones', async () => {
    t = await start();
    const coins = (await waitForCoins(t)).filter((c) => c.trading_status === 'Trading' && !c.is_delisting);
    const [held, paused, idle] = coins.slice(0, 3).map((c) => c.symbol);
    const create = (symbol: string, signal: string) =>
      request(t!.http)
        .post('/api/bots/create')
        .send({
          symbol,
          config: { volume_mode: 'usdt', volume_value: 100, leverage: 4 },
          signal,
          skip_maturity_check: true,
          force_manual_entry: true,
        })
        .expect(200);

    await create(held, 'ENTER_LONG');
    const before = await eventually(async () => {
      const b = await bot(t!, held);
      return b?.status === 'in_position_long' ? b : undefined;
    });
    await create(idle, 'ENTER_SHORT');
    await eventually(async () => (await bot(t!, idle))?.status === 'in_position_short');
    await request(t.http).post('/api/bots/close-position').send({ symbol: idle }).expect(200);
    await create(paused, 'WAIT');
    await request(t.http).post('/api/bots/stop').send({ symbol: paused }).expect(200);
    expect((await bots(t)).map((b) => [b.symbol, b.status]).sort()).toEqual(
      [
        [held, 'in_position_long'],
        [idle, 'idle'],
        [paused, 'paused'],
      ].sort(),
    );

    await t.close();
    t = null;

    const file = JSON.parse(readFileSync(path.join(dataDir, 'bots_state.json'), 'utf8'));
    expect(file).toMatchObject({
      version: '1.0',
      global_stats: { bots_in_position: 1 },
      auto_bot_config: { max_concurrent: 5 },
    });
    expect(typeof file.last_saved).toBe('string');
    expect(file.bots[held]).toMatchObject({
      status: 'in_position_long',
      entry_price: before.entry_price,
      position_size_coins: before.position_size_coins,
    });
    expect(existsSync(path.join(dataDir, 'bot_history.json'))).toBe(true);

    clock.advance(15 * 60_000);
    t = await start();
    await waitForCoins(t);
    const list = await bots(t);
    expect(list.map((b) => b.symbol).sort()).toEqual([held, paused].sort());
    const restored = list.find((b) => b.symbol === held);
    expect(restored).toMatchObject({
      status: 'in_position_long',
      position_side: 'LONG',
      entry_price: before.entry_price,
      position_size_coins: before.position_size_coins,
      stop_loss_price: before.stop_loss_price,
      entry_timestamp: before.entry_timestamp,
      id: before.id,
    });
    expect(list.find((b) => b.symbol === paused)!.status).toBe('paused');

    // The exchange still holds the position and the restored bot manages it.
    const position = (await t.app.get(ExchangeService).fetchPositions()).find((p) => p.symbol === held)!;
    expect(position.size).toBe(before.position_size_coins);
    const sync = (await request(t.http).post('/api/bots/sync-positions').expect(200)).body;
    expect(sync.closed).toEqual([]);
    expect(sync.manual_positions).toEqual([]);
    expect((await bot(t, held)).needs_exchange_sync).toBe(false);

    const closed = await request(t.http).post('/api/bots/close-position').send({ symbol: held }).expect(200);
    expect(closed.body.closed_positions).toHaveLength(1);
    const trade = (await request(t.http).get(`/api/bots/trades?symbol=${held}`).expect(200)).body.trades[0];
    expect(trade).toMatchObject({
      entry_price: before.entry_price,
      size: before.position_size_coins,
      bot_id: before.id,
      entry_timestamp: before.entry_timestamp,
    });
    // The trade of the idle bot closed before the restart is still in history.
    expect((await request(t.http).get(`/api/bots/trades?symbol=${idle}`)).body.count).toBe(1);
  });
});
