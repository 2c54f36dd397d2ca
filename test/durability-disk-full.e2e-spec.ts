import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import { ManualClock } from '../src/common/clock';
import { JsonStore } from '../src/persistence/json-store.service';
import { atomicWrite } from '../src/persistence/atomic-write';
import { StateRegistry } from '../src/persistence/state-registry.service';
import { bot, bots, eventually, waitForCoins, workers } from './support/bots';
import { createTestApp, tempDataDir, type TestApp } from './support/test-app';

jest.setTimeout(120_000);

const fsError = (code: string, text: string) => Object.assign(new Error(`${code}: ${text}, write`), { code });

/**
 * A full (ENOSPC) or read-only (EROFS) data folder, injected in the store's writer: nothing is acknowledged that
 * is not on disk, the answer names the file and the cause (507 / 503), memory equals the disk, and readiness
 * fails until the disk takes writes again (docs/reliability.md).
 */
describe('data folder full or read-only', () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 7, 10, 0));
  let t: TestApp;
  let store: JsonStore;
  let symbols: string[];

  /** Every write of `files` (all files when omitted) fails with `code` until restored. */
  function failWrites(code: string, text: string, files?: string[]): void {
    store.writer = (target, content, backup) =>
      !files || files.includes(path.basename(target))
        ? Promise.reject(fsError(code, text))
        : atomicWrite(target, content, backup);
  }
  const restoreWrites = () => (store.writer = atomicWrite);
  const file = (name: string) => JSON.parse(readFileSync(path.join(t.dataDir, name), 'utf8'));
  const post = (url: string, body: object) => request(t.http).post(url).send(body);

  beforeAll(async () => {
    t = await createTestApp({ clock, dataDir: tempDataDir('durability-full-'), env: { PAPER_SYMBOLS: '40' } });
    await workers(t).stop();
    store = t.app.get(JsonStore);
    symbols = (await waitForCoins(t))
      .filter((c) => c.trading_status === 'Trading' && !c.is_delisting)
      .map((c) => c.symbol);
  });
  afterEach(() => restoreWrites());
  afterAll(async () => t?.close());

  it('create, delete, stop and start answer 507/503 naming the file and the cause, and change nothing', async () => {
    const [kept, refused] = symbols;
    await post('/api/bots/create', { symbol: kept, config: { status: 'paused' }, skip_maturity_check: true }).expect(
      200,
    );
    const before = await bot(t, kept);

    failWrites('ENOSPC', 'no space left on device');
    const create = await post('/api/bots/create', {
      symbol: refused,
      config: { status: 'paused' },
      skip_maturity_check: true,
    });
    expect(create.status).toBe(507);
    expect(create.body).toEqual({
      success: false,
      error: 'bots_state.json could not be saved: no space left on device',
    });
    const del = await post('/api/bots/delete', { symbol: kept });
    expect([del.status, del.body.error]).toEqual([507, 'bots_state.json could not be saved: no space left on device']);

    failWrites('EROFS', 'read-only file system');
    const start = await post('/api/bots/start', { symbol: kept });
    expect([start.status, start.body]).toEqual([
      503,
      { success: false, error: 'bots_state.json could not be saved: read-only file system' },
    ]);

    // Memory equals the disk: the refused bot does not exist, the kept one is there and still paused.
    expect((await bots(t)).map((b) => b.symbol)).toEqual([kept]);
    expect(await bot(t, kept)).toMatchObject({ status: 'paused', id: before.id });
    expect(Object.keys(file('bots_state.json').bots)).toEqual([kept]);
    expect(file('bots_state.json').bots[kept].status).toBe('paused');

    restoreWrites();
    await post('/api/bots/start', { symbol: kept }).expect(200);
    failWrites('EACCES', 'permission denied');
    const stop = await post('/api/bots/stop', { symbol: kept });
    expect([stop.status, stop.body.error]).toEqual([503, 'bots_state.json could not be saved: permission denied']);
    expect((await bot(t, kept)).status).not.toBe('paused');
    expect(file('bots_state.json').bots[kept].status).not.toBe('paused');
    restoreWrites();
    await post('/api/bots/delete', { symbol: kept }).expect(200);
  });

  it('readiness answers 503 while the data folder takes no writes, 200 again after', async () => {
    await eventually(async () => (await request(t.http).get('/health/ready')).status === 200);
    failWrites('EROFS', 'read-only file system');
    const notReady = await eventually(async () => {
      const res = await request(t.http).get('/health/ready');
      return res.status === 503 ? res : undefined;
    });
    expect(notReady.body.error).toMatch(/^Not ready: data folder .* is not writable: read-only file system$/);
    restoreWrites();
    await eventually(async () => (await request(t.http).get('/health/ready')).status === 200);
  });

  it('close-position on a full disk: the position is closed, the answer says the save failed, memory keeps the truth and the save is retried', async () => {
    const symbol = symbols[2];
    await post('/api/bots/create', {
      symbol,
      config: { volume_mode: 'usdt', volume_value: 50, leverage: 2 },
      signal: 'ENTER_LONG',
      force_manual_entry: true,
    }).expect(200);
    await eventually(async () => (await bot(t, symbol))?.status === 'in_position_long');

    failWrites('ENOSPC', 'no space left on device', ['bots_state.json', 'bot_history.json']);
    const close = await post('/api/bots/close-position', { symbol });
    expect(close.status).toBe(507);
    expect(close.body.success).toBe(false);
    expect(close.body.error).toMatch(
      /^bot_history\.json could not be saved: no space left on device \(the exchange action happened; the change is kept in memory and the save is retried\)$/,
    );
    // Memory is truthful (the exchange has no position any more); the disk still has the position.
    expect((await bot(t, symbol)).status).toBe('idle');
    expect((await request(t.http).get(`/api/bots/trades?symbol=${symbol}`)).body.count).toBe(1);
    expect(file('bots_state.json').bots[symbol].status).toBe('in_position_long');
    const ready = await request(t.http).get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.error).toMatch(/could not be saved: no space left on device/);

    // The disk is back: the auto-save writes both files and readiness recovers.
    restoreWrites();
    const results = await t.app.get(StateRegistry).flushAll();
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(file('bots_state.json').bots[symbol].status).toBe('idle');
    expect(file('bot_history.json').trades.filter((tr: { symbol: string }) => tr.symbol === symbol)).toHaveLength(1);
    await eventually(async () => (await request(t.http).get('/health/ready')).status === 200);
    await post('/api/bots/delete', { symbol }).expect(200);
  });

  it('a settings write that cannot be saved is a named 507, not a generic 500, and the setting is unchanged', async () => {
    const before = (await request(t.http).get('/api/bots/auto-bot').expect(200)).body.config.max_concurrent;
    failWrites('ENOSPC', 'no space left on device', ['auto_bot_config.json']);
    const res = await post('/api/bots/auto-bot', { max_concurrent: before + 7 });
    expect([res.status, res.body]).toEqual([
      507,
      { success: false, error: 'auto_bot_config.json could not be saved: no space left on device' },
    ]);
    expect((await request(t.http).get('/api/bots/auto-bot').expect(200)).body.config.max_concurrent).toBe(before);
    expect(file('auto_bot_config.json').max_concurrent).toBe(before);
    // A refused change leaves nothing unsaved: readiness does not wait for a retry that will never come.
    restoreWrites();
    expect((await request(t.http).get('/health/ready')).status).toBe(200);
  });

  it('timeframe: a failed save leaves the timeframe and the coin table as they were', async () => {
    const { timeframe } = (await request(t.http).get('/api/bots/timeframe').expect(200)).body;
    const coinsBefore = (await request(t.http).get('/api/bots/coins-with-rsi').expect(200)).body.total;
    const other = timeframe === '1h' ? '4h' : '1h';
    failWrites('ENOSPC', 'no space left on device', ['system_config.json']);
    const res = await post('/api/bots/timeframe', { timeframe: other });
    expect([res.status, res.body.error]).toEqual([
      507,
      'system_config.json could not be saved: no space left on device',
    ]);
    expect((await request(t.http).get('/api/bots/timeframe').expect(200)).body.timeframe).toBe(timeframe);
    const after = (await request(t.http).get('/api/bots/coins-with-rsi').expect(200)).body;
    expect(after.total).toBe(coinsBefore);
    expect(file('system_config.json').system_timeframe).toBe(timeframe);
  });

  it('import-config: one bad section refuses the whole import (nothing saved)', async () => {
    const autoBefore = file('auto_bot_config.json');
    const systemBefore = file('system_config.json');
    const res = await post('/api/bots/import-config', {
      config: { autoBot: { enabled: !autoBefore.enabled, max_concurrent: 42 }, system: { position_sync_interval: -1 } },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, field: 'position_sync_interval' });
    expect(file('auto_bot_config.json')).toEqual(autoBefore);
    expect(file('system_config.json')).toEqual(systemBefore);
    expect((await request(t.http).get('/api/bots/auto-bot').expect(200)).body.config).toMatchObject({
      enabled: autoBefore.enabled,
      max_concurrent: autoBefore.max_concurrent,
    });
  });

  it('import-config: when the second file cannot be written the first is restored', async () => {
    const autoBefore = file('auto_bot_config.json');
    const systemBefore = file('system_config.json');
    failWrites('EROFS', 'read-only file system', ['system_config.json']);
    const res = await post('/api/bots/import-config', {
      config: { autoBot: { max_concurrent: 42 }, system: { position_sync_interval: 77 } },
    });
    expect([res.status, res.body]).toEqual([
      503,
      { success: false, error: 'system_config.json could not be saved: read-only file system' },
    ]);
    expect(file('auto_bot_config.json')).toEqual(autoBefore);
    expect(file('system_config.json')).toEqual(systemBefore);
    expect((await request(t.http).get('/api/bots/auto-bot').expect(200)).body.config.max_concurrent).toBe(
      autoBefore.max_concurrent,
    );
    expect((await request(t.http).get('/api/bots/system-config').expect(200)).body.config.position_sync_interval).toBe(
      systemBefore.position_sync_interval,
    );
  });
});
