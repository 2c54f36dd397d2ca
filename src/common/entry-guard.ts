/**
 * Port through which the entry pipeline (auto-bot, coin table) asks the account protections whether a new entry is
 * allowed. Defined here, below every feature module; the protections module provides it (docs/protections.md).
 * Optional everywhere: without a provider nothing is blocked.
 */
export const ENTRY_GUARD = Symbol('ENTRY_GUARD');

/** Why an entry is refused now. */
export interface EntryBlock {
  /** The protection that refuses ("max_drawdown", "cooldown", "risk_cap", ...). */
  rule: string;
  reason: string;
  /** The lock behind the refusal (null for the risk cap, which is no lock). */
  lockId: string | null;
  /** Epoch ms the lock ends (null for the risk cap). */
  until: number | null;
}

/** What the auto-bot is about to open, for the risk cap. */
export interface EntryRequest {
  symbol: string;
  /** Positions open on the exchange now (their initial margin in USDT). */
  openPositions: ReadonlyArray<{ symbol: string; margin: number }>;
  /** The position the entry would open: its volume setting and leverage. */
  volumeMode: string;
  volumeValue: number;
  leverage: number;
}

export interface EntryGuard {
  /** The lock that keeps new entries on `symbol` (or on every coin) from happening now, or null. */
  lockFor(symbol: string): EntryBlock | null;
  /** Locks first, then the risk cap: null when the entry may go ahead. */
  checkEntry(request: EntryRequest): EntryBlock | null;
}
