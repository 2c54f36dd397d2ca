import type {
  Balance,
  Candle,
  ExchangeAdapter,
  MarketInfo,
  MarketOrderRequest,
  OrderResult,
  Position,
  Ticker,
  Timeframe,
  FetchCandlesOptions,
} from '../../src/exchange/exchange.types';

/**
 * The parts of a market-data-only fake exchange that do nothing: no positions, no-op stops and leverage, nothing to
 * close. Subclasses supply the market (listMarkets, fetchCandles, fetchTickers), the orders and the balance.
 * Shared by the test fakes and the benchmark's synthetic exchange (bench/run.ts compiles this folder).
 */
export abstract class IdleAdapter implements ExchangeAdapter {
  abstract readonly name: string;
  readonly isPaper = true;

  async init(): Promise<void> {}
  async close(): Promise<void> {}

  abstract listMarkets(): Promise<MarketInfo[]>;
  abstract fetchCandles(symbol: string, timeframe: Timeframe, options?: FetchCandlesOptions): Promise<Candle[]>;
  abstract fetchTickers(): Promise<Map<string, Ticker>>;
  abstract createMarketOrder(request: MarketOrderRequest): Promise<OrderResult>;
  abstract fetchBalance(): Promise<Balance>;

  async fetchPositions(): Promise<Position[]> {
    return [];
  }
  async closePosition(): Promise<OrderResult | null> {
    return null;
  }
  async cancelOrder(): Promise<void> {}
  async setTradingStop(): Promise<void> {}
  async setLeverage(): Promise<void> {}
}

/** The balance the fakes that take no orders report: 1000 USDT, all of it free. */
export const IDLE_BALANCE: Readonly<Balance> = {
  currency: 'USDT',
  totalEquity: 1000,
  walletBalance: 1000,
  availableBalance: 1000,
  unrealizedPnl: 0,
  marginBalance: 1000,
  positionValue: 0,
  activePositions: 0,
};
