import { IsArray, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { SUPPORTED_TIMEFRAMES } from '../../exchange/exchange.types';

export class CopyToAllDto {
  /** Coins to copy to; omitted = every coin of the RSI list except the source. */
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @MaxLength(40, { each: true })
  targets?: string[];
}

export class LearnExitScamDto {
  @IsOptional()
  @IsIn(['normal', 'conservative', 'aggressive'])
  aggressiveness?: 'normal' | 'conservative' | 'aggressive';

  @IsOptional()
  @IsIn(SUPPORTED_TIMEFRAMES as unknown as string[])
  timeframe?: string;
}
