import { IsOptional, IsString } from 'class-validator';
import { IsCoinSymbol } from '../../common/symbol';

export class CoinsWithRsiQueryDto {
  /** Recompute this coin from the exchange before answering */
  @IsOptional()
  @IsString()
  @IsCoinSymbol()
  refresh_symbol?: string;
}
