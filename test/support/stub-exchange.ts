import type {
  Balance,
  Candle,
  MarketInfo,
  MarketOrderRequest,
  OrderResult,
  Ticker,
  Timeframe,
} from '../../src/exchange/exchange.types';
import { TIMEFRAME_MS } from '../../src/exchange/exchange.types';
import { IDLE_BALANCE, IdleAdapter } from '../fake-exchange/idle-adapter';

/** A tiny fixed market (3 coins, a sine-wave history) for tests of the HTTP plumbing, not of trading. */
export class StubExchange extends IdleAdapter {
  readonly name = 'stub';
  readonly symbols = ['BTC', 'ETH', 'SOL'];
  constructor(private readonly now = () => Date.UTC(2026, 0, 1)) {
    super();
  }
  async listMarkets(): Promise<MarketInfo[]> {
    return this.symbols.map((symbol, i) => ({
      symbol,
      exchangeSymbol: `${symbol}USDT`,
      status: 'Trading',
      tickSize: 0.01,
      qtyStep: 0.001,
      minOrderQty: 0.001,
      minNotional: 5,
      maxLeverage: 50,
      launchTime: Date.UTC(2020, i, 1),
    }));
  }
  async fetchCandles(symbol: string, timeframe: Timeframe, options: { limit?: number } = {}): Promise<Candle[]> {
    const limit = options.limit ?? 1000;
    const step = TIMEFRAME_MS[timeframe];
    const last = Math.floor(this.now() / step) * step;
    const base = 100 * (this.symbols.indexOf(symbol) + 1);
    return Array.from({ length: limit }, (_, i) => {
      const k = limit - 1 - i;
      const close = base * (1 + 0.1 * Math.sin(k / 9));
      return { time: last - k * step, open: close * 0.999, high: close * 1.01, low: close * 0.99, close, volume: 1000 };
    });
  }
  async fetchTickers(): Promise<Map<string, Ticker>> {
    const map = new Map<string, Ticker>();
    for (const symbol of this.symbols) {
      const [c] = (await this.fetchCandles(symbol, '6h', { limit: 1 })).slice(-1);
      map.set(symbol, {
        symbol,
        last: c.close,
        bid: c.close,
        ask: c.close,
        mark: c.close,
        high24h: c.high,
        low24h: c.low,
        change24hPercent: 0,
        volume24h: 1,
        turnover24h: 1,
        timestamp: this.now(),
      });
    }
    return map;
  }
  async createMarketOrder(request: MarketOrderRequest): Promise<OrderResult> {
    return {
      orderId: 'stub-1',
      symbol: request.symbol,
      side: request.side,
      amount: request.amount,
      price: 100,
      fee: 0,
    };
  }
  async fetchBalance(): Promise<Balance> {
    return { ...IDLE_BALANCE };
  }
}
