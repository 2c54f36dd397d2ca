/**
 * The paper exchange's default price source: the seeded simulation (market-sim.ts) read at the injected clock's
 * time. Stops are found on the minute price path, so they also fire for time that passed while the service was down.
 */
import type { Clock } from '../../common/clock';
import type { Candle, CandleColumns, FetchCandlesOptions, MarketInfo, Ticker, Timeframe } from '../exchange.types';
import { MINUTE_MS, PaperMarket } from './market-sim';
import type { InstrumentRules, Quote } from './paper-account';
import type { PaperMarketData, PriceTouch } from './paper-market-data';

/** How far back the stop/liquidation check walks after a long pause (e.g. the service was down). */
const MAX_TRIGGER_WALK_MINUTES = 365 * 24 * 60;

export class SimMarketData implements PaperMarketData {
  readonly source = 'sim' as const;
  readonly market: PaperMarket;

  constructor(
    private readonly clock: Clock,
    seed: number,
    symbolCount: number,
  ) {
    this.market = new PaperMarket(seed, symbolCount);
  }

  async init(): Promise<void> {
    // Nothing to load: the market is a function of the seed.
  }

  async close(): Promise<void> {
    // No sockets, no timers.
  }

  async listMarkets(): Promise<MarketInfo[]> {
    const now = this.clock.now();
    return this.market.specs.map((spec) => this.market.marketInfo(spec, now));
  }

  async fetchCandles(symbol: string, timeframe: Timeframe, options: FetchCandlesOptions): Promise<Candle[]> {
    return this.market.candles(symbol, timeframe, options, this.clock.now());
  }

  /** The coin load's path: columns written directly, the same values as fetchCandles. */
  async fetchCandleColumns(symbol: string, timeframe: Timeframe, options: FetchCandlesOptions): Promise<CandleColumns> {
    return this.market.candleColumns(symbol, timeframe, options, this.clock.now());
  }

  async fetchTickers(): Promise<Map<string, Ticker>> {
    const now = this.clock.now();
    const tickers = new Map<string, Ticker>();
    for (const spec of this.market.specs) {
      if (spec.status === 'Trading') tickers.set(spec.symbol, this.market.ticker(spec.symbol, now));
    }
    return tickers;
  }

  instrument(symbol: string): InstrumentRules | undefined {
    return this.market.spec(symbol) ? this.market.symbol(symbol) : undefined;
  }

  acceptsSavedSymbol(symbol: string): boolean {
    return this.market.spec(symbol) !== undefined;
  }

  async quote(symbol: string): Promise<Quote> {
    return this.market.symbol(symbol).quote(this.clock.now());
  }

  async marks(symbols: readonly string[]): Promise<Map<string, number>> {
    const now = this.clock.now();
    return new Map(symbols.map((symbol) => [symbol, this.market.price(symbol, now)]));
  }

  /** Current traded price (the forming candle's close and the ticker's last). */
  price(symbol: string): number {
    return this.market.price(symbol, this.clock.now());
  }

  /** Walks the minutes after `from` up to the minute of `to`; a stop fills at its own level. */
  firstTouch(symbol: string, from: number, to: number, below: number | null, above: number | null): PriceTouch | null {
    const toMinute = Math.floor(to / MINUTE_MS);
    const fromMinute = Math.max(Math.floor(from / MINUTE_MS) + 1, toMinute - MAX_TRIGGER_WALK_MINUTES);
    if (toMinute < fromMinute) return null;
    const touch = this.market.symbol(symbol).firstTouch(fromMinute, toMinute, below, above);
    if (!touch) return null;
    return { time: touch.minute * MINUTE_MS, side: touch.side, fillPrice: touch.side === 'below' ? below! : above! };
  }
}
