import type { RunEquity } from './candidate-equity';
import type { Constraints, Objective } from './objective';
import type { EvaluationExecutor } from './pool-executor';
import {
  DEFAULT_SAMPLER_OPTIONS,
  drawGeneration,
  initialSamplerState,
  refit,
  type SamplerOptions,
  type SamplerState,
} from './sampler';
import { decodeCandidate, type CandidateParams, type SearchSpace } from './search-space';
import type { DatasetSpec } from './shared-candles';
import type { EvaluatorContext, EvaluatorName } from './evaluation-port';
import type { CandidateScore, WalkForwardConfig } from './walk-forward';

/** Everything that defines a run; with the seed it fixes the sequence of candidates (docs/optimizer.md). */
export type RunSpec = {
  id: string;
  space: SearchSpace;
  objective: Objective;
  constraints: Constraints;
  walkForward: WalkForwardConfig;
  budget: number;
  seed: number;
  batchSize: number;
  scope: { kind: 'global' } | { kind: 'coin'; symbol: string };
  evaluator: EvaluatorName;
  dataset: DatasetSpec;
  /** The evaluator's settings besides the candles (the backtest replay setup); absent for the synthetic one. */
  context?: EvaluatorContext;
  /** Candidates kept with their per-fold details. */
  topN: number;
  /** This run's apply floor (the configured one, or stricter); absent: the configured one. */
  minOutOfSampleScore?: number;
};

/** One evaluated candidate, compact: the per-fold details are kept for the top N only (RunState.details). */
export type CandidateSummary = {
  index: number;
  unit: number[];
  params: CandidateParams;
  inSampleScore: number | null;
  outOfSampleScore: number | null;
  holdoutScore: number | null;
  outOfSampleTrades: number;
};

export type RunStatus = 'running' | 'completed' | 'cancelled' | 'failed';

/** The persisted state of a run (DATA_DIR/optimizations/<id>.json): enough to continue after a restart. */
export type RunState = {
  version: 1;
  spec: RunSpec;
  status: RunStatus;
  error: string | null;
  createdAt: number;
  updatedAt: number;
  sampler: SamplerState;
  /** The generation being evaluated (drawn, not yet refitted): re-evaluated only where results are missing. */
  generation: { firstIndex: number; units: number[][] } | null;
  results: CandidateSummary[];
  /** Full per-fold scores of the current top N, by candidate index. */
  details: Record<number, CandidateScore>;
  /** The best candidates' equity curves, added once the run is finished (docs/optimizer.md, "Report"). */
  equity?: RunEquity;
};

export function newRunState(spec: RunSpec, now: number): RunState {
  return {
    version: 1,
    spec,
    status: 'running',
    error: null,
    createdAt: now,
    updatedAt: now,
    sampler: initialSamplerState(spec.seed, spec.space.length),
    generation: null,
    results: [],
    details: {},
  };
}

/** Best first: in-sample score (the only thing the search may look at), invalid last, then lower index. */
export function rankResults(results: readonly CandidateSummary[]): CandidateSummary[] {
  return [...results].sort((a, b) => {
    if (a.inSampleScore === null || b.inSampleScore === null) {
      return a.inSampleScore === null ? (b.inSampleScore === null ? a.index - b.index : 1) : -1;
    }
    return b.inSampleScore - a.inSampleScore || a.index - b.index;
  });
}

export type RunHooks = {
  /** Persists the state; awaited at generation boundaries, may be coalesced in between. */
  save(state: RunState): Promise<void>;
  now(): number;
  cancelled(): boolean;
  /** The process is stopping: leave the run `running` on disk so the next start continues it. */
  stopping?(): boolean;
  /**
   * Least real time between two background saves (default 0). Each save serialises the whole run on the main
   * thread, so the service spaces them out to keep its API latency; a restart then redoes at most this much work.
   */
  saveIntervalMs?: number;
};

function record(state: RunState, index: number, unit: number[], params: CandidateParams, score: CandidateScore): void {
  if (state.results.some((r) => r.index === index)) return; // recorded once per (run, index)
  state.results.push({
    index,
    unit,
    params,
    inSampleScore: score.inSampleScore,
    outOfSampleScore: score.outOfSampleScore,
    holdoutScore: score.holdoutScore,
    outOfSampleTrades: score.outOfSampleTrades,
  });
  state.details[index] = score;
  // Results only grow, so the new top N is among the old top N (the indices in `details`) and this one: ranking
  // those few instead of every result keeps a record O(n) at a thousand results, not a sort.
  const keep = new Set(
    rankResults(state.results.filter((r) => r.index in state.details))
      .slice(0, state.spec.topN)
      .map((r) => r.index),
  );
  for (const key of Object.keys(state.details)) if (!keep.has(Number(key))) delete state.details[Number(key)];
}

/**
 * Drives a run to its budget: draw a generation, evaluate its missing candidates through the executor, record each
 * result once, refit, repeat. Starting from a loaded state continues where the last save left off.
 */
export async function driveRun(
  state: RunState,
  executor: EvaluationExecutor,
  hooks: RunHooks,
  options: SamplerOptions = { ...DEFAULT_SAMPLER_OPTIONS, batchSize: state.spec.batchSize },
): Promise<RunState> {
  const { spec } = state;
  let saving: Promise<void> | null = null;
  let dirty = false;
  // A background save that failed: the run stops at the next step and reports it (never an unhandled rejection).
  let saveError: unknown = null;
  const saveSoon = (): void => {
    dirty = true;
    if (saving) return;
    saving = (async () => {
      while (dirty) {
        dirty = false;
        state.updatedAt = hooks.now();
        await hooks.save(state);
        if (dirty && hooks.saveIntervalMs) await new Promise((resolve) => setTimeout(resolve, hooks.saveIntervalMs));
      }
    })()
      .catch((error: unknown) => void (saveError ??= error))
      .finally(() => (saving = null));
  };
  const saveNow = async (): Promise<void> => {
    while (saving) await saving;
    state.updatedAt = hooks.now();
    await hooks.save(state);
  };

  try {
    while (state.status === 'running') {
      if (saveError) throw saveError;
      if (hooks.stopping?.()) break;
      if (hooks.cancelled()) {
        state.status = 'cancelled';
        break;
      }
      if (!state.generation) {
        const drawn = state.results.length;
        if (drawn >= spec.budget) {
          state.status = 'completed';
          break;
        }
        const { units, state: sampler } = drawGeneration(state.sampler, Math.min(spec.batchSize, spec.budget - drawn));
        // Not saved here: until a result of this generation is saved, the file holds the sampler before the draw,
        // and drawing again from it gives the same candidates.
        state.sampler = sampler;
        state.generation = { firstIndex: drawn, units };
      }
      const { firstIndex, units } = state.generation;
      const done = new Set(state.results.map((r) => r.index));
      const halted = (): boolean => hooks.cancelled() || hooks.stopping?.() === true;
      const missing = units
        .map((unit, offset) => ({ index: firstIndex + offset, unit }))
        .filter(({ index }) => !done.has(index))
        .map((c) => ({ ...c, params: decodeCandidate(spec.space, c.unit) }));
      // The queue takes the generation in one go (one round trip for its jobs); other executors one candidate at
      // a time, and a stop between two starts no more.
      const started = executor.evaluateBatch
        ? halted()
          ? []
          : executor.evaluateBatch(missing).map((score, k) => ({ ...missing[k], score }))
        : missing.flatMap((c) => (halted() ? [] : [{ ...c, score: executor.evaluate(c.index, c.params) }]));
      await Promise.all(
        started.map(async ({ index, unit, params, score }) => {
          record(state, index, unit, params, await score);
          saveSoon();
        }),
      );
      if (hooks.cancelled() || hooks.stopping?.()) continue;
      state.sampler = refit(
        state.sampler,
        state.results.map((r) => ({ unit: r.unit, score: r.inSampleScore, index: r.index })),
        options,
      );
      state.generation = null;
      saveSoon();
    }
  } catch (error) {
    state.status = 'failed';
    state.error = error instanceof Error ? error.message : String(error);
  }
  await saveNow();
  return state;
}
