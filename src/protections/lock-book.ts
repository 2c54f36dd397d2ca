import type { ProtectionLock, ProtectionLocksFile } from './protection-locks';
import type { ProtectionSettings } from './protection-settings';
import { checkCooldown } from './rules/cooldown';
import { checkDailyLoss } from './rules/daily-loss';
import { checkLowProfit } from './rules/low-profit';
import { checkMaxDrawdown } from './rules/max-drawdown';
import { ACCOUNT_SCOPE, type ClosedTradeFact, type EquityPoint, type LockProposal } from './rules/rule.types';
import { checkStoplossGuard } from './rules/stoploss-guard';

/**
 * The lock book of the account protections (docs/protections.md): which locks hold, when they lift, which rule
 * proposals become locks. Pure, with the caller's clock: ProtectionService keeps it on disk, the backtest in memory.
 */
export type LockBook = Pick<ProtectionLocksFile, 'locks' | 'resets'>;

/** Per rule, at most this many coins keep the moment their rule counts from (one per coin traded). */
export const MAX_RESETS_PER_RULE = 2000;

/** The lock in force on `symbol` now (a coin lock or an account lock), the one ending last; null when none. */
export function activeLockFor(locks: readonly ProtectionLock[], symbol: string, now: number): ProtectionLock | null {
  let found: ProtectionLock | null = null;
  for (const lock of locks) {
    if (lock.until <= now || (lock.symbol !== null && lock.symbol !== symbol)) continue;
    if (!found || lock.until > found.until) found = lock;
  }
  return found;
}

/** A lock ended (or was removed) at `at`: its rule counts afresh from then for its scope. Bounded per rule. */
export function setLockReset(book: LockBook, lock: ProtectionLock, at: number): void {
  const scopes = (book.resets[lock.rule] ??= {});
  const scope = lock.symbol ?? ACCOUNT_SCOPE;
  scopes[scope] = Math.max(scopes[scope] ?? -Infinity, at);
  // Bounded: the oldest restart points go first (they matter least: their trades are the oldest).
  const entries = Object.entries(scopes);
  if (entries.length > MAX_RESETS_PER_RULE) {
    entries
      .sort((a, b) => a[1] - b[1])
      .slice(0, entries.length - MAX_RESETS_PER_RULE)
      .forEach(([key]) => delete scopes[key]);
  }
}

/** Removes the locks whose time is up (setting their rule's restart point) and returns them. */
export function liftExpiredLocks(book: LockBook, now: number): ProtectionLock[] {
  const lifted = book.locks.filter((l) => l.until <= now);
  for (const lock of lifted) setLockReset(book, lock, lock.until);
  book.locks = book.locks.filter((l) => l.until > now);
  return lifted;
}

export interface ProposeInput {
  now: number;
  book: LockBook;
  /** Closed trades (demo trades excluded). */
  trades: readonly ClosedTradeFact[];
  /** The balance read at `now`, or null when it could not be read (the equity rules then wait). */
  balance: { walletBalance: number; equity: number } | null;
  /** The drawdown rule's equity history before this sample. */
  equityHistory: readonly EquityPoint[];
}

/** Every enabled rule's lock proposals at `now`. */
export function proposeLocks(input: ProposeInput, settings: ProtectionSettings): LockProposal[] {
  const { now, book, trades, balance } = input;
  const proposals: LockProposal[] = [];
  // The drawdown lock lasts its set time: the same fall does not stretch it while it holds (its end resets the peak).
  if (settings.maxDrawdown.enabled && balance && !book.locks.some((l) => l.rule === 'max_drawdown')) {
    const notBefore = book.resets.max_drawdown?.[ACCOUNT_SCOPE];
    proposals.push(
      ...checkMaxDrawdown(
        { now, history: [...input.equityHistory], current: { time: now, equity: balance.equity }, notBefore },
        settings.maxDrawdown,
      ).locks,
    );
  }
  if (settings.stoplossGuard.enabled) {
    proposals.push(
      ...checkStoplossGuard({ now, trades, resets: book.resets.stoploss_guard }, settings.stoplossGuard).locks,
    );
  }
  if (settings.dailyLoss.enabled && balance) {
    proposals.push(
      ...checkDailyLoss(
        { now, trades, walletBalance: balance.walletBalance, resets: book.resets.daily_loss },
        settings.dailyLoss,
      ).locks,
    );
  }
  if (settings.cooldown.enabled) {
    proposals.push(...checkCooldown({ now, trades, resets: book.resets.cooldown }, settings.cooldown).locks);
  }
  if (settings.lowProfit.enabled) {
    proposals.push(...checkLowProfit({ now, trades, resets: book.resets.low_profit }, settings.lowProfit).locks);
  }
  return proposals;
}

/**
 * Proposals into the book: a rule already locking the same scope is extended when the proposal ends later;
 * otherwise a new lock (id from `newId`) is added. Returns the new locks.
 */
export function applyLockProposals(
  book: LockBook,
  proposals: readonly LockProposal[],
  now: number,
  newId: (proposal: LockProposal) => string,
): ProtectionLock[] {
  const set: ProtectionLock[] = [];
  for (const proposal of proposals) {
    const current = book.locks.find((l) => l.rule === proposal.rule && l.symbol === proposal.symbol);
    if (current) {
      if (proposal.until > current.until) Object.assign(current, { until: proposal.until, reason: proposal.reason });
      continue;
    }
    const lock: ProtectionLock = {
      id: newId(proposal),
      rule: proposal.rule,
      symbol: proposal.symbol,
      reason: proposal.reason,
      locked_at: now,
      until: proposal.until,
    };
    book.locks.push(lock);
    set.push(lock);
  }
  return set;
}
