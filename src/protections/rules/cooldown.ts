import { resetOf, type ClosedTradeFact, type ResetTimes, type RuleDecision } from './rule.types';

export interface CooldownParams {
  /** No new entry on a coin for this long after any exit on it, ms. */
  cooldownMs: number;
}

export interface CooldownInput {
  now: number;
  trades: readonly ClosedTradeFact[];
  resets?: ResetTimes;
}

/** Cooldown: after any exit on a coin, that coin gets no new entry until `cooldownMs` after the exit. */
export function checkCooldown(input: CooldownInput, params: CooldownParams): RuleDecision {
  const rule = 'cooldown' as const;
  const lastExit = new Map<string, number>();
  for (const trade of input.trades) {
    if (trade.closedAt > input.now || trade.closedAt <= resetOf(input.resets, trade.symbol)) continue;
    if (trade.closedAt > (lastExit.get(trade.symbol) ?? -Infinity)) lastExit.set(trade.symbol, trade.closedAt);
  }
  const minutes = Math.round(params.cooldownMs / 60_000);
  const locks = [];
  for (const [symbol, closedAt] of lastExit) {
    const until = closedAt + params.cooldownMs;
    if (until > input.now) {
      locks.push({
        rule,
        symbol,
        until,
        reason: `cooldown: ${symbol} closed a position ${Math.floor((input.now - closedAt) / 60_000)} min ago (cooldown ${minutes} min)`,
      });
    }
  }
  locks.sort((a, b) => a.symbol.localeCompare(b.symbol));
  return { rule, locks, reason: `${locks.length} coins in their ${minutes} min cooldown` };
}
