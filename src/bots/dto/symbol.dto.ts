import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';
import { ToBoolean } from './transforms';

/** Body of start / stop / pause / resume / delete / close-position: `{symbol, reason?, force?}`. */
export class SymbolActionDto {
  /** Bare coin ("BTC"); "BTCUSDT" and lower case are accepted. */
  @IsOptional()
  @IsString()
  @MaxLength(40)
  symbol?: string;

  /** Why (stop and delete log it). */
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;

  /** Accepted for compatibility; ignored. */
  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  force?: boolean;
}

/** stop / delete / close-position also read the symbol from the query string. */
export class SymbolQueryDto {
  @IsOptional()
  @IsString()
  @MaxLength(40)
  symbol?: string;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}
