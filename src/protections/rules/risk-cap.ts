import { formatUsdt } from './rule.types';

export interface RiskCapInput {
  /** Wallet balance, USDT. */
  walletBalance: number;
  /** Initial margin of the positions open now, USDT. */
  openMarginUsdt: number;
  /** Margin the new entry would use, USDT. */
  entryMarginUsdt: number;
}

export interface RiskCapDecision {
  allowed: boolean;
  reason: string;
}

/**
 * Risk cap: the margin of every open position plus the new entry's may not exceed `percent` % of the wallet balance.
 */
export function checkRiskCap(input: RiskCapInput, params: { percent: number }): RiskCapDecision {
  const cap = (Math.max(0, input.walletBalance) * params.percent) / 100;
  const total = input.openMarginUsdt + input.entryMarginUsdt;
  const summary = `open margin ${formatUsdt(input.openMarginUsdt)} + entry ${formatUsdt(input.entryMarginUsdt)} = ${formatUsdt(total)}`;
  const capText = `${params.percent} % of ${formatUsdt(input.walletBalance)} = ${formatUsdt(cap)}`;
  if (total > cap + 1e-9) return { allowed: false, reason: `risk cap: ${summary} would exceed ${capText}` };
  return { allowed: true, reason: `${summary} within ${capText}` };
}
