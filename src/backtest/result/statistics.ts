import type { Direction } from '../../bots/engine/bot.types';
import { tradeTotals } from '../../bots/history/history-stats';
import { TIMEFRAME_MS } from '../../exchange/exchange.types';
import type {
  BacktestOpenPosition,
  BacktestRunParameters,
  BacktestStatistics,
  BacktestResultTrade,
  BuyAndHoldStatistics,
  DrawdownPoint,
  EquityPoint,
  GroupStatistics,
  SymbolCloses,
} from './backtest-result';

/**
 * The statistics of a backtest (docs/backtest-report.md, "Statistics"). Pure functions of the result's data.
 *
 * - Trade counts, wins, win rate and per-group totals come from the live history's `tradeTotals`
 *   (src/bots/history/history-stats.ts) counting `net_pnl`: a trade wins when it made money after fees.
 * - Drawdown is measured on the equity curve (balance + unrealised), not on cumulative closed PnL as the live
 *   /analytics does: a position deep under water that later recovers is a drawdown the account lived through.
 * - Sharpe and Sortino use simple returns of equity sampled once per return period (by default one candle of the
 *   run timeframe; the last equity at or before each grid time), risk-free rate 0, annualised by
 *   √(periods per year) with a 365.25-day year (crypto trades round the clock).
 *   Sharpe = mean / sample standard deviation (n − 1); Sortino = mean / downside deviation, where the downside
 *   deviation is √(Σ min(r, 0)² / n) over all n periods (target return 0).
 * - Calmar = annualised return % / max drawdown %; the annualised return compounds the range's equity return to
 *   a year (CAGR), so it is extreme on short ranges.
 */

export const YEAR_MS = 365.25 * 86_400_000;
const HOUR_MS = 3_600_000;

const round = (n: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};
const money = (n: number) => round(n, 8);
const ratio = (n: number) => round(n, 4);

/** Fall below the running peak at each equity point. */
export function drawdownCurve(equity: readonly EquityPoint[]): DrawdownPoint[] {
  let peak = -Infinity;
  return equity.map((p) => {
    peak = Math.max(peak, p.equity);
    const usdt = peak - p.equity;
    return { time_ms: p.time_ms, drawdown_usdt: money(usdt), drawdown_pct: ratio(peak > 0 ? (usdt / peak) * 100 : 0) };
  });
}

/** Largest peak-to-trough fall of a value series, in its unit and in % of the peak it fell from. */
export function maxDrawdown(values: readonly number[]): { usdt: number; pct: number } {
  let peak = -Infinity;
  let usdt = 0;
  let pct = 0;
  for (const v of values) {
    peak = Math.max(peak, v);
    usdt = Math.max(usdt, peak - v);
    if (peak > 0) pct = Math.max(pct, ((peak - v) / peak) * 100);
  }
  return { usdt: money(usdt), pct: ratio(pct) };
}

/**
 * Simple returns of equity on a regular grid of `periodMs` from the first point: the value at each grid time is
 * the last equity at or before it, so irregular samples (extra points at fills) do not change the period length.
 */
export function periodReturns(equity: readonly EquityPoint[], periodMs: number): number[] {
  if (equity.length < 2 || !(periodMs > 0)) return [];
  const start = equity[0].time_ms;
  const end = equity[equity.length - 1].time_ms;
  const values: number[] = [];
  let i = 0;
  for (let t = start; t <= end; t += periodMs) {
    while (i + 1 < equity.length && equity[i + 1].time_ms <= t) i++;
    values.push(equity[i].equity);
  }
  const returns: number[] = [];
  for (let k = 1; k < values.length; k++) returns.push(values[k - 1] > 0 ? values[k] / values[k - 1] - 1 : 0);
  return returns;
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** Annualised Sharpe ratio (risk-free 0); null with fewer than two returns or no variation. */
export function sharpeRatio(returns: readonly number[], periodsPerYear: number): number | null {
  if (returns.length < 2) return null;
  const m = mean(returns);
  const variance = returns.reduce((s, r) => s + (r - m) ** 2, 0) / (returns.length - 1);
  const sd = Math.sqrt(variance);
  return sd > 1e-12 ? ratio((m / sd) * Math.sqrt(periodsPerYear)) : null;
}

/** Annualised Sortino ratio (target 0); null with fewer than two returns or no losing period. */
export function sortinoRatio(returns: readonly number[], periodsPerYear: number): number | null {
  if (returns.length < 2) return null;
  const downside = Math.sqrt(returns.reduce((s, r) => s + Math.min(r, 0) ** 2, 0) / returns.length);
  return downside > 1e-12 ? ratio((mean(returns) / downside) * Math.sqrt(periodsPerYear)) : null;
}

/** Compound annual growth, %: (end / start)^(year / span) − 1; −100 when equity ended at or below zero. */
export function annualisedReturnPct(start: number, end: number, spanMs: number): number {
  if (!(start > 0) || !(spanMs > 0)) return 0;
  if (end <= 0) return -100;
  return ratio(((end / start) ** (YEAR_MS / spanMs) - 1) * 100);
}

/** Share of [from, to] covered by at least one of the intervals, %. */
export function exposurePct(intervals: ReadonlyArray<[number, number]>, fromMs: number, toMs: number): number {
  if (!(toMs > fromMs)) return 0;
  const clipped = intervals
    .map(([a, b]) => [Math.max(a, fromMs), Math.min(b, toMs)] as [number, number])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let covered = 0;
  let curStart = -Infinity;
  let curEnd = -Infinity;
  for (const [a, b] of clipped) {
    if (a > curEnd) {
      if (curEnd > curStart) covered += curEnd - curStart;
      curStart = a;
      curEnd = b;
    } else {
      curEnd = Math.max(curEnd, b);
    }
  }
  if (curEnd > curStart) covered += curEnd - curStart;
  return ratio((covered / (toMs - fromMs)) * 100);
}

/**
 * A coin's closes as columns, e.g. views over the replayed candles: the same closes as SymbolCloses without one
 * [time, price] array per candle (583 coins × 1 000 candles are 583 000 of them; docs/whole-service-bench.md).
 */
export interface CloseColumns {
  symbol: string;
  /** Open times, ascending; a candle's close counts from its open time + periodMs. */
  openTime: ArrayLike<number>;
  close: ArrayLike<number>;
  periodMs: number;
}

/**
 * Equity of buying the same coins at equal weight with the whole starting balance, each at its first close in the
 * range, and holding to the last (no fees, no leverage); a coin's share stays cash until its first close.
 * Sampled at `times`, each coin valued at its last close at or before the time.
 */
export function buyAndHoldCurve(
  coins: readonly (SymbolCloses | CloseColumns)[],
  startingBalance: number,
  times: readonly number[],
): number[] {
  const series = coins.map((coin) =>
    'closes' in coin
      ? { length: coin.closes.length, time: (i: number) => coin.closes[i][0], price: (i: number) => coin.closes[i][1] }
      : {
          length: Math.min(coin.openTime.length, coin.close.length),
          time: (i: number) => coin.openTime[i] + coin.periodMs,
          price: (i: number) => coin.close[i],
        },
  );
  const held = series.filter((c) => c.length > 0 && c.price(0) > 0);
  if (held.length === 0) return times.map(() => startingBalance);
  const share = startingBalance / held.length;
  const cursors = held.map(() => 0);
  return times.map((t) => {
    let value = 0;
    held.forEach((coin, k) => {
      if (coin.time(0) > t) {
        value += share;
        return;
      }
      while (cursors[k] + 1 < coin.length && coin.time(cursors[k] + 1) <= t) cursors[k]++;
      value += (share / coin.price(0)) * coin.price(cursors[k]);
    });
    return money(value);
  });
}

function groupStatistics(trades: readonly BacktestResultTrade[]): GroupStatistics {
  const t = tradeTotals(trades, 'net_pnl');
  return {
    trades: t.trades,
    wins: t.profitable,
    losses: t.losing,
    win_rate_pct: t.winRate,
    net_pnl_usdt: t.totalPnl,
    avg_net_pnl_usdt: t.avgPnl,
  };
}

function groupBy(
  trades: readonly BacktestResultTrade[],
  key: (t: BacktestResultTrade) => string,
): Record<string, GroupStatistics> {
  const groups = new Map<string, BacktestResultTrade[]>();
  for (const t of trades) {
    const k = key(t);
    const list = groups.get(k);
    if (list) list.push(t);
    else groups.set(k, [t]);
  }
  return Object.fromEntries([...groups.keys()].sort().map((k) => [k, groupStatistics(groups.get(k) ?? [])]));
}

export interface StatisticsInput {
  parameters: BacktestRunParameters;
  trades: readonly BacktestResultTrade[];
  openPositions: readonly BacktestOpenPosition[];
  equity: readonly EquityPoint[];
  /** The benchmark's equity at the equity points' times; empty when there is no benchmark. */
  buyAndHold: readonly number[];
  /** Return period for Sharpe/Sortino; defaults to one candle of the run timeframe. */
  returnPeriodMs?: number;
}

export function computeStatistics(input: StatisticsInput): BacktestStatistics {
  const { parameters: p, trades, equity } = input;
  const start = p.starting_balance;
  const last = equity[equity.length - 1];
  const totals = tradeTotals(trades, 'net_pnl');
  const netPnl = trades.reduce((s, t) => s + t.net_pnl, 0);
  const winning = trades.filter((t) => t.net_pnl > 0).map((t) => t.net_pnl);
  const losing = trades.filter((t) => t.net_pnl < 0).map((t) => t.net_pnl);
  const grossWin = winning.reduce((s, x) => s + x, 0);
  const grossLoss = -losing.reduce((s, x) => s + x, 0);
  const finalEquity = last ? last.equity : start + netPnl;
  const dd = maxDrawdown(equity.map((e) => e.equity));
  const spanMs = p.to_ms - p.from_ms;
  const periodMs = input.returnPeriodMs ?? TIMEFRAME_MS[p.timeframe];
  const periodsPerYear = YEAR_MS / periodMs;
  const returns = periodReturns(equity, periodMs);
  const cagr = annualisedReturnPct(start, finalEquity, spanMs);
  const intervals: Array<[number, number]> = [
    ...trades.map((t) => [t.entry_timestamp, t.close_time_ms] as [number, number]),
    ...input.openPositions.map((o) => [o.entry_time_ms, p.to_ms] as [number, number]),
  ];
  const directions: Direction[] = ['LONG', 'SHORT'];
  return {
    starting_balance: start,
    final_balance: money(last ? last.balance : start + netPnl),
    final_equity: money(finalEquity),
    trades: totals.trades,
    wins: totals.profitable,
    losses: totals.losing,
    win_rate_pct: totals.winRate,
    gross_pnl_usdt: money(trades.reduce((s, t) => s + t.pnl, 0)),
    fees_usdt: money(trades.reduce((s, t) => s + t.fees, 0)),
    net_pnl_usdt: money(netPnl),
    roi_pct: start > 0 ? ratio((netPnl / start) * 100) : 0,
    profit_factor: grossLoss > 0 ? ratio(grossWin / grossLoss) : null,
    expectancy_usdt: totals.avgPnl,
    avg_win_usdt: winning.length ? money(grossWin / winning.length) : 0,
    avg_loss_usdt: losing.length ? money(-grossLoss / losing.length) : 0,
    max_drawdown_usdt: dd.usdt,
    max_drawdown_pct: dd.pct,
    sharpe: sharpeRatio(returns, periodsPerYear),
    sortino: sortinoRatio(returns, periodsPerYear),
    calmar: dd.pct > 0 ? ratio(cagr / dd.pct) : null,
    annualised_return_pct: cagr,
    return_period_ms: periodMs,
    periods_per_year: ratio(periodsPerYear),
    avg_hold_hours: trades.length
      ? ratio(trades.reduce((s, t) => s + (t.close_time_ms - t.entry_timestamp), 0) / trades.length / HOUR_MS)
      : 0,
    exposure_pct: exposurePct(intervals, p.from_ms, p.to_ms),
    by_close_reason: groupBy(trades, (t) => t.close_reason),
    by_symbol: groupBy(trades, (t) => t.symbol),
    by_direction: Object.fromEntries(
      directions.map((d) => [d, groupStatistics(trades.filter((t) => t.direction === d))]),
    ) as Record<Direction, GroupStatistics>,
    buy_and_hold: buyAndHoldStatistics(input.buyAndHold, start),
  };
}

function buyAndHoldStatistics(line: readonly number[], start: number): BuyAndHoldStatistics | null {
  if (line.length === 0) return null;
  const final = line[line.length - 1];
  return {
    final_equity: money(final),
    return_pct: start > 0 ? ratio((final / start - 1) * 100) : 0,
    max_drawdown_pct: maxDrawdown(line).pct,
  };
}
