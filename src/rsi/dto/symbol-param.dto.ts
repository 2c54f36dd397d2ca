import { IsString, Matches } from 'class-validator';

/**
 * A coin symbol in the path: "BTC", "btc" or "BTCUSDT" (normalized by the controller).
 * Letters and digits only; anything else is a 400.
 */
export class SymbolParamDto {
  /** Coin symbol, e.g. BTC or BTCUSDT */
  @IsString()
  @Matches(/^[A-Za-z0-9]{1,24}$/, { message: 'symbol must be letters and digits only (e.g. BTC or BTCUSDT)' })
  symbol: string;
}
