import type {
  Balance,
  Candle,
  ExchangeAdapter,
  FetchCandlesOptions,
  MarketInfo,
  MarketOrderRequest,
  OrderResult,
  Position,
  Ticker,
  Timeframe,
  TradingStopRequest,
} from '../../src/exchange/exchange.types';

/**
 * A fake exchange's backend whose ticker prices a test can move: every price of a shifted symbol's ticker is
 * multiplied by its factor (a sudden market move), everything else is the wrapped backend's.
 */
export class PriceShiftBackend implements ExchangeAdapter {
  readonly name: string;
  readonly isPaper: boolean;
  private readonly factors = new Map<string, number>();

  constructor(private readonly backend: ExchangeAdapter) {
    this.name = backend.name;
    this.isPaper = backend.isPaper;
  }

  shift(symbol: string, factor: number): void {
    this.factors.set(symbol, factor);
  }

  async fetchTickers(): Promise<Map<string, Ticker>> {
    const tickers = await this.backend.fetchTickers();
    for (const [symbol, factor] of this.factors) {
      const t = tickers.get(symbol);
      if (!t) continue;
      tickers.set(symbol, {
        ...t,
        last: t.last * factor,
        bid: t.bid * factor,
        ask: t.ask * factor,
        mark: t.mark * factor,
        high24h: Math.max(t.high24h, t.last * factor),
        low24h: Math.min(t.low24h, t.last * factor),
      });
    }
    return tickers;
  }

  init(): Promise<void> {
    return this.backend.init();
  }
  close(): Promise<void> {
    return this.backend.close();
  }
  listMarkets(): Promise<MarketInfo[]> {
    return this.backend.listMarkets();
  }
  fetchCandles(symbol: string, timeframe: Timeframe, options?: FetchCandlesOptions): Promise<Candle[]> {
    return this.backend.fetchCandles(symbol, timeframe, options);
  }
  fetchPositions(): Promise<Position[]> {
    return this.backend.fetchPositions();
  }
  createMarketOrder(request: MarketOrderRequest): Promise<OrderResult> {
    return this.backend.createMarketOrder(request);
  }
  closePosition(symbol: string): Promise<OrderResult | null> {
    return this.backend.closePosition(symbol);
  }
  cancelOrder(symbol: string, orderId: string): Promise<void> {
    return this.backend.cancelOrder(symbol, orderId);
  }
  setTradingStop(symbol: string, request: TradingStopRequest): Promise<void> {
    return this.backend.setTradingStop(symbol, request);
  }
  setLeverage(symbol: string, leverage: number): Promise<void> {
    return this.backend.setLeverage(symbol, leverage);
  }
  fetchBalance(): Promise<Balance> {
    return this.backend.fetchBalance();
  }
}
