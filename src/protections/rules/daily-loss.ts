import { formatUsdt, resetOf, type ClosedTradeFact, type ResetTimes, type RuleDecision } from './rule.types';

const DAY_MS = 86_400_000;

export interface DailyLossParams {
  /** Lock when today's net loss reaches this many USDT; 0 = this form is off. */
  limitUsdt: number;
  /** Lock when today's net loss reaches this share of the day's starting balance, %; 0 = this form is off. */
  limitPercent: number;
}

export interface DailyLossInput {
  now: number;
  trades: readonly ClosedTradeFact[];
  /** Wallet balance now (after today's closed trades). */
  walletBalance: number;
  resets?: ResetTimes;
}

/** Start of the UTC day holding `time`. */
export function utcDayStart(time: number): number {
  return Math.floor(time / DAY_MS) * DAY_MS;
}

/**
 * Daily loss limit: the net PnL of trades closed since 00:00 UTC is a loss of `limitUsdt` or more, or of `limitPercent`
 * % or more of the balance the day started with (balance now minus today's PnL) → no new entries until the next UTC
 * day.
 */
export function checkDailyLoss(input: DailyLossInput, params: DailyLossParams): RuleDecision {
  const rule = 'daily_loss' as const;
  const dayStart = utcDayStart(input.now);
  const from = Math.max(dayStart, resetOf(input.resets, null) + 1);
  let pnl = 0;
  for (const trade of input.trades) {
    if (trade.closedAt >= from && trade.closedAt <= input.now) pnl += trade.pnlUsdt;
  }
  const loss = -pnl;
  const startBalance = input.walletBalance - pnl;
  const percentLimitUsdt =
    params.limitPercent > 0 && startBalance > 0 ? (startBalance * params.limitPercent) / 100 : Infinity;
  const usdtLimit = params.limitUsdt > 0 ? params.limitUsdt : Infinity;
  const limit = Math.min(usdtLimit, percentLimitUsdt);
  const summary = `today's net PnL ${formatUsdt(pnl)}`;
  if (!Number.isFinite(limit)) return { rule, locks: [], reason: `${summary}; no limit set` };
  const limitText =
    limit === usdtLimit
      ? formatUsdt(usdtLimit)
      : `${params.limitPercent} % of ${formatUsdt(startBalance)} = ${formatUsdt(percentLimitUsdt)}`;
  if (loss + 1e-9 < limit) return { rule, locks: [], reason: `${summary} (loss limit ${limitText})` };
  return {
    rule,
    locks: [
      {
        rule,
        symbol: null,
        until: dayStart + DAY_MS,
        reason: `daily loss limit: ${summary} reached the limit ${limitText}; entries resume at 00:00 UTC`,
      },
    ],
    reason: `${summary} (loss limit ${limitText})`,
  };
}
