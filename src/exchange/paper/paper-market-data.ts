/**
 * The market-data port of the paper exchange: where its prices come from. The paper account (orders, positions,
 * balance, fees, stops) is the same whatever the source; only this port differs between the seeded simulation
 * (sim-market-data.ts) and a real exchange's public data (live-market-data.ts, the dry run, docs/dry-run.md).
 */
import type { CandleColumns, Candle, FetchCandlesOptions, MarketInfo, Ticker, Timeframe } from '../exchange.types';
import type { InstrumentRules, Quote } from './paper-account';

export type PaperMarketSource = 'sim' | 'bybit' | 'binance';

/** The first price at or beyond a stop level in a time window, and the price a triggered market close fills at. */
export interface PriceTouch {
  time: number;
  side: 'below' | 'above';
  /** Fill price of the close: the level itself (sim: the minute path crosses it) or the observed price (live). */
  fillPrice: number;
}

export interface PaperMarketData {
  readonly source: PaperMarketSource;
  init(): Promise<void>;
  close(): Promise<void>;
  listMarkets(): Promise<MarketInfo[]>;
  fetchCandles(symbol: string, timeframe: Timeframe, options: FetchCandlesOptions): Promise<Candle[]>;
  fetchCandleColumns?(symbol: string, timeframe: Timeframe, options: FetchCandlesOptions): Promise<CandleColumns>;
  fetchTickers(): Promise<Map<string, Ticker>>;
  /** Trading rules of a listed symbol; undefined when the source does not list it. */
  instrument(symbol: string): InstrumentRules | undefined;
  /** Whether a saved position on `symbol` can be restored (checked before the market list is loaded). */
  acceptsSavedSymbol(symbol: string): boolean;
  /** The price a market order fills at now: buy at ask, sell at bid. */
  quote(symbol: string): Promise<Quote>;
  /** Valuation prices (mark) of the given symbols now. */
  marks(symbols: readonly string[]): Promise<Map<string, number>>;
  /**
   * The first time in (from, to] the price reached `below` or less, or `above` or more (null levels are ignored):
   * the trigger of a stop-loss, take-profit or liquidation.
   */
  firstTouch(symbol: string, from: number, to: number, below: number | null, above: number | null): PriceTouch | null;
}
