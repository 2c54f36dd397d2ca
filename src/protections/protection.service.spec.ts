import { NotFoundException } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { ManualClock } from '../common/clock';
import { DEFAULT_AUTO_BOT_CONFIG, type AutoBotConfig } from '../config/defaults';
import { DomainEvent, type LockEvent } from '../events/domain-events';
import { validateLocksFile, type ProtectionLock, type ProtectionLocksFile } from './protection-locks';
import { ProtectionService } from './protection.service';
import { SimulatedScheduler } from '../scheduling/worker-scheduler';

const M = 60_000;
const T0 = Date.UTC(2026, 0, 5, 12);

function setup(
  options: {
    config?: Partial<AutoBotConfig>;
    file?: ProtectionLocksFile | null;
    trades?: unknown[];
    bots?: unknown[];
    manager?: object;
    walletBalance?: number;
  } = {},
) {
  const clock = new ManualClock(T0);
  const saved: ProtectionLocksFile[] = [];
  let failSave: string | null = null;
  const store = {
    load: async (_file: string, opts: { defaults: () => ProtectionLocksFile }) => options.file ?? opts.defaults(),
    save: async (_file: string, data: ProtectionLocksFile) => {
      if (failSave) throw new Error(failSave);
      saved.push(structuredClone(data));
    },
  };
  const config = { ...DEFAULT_AUTO_BOT_CONFIG, ...options.config } as AutoBotConfig;
  const balance = { wallet: options.walletBalance ?? 1_000 };
  const events = new EventEmitter2();
  const heard: Array<{ name: string; event: LockEvent }> = [];
  for (const name of [DomainEvent.LockSet, DomainEvent.LockLifted]) {
    events.on(name, (event: LockEvent) => heard.push({ name, event }));
  }
  const service = new ProtectionService(
    { workersEnabled: false } as never,
    clock,
    store as never,
    { register: () => undefined } as never,
    { get: () => config } as never,
    { get: () => ({ bot_status_update_interval: 30 }) } as never,
    { isReady: true, fetchBalance: async () => ({ walletBalance: balance.wallet, unrealizedPnl: 0 }) } as never,
    (options.manager ?? { all: () => options.bots ?? [] }) as never,
    { closedTrades: () => options.trades ?? [] } as never,
    events,
    new SimulatedScheduler(clock),
  );
  return { service, clock, saved, heard, balance, failSaves: (message: string | null) => (failSave = message) };
}

const trade = (symbol: string, closeMs: number) => ({
  symbol,
  close_time_ms: closeMs,
  pnl: 1,
  net_pnl: 1,
  roi: 1,
  close_reason: 'RSI_EXIT',
});
const lock = (over: Partial<ProtectionLock>): ProtectionLock => ({
  id: 'cooldown-BTC-1',
  rule: 'cooldown',
  symbol: 'BTC',
  reason: 'cooldown',
  locked_at: T0 - M,
  until: T0 + 10 * M,
  ...over,
});

describe('ProtectionService', () => {
  it('a lock exists only once saved: a failed save leaves no lock and announces nothing; the next pass sets it once', async () => {
    const { service, saved, heard, failSaves } = setup({
      config: { exit_cooldown_enabled: true, exit_cooldown_minutes: 30 },
      trades: [trade('ETH', T0 - 5 * M)],
    });
    await service.onModuleInit();
    failSaves('disk full');
    await expect(service.evaluate()).rejects.toThrow('Saving protection_locks.json failed: disk full');
    expect(service.activeLocks()).toEqual([]);
    expect(service.lockFor('ETH')).toBeNull();
    expect(heard).toEqual([]);

    failSaves(null);
    const report = await service.evaluate();
    expect(report.set).toEqual([expect.objectContaining({ rule: 'cooldown', symbol: 'ETH', until: T0 + 25 * M })]);
    expect(saved.at(-1)!.locks).toEqual(report.set);
    expect(service.lockFor('ETH')).toMatchObject({ rule: 'cooldown', lockId: report.set[0].id, until: T0 + 25 * M });
    expect(service.lockFor('BTC')).toBeNull();
    expect(heard.map((h) => h.name)).toEqual([DomainEvent.LockSet]);
    expect((await service.evaluate()).set).toEqual([]);
    expect(heard).toHaveLength(1);
  });

  it('DELETE: unknown id is a NotFound; a failed save keeps the lock; a saved removal resets the rule for the coin', async () => {
    const { service, saved, heard, failSaves } = setup({
      file: { version: 1, locks: [lock({})], resets: {}, equity: [], last_saved: null },
    });
    await service.onModuleInit();
    await expect(service.remove('nope')).rejects.toBeInstanceOf(NotFoundException);
    failSaves('read-only file system');
    await expect(service.remove('cooldown-BTC-1')).rejects.toThrow('read-only file system');
    expect(service.activeLocks().map((l) => l.id)).toEqual(['cooldown-BTC-1']);
    failSaves(null);
    await service.remove('cooldown-BTC-1');
    expect(service.activeLocks()).toEqual([]);
    expect(saved.at(-1)).toMatchObject({ locks: [], resets: { cooldown: { BTC: T0 } } });
    expect(heard).toEqual([
      {
        name: DomainEvent.LockLifted,
        event: expect.objectContaining({ lockId: 'cooldown-BTC-1', symbol: 'BTC', at: T0 }),
      },
    ]);
  });

  it('an account lock blocks every coin; a lock stops blocking at its end even before the next pass lifts it', async () => {
    const { service, clock } = setup({
      file: {
        version: 1,
        locks: [lock({ id: 'daily_loss-all-1', rule: 'daily_loss', symbol: null, until: T0 + M })],
        resets: {},
        equity: [],
        last_saved: null,
      },
    });
    await service.onModuleInit();
    expect(service.lockFor('ANY')).toMatchObject({ rule: 'daily_loss', lockId: 'daily_loss-all-1' });
    clock.set(T0 + M);
    expect(service.lockFor('ANY')).toBeNull();
  });

  it('risk cap counts the bots that entered after the positions were read', async () => {
    const bot = {
      symbol: 'SOL',
      holdsPosition: true,
      record: { entry_price: 100, position_size_coins: 2, leverage: 4 },
    };
    const { service } = setup({ config: { risk_cap_enabled: true, risk_cap_percent: 10 }, bots: [bot] });
    await service.onModuleInit();
    const request = {
      symbol: 'BTC',
      openPositions: [{ symbol: 'ETH', margin: 30 }],
      volumeMode: 'usdt',
      volumeValue: 100,
      leverage: 10,
    };
    expect(service.checkEntry(request)).toMatchObject({
      rule: 'risk_cap',
      reason: expect.stringContaining('not known yet'),
    });
    await service.evaluate();
    // cap 10 % of 1 000 = 100; open 30 (ETH) + 50 (SOL: 100 × 2 / 4) = 80; entry 100 / 10 = 10 → 90, allowed
    expect(service.checkEntry(request)).toBeNull();
    // entry 300 / 10 = 30 → 110 > 100
    expect(service.checkEntry({ ...request, volumeValue: 300 })).toMatchObject({
      rule: 'risk_cap',
      lockId: null,
      reason: expect.stringContaining('= 110.00 USDT would exceed'),
    });
  });

  it('max drawdown with close_positions closes every position a bot holds when the lock is set, and only then', async () => {
    const holding = { symbol: 'BTC', holdsPosition: true, record: {} };
    const waiting = { symbol: 'ETH', holdsPosition: false, record: {} };
    const closed: string[] = [];
    const manager = {
      all: () => [holding, waiting],
      find: (symbol: string) => [holding, waiting].find((b) => b.symbol === symbol),
      withLock: (_symbol: string, fn: () => Promise<unknown>) => fn(),
      closeBotLocked: async (bot: { symbol: string; holdsPosition: boolean }, reason: string) => {
        closed.push(`${bot.symbol}:${reason}`);
        bot.holdsPosition = false;
      },
    };
    const { service, clock, balance } = setup({
      manager,
      walletBalance: 10_000,
      config: { max_drawdown_enabled: true, max_drawdown_percent: 5, max_drawdown_close_positions: true },
    });
    await service.onModuleInit();
    expect((await service.evaluate()).closed_positions).toEqual([]);
    clock.advance(5 * M);
    balance.wallet = 9_400; // 6 % below the 10 000 peak
    const report = await service.evaluate();
    expect(report.set).toEqual([
      expect.objectContaining({ rule: 'max_drawdown', symbol: null, until: T0 + 5 * M + 12 * 60 * M }),
    ]);
    expect(report.closed_positions).toEqual(['BTC']);
    expect(closed).toEqual(['BTC:MANUAL_CLOSE']);
    holding.holdsPosition = true;
    clock.advance(M);
    expect((await service.evaluate()).closed_positions).toEqual([]);
    expect(closed).toHaveLength(1);
  });

  it('the lock file shape check names what is wrong', () => {
    expect(validateLocksFile([])).toBe('expected a JSON object');
    expect(validateLocksFile({ locks: {} })).toBe('locks must be a list');
    expect(
      validateLocksFile({ locks: [{ id: 'x', rule: 'nope', symbol: null, reason: '', locked_at: 1, until: 2 }] }),
    ).toBe('locks[0] is not a lock');
    expect(validateLocksFile({ locks: [lock({})], resets: {}, equity: [] })).toBeNull();
  });
});
