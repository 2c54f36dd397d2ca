/**
 * The dry run's price source (docs/dry-run.md): a real exchange's public market data — markets, candles, tickers —
 * through an adapter built without keys. Only the public calls are reachable from here (PublicMarketFeed), so the
 * paper account can never place a real order.
 *
 * Stops trigger on the prices the service observes: every tickers answer (the RSI refresh between candle closes,
 * position sync, valuations and orders) is an observation per symbol, and a stop fires at the first observed last
 * price at or beyond it, filled at that observed price. What happened between two observations (wicks) is not seen.
 */
import type { Clock } from '../../common/clock';
import { ExchangeUnavailableError } from '../exchange.errors';
import {
  candlesToColumns,
  type CandleColumns,
  type Candle,
  type ExchangeAdapter,
  type FetchCandlesOptions,
  type MarketInfo,
  type Ticker,
  type Timeframe,
} from '../exchange.types';
import type { InstrumentRules, Quote } from './paper-account';
import type { PaperMarketData, PriceTouch } from './paper-market-data';

/** The public half of an exchange adapter: everything the dry run may call. */
export type PublicMarketFeed = Pick<
  ExchangeAdapter,
  'init' | 'close' | 'listMarkets' | 'fetchCandles' | 'fetchTickers'
> &
  Partial<Pick<ExchangeAdapter, 'fetchCandleColumns'>>;

export interface LiveMarketDataOptions {
  source: 'bybit' | 'binance';
  feed: PublicMarketFeed;
  clock: Clock;
  /** Quotes and valuations reuse a tickers answer this recent; older ones are fetched again. Default 1000 ms. */
  maxTickerAgeMs?: number;
  /**
   * Observed prices kept per symbol for the stop check (the oldest go first). Default 32: every exchange call checks
   * the observations made since the previous check, so only the few made between two calls are ever needed.
   */
  observationsPerSymbol?: number;
}

interface Observation {
  time: number;
  price: number;
}

/** Decimals of a step such as 0.001, 1e-7 or 0.5 (12 at most). */
export function stepDecimals(step: number): number {
  if (!(step > 0) || !Number.isFinite(step)) return 0;
  const [mantissa, exponent] = step.toExponential().split('e');
  const fraction = mantissa.split('.')[1]?.length ?? 0;
  return Math.min(12, Math.max(0, fraction - Number(exponent)));
}

/** Rounding rules of a real market, from its listing (tick size, quantity step, minimums, leverage). */
export function instrumentRules(market: MarketInfo): InstrumentRules {
  const priceScale = 10 ** stepDecimals(market.tickSize);
  const qtyScale = 10 ** stepDecimals(market.qtyStep);
  const toStep = (value: number, step: number, scale: number, round: (x: number) => number) =>
    step > 0 ? Math.round(round(value / step) * step * scale) / scale : value;
  return {
    spec: {
      symbol: market.symbol,
      status: market.status,
      minOrderQty: market.minOrderQty,
      minNotional: market.minNotional,
      maxLeverage: market.maxLeverage,
    },
    roundPrice: (price) => toStep(price, market.tickSize, priceScale, Math.round),
    roundQty: (qty) => toStep(qty, market.qtyStep, qtyScale, Math.round),
    // A hair of tolerance for float noise such as 0.30000000000000004, like the simulation's floorQty.
    floorQty: (qty) => toStep(qty, market.qtyStep, qtyScale, (x) => Math.floor(x + 1e-9)),
  };
}

const SAVED_SYMBOL = /^[A-Z0-9]{1,30}$/;

export class LiveMarketData implements PaperMarketData {
  readonly source: 'bybit' | 'binance';
  private readonly feed: PublicMarketFeed;
  private readonly clock: Clock;
  private readonly maxTickerAgeMs: number;
  private readonly observationsPerSymbol: number;
  private instruments = new Map<string, InstrumentRules>();
  private tickers = new Map<string, Ticker>();
  private tickersAt = -Infinity;
  private refreshing: Promise<Map<string, Ticker>> | undefined;
  /** Observed last prices per listed symbol, times strictly increasing (at most observationsPerSymbol each). */
  private readonly observations = new Map<string, Observation[]>();
  private lastStamp = -Infinity;

  constructor(options: LiveMarketDataOptions) {
    this.source = options.source;
    this.feed = options.feed;
    this.clock = options.clock;
    this.maxTickerAgeMs = options.maxTickerAgeMs ?? 1000;
    this.observationsPerSymbol = Math.max(1, options.observationsPerSymbol ?? 32);
  }

  async init(): Promise<void> {
    await this.feed.init();
    await this.listMarkets();
  }

  close(): Promise<void> {
    return this.feed.close();
  }

  async listMarkets(): Promise<MarketInfo[]> {
    const markets = await this.feed.listMarkets();
    this.instruments = new Map(markets.map((market) => [market.symbol, instrumentRules(market)]));
    for (const symbol of this.observations.keys()) if (!this.instruments.has(symbol)) this.observations.delete(symbol);
    return markets;
  }

  fetchCandles(symbol: string, timeframe: Timeframe, options: FetchCandlesOptions): Promise<Candle[]> {
    return this.feed.fetchCandles(symbol, timeframe, options);
  }

  async fetchCandleColumns(symbol: string, timeframe: Timeframe, options: FetchCandlesOptions): Promise<CandleColumns> {
    if (this.feed.fetchCandleColumns) return this.feed.fetchCandleColumns(symbol, timeframe, options);
    return candlesToColumns(await this.feed.fetchCandles(symbol, timeframe, options));
  }

  /** Always a fresh answer (the RSI refresh wants the current prices); each one is an observation. */
  fetchTickers(): Promise<Map<string, Ticker>> {
    this.refreshing ??= (async () => {
      try {
        const tickers = await this.feed.fetchTickers();
        this.observe(tickers);
        return tickers;
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  instrument(symbol: string): InstrumentRules | undefined {
    return this.instruments.get(symbol);
  }

  /**
   * Any well-formed symbol: the account is restored before the market list is loaded, and a position on a symbol
   * the exchange no longer lists is still reported (valued at its entry) rather than dropped.
   */
  acceptsSavedSymbol(symbol: string): boolean {
    return SAVED_SYMBOL.test(symbol);
  }

  /** Bid and ask of the latest tickers (the last price where the exchange's tickers carry no book, e.g. Binance). */
  async quote(symbol: string): Promise<Quote> {
    const ticker = (await this.recentTickers()).get(symbol);
    if (!ticker) throw new ExchangeUnavailableError(`no ${this.source} ticker for ${symbol}`, 'quote');
    return { last: ticker.last, bid: ticker.bid, ask: ticker.ask };
  }

  /** The exchange's mark price (its last price when it gives none). */
  async marks(symbols: readonly string[]): Promise<Map<string, number>> {
    if (symbols.length === 0) return new Map();
    const tickers = await this.recentTickers();
    const marks = new Map<string, number>();
    for (const symbol of symbols) {
      const ticker = tickers.get(symbol);
      if (ticker) marks.set(symbol, ticker.mark);
    }
    return marks;
  }

  firstTouch(symbol: string, from: number, to: number, below: number | null, above: number | null): PriceTouch | null {
    if (below === null && above === null) return null;
    for (const { time, price } of this.observations.get(symbol) ?? []) {
      if (time <= from || time > to) continue;
      if (below !== null && price <= below) return { time, side: 'below', fillPrice: price };
      if (above !== null && price >= above) return { time, side: 'above', fillPrice: price };
    }
    return null;
  }

  private async recentTickers(): Promise<Map<string, Ticker>> {
    if (this.clock.now() - this.tickersAt <= this.maxTickerAgeMs) return this.tickers;
    return this.fetchTickers();
  }

  private observe(tickers: Map<string, Ticker>): void {
    // Strictly increasing stamps: each observation falls in exactly one trigger-check window of PaperTradingExchange.
    const now = this.clock.now();
    const time = now > this.lastStamp ? now : this.lastStamp + 1;
    this.lastStamp = time;
    this.tickers = tickers;
    this.tickersAt = now;
    for (const [symbol, ticker] of tickers) {
      if (!this.instruments.has(symbol) || !(ticker.last > 0)) continue;
      let list = this.observations.get(symbol);
      if (!list) this.observations.set(symbol, (list = []));
      list.push({ time, price: ticker.last });
      if (list.length > this.observationsPerSymbol) list.splice(0, list.length - this.observationsPerSymbol);
    }
  }
}
