import type { Candle } from '../../exchange/exchange.types';

/**
 * Statistical fit of the exit-scam (anti-pump) thresholds for one coin: the chosen percentile of its own
 * single-candle bodies and of its N-candle moves, so only moves rarer than that percentile block an entry.
 */

export type Aggressiveness = 'normal' | 'conservative' | 'aggressive';
export const AGGRESSIVENESS: readonly Aggressiveness[] = ['normal', 'conservative', 'aggressive'];

/** Higher percentile = looser thresholds = fewer blocked entries. "aggressive" filters hardest. */
export const PERCENTILE_BY_AGGRESSIVENESS: Record<Aggressiveness, number> = {
  conservative: 99.5,
  normal: 99,
  aggressive: 97,
};

export const MIN_CANDLES_FOR_LEARNING = 50;

/** Linear-interpolated percentile (0–100) of an unsorted sample. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

export interface ExitScamFit {
  params: {
    exit_scam_candles: number;
    exit_scam_single_candle_percent: number;
    exit_scam_multi_candle_count: number;
    exit_scam_multi_candle_percent: number;
  };
  stats: {
    aggressiveness: Aggressiveness;
    percentile_used: number;
    single_raw_pct: number;
    multi_per_n: number;
    chosen_n: number;
    candles_analyzed: number;
  };
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Null when there are fewer than 50 usable candles. */
export function fitExitScam(
  candles: readonly Candle[],
  aggressiveness: Aggressiveness,
  current: { candles: number; multiCount: number },
): ExitScamFit | null {
  const usable = candles.filter((c) => c.open > 0);
  if (usable.length < MIN_CANDLES_FOR_LEARNING) return null;
  const p = PERCENTILE_BY_AGGRESSIVENESS[aggressiveness];
  const n = Math.max(2, Math.min(Math.floor(current.multiCount), usable.length));
  const bodies = usable.map((c) => (Math.abs(c.close - c.open) / c.open) * 100);
  const moves: number[] = [];
  for (let i = 0; i + n <= usable.length; i++) {
    moves.push((Math.abs(usable[i + n - 1].close - usable[i].open) / usable[i].open) * 100);
  }
  const single = percentile(bodies, p);
  const multi = percentile(moves, p);
  return {
    params: {
      exit_scam_candles: Math.max(1, Math.floor(current.candles)),
      // A floor keeps a very calm history from blocking every ordinary candle.
      exit_scam_single_candle_percent: Math.max(0.5, round2(single)),
      exit_scam_multi_candle_count: n,
      exit_scam_multi_candle_percent: Math.max(1, round2(Math.max(multi, single))),
    },
    stats: {
      aggressiveness,
      percentile_used: p,
      single_raw_pct: round2(single),
      multi_per_n: round2(multi),
      chosen_n: n,
      candles_analyzed: usable.length,
    },
  };
}
