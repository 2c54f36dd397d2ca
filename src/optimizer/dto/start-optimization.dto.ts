import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { MAX_SYMBOL_LIST } from '../../common/symbol';
import { EVALUATORS, type EvaluatorName } from '../evaluation-port';
import { OBJECTIVES, type Objective } from '../objective';
import { TUNABLE_KEYS } from '../search-space';

export class ParameterRangeDto {
  /** An auto-bot setting key the optimizer may tune. @example 'rsi_long_threshold' */
  @IsString()
  @IsIn(TUNABLE_KEYS)
  key: string;

  /** Lower bound (default: around the current value, inside the setting's range). @example 20 */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  min?: number;

  /** Upper bound. @example 35 */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  max?: number;
}

export class ConstraintsDto {
  /** A window with fewer trades does not count. @example 30 */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  min_trades?: number;

  /** A window with a deeper drawdown (percent of peak equity) does not count. @example 40 */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100)
  max_drawdown_percent?: number;
}

/**
 * The candles a run evaluates on (docs/optimizer.md, "Data"). Backtest evaluator: the last `candles` candles of the
 * service's timeframe before now, of `coins` (default: the first `symbols` tradable coins, or all of them), from
 * the candle store. Synthetic evaluator: `symbols` random walks of `candles` candles from `seed`.
 */
export class SyntheticDataDto {
  /** Backtest: these coins (default: every tradable coin, or the first `symbols`). @example ['BTC', 'ETH'] */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_SYMBOL_LIST)
  @IsString({ each: true })
  @MaxLength(30, { each: true })
  coins?: string[];

  /** Coins: synthetic random walks, or the first N tradable coins (backtest, without `coins`). @example 50 */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  symbols?: number;

  /** @example 1000 */
  @IsOptional()
  @IsInt()
  @Min(50)
  @Max(5000)
  candles?: number;

  /** @example 1 */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2 ** 31 - 1)
  seed?: number;
}

export class StartOptimizationDto {
  /** Parameters to tune with their ranges; omitted: entries, exits, risk exits and leverage around current values. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(TUNABLE_KEYS.length)
  @ValidateNested({ each: true })
  @Type(() => ParameterRangeDto)
  space?: ParameterRangeDto[];

  /** What the search maximises. @example 'sharpe' */
  @IsOptional()
  @IsIn(OBJECTIVES)
  objective?: Objective;

  @IsOptional()
  @ValidateNested()
  @Type(() => ConstraintsDto)
  constraints?: ConstraintsDto;

  /** Walk-forward folds (the range is cut into folds + 1 segments). @example 4 */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(20)
  folds?: number;

  /** Rolling: each fold trains on one segment; anchored: on every segment before its test. @example 'rolling' */
  @IsOptional()
  @IsIn(['rolling', 'anchored'])
  fold_mode?: 'rolling' | 'anchored';

  /** Evaluations in all. @example 500 */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(5000)
  budget?: number;

  /** Candidates per generation (evaluated in parallel). @example 32 */
  @IsOptional()
  @IsInt()
  @Min(2)
  @Max(256)
  batch_size?: number;

  /** Same seed, same candidates (omitted: chosen and reported). @example 42 */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2 ** 31 - 1)
  seed?: number;

  /** `global` writes the auto-bot config; `coin` writes the coin's individual settings. @example 'global' */
  @IsOptional()
  @IsIn(['global', 'coin'])
  scope?: 'global' | 'coin';

  /** The coin, for scope `coin`. @example 'BTC' */
  @ValidateIf((dto: StartOptimizationDto) => dto.scope === 'coin')
  @IsString()
  @MaxLength(30)
  symbol?: string;

  /** Candidates reported with their per-fold scores. @example 10 */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(50)
  top_n?: number;

  /** A stricter apply floor for this run than OPTIMIZER_APPLY_MIN_OOS_SCORE (never a looser one). */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  min_out_of_sample_score?: number;

  @IsOptional()
  @ValidateNested()
  @Type(() => SyntheticDataDto)
  data?: SyntheticDataDto;

  /** `backtest` (the replay engine over the candle store, default) or `synthetic` (known optimum; tests, bench). */
  @IsOptional()
  @IsIn(EVALUATORS)
  evaluator?: EvaluatorName;
}

export class ApplyOptimizationDto {
  /** The candidate to apply (default: the best in-sample one). @example 17 */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  candidate_index?: number;
}
