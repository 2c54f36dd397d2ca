import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString } from 'class-validator';
import { MAX_SYMBOL_LIST } from '../../common/symbol';
import { IsCoinSymbol } from '../../common/is-coin-symbol';
import { SUPPORTED_TIMEFRAMES } from '../../exchange/exchange.types';

export class CopyToAllDto {
  /** Coins to copy to; omitted = every coin of the RSI list except the source. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_SYMBOL_LIST)
  @IsString({ each: true })
  @IsCoinSymbol({ each: true })
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
