import {
  activeLockFor,
  applyLockProposals,
  liftExpiredLocks,
  MAX_RESETS_PER_RULE,
  proposeLocks,
  setLockReset,
  type LockBook,
} from './lock-book';
import type { ProtectionLock } from './protection-locks';
import { protectionSettings } from './protection-settings';
import { DEFAULT_AUTO_BOT_CONFIG } from '../config/defaults';

const T0 = Date.UTC(2026, 0, 1);
const M = 60_000;
const lock = (over: Partial<ProtectionLock>): ProtectionLock => ({
  id: 'x',
  rule: 'cooldown',
  symbol: 'BTC',
  reason: 'r',
  locked_at: T0,
  until: T0 + 10 * M,
  ...over,
});

describe('lock book', () => {
  it('finds the lock in force on a coin: its own or the account one, the latest ending', () => {
    const locks = [
      lock({ id: 'a', until: T0 + 5 * M }),
      lock({ id: 'b', symbol: null, rule: 'daily_loss', until: T0 + 20 * M }),
      lock({ id: 'c', symbol: 'ETH', until: T0 + 60 * M }),
    ];
    expect(activeLockFor(locks, 'BTC', T0)?.id).toBe('b');
    expect(activeLockFor(locks, 'ETH', T0)?.id).toBe('c');
    expect(activeLockFor(locks, 'BTC', T0 + 20 * M)).toBeNull();
  });

  it('lifts expired locks and restarts their rule from their end', () => {
    const book: LockBook = {
      locks: [lock({ id: 'a', until: T0 + 5 * M }), lock({ id: 'b', symbol: 'ETH', until: T0 + 50 * M })],
      resets: {},
    };
    const lifted = liftExpiredLocks(book, T0 + 10 * M);
    expect(lifted.map((l) => l.id)).toEqual(['a']);
    expect(book.locks.map((l) => l.id)).toEqual(['b']);
    expect(book.resets.cooldown).toEqual({ BTC: T0 + 5 * M });
  });

  it('bounds the restart points per rule, dropping the oldest', () => {
    const book: LockBook = { locks: [], resets: {} };
    for (let k = 0; k <= MAX_RESETS_PER_RULE; k++) setLockReset(book, lock({ symbol: `C${k}` }), T0 + k);
    expect(Object.keys(book.resets.cooldown ?? {})).toHaveLength(MAX_RESETS_PER_RULE);
    expect(book.resets.cooldown?.C0).toBeUndefined();
  });

  it('turns proposals into new locks, or extends the lock of the same rule and scope', () => {
    const book: LockBook = { locks: [lock({ id: 'a', until: T0 + 5 * M })], resets: {} };
    const set = applyLockProposals(
      book,
      [
        { rule: 'cooldown', symbol: 'BTC', until: T0 + 30 * M, reason: 'later' },
        { rule: 'cooldown', symbol: 'ETH', until: T0 + 30 * M, reason: 'new' },
      ],
      T0,
      (p) => `${p.rule}-${p.symbol}`,
    );
    expect(set.map((l) => l.id)).toEqual(['cooldown-ETH']);
    expect(book.locks[0]).toMatchObject({ id: 'a', until: T0 + 30 * M, reason: 'later' });
  });

  it('asks the enabled rules only; the equity rules need a balance', () => {
    const settings = protectionSettings({
      ...DEFAULT_AUTO_BOT_CONFIG,
      exit_cooldown_enabled: true,
      exit_cooldown_minutes: 30,
      max_drawdown_enabled: true,
      max_drawdown_percent: 5,
    });
    const trades = [{ symbol: 'BTC', closedAt: T0 - M, pnlUsdt: -1, roiPercent: -1, exitReason: 'STOP_LOSS' }];
    const book: LockBook = { locks: [], resets: {} };
    const withoutBalance = proposeLocks(
      { now: T0, book, trades, balance: null, equityHistory: [{ time: T0 - M, equity: 1000 }] },
      settings,
    );
    expect(withoutBalance.map((p) => p.rule)).toEqual(['cooldown']);
    const withBalance = proposeLocks(
      {
        now: T0,
        book,
        trades,
        balance: { walletBalance: 900, equity: 900 },
        equityHistory: [{ time: T0 - M, equity: 1000 }],
      },
      settings,
    );
    expect(withBalance.map((p) => p.rule).sort()).toEqual(['cooldown', 'max_drawdown']);
  });
});
