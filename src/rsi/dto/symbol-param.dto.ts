import { IsString } from 'class-validator';
import { IsCoinSymbol } from '../../common/is-coin-symbol';

/**
 * A coin symbol in the path: "BTC", "btc" or "BTCUSDT" (normalized by the controller).
 * Letters and digits only; anything else is a 400.
 */
export class SymbolParamDto {
  /** Coin symbol, e.g. BTC or BTCUSDT */
  @IsString()
  @IsCoinSymbol()
  symbol: string;
}
