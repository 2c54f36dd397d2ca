import { IsBoolean, IsOptional } from 'class-validator';
import { OptionalReason, OptionalSymbol } from './fields';
import { ToBoolean } from './transforms';

/** Body of start / stop / pause / resume / delete / close-position: `{symbol, reason?, force?}`. */
export class SymbolActionDto {
  /** Bare coin ("BTC"); "BTCUSDT" and lower case are accepted. */
  @OptionalSymbol()
  symbol?: string;

  /** Why (stop and delete log it). */
  @OptionalReason()
  reason?: string;

  /** Accepted for compatibility; ignored. */
  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  force?: boolean;
}

/** stop / delete / close-position also read the symbol from the query string. */
export class SymbolQueryDto {
  @OptionalSymbol()
  symbol?: string;

  @OptionalReason()
  reason?: string;
}
