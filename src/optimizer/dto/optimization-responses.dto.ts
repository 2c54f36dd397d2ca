import { SuccessResponseDto } from '../../common/dto/envelope.dto';
import { AllowsExtraFields } from '../../common/dto/open-schema';

/** A candidate's parameters: setting key → value (numbers and switches). */
@AllowsExtraFields()
export class CandidateParamsDto {}

export class WindowScoreDto {
  /** The objective on this window; null when it breaks a constraint. */
  score: number | null;
  trades: number;
  net_pnl_percent: number;
  max_drawdown_percent: number;
  /** Why the window does not count, or null. */
  violation: string | null;
}

export class FoldScoreDto {
  in_sample: WindowScoreDto;
  out_of_sample: WindowScoreDto;
}

export class CandidateDto {
  /** Position in the run's sequence (fixed by the seed). */
  index: number;
  params: CandidateParamsDto;
  /** Mean in-sample score: what the search ranks by. */
  in_sample_score: number | null;
  /** Mean out-of-sample score over the folds. */
  out_of_sample_score: number | null;
  /** The last fold's out-of-sample score (data the ranking never saw). */
  holdout_score: number | null;
  out_of_sample_trades: number;
  /** Per fold, when kept (the top N). */
  folds?: FoldScoreDto[];
  /** Whether `apply` would accept it, and why not. */
  applicable: boolean;
  refusal: string | null;
}

export class OptimizationSummaryDto {
  id: string;
  /** running, completed, cancelled or failed. */
  status: string;
  error: string | null;
  /** backtest (the replay engine) or synthetic. */
  evaluator: string;
  /**
   * While running: `candles` (filling the candle store before the first evaluation), `evaluating`, then `equity`
   * (replaying the best candidates for the report's equity curves); else null.
   */
  stage: string | null;
  /** Share of the candle fill done, 0…1, while running; else null. */
  candles_progress: number | null;
  objective: string;
  scope: string;
  symbol: string | null;
  seed: number;
  evaluated: number;
  budget: number;
  /** evaluated / budget, 0…1. */
  progress: number;
  created_at: string;
  updated_at: string;
  best: CandidateDto | null;
}

export class OptimizationDetailDto extends OptimizationSummaryDto {
  folds: number;
  fold_mode: string;
  /** Best first by in-sample score, each with its out-of-sample scores. */
  top: CandidateDto[];
}

export class StartOptimizationResponseDto extends SuccessResponseDto {
  id: string;
  seed: number;
  status: string;
}

export class OptimizationResponseDto extends SuccessResponseDto {
  optimization: OptimizationDetailDto;
}

export class OptimizationListResponseDto extends SuccessResponseDto {
  optimizations: OptimizationSummaryDto[];
}

export class CancelOptimizationResponseDto extends SuccessResponseDto {
  id: string;
  /** What happened: cancelled (a running run stops after its evaluations in flight) or removed (a finished run). */
  action: string;
}

export class ApplyOptimizationResponseDto extends SuccessResponseDto {
  message: string;
  /** Where the values went: auto-bot config, or the coin's individual settings. */
  target: string;
  applied: CandidateParamsDto;
}
