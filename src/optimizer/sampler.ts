import { SeededRng, type RngState } from './rng';

/**
 * The search (docs/optimizer.md, "Sampler"): generations of candidates in the unit cube. Generation 0 is uniform
 * random (a space-covering start); each later generation is drawn from a diagonal Gaussian refitted to the best
 * fraction (elites) of everything evaluated so far — the cross-entropy method, i.e. CMA-ES without the covariance
 * matrix. A generation is a batch of independent evaluations (one per core or per remote worker) and the sampler
 * only moves on once a whole batch is scored, so the sequence of candidates depends on the seed alone, never on
 * which worker finished first.
 */
export type SamplerState = {
  generation: number;
  mean: number[];
  sigma: number[];
  rng: RngState;
};

export type SamplerOptions = { batchSize: number; eliteFraction: number; smoothing: number; minSigma: number };
export const DEFAULT_SAMPLER_OPTIONS: SamplerOptions = {
  batchSize: 32,
  eliteFraction: 0.2,
  smoothing: 0.7,
  minSigma: 0.01,
};

export function initialSamplerState(seed: number, dims: number): SamplerState {
  return {
    generation: 0,
    mean: Array(dims).fill(0.5),
    sigma: Array(dims).fill(0.3),
    rng: SeededRng.fromSeed(seed).state(),
  };
}

/** Folds a value back into [0, 1] (reflection keeps mass near the edges instead of piling it on them). */
function reflect(value: number): number {
  let v = value;
  for (let i = 0; i < 4 && (v < 0 || v > 1); i++) v = v < 0 ? -v : 2 - v;
  return Math.min(1, Math.max(0, v));
}

/** The next generation's candidates and the sampler state after drawing them. */
export function drawGeneration(state: SamplerState, count: number): { units: number[][]; state: SamplerState } {
  const rng = new SeededRng(state.rng);
  const units = Array.from({ length: count }, () =>
    state.mean.map((m, d) => (state.generation === 0 ? rng.next() : reflect(m + state.sigma[d] * rng.normal()))),
  );
  return { units, state: { ...state, rng: rng.state() } };
}

export type ScoredUnit = { unit: number[]; score: number | null; index: number };

/**
 * Refits the distribution to the elites among `history` (all scored candidates so far; invalid ones, score null,
 * are never elites). Ties break on the candidate index so the result never depends on arrival order.
 */
export function refit(state: SamplerState, history: readonly ScoredUnit[], options: SamplerOptions): SamplerState {
  const valid = history
    .filter((h) => h.score !== null)
    .sort((a, b) => (b.score as number) - (a.score as number) || a.index - b.index);
  const next = { ...state, generation: state.generation + 1 };
  if (valid.length === 0) return next;
  const eliteCount = Math.max(2, Math.ceil(options.batchSize * options.eliteFraction));
  const elites = valid.slice(0, eliteCount);
  const a = options.smoothing;
  next.mean = state.mean.map((m, d) => a * (elites.reduce((s, e) => s + e.unit[d], 0) / elites.length) + (1 - a) * m);
  next.sigma = state.sigma.map((sg, d) => {
    const mu = elites.reduce((s, e) => s + e.unit[d], 0) / elites.length;
    const sd = Math.sqrt(elites.reduce((s, e) => s + (e.unit[d] - mu) ** 2, 0) / elites.length);
    return Math.max(options.minSigma, a * sd + (1 - a) * sg);
  });
  return next;
}
