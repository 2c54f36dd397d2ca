/**
 * Objectives and constraints (docs/optimizer.md, "Objectives"): pure functions of a list of closed trades.
 * A trade's result is its PnL in percent of the starting balance, so results of different coins add up and the
 * equity curve is 100 + the running sum (no compounding: one bot's size does not depend on another's luck).
 * The drawdown is the backtest statistics' own rule (src/backtest/result/statistics.ts, 4 decimals); the ratios are
 * per trade, not the statistics' annualised period-return ones, so they live here.
 */
import { maxDrawdown } from '../backtest/result/statistics';

export type TradeResult = { exitTime: number; pnlPercent: number };

export const OBJECTIVES = ['net_pnl', 'profit_factor', 'sharpe', 'sortino', 'calmar'] as const;
export type Objective = (typeof OBJECTIVES)[number];

export type Constraints = {
  /** Fewer trades than this in a window make the window's score invalid. */
  minTrades: number;
  /** A window whose max drawdown (percent of the peak equity) exceeds this is invalid. */
  maxDrawdownPercent: number;
};

export type WindowMetrics = {
  trades: number;
  netPnlPercent: number;
  profitFactor: number;
  sharpe: number;
  sortino: number;
  calmar: number;
  maxDrawdownPercent: number;
  winRate: number;
};

/** Capped so that "no losing trade" stays a finite, comparable, JSON-safe number. */
export const PROFIT_FACTOR_CAP = 100;
const RATIO_CAP = 1000;
const cap = (value: number): number => Math.max(-RATIO_CAP, Math.min(RATIO_CAP, value));

export function windowMetrics(trades: readonly TradeResult[]): WindowMetrics {
  const n = trades.length;
  let sum = 0;
  let grossProfit = 0;
  let grossLoss = 0;
  let wins = 0;
  let equity = 100;
  const curve = [equity];
  const ordered = [...trades].sort((a, b) => a.exitTime - b.exitTime);
  for (const { pnlPercent } of ordered) {
    sum += pnlPercent;
    if (pnlPercent > 0) {
      grossProfit += pnlPercent;
      wins++;
    } else {
      grossLoss -= pnlPercent;
    }
    equity += pnlPercent;
    curve.push(equity);
  }
  const drawdownPercent = maxDrawdown(curve).pct;
  const mean = n > 0 ? sum / n : 0;
  let squares = 0;
  let downside = 0;
  for (const { pnlPercent } of trades) {
    squares += (pnlPercent - mean) ** 2;
    if (pnlPercent < 0) downside += pnlPercent ** 2;
  }
  // Per-trade ratios (not annualised): mean over sample deviation, and over the downside deviation.
  const std = n > 1 ? Math.sqrt(squares / (n - 1)) : 0;
  const downsideDev = n > 0 ? Math.sqrt(downside / n) : 0;
  const ratio = (num: number, den: number): number => (den > 0 ? cap(num / den) : num > 0 ? RATIO_CAP : 0);
  return {
    trades: n,
    netPnlPercent: sum,
    profitFactor:
      grossLoss > 0 ? Math.min(PROFIT_FACTOR_CAP, grossProfit / grossLoss) : grossProfit > 0 ? PROFIT_FACTOR_CAP : 0,
    sharpe: ratio(mean, std),
    sortino: ratio(mean, downsideDev),
    calmar: ratio(sum, drawdownPercent),
    maxDrawdownPercent: drawdownPercent,
    winRate: n > 0 ? wins / n : 0,
  };
}

export function objectiveValue(metrics: WindowMetrics, objective: Objective): number {
  switch (objective) {
    case 'net_pnl':
      return metrics.netPnlPercent;
    case 'profit_factor':
      return metrics.profitFactor;
    case 'sharpe':
      return metrics.sharpe;
    case 'sortino':
      return metrics.sortino;
    case 'calmar':
      return metrics.calmar;
  }
}

/** Why a window's score does not count, or null when it satisfies the constraints. */
export function constraintViolation(metrics: WindowMetrics, constraints: Constraints): string | null {
  if (metrics.trades < constraints.minTrades) return `${metrics.trades} trades < min ${constraints.minTrades}`;
  if (metrics.maxDrawdownPercent > constraints.maxDrawdownPercent) {
    return `drawdown ${metrics.maxDrawdownPercent.toFixed(2)}% > cap ${constraints.maxDrawdownPercent}%`;
  }
  return null;
}
