import {
  constraintViolation,
  objectiveValue,
  windowMetrics,
  type Constraints,
  type Objective,
  type TradeResult,
  type WindowMetrics,
} from './objective';

/**
 * Walk-forward validation (docs/optimizer.md, "Walk-forward"). The time range is cut into `folds + 1` equal
 * segments; fold k trains on segment k (rolling) or segments 0…k (anchored) and is tested on segment k + 1.
 * A candidate is ranked by its mean in-sample score only; out-of-sample scores are reported beside it and gate
 * `apply`. The last fold's out-of-sample segment is never seen by the ranking: it is reported as the holdout.
 */
export type WalkForwardConfig = { folds: number; mode: 'anchored' | 'rolling' };
export type TimeRange = { start: number; end: number };
export type FoldWindow = { inSample: TimeRange; outOfSample: TimeRange };

export function foldWindows(range: TimeRange, config: WalkForwardConfig): FoldWindow[] {
  const segments = config.folds + 1;
  const edge = (i: number): number =>
    i === segments ? range.end : range.start + Math.floor(((range.end - range.start) * i) / segments);
  return Array.from({ length: config.folds }, (_, k) => ({
    inSample: { start: edge(config.mode === 'anchored' ? 0 : k), end: edge(k + 1) },
    outOfSample: { start: edge(k + 1), end: edge(k + 2) },
  }));
}

export type WindowScore = { score: number | null; metrics: WindowMetrics; violation: string | null };
export type FoldScore = { inSample: WindowScore; outOfSample: WindowScore };
export type CandidateScore = {
  folds: FoldScore[];
  /** Mean in-sample score; null when any in-sample window breaks a constraint (ranked last). */
  inSampleScore: number | null;
  /** Mean out-of-sample score over the folds; null when any out-of-sample window breaks a constraint. */
  outOfSampleScore: number | null;
  /** The last fold's out-of-sample score: data the ranking never saw. */
  holdoutScore: number | null;
  outOfSampleTrades: number;
};

function scoreWindow(
  trades: readonly TradeResult[],
  window: TimeRange,
  objective: Objective,
  constraints: Constraints,
): WindowScore {
  // A trade belongs to the window its exit falls in (its PnL is realised there).
  const metrics = windowMetrics(trades.filter((t) => t.exitTime >= window.start && t.exitTime < window.end));
  const violation = constraintViolation(metrics, constraints);
  return { score: violation ? null : objectiveValue(metrics, objective), metrics, violation };
}

const meanOrNull = (scores: (number | null)[]): number | null =>
  scores.length === 0 || scores.some((s) => s === null)
    ? null
    : (scores as number[]).reduce((a, b) => a + b, 0) / scores.length;

export function scoreCandidate(
  trades: readonly TradeResult[],
  windows: readonly FoldWindow[],
  objective: Objective,
  constraints: Constraints,
): CandidateScore {
  const folds = windows.map((w) => ({
    inSample: scoreWindow(trades, w.inSample, objective, constraints),
    outOfSample: scoreWindow(trades, w.outOfSample, objective, constraints),
  }));
  return {
    folds,
    inSampleScore: meanOrNull(folds.map((f) => f.inSample.score)),
    outOfSampleScore: meanOrNull(folds.map((f) => f.outOfSample.score)),
    holdoutScore: folds.length > 0 ? folds[folds.length - 1].outOfSample.score : null,
    outOfSampleTrades: folds.reduce((sum, f) => sum + f.outOfSample.metrics.trades, 0),
  };
}

export type ApplyPolicy = { minOutOfSampleScore: number; minOutOfSampleTrades: number };
export type ApplyDecision = { apply: true } | { apply: false; reason: string };

/** Whether a candidate may be written to the settings: out-of-sample evidence only, never the in-sample score. */
export function applyDecision(score: CandidateScore, policy: ApplyPolicy): ApplyDecision {
  if (score.outOfSampleTrades < policy.minOutOfSampleTrades) {
    return {
      apply: false,
      reason: `out-of-sample trades ${score.outOfSampleTrades} < minimum ${policy.minOutOfSampleTrades}`,
    };
  }
  const broken = score.folds.findIndex((f) => f.outOfSample.violation !== null);
  if (broken >= 0) {
    return {
      apply: false,
      reason: `fold ${broken + 1} out-of-sample breaks a constraint: ${score.folds[broken].outOfSample.violation}`,
    };
  }
  for (const [name, value] of [
    ['out-of-sample score', score.outOfSampleScore],
    ['holdout score', score.holdoutScore],
  ] as const) {
    if (value === null || value < policy.minOutOfSampleScore) {
      return {
        apply: false,
        reason: `${name} ${value === null ? 'missing' : round(value)} < floor ${policy.minOutOfSampleScore}`,
      };
    }
  }
  return { apply: true };
}

const round = (value: number): number => Math.round(value * 1e4) / 1e4;
