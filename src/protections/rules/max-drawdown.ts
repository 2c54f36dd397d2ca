import { formatHours, formatUsdt, type EquityPoint, type RuleDecision } from './rule.types';

export interface MaxDrawdownParams {
  /** Lock when equity is this many % below its peak. */
  percent: number;
  /** The peak is the highest equity within this window, ms. */
  lookbackMs: number;
  /** How long the lock lasts, ms. */
  lockMs: number;
}

export interface MaxDrawdownInput {
  now: number;
  /** Earlier equity samples, any order (older than the lookback are ignored). */
  history: readonly EquityPoint[];
  /** Equity now. */
  current: EquityPoint;
  /** Samples at or before this time are ignored (the end of the previous drawdown lock). */
  notBefore?: number;
}

/**
 * Max drawdown: equity (balance + unrealised PnL) `percent` % or more below its peak within the lookback →
 * no new entries on any coin for `lockMs`.
 */
export function checkMaxDrawdown(input: MaxDrawdownInput, params: MaxDrawdownParams): RuleDecision {
  const rule = 'max_drawdown' as const;
  const windowStart = input.now - params.lookbackMs;
  const notBefore = input.notBefore ?? -Infinity;
  let peak = input.current.equity;
  let peakTime = input.current.time;
  for (const point of input.history) {
    if (point.time < windowStart || point.time <= notBefore || point.time > input.now) continue;
    if (point.equity > peak) {
      peak = point.equity;
      peakTime = point.time;
    }
  }
  if (!(peak > 0)) return { rule, locks: [], reason: 'no positive equity in the lookback' };
  const drawdown = ((peak - input.current.equity) / peak) * 100;
  const summary = `equity ${formatUsdt(input.current.equity)} is ${drawdown.toFixed(2)} % below the ${formatHours(params.lookbackMs)} peak ${formatUsdt(peak)}`;
  if (drawdown + 1e-9 < params.percent) return { rule, locks: [], reason: `${summary} (limit ${params.percent} %)` };
  return {
    rule,
    locks: [
      {
        rule,
        symbol: null,
        until: input.now + params.lockMs,
        reason: `max drawdown: ${summary} (limit ${params.percent} %, peak at ${new Date(peakTime).toISOString()})`,
      },
    ],
    reason: `${summary} (limit ${params.percent} %)`,
  };
}
