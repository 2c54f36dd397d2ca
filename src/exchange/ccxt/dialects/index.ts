/** The dialect of each supported exchange (docs/exchanges.md, "Adding an exchange": register the new one here). */
import { BinanceDialect } from './binance';
import { BybitDialect } from './bybit';
import type { CcxtExchangeId, ExchangeDialect } from './dialect';
import { OkxDialect } from './okx';

const DIALECTS: Record<CcxtExchangeId, () => ExchangeDialect> = {
  bybit: () => new BybitDialect(),
  binance: () => new BinanceDialect(),
  okx: () => new OkxDialect(),
};

export const CCXT_EXCHANGE_IDS = Object.keys(DIALECTS) as CcxtExchangeId[];

/** The dialect of `id`, or undefined for an exchange the adapter does not speak. */
export function dialectFor(id: string): ExchangeDialect | undefined {
  return Object.hasOwn(DIALECTS, id) ? DIALECTS[id as CcxtExchangeId]() : undefined;
}

export type { CcxtExchangeId, DialectCapabilities, DialectContext, ExchangeDialect } from './dialect';
