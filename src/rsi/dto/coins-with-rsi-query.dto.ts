import { IsOptional, IsString } from 'class-validator';
import { IsCoinSymbol } from '../../common/is-coin-symbol';

export class CoinsWithRsiQueryDto {
  /** Recompute this coin from the exchange before answering */
  @IsOptional()
  @IsString()
  @IsCoinSymbol()
  refresh_symbol?: string;
}
