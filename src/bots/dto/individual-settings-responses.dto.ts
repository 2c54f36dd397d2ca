import { ApiProperty } from '@nestjs/swagger';
import { MessageResponseDto, SuccessResponseDto } from '../../common/dto/envelope.dto';

/** Answers of the individual-settings controller (docs/api-contract.md §2.3). */

const SETTINGS_EXAMPLE = {
  rsi_long_threshold: 27,
  max_loss_percent: 10,
  volume_mode: 'usdt',
  volume_value: 20,
  updated_at: '2026-12-04T18:20:00',
};

export class CoinSettingsResponseDto extends SuccessResponseDto {
  /** @example 'BTC' */
  symbol: string;
  /** The coin's overrides: any auto-bot key, plus updated_at. */
  @ApiProperty({ type: 'object', additionalProperties: true, example: SETTINGS_EXAMPLE })
  settings: Record<string, unknown>;
}

export class CoinSettingsRemovedResponseDto extends SuccessResponseDto {
  /** @example 'BTC' */
  symbol: string;
  /** @example true */
  removed: boolean;
}

export class ResetExitScamAllResponseDto extends MessageResponseDto {
  /** Coins that lost their exit_scam_* overrides. @example 3 */
  reset_count: number;
}

export class ResetAllSettingsResponseDto extends MessageResponseDto {
  /** @example 5 */
  removed_count: number;
}

export class CopyToAllResponseDto extends SuccessResponseDto {
  /** @example 'BTC' */
  symbol: string;
  /** @example 582 */
  copied_count: number;
  /** Only when the source coin has no overrides. @example 'BTC has no individual settings to copy' */
  message?: string;
}

export class ExitScamParamsDto {
  /** @example 8 */
  exit_scam_candles: number;
  /** @example 12.4 */
  exit_scam_single_candle_percent: number;
  /** @example 4 */
  exit_scam_multi_candle_count: number;
  /** @example 31.7 */
  exit_scam_multi_candle_percent: number;
}

export class ExitScamStatsDto {
  /** @example 'normal' */
  aggressiveness: 'normal' | 'conservative' | 'aggressive';
  /** @example 99 */
  percentile_used: number;
  /** @example 11.3 */
  single_raw_pct: number;
  /** @example 7.9 */
  multi_per_n: number;
  /** @example 4 */
  chosen_n: number;
  /** @example 1000 */
  candles_analyzed: number;
}

export class LearnExitScamResponseDto extends SuccessResponseDto {
  /** @example 'BTC' */
  symbol: string;
  /** @example '6h' */
  timeframe: string;
  params: ExitScamParamsDto;
  stats: ExitScamStatsDto;
}

/** A sample of the fitted thresholds, flat: symbol plus the four exit_scam_* keys. */
export class ExitScamSampleDto extends ExitScamParamsDto {
  /** @example 'BTC' */
  symbol: string;
}

export class LearnExitScamAllResponseDto extends SuccessResponseDto {
  /** @example 580 */
  updated_count: number;
  /** Coins with too few candles. @example 3 */
  failed_count: number;
  /** @example '6h' */
  timeframe: string;
  /** Up to 50 coins. @example ['BTC', 'ETH'] */
  symbols_updated: string[];
  /** Up to 10 samples. */
  sample_params: ExitScamSampleDto[];
}
