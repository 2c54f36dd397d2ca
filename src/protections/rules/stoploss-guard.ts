import {
  formatHours,
  newestFirst,
  resetOf,
  type ClosedTradeFact,
  type ResetTimes,
  type RuleDecision,
} from './rule.types';

export interface StoplossGuardParams {
  /** Lock after this many stop-loss exits within the lookback. */
  tradeLimit: number;
  lookbackMs: number;
  lockMs: number;
  /** Count and lock per coin instead of across the account. */
  perCoin: boolean;
}

export interface StoplossGuardInput {
  now: number;
  trades: readonly ClosedTradeFact[];
  resets?: ResetTimes;
}

/** A stop-loss exit: the fixed stop, a liquidation, or a trailing stop that still closed at a loss. */
export function isStopLossExit(trade: ClosedTradeFact): boolean {
  return (
    trade.exitReason === 'STOP_LOSS' ||
    trade.exitReason === 'LIQUIDATION' ||
    (trade.exitReason === 'TRAILING_STOP' && trade.pnlUsdt < 0)
  );
}

/**
 * Stop-loss guard: `tradeLimit` stop-loss exits closed within the lookback → no new entries (on every coin, or on the
 * coin when per coin) until `lockMs` after the newest of them.
 */
export function checkStoplossGuard(input: StoplossGuardInput, params: StoplossGuardParams): RuleDecision {
  const rule = 'stoploss_guard' as const;
  const limit = Math.max(1, Math.floor(params.tradeLimit));
  const from = input.now - params.lookbackMs;
  const stops = newestFirst(
    input.trades.filter((t) => isStopLossExit(t) && t.closedAt > from && t.closedAt <= input.now),
  );
  const groups = new Map<string | null, ClosedTradeFact[]>();
  for (const trade of stops) {
    const scope = params.perCoin ? trade.symbol : null;
    if (trade.closedAt <= resetOf(input.resets, scope)) continue;
    const list = groups.get(scope) ?? [];
    list.push(trade);
    groups.set(scope, list);
  }
  const locks = [];
  for (const [symbol, list] of groups) {
    if (list.length < limit) continue;
    const until = list[0].closedAt + params.lockMs;
    if (until <= input.now) continue;
    const where = symbol === null ? 'across the account' : `on ${symbol}`;
    locks.push({
      rule,
      symbol,
      until,
      reason: `stop-loss guard: ${list.length} stop-loss exits ${where} within ${formatHours(params.lookbackMs)} (limit ${limit})`,
    });
  }
  const counted = [...groups.values()].reduce((max, list) => Math.max(max, list.length), 0);
  return {
    rule,
    locks,
    reason: locks.length
      ? locks.map((l) => l.reason).join('; ')
      : `at most ${counted} stop-loss exits within ${formatHours(params.lookbackMs)} (limit ${limit})`,
  };
}
