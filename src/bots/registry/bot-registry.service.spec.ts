import { Logger } from '@nestjs/common';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ManualClock } from '../../common/clock';
import type { AutoBotConfigService } from '../../config/auto-bot-config.service';
import { JsonStore } from '../../persistence/json-store.service';
import { PersistenceError } from '../../persistence/persistence.error';
import { StateRegistry } from '../../persistence/state-registry.service';
import { TradingBot } from '../engine/trading-bot';
import { BOTS_STATE_FILE, BotRegistry } from './bot-registry.service';

const T0 = Date.UTC(2026, 0, 1);

function bot(symbol: string): TradingBot {
  return TradingBot.create({ symbol, nowMs: T0, volumeMode: 'usdt', volumeValue: 10, leverage: 5, autoManaged: false });
}

describe('BotRegistry', () => {
  let dir: string;
  let store: JsonStore;
  let registry: BotRegistry;

  beforeEach(async () => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    dir = mkdtempSync(path.join(tmpdir(), 'registry-'));
    store = new JsonStore({ dataDir: dir } as never);
    const autoBot = { get: () => ({ enabled: false }) } as unknown as AutoBotConfigService;
    registry = new BotRegistry(new ManualClock(T0), store, new StateRegistry(), autoBot);
    await registry.load();
  });
  afterEach(() => jest.restoreAllMocks());

  const onDisk = () => Object.keys(JSON.parse(readFileSync(path.join(dir, BOTS_STATE_FILE), 'utf8')).bots as object);

  it('a committed creation is on disk before it is in the map', async () => {
    const created = bot('BTC');
    let seenWhileApplying: string[] = [];
    await registry.commitChange('BTC', created.record, () => {
      seenWhileApplying = onDisk();
      registry.applyRecord('BTC', created);
    });
    expect(seenWhileApplying).toEqual(['BTC']);
    expect(registry.find('BTC')).toBe(created);
    expect(registry.countBots()).toEqual({ total: 1, active: 1, inPosition: 0 });
  });

  it('a refused save applies nothing and answers a PersistenceError naming the file', async () => {
    jest
      .spyOn(store, 'save')
      .mockRejectedValueOnce(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
    const failed = registry.commitChange('ETH', bot('ETH').record, () => registry.applyRecord('ETH', bot('ETH')));
    await expect(failed).rejects.toBeInstanceOf(PersistenceError);
    await expect(failed).rejects.toThrow(`${BOTS_STATE_FILE} could not be saved: no space left on device`);
    expect(registry.symbols()).toEqual([]);
  });

  it('a failed save after an exchange action is reported as kept, and the auto-save retries it', async () => {
    registry.add(bot('SOL'));
    jest.spyOn(store, 'save').mockRejectedValueOnce(Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' }));
    const error = await registry.persist().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PersistenceError);
    expect((error as PersistenceError).keptInMemory).toBe(true);
    expect(registry.symbols()).toEqual(['SOL']);
    await registry.flush();
    expect(onDisk()).toEqual(['SOL']);
  });

  it('runs one action per symbol at a time and keeps no idle locks', async () => {
    const order: string[] = [];
    let release!: () => void;
    const first = registry.withLock(
      'BTC',
      () =>
        new Promise<void>(
          (resolve) =>
            (release = () => {
              order.push('first');
              resolve();
            }),
        ),
    );
    const second = registry.withLock('BTC', () => void order.push('second'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([]);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second']);
    expect((registry as unknown as { locks: Map<string, unknown> }).locks.size).toBe(0);
  });

  it('an exclusive run waits for a running action', async () => {
    const order: string[] = [];
    let release!: () => void;
    const action = registry.withLock('BTC', () =>
      new Promise<void>((resolve) => (release = resolve)).then(() => void order.push('action')),
    );
    const reload = registry.exclusive(() => void order.push('reload'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([]);
    release();
    await Promise.all([action, reload]);
    expect(order).toEqual(['action', 'reload']);
  });

  it('remove answers the removed bot and leaves the change for the auto-save', async () => {
    registry.add(bot('ADA'));
    await registry.save();
    expect(registry.remove('ADA')?.symbol).toBe('ADA');
    expect(registry.remove('ADA')).toBeUndefined();
    await registry.flush();
    expect(onDisk()).toEqual([]);
  });
});
