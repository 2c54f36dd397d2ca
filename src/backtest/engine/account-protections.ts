// The replay's account-protection pass (docs/backtest-engine.md, step 3): the lock book's functions in the order
// ProtectionService.evaluate runs them, on the replay's clock, trades and equity (docs/protections.md).
import type { ProtectionLock } from '../../protections/protection-locks';
import type { ProtectionSettings } from '../../protections/protection-settings';
import { applyLockProposals, liftExpiredLocks, proposeLocks, type LockBook } from '../../protections/lock-book';
import type { EquityHistory } from '../../protections/rules/equity-history';
import type { ClosedTradeFact, LockProposal } from '../../protections/rules/rule.types';

export interface AccountPassInput {
  now: number;
  walletBalance: number;
  /** Wallet balance + unrealised PnL at `now`. */
  equity: number;
  trades: readonly ClosedTradeFact[];
}

/**
 * One pass: lift expired locks, run the enabled rules, add the locks, then record the equity sample (after the rule
 * ran, as live does, so the peak is the earlier history plus this sample). Mutates `book` and `equityHistory`.
 */
export function accountProtectionPass(
  book: LockBook,
  equityHistory: EquityHistory,
  input: AccountPassInput,
  settings: ProtectionSettings,
  newId: (proposal: LockProposal) => string,
): { set: ProtectionLock[]; lifted: ProtectionLock[] } {
  const { now } = input;
  const lifted = liftExpiredLocks(book, now);
  const proposals = proposeLocks(
    {
      now,
      book,
      trades: input.trades,
      balance: { walletBalance: input.walletBalance, equity: input.equity },
      equityHistory: equityHistory.all(),
    },
    settings,
  );
  const set = applyLockProposals(book, proposals, now, newId);
  if (settings.maxDrawdown.enabled) {
    equityHistory.record({ time: now, equity: input.equity }, settings.maxDrawdown.lookbackMs);
  }
  return { set, lifted };
}
