import { ApiExtraModels, ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { MessageResponseDto, SuccessResponseDto } from '../../common/dto/envelope.dto';

/** Answers of the maturity controller (docs/api-contract.md §2.5). */

export class MatureCoinsListResponseDto extends SuccessResponseDto {
  /** @example ['BTC', 'ETH'] */
  mature_coins: string[];
  /** @example 2 */
  total_count: number;
}

export class MaturityDetailsDto {
  /** @example 1000 */
  candles_count: number;
  /** @example 400 */
  min_required: number;
  /** @example 35 */
  config_min_rsi_low: number;
  /** @example 65 */
  config_max_rsi_high: number;
  /** @example 18.2 */
  rsi_min: number | null;
  /** @example 81.4 */
  rsi_max: number | null;
  /** @example '6h' */
  timeframe: string;
}

export class MaturityVerdictDto {
  /** @example true */
  is_mature: boolean;
  details: MaturityDetailsDto;
  /** Why the coin is not mature. @example 'only 120 candles (needs 400)' */
  reason?: string;
}

export class MatureCoinRecordDto {
  /** Epoch seconds of the verdict. @example 1764871205 */
  timestamp: number;
  maturity_data: MaturityVerdictDto;
  /** Epoch seconds of the last re-check. @example 1764871205 */
  last_verified?: number;
}

@ApiExtraModels(MatureCoinRecordDto)
export class MatureCoinsDataDto {
  /** @example ['BTC'] */
  mature_coins: string[];
  /** @example 1 */
  count: number;
  /** Stored verdicts keyed by symbol. */
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(MatureCoinRecordDto) } })
  storage_details: Record<string, MatureCoinRecordDto>;
}

export class MatureCoinsResponseDto extends SuccessResponseDto {
  data: MatureCoinsDataDto;
}

export class MatureCoinsCountDto {
  /** @example ['BTC'] */
  mature_coins: string[];
  /** @example 1 */
  count: number;
}

export class MatureCoinsReloadResponseDto extends MessageResponseDto {
  data: MatureCoinsCountDto;
}

export class MatureCoinsClearResponseDto extends MessageResponseDto {
  /** @example 412 */
  cleared_count: number;
}

export class RemoveMatureCoinsResponseDto extends MessageResponseDto {
  /** @example 1 */
  removed_count: number;
  /** @example ['BTC'] */
  removed_coins: string[];
  /** Coins not in the store or not valid symbols. @example ['NOPE'] */
  not_found: string[];
}
