import type { CandleColumns, EvaluatorContext, EvaluatorModule } from './evaluation-port';
import type { TradeResult } from './objective';
import type { CandidateParams } from './search-space';

/**
 * Equity curves of a finished run's best candidates, for the report (docs/optimizer.md, "Report"). Computed once
 * when the run ends (the top N is final then), in a worker thread (equity-worker.ts), and saved with the run, each
 * curve cut down to MAX_EQUITY_POINTS points so the run file stays small.
 */
export const EQUITY_CANDIDATES = 5;
export const MAX_EQUITY_POINTS = 500;

/** One candidate's curve: equity in percent of the starting balance (100 = start) at ascending times (epoch ms). */
export type CandidateEquity = { index: number; time: number[]; equity: number[] };

export type RunEquity = {
  /**
   * `replay`: the backtest replay's balance + unrealised PnL at every candle close; `closed-trades`: 100 + the
   * running sum of closed trades' PnL (an evaluator without positions, e.g. the synthetic one).
   */
  source: 'replay' | 'closed-trades';
  /** Best first (the run's ranking). */
  candidates: CandidateEquity[];
  /** The scored range; from `outOfSampleFromMs` on is the last fold's test segment, which no ranking saw. */
  rangeStartMs: number;
  rangeEndMs: number;
  outOfSampleFromMs: number;
  /** Why there are no curves (the computation failed), else null. */
  error: string | null;
};

/**
 * At most `maxPoints` points that keep the curve's shape: the series is cut into maxPoints / 2 buckets and each
 * keeps its lowest and highest point in time order (drawdowns and peaks survive; a stride would skip them). The
 * first and last points are always kept.
 */
export function downsampleMinMax(
  time: ArrayLike<number>,
  value: ArrayLike<number>,
  maxPoints: number,
): { time: number[]; value: number[] } {
  const n = time.length;
  if (n <= maxPoints) return { time: Array.from(time), value: Array.from(value) };
  const keep: number[] = [0];
  const buckets = Math.max(1, Math.floor((maxPoints - 2) / 2));
  for (let b = 0; b < buckets; b++) {
    const from = 1 + Math.floor(((n - 2) * b) / buckets);
    const to = 1 + Math.floor(((n - 2) * (b + 1)) / buckets);
    if (from >= to) continue;
    let low = from;
    let high = from;
    for (let i = from + 1; i < to; i++) {
      if (value[i] < value[low]) low = i;
      if (value[i] > value[high]) high = i;
    }
    if (low === high) keep.push(low);
    else keep.push(Math.min(low, high), Math.max(low, high));
  }
  keep.push(n - 1);
  return { time: keep.map((i) => time[i]), value: keep.map((i) => value[i]) };
}

/** 100 + the running sum of the trades' PnL (% of the starting balance), at the start and at each exit. */
export function closedTradeEquity(
  trades: readonly TradeResult[],
  range: { start: number; end: number },
): { time: number[]; equity: number[] } {
  const ordered = trades.filter((t) => t.exitTime >= range.start && t.exitTime < range.end);
  ordered.sort((a, b) => a.exitTime - b.exitTime);
  const time = [range.start];
  const equity = [100];
  for (const trade of ordered) {
    const value = equity[equity.length - 1] + trade.pnlPercent;
    // One point per time: trades closing together show their sum.
    if (time[time.length - 1] === trade.exitTime) equity[equity.length - 1] = value;
    else {
      time.push(trade.exitTime);
      equity.push(value);
    }
  }
  return { time, equity };
}

export type EquityCandidate = { index: number; params: CandidateParams };

/**
 * The curves of `candidates` with the run's own evaluator module: its equity replay when it has one, else its
 * closed trades. Runs on the calling thread (equity-worker.ts calls it off the main thread).
 */
export function equityCurves(
  evaluator: EvaluatorModule,
  data: CandleColumns,
  context: EvaluatorContext,
  candidates: readonly EquityCandidate[],
  range: { start: number; end: number },
  maxPoints = MAX_EQUITY_POINTS,
): Pick<RunEquity, 'source' | 'candidates'> {
  const replay = evaluator.createEquityReplay?.(data, context);
  let curveOf: (params: CandidateParams) => { time: ArrayLike<number>; equity: ArrayLike<number> };
  if (replay) curveOf = replay;
  else {
    const evaluate = evaluator.createEvaluator(data, context);
    curveOf = (params) => closedTradeEquity(evaluate(params), range);
  }
  const curves = candidates.map(({ index, params }) => {
    const curve = curveOf(params);
    const { time, value } = downsampleMinMax(curve.time, curve.equity, maxPoints);
    return { index, time, equity: value };
  });
  return { source: replay ? 'replay' : 'closed-trades', candidates: curves };
}
