import { ApiProperty } from '@nestjs/swagger';
import { SuccessResponseDto } from '../../common/dto/envelope.dto';
import { PROTECTION_RULES } from '../../protections/rules/rule.types';

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

/** An account-protection lock the replay set (docs/backtest-report.md, "The result"). */
export class BacktestProtectionLockDto {
  /** @example 'cooldown-BTCUSDT-1767312000000-1' */
  id: string;
  @ApiProperty({ enum: PROTECTION_RULES, example: 'cooldown' })
  rule: string;
  /** The locked coin, or null when every coin is locked */
  @ApiProperty({ type: String, nullable: true, example: 'BTCUSDT' })
  symbol: string | null;
  @ApiProperty({ enum: ['account', 'coin'], example: 'coin' })
  scope: string;
  /** @example 'cooldown: BTCUSDT closed a position 240 min ago (cooldown 1440 min)' */
  reason: string;
  /** When the lock was set (replay time). @example 1767312000000 */
  locked_at_ms: number;
  /** When it ended (its final end, after any extension). @example 1767384000000 */
  until_ms: number;
}

/**
 * A stored result (docs/backtest-report.md, "The result"): every top-level field named; the large parts (trades,
 * equity, statistics) are described there and left open here.
 */
export class BacktestResultDto {
  /** @example 'bots-service.backtest-result' */
  kind: string;
  /** @example 1 */
  version: number;
  id: string;
  generated_at_ms: number;
  parameters: BacktestParametersDto;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } })
  trades: object[];
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } })
  open_positions: object[];
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } })
  equity: object[];
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } })
  drawdown: object[];
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } })
  buy_and_hold: object[];
  @ApiProperty({ required: false, type: 'array', items: { type: 'object', additionalProperties: true } })
  price_paths?: object[];
  @ApiProperty({ type: Object, additionalProperties: true })
  statistics: object;
  /** Account-protection locks the run set, in order (absent in results stored before they were recorded). */
  @ApiProperty({ required: false, type: [BacktestProtectionLockDto] })
  protection_locks?: BacktestProtectionLockDto[];
}

export class BacktestDetailResponseDto extends SuccessResponseDto {
  job: BacktestJobDto;
  /** The full result once `done` (docs/backtest-report.md: trades, equity, statistics, locks); null before. */
  @ApiProperty({ nullable: true, type: BacktestResultDto })
  result: BacktestResultDto | null;
}

export class BacktestListResponseDto extends SuccessResponseDto {
  @ApiProperty({ type: [BacktestJobDto] })
  backtests: BacktestJobDto[];
}
