import {
  formatHours,
  newestFirst,
  resetOf,
  type ClosedTradeFact,
  type ResetTimes,
  type RuleDecision,
} from './rule.types';

export interface LowProfitParams {
  /** How many of the coin's last trades are summed. */
  tradeCount: number;
  /** Lock when their ROI sums to a loss of more than this, % of margin. */
  maxLossPercent: number;
  /** Lock lasts this long after the newest of those trades, ms. */
  lockMs: number;
}

export interface LowProfitInput {
  now: number;
  trades: readonly ClosedTradeFact[];
  resets?: ResetTimes;
}

/**
 * Low-profit pairs: a coin whose last `tradeCount` trades together lost more than `maxLossPercent` % (sum of their
 * ROI, % of margin) gets no new entry until `lockMs` after the newest of them. Fewer trades than `tradeCount` never
 * lock.
 */
export function checkLowProfit(input: LowProfitInput, params: LowProfitParams): RuleDecision {
  const rule = 'low_profit' as const;
  const count = Math.max(1, Math.floor(params.tradeCount));
  const bySymbol = new Map<string, ClosedTradeFact[]>();
  for (const trade of newestFirst(input.trades)) {
    if (trade.closedAt > input.now || trade.closedAt <= resetOf(input.resets, trade.symbol)) continue;
    const list = bySymbol.get(trade.symbol) ?? [];
    if (list.length < count) list.push(trade);
    bySymbol.set(trade.symbol, list);
  }
  const locks = [];
  for (const [symbol, list] of bySymbol) {
    if (list.length < count) continue;
    const roi = list.reduce((sum, t) => sum + t.roiPercent, 0);
    if (!(roi < -params.maxLossPercent)) continue;
    const until = list[0].closedAt + params.lockMs;
    if (until <= input.now) continue;
    locks.push({
      rule,
      symbol,
      until,
      reason: `low profit: the last ${count} trades of ${symbol} returned ${roi.toFixed(2)} % (limit -${params.maxLossPercent} %); locked ${formatHours(params.lockMs)}`,
    });
  }
  locks.sort((a, b) => a.symbol.localeCompare(b.symbol));
  return {
    rule,
    locks,
    reason: `${locks.length} coins below -${params.maxLossPercent} % over their last ${count} trades`,
  };
}
