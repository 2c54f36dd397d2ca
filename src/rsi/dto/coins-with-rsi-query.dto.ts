import { IsOptional, IsString, Matches } from 'class-validator';

export class CoinsWithRsiQueryDto {
  /** Recompute this coin from the exchange before answering */
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9]{1,24}$/, { message: 'refresh_symbol must be letters and digits only (e.g. BTC)' })
  refresh_symbol?: string;
}
