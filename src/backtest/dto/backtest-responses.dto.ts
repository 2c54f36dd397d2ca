import { ApiProperty } from '@nestjs/swagger';
import { SuccessResponseDto } from '../../common/dto/envelope.dto';

export class BacktestParametersDto {
  /** @example 1767225600000 */
  from_ms: number;
  /** @example 1780272000000 */
  to_ms: number;
  /** @example ['BTC', 'ETH'] */
  symbols: string[];
  /** @example '6h' */
  timeframe: string;
  /** @example null */
  @ApiProperty({ nullable: true, type: String, example: null })
  detail: string | null;
  /** @example 10000 */
  starting_balance: number;
  @ApiProperty({ type: Object, additionalProperties: true, example: { max_concurrent: 5 } })
  settings_overrides: Record<string, unknown>;
  /** Paper exchange seed, when it was the data source. @example 42 */
  @ApiProperty({ nullable: true, type: Number, example: 42 })
  seed: number | null;
}

export class BacktestSummaryDto {
  /** @example 37 */
  trades: number;
  /** @example 12.4 */
  net_pnl_usdt: number;
  /** @example 0.12 */
  roi_pct: number;
  /** @example 45.9 */
  win_rate_pct: number;
  /** @example 1.8 */
  max_drawdown_pct: number;
}

export class BacktestJobDto {
  /** @example '0b7c7b0e-2a55-4b8e-9a1f-1f0c2d3e4f50' */
  id: string;
  @ApiProperty({ enum: ['running', 'done', 'failed', 'cancelled', 'interrupted'], example: 'running' })
  status: string;
  /** @example 42.5 */
  progress_pct: number;
  @ApiProperty({ nullable: true, enum: ['candles', 'load', 'replay', 'assemble'], example: 'candles' })
  stage: string | null;
  /** @example 1780272000000 */
  created_at_ms: number;
  @ApiProperty({ nullable: true, type: Number, example: null })
  finished_at_ms: number | null;
  @ApiProperty({ nullable: true, type: String, example: null })
  error: string | null;
  parameters: BacktestParametersDto;
  @ApiProperty({ nullable: true, type: BacktestSummaryDto })
  summary: BacktestSummaryDto | null;
}

export class BacktestJobResponseDto extends SuccessResponseDto {
  job: BacktestJobDto;
}

export class BacktestDetailResponseDto extends SuccessResponseDto {
  job: BacktestJobDto;
  /** The full result once `done` (docs/backtest-report.md: trades, equity, drawdown, statistics); null before. */
  @ApiProperty({ nullable: true, type: Object, additionalProperties: true })
  result: Record<string, unknown> | null;
}

export class BacktestListResponseDto extends SuccessResponseDto {
  @ApiProperty({ type: [BacktestJobDto] })
  backtests: BacktestJobDto[];
}
