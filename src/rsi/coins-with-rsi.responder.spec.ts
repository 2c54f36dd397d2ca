import { Logger } from '@nestjs/common';
import { createMarketHarness, wave, type MarketHarness } from '../../test/support/market-harness';
import type { EntryBlock, EntryGuard } from '../common/entry-guard';
import { CoinsWithRsiResponder } from './coins-with-rsi.responder';
import { POSITIONS_VIEW } from './ports';

const parse = (body: Buffer) => JSON.parse(body.toString('utf8'));

describe('CoinsWithRsiResponder (coins JSON cached per table revision)', () => {
  let h: MarketHarness;
  const locks = new Map<string, EntryBlock>();
  const guard: EntryGuard = { lockFor: (symbol) => locks.get(symbol) ?? null, checkEntry: () => null };

  beforeAll(() => Logger.overrideLogger(['error']));

  beforeEach(async () => {
    locks.clear();
    h = await createMarketHarness([
      { symbol: 'WAVE', path: wave(100) },
      { symbol: 'ALT', path: wave(5, 45, 0.15) },
    ]);
    await h.rsi.requestFullLoad('test');
  });

  it('serves the records and the status fields as before; a second poll reuses the JSON', async () => {
    const responder = new CoinsWithRsiResponder(h.rsi, guard);
    const body = parse(await responder.body());
    expect(Object.keys(body)).toEqual([
      'success',
      'coins',
      'total',
      'last_update',
      'update_in_progress',
      'data_version',
      'manual_positions',
      'cache_info',
      'stats',
      'timeframe',
    ]);
    expect(body).toMatchObject({
      success: true,
      total: 2,
      data_version: h.rsi.dataVersion,
      manual_positions: [],
      timeframe: '6h',
      stats: { total_coins: 2 },
    });
    expect(body.coins.WAVE).toEqual(JSON.parse(JSON.stringify(h.rsi.getCoin('WAVE'))));
    expect(body.coins.WAVE.protection_lock).toBeUndefined();
    // Nothing changed: the very same bytes.
    expect(await responder.body()).toBe(await responder.body());
    expect(responder.builds).toBe(1);
    // Only a status field changed (manual positions): same coins JSON, a new body.
    h.ports.set(POSITIONS_VIEW, { openPositionSymbols: () => [], manualPositionSymbols: () => ['ALT'] });
    const later = parse(await responder.body());
    expect(later.manual_positions).toEqual(['ALT']);
    expect(later.coins).toEqual(body.coins);
    expect(responder.builds).toBe(1);
  });

  it('a version bump (tickers round) rebuilds it with the new values', async () => {
    const responder = new CoinsWithRsiResponder(h.rsi, guard);
    const before = parse(await responder.body());
    h.exchange.livePrice.set('WAVE', 123.45);
    h.clock.advance(60_000);
    await h.rsi.runCycle('test');
    const after = parse(await responder.body());
    expect(responder.builds).toBe(2);
    expect(after.data_version).toBeGreaterThan(before.data_version);
    expect(before.coins.WAVE.price).not.toBe(123.45);
    expect(after.coins.WAVE.price).toBe(123.45);
  });

  it('is keyed on the table revision, which every record write changes (also inside a load, before its version bump)', async () => {
    const responder = new CoinsWithRsiResponder(h.rsi, guard);
    await responder.body();
    const version = h.rsi.dataVersion;
    const revision = h.rsi.contentRevision;
    h.rsi.reenrich(['WAVE']);
    expect(h.rsi.dataVersion).toBe(version + 1);
    expect(h.rsi.contentRevision).toBeGreaterThan(revision);
    await responder.body();
    expect(responder.builds).toBe(2);
  });

  it('a protection lock appearing or ending changes the served coin without a table change', async () => {
    const responder = new CoinsWithRsiResponder(h.rsi, guard);
    await responder.body();
    locks.set('ALT', { rule: 'cooldown', reason: 'two losses', lockId: 'L1', until: Date.UTC(2026, 0, 10, 5, 0) });
    const locked = parse(await responder.body());
    expect(locked.coins.ALT.protection_lock).toMatchObject({
      rule: 'cooldown',
      reason: 'two losses',
      lock_id: 'L1',
      until: expect.any(String),
    });
    expect(locked.coins.WAVE.protection_lock).toBeUndefined();
    // The record itself is not written by the view.
    expect(h.rsi.getCoin('ALT')!.protection_lock).toBeUndefined();
    locks.clear();
    expect(parse(await responder.body()).coins.ALT.protection_lock).toBeUndefined();
    expect(responder.builds).toBe(3);
  });
});
