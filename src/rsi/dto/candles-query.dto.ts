import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { SUPPORTED_TIMEFRAMES } from '../../exchange/exchange.types';

export class CandlesQueryDto {
  /** Echoed back; the data is the cached series of the current timeframe */
  @IsOptional()
  @IsIn(SUPPORTED_TIMEFRAMES, { message: `timeframe must be one of ${SUPPORTED_TIMEFRAMES.join(', ')}` })
  timeframe?: string;

  /** Days of candles to return (all cached candles when omitted) */
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'period must be a whole number of days' })
  @Min(1)
  @Max(3650)
  period?: number;
}
