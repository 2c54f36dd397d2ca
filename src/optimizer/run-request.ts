import type { StartOptimizationDto } from './dto/start-optimization.dto';
import type { RunSpec } from './optimization-run';
import type { SearchSpace } from './search-space';
import type { ReplaySetup } from './backtest-evaluator';
import type { CandleStoreDatasetSpec, DatasetSpec } from './shared-candles';

const SIX_HOURS_MS = 6 * 3600_000;
/** The synthetic data set's fixed start, so a run's candles depend on its request alone. */
const SYNTHETIC_START = Date.UTC(2025, 0, 1);

/** The defaults a request leaves open (docs/optimizer.md, "Request"). */
export const RUN_DEFAULTS = {
  objective: 'sharpe',
  minTrades: 30,
  maxDrawdownPercent: 50,
  folds: 4,
  foldMode: 'rolling',
  budget: 500,
  batchSize: 32,
  topN: 10,
  symbols: 20,
  candles: 1000,
} as const;

/** A validated request (API or CLI) → the run's full definition. Pure: id and seed are chosen by the caller. */
export function buildRunSpec(
  dto: StartOptimizationDto,
  chosen: {
    id: string;
    seed: number;
    space: SearchSpace;
    symbol: string | null;
    configuredFloor: number;
    /** The store candles and replay setup of a backtest-evaluator run (prepared by the caller); absent: synthetic. */
    backtest?: { dataset: CandleStoreDatasetSpec; context: ReplaySetup };
  },
): RunSpec {
  const dataset: DatasetSpec = chosen.backtest?.dataset ?? {
    kind: 'synthetic',
    symbols: chosen.symbol ? 1 : (dto.data?.symbols ?? RUN_DEFAULTS.symbols),
    candles: dto.data?.candles ?? RUN_DEFAULTS.candles,
    seed: dto.data?.seed ?? 1,
    timeframeMs: SIX_HOURS_MS,
    startTime: SYNTHETIC_START,
  };
  return {
    id: chosen.id,
    space: chosen.space,
    objective: dto.objective ?? RUN_DEFAULTS.objective,
    constraints: {
      minTrades: dto.constraints?.min_trades ?? RUN_DEFAULTS.minTrades,
      maxDrawdownPercent: dto.constraints?.max_drawdown_percent ?? RUN_DEFAULTS.maxDrawdownPercent,
    },
    walkForward: { folds: dto.folds ?? RUN_DEFAULTS.folds, mode: dto.fold_mode ?? RUN_DEFAULTS.foldMode },
    budget: dto.budget ?? RUN_DEFAULTS.budget,
    seed: chosen.seed,
    batchSize: dto.batch_size ?? RUN_DEFAULTS.batchSize,
    scope: chosen.symbol ? { kind: 'coin', symbol: chosen.symbol } : { kind: 'global' },
    evaluator: chosen.backtest ? 'backtest' : 'synthetic',
    dataset,
    ...(chosen.backtest ? { context: chosen.backtest.context } : {}),
    topN: dto.top_n ?? RUN_DEFAULTS.topN,
    // A request may make the apply floor stricter than the configured one, never looser.
    minOutOfSampleScore: Math.max(chosen.configuredFloor, dto.min_out_of_sample_score ?? -Infinity),
  };
}
