import { ApiExtraModels, ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { MessageResponseDto, SuccessResponseDto } from '../../common/dto/envelope.dto';

/** Answers of the filters controller (docs/api-contract.md §2.6, §2.9). */

export class FilterDecisionDto {
  /** @example 'exit_scam' */
  filter: string;
  /** @example true */
  allowed: boolean;
  /** @example 'no candle moved more than 15% in the last 8' */
  reason: string;
  /** The numbers behind the decision. */
  @ApiProperty({ type: 'object', additionalProperties: true, selfRequired: false, example: { max_single_pct: 4.2 } })
  details?: Record<string, unknown>;
}

export class ExitScamTestResponseDto extends MessageResponseDto {
  /** @example 'BTC' */
  symbol: string;
  /** @example true */
  allowed: boolean;
  decision: FilterDecisionDto;
}

@ApiExtraModels(FilterDecisionDto)
export class RsiTimeFilterTestResponseDto extends MessageResponseDto {
  /** The direction of the coin's current RSI side (SHORT at RSI ≥ 50). @example 'LONG' */
  direction: 'LONG' | 'SHORT';
  /** @example 'BTC' */
  symbol: string;
  /** @example true */
  allowed: boolean;
  decision: FilterDecisionDto;
  /** Both directions' decisions, keyed LONG and SHORT. */
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(FilterDecisionDto) } })
  decisions: Record<'LONG' | 'SHORT', FilterDecisionDto>;
}

export class DelistedCoinDto {
  /** @example 'Delivering' */
  reason: string;
  /** @example '2026-12-10T08:00:00' */
  delisting_date: string | null;
  /** @example '2026-12-04T12:00:00' */
  detected_at: string;
  /** @example 'exchange_scan' */
  source: string;
}

@ApiExtraModels(DelistedCoinDto)
export class DelistedCoinsResponseDto extends SuccessResponseDto {
  /** Delisting coins keyed by symbol. */
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(DelistedCoinDto) } })
  delisted_coins: Record<string, DelistedCoinDto>;
  /** @example '2026-12-04T12:00:00' */
  last_scan: string | null;
  /** @example true */
  scan_enabled: boolean;
  /** @example 1 */
  total_count: number;
}

@ApiExtraModels(DelistedCoinDto)
export class ForceScanResponseDto extends MessageResponseDto {
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(DelistedCoinDto) } })
  delisted_coins: Record<string, DelistedCoinDto>;
  /** @example '2026-12-04T12:00:00' */
  last_scan: string | null;
  /** @example 1 */
  total_count: number;
  /** Coins added by this scan. @example ['XYZ'] */
  new_coins: string[];
}
