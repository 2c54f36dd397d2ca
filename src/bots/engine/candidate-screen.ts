import type { EntryCheck, EntryDirection } from '../../filters/filter.types';

/** Why the auto-bot skipped a coin: the rule's name and a sentence. */
export interface ScreenSkip {
  filter: string;
  reason: string;
}

/** One coin's facts at decision time; the costly checks are callbacks, run only when reached. */
export interface CandidateInput {
  direction: EntryDirection;
  /** RSI on the system timeframe (null = none). */
  rsi: number | null;
  /** The effective signal's verdict (WAIT = blocked at signal level). */
  effectiveSignal: { signal: 'ENTER_LONG' | 'ENTER_SHORT' | 'WAIT'; reason: string };
  /** An account-protection lock on the coin (checked first), or none. */
  lock: { rule: string; reason: string } | null | undefined;
  activeBots: number;
  maxConcurrent: number;
  /** Status of the coin's bot when it is not idle (it then blocks), else null. */
  busyBotStatus: string | null;
  exchangeHoldsPosition: boolean;
  entryCheck: () => EntryCheck;
  /** ms left of the one-candle cooldown after the coin's last close. */
  cooldownLeftMs: number;
  timeframe: string;
  /** The coin's entry thresholds (its effective config), for the RSI re-check. */
  thresholds: () => { long: number; short: number };
  /** The account-protection entry check (risk caps), or none. */
  guard: () => { rule: string; reason: string } | null | undefined;
}

export type CandidateVerdict = { ok: false; skip: ScreenSkip } | { ok: true; check: EntryCheck };

/**
 * The auto-bot's per-coin pipeline after the base signal (docs/trading-logic.md §6.C), in order: account lock,
 * effective signal, max_concurrent, existing bot, exchange position, the entry filters, cooldown, RSI re-check, risk
 * caps.
 * Live (AutoBotService) and the backtest both decide through it.
 */
export function screenCandidate(input: CandidateInput): CandidateVerdict {
  const skip = (filter: string, reason: string): CandidateVerdict => ({ ok: false, skip: { filter, reason } });
  // Account protections first: a lock is the reason shown even where a filter would refuse too (docs/protections.md).
  if (input.lock) return skip(`protection:${input.lock.rule}`, input.lock.reason);
  // In an entry zone but blocked at signal level (scope, time filter, exit-scam, loss re-entry, maturity, trend).
  if (input.effectiveSignal.signal === 'WAIT') return skip('effective_signal', input.effectiveSignal.reason);
  if (input.activeBots >= input.maxConcurrent) {
    return skip('max_concurrent', `max_concurrent reached (${input.activeBots}/${input.maxConcurrent})`);
  }
  if (input.busyBotStatus !== null) return skip('bot_exists', `a bot already exists (${input.busyBotStatus})`);
  if (input.exchangeHoldsPosition) {
    return skip('exchange_position', 'the exchange already holds a position (manual position)');
  }
  const check = input.entryCheck();
  if (!check.allowed) return skip(check.blockedBy ?? 'filters', check.reason);
  if (input.cooldownLeftMs > 0) {
    return skip(
      'cooldown',
      `closed less than one ${input.timeframe} candle ago (${Math.ceil(input.cooldownLeftMs / 60_000)} min left)`,
    );
  }
  const { rsi, direction } = input;
  const thresholds = rsi === null ? null : input.thresholds();
  if (rsi === null || thresholds === null || (direction === 'LONG' ? rsi > thresholds.long : rsi < thresholds.short)) {
    return skip('rsi_recheck', `RSI ${rsi} left the ${direction} zone`);
  }
  const guard = input.guard();
  if (guard) return skip(`protection:${guard.rule}`, guard.reason);
  return { ok: true, check };
}

/** ms left of the one-candle cooldown after the symbol's last close (0 = none or never closed). */
export function cooldownLeftMs(lastCloseMs: number, timeframeMs: number, nowMs: number): number {
  if (!lastCloseMs) return 0;
  return Math.max(0, lastCloseMs + timeframeMs - nowMs);
}
