/**
 * What differs from one exchange to the next, behind one interface (docs/exchanges.md, "Dialects"): the adapter
 * (../ccxt-exchange.ts) speaks ccxt's unified API and asks its dialect wherever an exchange has its own way
 * (capabilities to branch on, overrides to call). BaseDialect holds the defaults; an exchange's file overrides only
 * what it does differently, as freqtrade's exchange subclasses do over its Exchange class.
 */
import { randomUUID } from 'node:crypto';
import type { Exchange, Position as CcxtPosition } from 'ccxt';
import type { MarketInfo, Position, TradingStopRequest } from '../../exchange.types';
import { binanceErrorCode } from '../ccxt-errors';
import type { CcxtClassId } from '../ccxt-client';
import { type BalanceFigures, type Market, toPosition } from '../mappers';

export type CcxtExchangeId = 'bybit' | 'binance' | 'okx';

/** What the adapter lends a dialect that needs more than one request (stops as orders, reading stops back). */
export interface DialectContext {
  /** Runs one step through the adapter's retry, error mapping and metrics, as the adapter's own methods do. */
  call<T>(method: string, task: (client: Exchange, attempt: number) => Promise<T>): Promise<T>;
  unifiedSymbol(bare: string, method: string): string;
  bare(unified: string): string;
  openPositions(client: Exchange, unified: string | undefined): Promise<Position[]>;
}

export interface DialectCapabilities {
  /** SL/TP travel with the market order; otherwise the adapter sets them through setTradingStop after the fill. */
  readonly stopsOnOrder: boolean;
  /** Stops are separate conditional orders that the full position list must read back (readStops). */
  readonly stopsAsOrders: boolean;
  /**
   * Every JSON number of an answer is small (prices, sizes and ids come as strings): ccxt's unsafe-integer walk is
   * skipped.
   */
  readonly numbersAsStrings: boolean;
  /** The account API needs a passphrase besides key and secret (EXCHANGE_API_PASSWORD). */
  readonly needsPassword: boolean;
  /** Candles one request answers at most; the adapter pages for more (up to its own 1000). */
  readonly maxCandlesPerRequest: number;
}

export interface ExchangeDialect {
  readonly id: CcxtExchangeId;
  /** The ccxt class that speaks this exchange's USDT swaps. */
  readonly ccxtClassId: CcxtClassId;
  readonly capabilities: DialectCapabilities;
  /** ccxt's `options` for the client. */
  clientOptions(): Record<string, unknown>;
  /** Adjusts a fresh client (e.g. faster parsers) before the transport hooks go on. */
  prepareClient(client: Exchange): void;
  marketInfo(market: Market): MarketInfo;
  /** A ccxt position row (size in coins), with what the exchange keeps beside ccxt's unified fields. */
  toPosition(bare: string, row: CcxtPosition, contractSize: number): Position | undefined;
  /** The USDT figures of fetchBalance's raw answer, undefined when it has none. */
  balanceFigures(info: unknown): BalanceFigures | undefined;
  isRateLimitAnswer(status: number, parsed: unknown): boolean;
  /** Why a 2xx answer ccxt would accept is unusable, or undefined when it looks sound. */
  malformedReason(status: number, url: string, text: string, parsed: unknown): string | undefined;
  /** "This client order id was used already": the order exists. */
  isDuplicateClientOrderId(error: unknown): boolean;
  /** setLeverage refused only because the leverage is already set. */
  isLeverageUnchanged(error: unknown): boolean;
  /** Extra params of ccxt's setLeverage (e.g. the margin mode), undefined for none. */
  leverageParams(): Record<string, unknown> | undefined;
  /** createOrder params that attach the stops (stopsOnOrder dialects). */
  attachedStopParams(client: Exchange, unified: string, stops: TradingStopRequest): Record<string, unknown>;
  /** The exchange's id of the order placed under `clientOrderId`, or undefined when it cannot be found. */
  findOrderIdByClientId(client: Exchange, unified: string, clientOrderId: string): Promise<string | undefined>;
  /** Sets (a price), keeps (undefined) or lifts (0) the position's stop loss and take profit. */
  setTradingStop(context: DialectContext, symbol: string, request: TradingStopRequest): Promise<void>;
  /** Copies resting stop orders onto the positions (stopsAsOrders dialects). */
  readStops(context: DialectContext, client: Exchange, positions: Position[]): Promise<void>;
  /** A fresh client order id in the exchange's alphabet and length. */
  newClientOrderId(): string;
  /** The caller's client order id in the exchange's alphabet and length (the same on every retry). */
  clientOrderId(id: string): string;
}

export abstract class BaseDialect implements ExchangeDialect {
  abstract readonly id: CcxtExchangeId;
  abstract readonly ccxtClassId: CcxtClassId;
  abstract readonly capabilities: DialectCapabilities;
  /** Error codes meaning "client order id already used". */
  protected readonly duplicateClientIdCodes: ReadonlySet<number> = new Set();

  abstract clientOptions(): Record<string, unknown>;
  abstract marketInfo(market: Market): MarketInfo;
  abstract balanceFigures(info: unknown): BalanceFigures | undefined;
  abstract findOrderIdByClientId(client: Exchange, unified: string, clientOrderId: string): Promise<string | undefined>;
  abstract setTradingStop(context: DialectContext, symbol: string, request: TradingStopRequest): Promise<void>;

  prepareClient(_client: Exchange): void {}

  toPosition(bare: string, row: CcxtPosition, contractSize: number): Position | undefined {
    return toPosition(bare, row, contractSize);
  }

  isRateLimitAnswer(status: number, _parsed: unknown): boolean {
    return status === 429 || status === 418;
  }

  malformedReason(status: number, _url: string, _text: string, parsed: unknown): string | undefined {
    return status >= 200 && status < 300 && parsed === undefined ? 'body is not JSON' : undefined;
  }

  isDuplicateClientOrderId(error: unknown): boolean {
    const code = this.errorCode(error);
    return code !== undefined && this.duplicateClientIdCodes.has(code);
  }

  isLeverageUnchanged(_error: unknown): boolean {
    return false;
  }

  leverageParams(): Record<string, unknown> | undefined {
    return undefined;
  }

  attachedStopParams(_client: Exchange, _unified: string, _stops: TradingStopRequest): Record<string, unknown> {
    return {};
  }

  async readStops(_context: DialectContext, _client: Exchange, _positions: Position[]): Promise<void> {}

  clientOrderId(id: string): string {
    return id;
  }

  newClientOrderId(): string {
    // Bybit orderLinkId / Binance newClientOrderId: at most 36 of [A-Za-z0-9_-].
    return `bots-${randomUUID().replace(/-/g, '')}`.slice(0, 36);
  }

  /** The exchange's numeric error code quoted in a ccxt error message ({"code":-4116,...} unless overridden). */
  protected errorCode(error: unknown): number | undefined {
    return binanceErrorCode(error);
  }
}

/** A price on the market's tick as the exchange wants it; 0 (= lift the stop) stays "0". */
export function priceString(client: Exchange, unified: string, price: number): string {
  return price === 0 ? '0' : String(client.priceToPrecision(unified, price));
}

/** The order side that closes the position. */
export function closeSide(position: Position): 'buy' | 'sell' {
  return position.side === 'Long' ? 'sell' : 'buy';
}

/** ccxt error class test by name along the prototype chain (ccxt need not be loaded). */
export function ccxtIs(error: unknown, className: string): boolean {
  for (let proto = error ? Object.getPrototypeOf(error) : null; proto; proto = Object.getPrototypeOf(proto)) {
    if (proto.constructor?.name === className) return true;
  }
  return false;
}
