/**
 * Shared vocabulary of the protection rules (docs/protections.md). Every rule is a pure function of its inputs:
 * the caller supplies the clock time and the facts (closed trades, equity), so the live service and a backtest run
 * the same code with their own clock and trade list.
 */

export const PROTECTION_RULES = ['max_drawdown', 'stoploss_guard', 'daily_loss', 'cooldown', 'low_profit'] as const;
export type ProtectionRule = (typeof PROTECTION_RULES)[number];

/** A closed trade as the rules see it. */
export interface ClosedTradeFact {
  symbol: string;
  /** Close time, epoch ms. */
  closedAt: number;
  /** Net result in USDT (fees included). */
  pnlUsdt: number;
  /** Result in % of the margin used. */
  roiPercent: number;
  /** Why the position closed (STOP_LOSS, TRAILING_STOP, RSI_EXIT, ...). */
  exitReason: string;
}

/** Equity (wallet balance + unrealised PnL) at a moment. */
export interface EquityPoint {
  time: number;
  equity: number;
}

/** A lock a rule asks for: no new entries on `symbol` (null = every coin) until `until`. */
export interface LockProposal {
  rule: ProtectionRule;
  symbol: string | null;
  until: number;
  reason: string;
}

/** A rule's answer: the locks it asks for (none = nothing to lock) and why. */
export interface RuleDecision {
  rule: ProtectionRule;
  locks: LockProposal[];
  reason: string;
}

/**
 * Facts at or before these times are ignored, per scope (a coin, or ACCOUNT_SCOPE): when a lock is lifted or removed,
 * its rule starts counting afresh instead of setting the same lock again from the same trades.
 */
export type ResetTimes = Readonly<Record<string, number>>;
export const ACCOUNT_SCOPE = '*';

export function resetOf(resets: ResetTimes | undefined, symbol: string | null): number {
  return resets?.[symbol ?? ACCOUNT_SCOPE] ?? -Infinity;
}

export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;

/** Newest first. */
export function newestFirst<T extends { closedAt: number }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => b.closedAt - a.closedAt);
}

export function formatUsdt(value: number): string {
  return `${value.toFixed(2)} USDT`;
}

export function formatHours(ms: number): string {
  const hours = ms / HOUR_MS;
  return `${Number.isInteger(hours) ? hours : hours.toFixed(2)} h`;
}
