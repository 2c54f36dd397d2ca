/**
 * Backend of the benchmark's fake Bybit: N symbols with a precomputed random-walk history of 1000 candles each on
 * the current 6h grid, cheap to serve, so the benchmark measures the service and not a price simulator.
 */
import {
  TIMEFRAME_MS,
  type Balance,
  type Candle,
  type FetchCandlesOptions,
  type MarketInfo,
  type OrderResult,
  type Ticker,
  type Timeframe,
} from '../src/exchange/exchange.types';
import { IDLE_BALANCE, IdleAdapter } from '../test/fake-exchange/idle-adapter';
import { seededRandom } from '../test/fake-exchange/seeded-random';

export class SyntheticExchange extends IdleAdapter {
  readonly name = 'synthetic';
  private readonly symbols: string[];
  private readonly closes = new Map<string, Float64Array>();

  constructor(
    count: number,
    private readonly candles = 1000,
    seed = 7,
  ) {
    super();
    const random = seededRandom(seed);
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

  async listMarkets(): Promise<MarketInfo[]> {
    return this.symbols.map((symbol) => ({
      symbol,
      exchangeSymbol: `${symbol}USDT`,
      status: 'Trading',
      tickSize: 0.00001,
      qtyStep: 0.001,
      minOrderQty: 0.001,
      minNotional: 5,
      maxLeverage: 50,
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
      out.push({
        time,
        open,
        high: Math.max(open, close) * 1.002,
        low: Math.min(open, close) * 0.998,
        close,
        volume: 1000 + i,
      });
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
      map.set(symbol, {
        symbol,
        last,
        bid: last,
        ask: last,
        mark: last,
        high24h: last * 1.01,
        low24h: last * 0.99,
        change24hPercent: 0.5,
        volume24h: 1e6,
        turnover24h: 1e7,
        timestamp: now,
      });
    }
    return map;
  }

  async createMarketOrder(): Promise<OrderResult> {
    throw new Error('not supported');
  }
  async fetchBalance(): Promise<Balance> {
    return { ...IDLE_BALANCE };
  }
}
