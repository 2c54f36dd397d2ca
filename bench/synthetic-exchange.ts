/**
 * Backend of the benchmark's fake Bybit: N symbols with a precomputed random-walk history of 1000 candles each on
 * the current 6h grid, cheap to serve, so the benchmark measures the service and not a price simulator.
 */
import {
  TIMEFRAME_MS, type Balance, type Candle, type ExchangeAdapter, type FetchCandlesOptions, type MarketInfo, type OrderResult,
  type Position, type Ticker, type Timeframe,
} from '../src/exchange/exchange.types';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class SyntheticExchange implements ExchangeAdapter {
  readonly name = 'synthetic';
  readonly isPaper = true;
  private readonly symbols: string[];
  private readonly closes = new Map<string, Float64Array>();

  constructor(count: number, private readonly candles = 1000, seed = 7) {
    const random = mulberry32(seed);
    this.symbols = Array.from({ length: count }, (_, i) => `C${String(i).padStart(4, '0')}`);
    for (const symbol of this.symbols) {
      const closes = new Float64Array(candles);
      let price = 0.01 + random() * 100;
      for (let i = 0; i < candles; i++) {
        price *= 1 + (random() - 0.5) * 0.04;
        closes[i] = price;
      }
      this.closes.set(symbol, closes);
    }
  }

  async init(): Promise<void> {}
  async close(): Promise<void> {}

  async listMarkets(): Promise<MarketInfo[]> {
    return this.symbols.map((symbol) => ({
      symbol, exchangeSymbol: `${symbol}USDT`, status: 'Trading', tickSize: 0.00001, qtyStep: 0.001, minOrderQty: 0.001, minNotional: 5, maxLeverage: 50,
    }));
  }

  async fetchCandles(symbol: string, timeframe: Timeframe, options: FetchCandlesOptions = {}): Promise<Candle[]> {
    const closes = this.closes.get(symbol);
    if (!closes) throw new Error(`unknown symbol ${symbol}`);
    const step = TIMEFRAME_MS[timeframe];
    const lastOpen = Math.floor(Date.now() / step) * step;
    const limit = Math.min(this.candles, options.limit ?? 1000);
    const out: Candle[] = [];
    for (let i = this.candles - limit; i < this.candles; i++) {
      const time = lastOpen - (this.candles - 1 - i) * step;
      if (options.since !== undefined && time < options.since) continue;
      const close = closes[i];
      const open = i > 0 ? closes[i - 1] : close;
      out.push({ time, open, high: Math.max(open, close) * 1.002, low: Math.min(open, close) * 0.998, close, volume: 1000 + i });
    }
    return out;
  }

  async fetchTickers(): Promise<Map<string, Ticker>> {
    const now = Date.now();
    const map = new Map<string, Ticker>();
    for (const symbol of this.symbols) {
      const closes = this.closes.get(symbol)!;
      // The live price wanders around the forming candle's close, so every refresh changes something.
      const last = closes[this.candles - 1] * (1 + Math.sin(now / 1000 + closes[0]) * 0.002);
      map.set(symbol, { symbol, last, bid: last, ask: last, mark: last, high24h: last * 1.01, low24h: last * 0.99, change24hPercent: 0.5, volume24h: 1e6, turnover24h: 1e7, timestamp: now });
    }
    return map;
  }

  async fetchPositions(): Promise<Position[]> {
    return [];
  }
  async createMarketOrder(): Promise<OrderResult> {
    throw new Error('not supported');
  }
  async closePosition(): Promise<OrderResult | null> {
    return null;
  }
  async cancelOrder(): Promise<void> {}
  async setTradingStop(): Promise<void> {}
  async setLeverage(): Promise<void> {}
  async fetchBalance(): Promise<Balance> {
    return { currency: 'USDT', totalEquity: 1000, walletBalance: 1000, availableBalance: 1000, unrealizedPnl: 0, marginBalance: 1000, positionValue: 0, activePositions: 0 };
  }
}
