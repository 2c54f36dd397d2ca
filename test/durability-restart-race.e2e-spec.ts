import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import { ManualClock } from '../src/common/clock';
import { bots, eventually, waitForCoins, workers } from './support/bots';
import { createTestApp, tempDataDir, type TestApp } from './support/test-app';

jest.setTimeout(300_000);

const ROUNDS = 10;
const CREATES = 30;
const DELETES = 10;
const CLOSES = 4;
const RESTARTS_AT_MS = [0, 2, 5, 10, 20, 40];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * restart-service racing bot actions (docs/reliability.md, "Reloads and restarts"): creates, deletes and
 * close-positions fired together with a restart. Whatever was acknowledged stays done, in memory and on disk,
 * and every closed position is one trade, even after a position sync looks at the exchange.
 */
describe('restart-service racing creates, deletes and closes', () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 6, 9, 0));
  let t: TestApp;
  let symbols: string[];

  beforeAll(async () => {
    t = await createTestApp({
      clock,
      dataDir: tempDataDir('durability-race-'),
      env: { PAPER_SYMBOLS: '80', MUTATION_RATE_LIMIT: '1000000' },
    });
    await workers(t).stop();
    const coins = (await waitForCoins(t)).filter((c) => c.trading_status === 'Trading' && !c.is_delisting);
    symbols = coins.map((c) => c.symbol).slice(0, CREATES + DELETES + CLOSES);
    expect(symbols).toHaveLength(CREATES + DELETES + CLOSES);
  });
  afterAll(async () => t?.close());

  const post = (url: string, body: object) => request(t.http).post(url).send(body);
  const fileBots = () =>
    Object.keys(JSON.parse(readFileSync(path.join(t.dataDir, 'bots_state.json'), 'utf8')).bots as object).sort();

  it(`loses nothing acknowledged and counts no trade twice over ${ROUNDS} rounds`, async () => {
    const totals = { created: 0, deleted: 0, closed: 0, lost: 0, undone: 0, doubleTrades: 0, restarts: 0 };
    const countDoubleTrades = async () => {
      const trades = (await request(t.http).get('/api/bots/trades?limit=1000').expect(200)).body.trades as Array<{
        bot_id: string;
        entry_timestamp: number;
      }>;
      const keys = trades.map((tr) => `${tr.bot_id}|${tr.entry_timestamp}`);
      return keys.length - new Set(keys).size;
    };
    for (let round = 0; round < ROUNDS; round++) {
      clock.advance(60_000);
      const toCreate = symbols.slice(0, CREATES);
      const toDelete = symbols.slice(CREATES, CREATES + DELETES);
      const toClose = symbols.slice(CREATES + DELETES);
      // Set-up: bots to delete (paused, no entry) and bots in position to close.
      for (const symbol of toDelete) {
        await post('/api/bots/create', { symbol, config: { status: 'paused' }, skip_maturity_check: true }).expect(200);
      }
      for (const symbol of toClose) {
        await post('/api/bots/create', {
          symbol,
          config: { volume_mode: 'usdt', volume_value: 50, leverage: 2 },
          signal: 'ENTER_LONG',
          force_manual_entry: true,
        }).expect(200);
      }
      await eventually(
        async () =>
          (await bots(t)).filter((b) => toClose.includes(b.symbol) && b.status === 'in_position_long').length ===
          CLOSES,
      );

      // The race: every action at once, restarts 0 to 40 ms in.
      const acts = [
        ...toCreate.map((symbol) =>
          post('/api/bots/create', { symbol, config: { status: 'paused' }, skip_maturity_check: true }).then((r) => ({
            kind: 'create',
            symbol,
            ok: r.status === 200 && r.body.success === true,
          })),
        ),
        ...toDelete.map((symbol) =>
          post('/api/bots/delete', { symbol }).then((r) => ({
            kind: 'delete',
            symbol,
            ok: r.status === 200 && r.body.success === true,
          })),
        ),
        ...toClose.map((symbol) =>
          post('/api/bots/close-position', { symbol }).then((r) => ({
            kind: 'close',
            symbol,
            ok: r.status === 200 && r.body.success === true,
          })),
        ),
      ];
      const restarts = RESTARTS_AT_MS.map((ms) =>
        sleep(ms).then(() => post('/api/bots/restart-service', {}).expect(200)),
      );
      const results = await Promise.all(acts);
      await Promise.all(restarts);
      totals.restarts += restarts.length;
      // A position sync after the dust settles: a close the registry forgot would be recorded again here.
      await post('/api/bots/sync-positions', {}).expect(200);

      const memory = new Map((await bots(t)).map((b) => [b.symbol, b]));
      const disk = fileBots();
      expect(disk).toEqual([...memory.keys()].sort());
      for (const r of results) {
        if (!r.ok) continue;
        if (r.kind === 'create') {
          totals.created++;
          if (!memory.has(r.symbol)) totals.lost++;
        } else if (r.kind === 'delete') {
          totals.deleted++;
          if (memory.has(r.symbol)) totals.undone++;
        } else {
          totals.closed++;
          const b = memory.get(r.symbol);
          if (b && b.status !== 'idle') totals.undone++;
        }
      }

      // Clean slate for the next round.
      for (const symbol of memory.keys()) await post('/api/bots/delete', { symbol });
      expect(await bots(t)).toEqual([]);
    }
    totals.doubleTrades = await countDoubleTrades();
    // Every action was acknowledged (the restart waits for running actions; actions wait for the restart).
    expect(totals).toEqual({
      created: ROUNDS * CREATES,
      deleted: ROUNDS * DELETES,
      closed: ROUNDS * CLOSES,
      lost: 0,
      undone: 0,
      doubleTrades: 0,
      restarts: ROUNDS * RESTARTS_AT_MS.length,
    });
    const trades = (await request(t.http).get('/api/bots/trades?limit=1000').expect(200)).body.trades as unknown[];
    expect(trades).toHaveLength(ROUNDS * CLOSES);
  });
});
