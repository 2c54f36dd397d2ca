/**
 * The exchange boundary. Everything above it speaks bare coin symbols ("BTC");
 * adapters translate to the exchange's own ids ("BTCUSDT", "BTC/USDT:USDT").
 */

export const SUPPORTED_TIMEFRAMES = [
  '1m',
  '3m',
  '5m',
  '15m',
  '30m',
  '1h',
  '2h',
  '4h',
  '6h',
  '8h',
  '12h',
  '1d',
  '3d',
  '1w',
  '1M',
] as const;
export type Timeframe = (typeof SUPPORTED_TIMEFRAMES)[number];

/** Timeframes every adapter can actually fetch (Bybit's kline intervals; 8h/3d are not among them). */
export const FETCHABLE_TIMEFRAMES: readonly Timeframe[] = [
  '1m',
  '3m',
  '5m',
  '15m',
  '30m',
  '1h',
  '2h',
  '4h',
  '6h',
  '12h',
  '1d',
  '1w',
  '1M',
];

const MINUTE = 60_000;
export const TIMEFRAME_MS: Record<Timeframe, number> = {
  '1m': MINUTE,
  '3m': 3 * MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '30m': 30 * MINUTE,
  '1h': 60 * MINUTE,
  '2h': 120 * MINUTE,
  '4h': 240 * MINUTE,
  '6h': 360 * MINUTE,
  '8h': 480 * MINUTE,
  '12h': 720 * MINUTE,
  '1d': 1440 * MINUTE,
  '3d': 3 * 1440 * MINUTE,
  '1w': 7 * 1440 * MINUTE,
  '1M': 30 * 1440 * MINUTE,
};

export function isTimeframe(value: unknown): value is Timeframe {
  return typeof value === 'string' && (SUPPORTED_TIMEFRAMES as readonly string[]).includes(value);
}

/** One OHLCV candle; `time` is the open time in epoch ms. The last candle of a series may still be forming. */
export interface Candle {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/**
 * Candles as columns of equal length, oldest first, times strictly ascending: what a mass load stores, without an
 * object per candle on the way.
 */
export interface CandleColumns {
  length: number;
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/** Zero-filled columns for `length` candles. */
export function emptyColumns(length = 0): CandleColumns {
  return {
    length,
    time: new Float64Array(length),
    open: new Float64Array(length),
    high: new Float64Array(length),
    low: new Float64Array(length),
    close: new Float64Array(length),
    volume: new Float64Array(length),
  };
}

/** The rows of `columns` as Candle objects, in the same order. */
export function columnsToCandles(columns: CandleColumns): Candle[] {
  const candles: Candle[] = new Array<Candle>(columns.length);
  for (let i = 0; i < columns.length; i++) {
    candles[i] = {
      time: columns.time[i],
      open: columns.open[i],
      high: columns.high[i],
      low: columns.low[i],
      close: columns.close[i],
      volume: columns.volume[i],
    };
  }
  return candles;
}

/** Columns of `candles` sorted by time (the later of two equal times wins). */
export function candlesToColumns(candles: readonly Candle[]): CandleColumns {
  const sorted = [...candles].sort((a, b) => a.time - b.time);
  const unique = sorted.filter((c, i) => i === sorted.length - 1 || sorted[i + 1].time !== c.time);
  const n = unique.length;
  const columns = emptyColumns(n);
  unique.forEach((c, i) => {
    columns.time[i] = c.time;
    columns.open[i] = c.open;
    columns.high[i] = c.high;
    columns.low[i] = c.low;
    columns.close[i] = c.close;
    columns.volume[i] = c.volume;
  });
  return columns;
}

export type InstrumentStatus = 'Trading' | 'PreLaunch' | 'Settling' | 'Delivering' | 'Closed';

export interface MarketInfo {
  /** Bare coin, e.g. "BTC" or "1000PEPE". */
  symbol: string;
  /** The exchange's id, e.g. "BTCUSDT". */
  exchangeSymbol: string;
  status: InstrumentStatus;
  tickSize: number;
  qtyStep: number;
  minOrderQty: number;
  /** Smallest order value in USDT (Bybit minNotionalValue; 5 when unknown). */
  minNotional: number;
  maxLeverage: number;
  /** Epoch ms the contract was listed, when the exchange says. */
  launchTime?: number;
}

export interface Ticker {
  symbol: string;
  last: number;
  bid: number;
  ask: number;
  mark: number;
  high24h: number;
  low24h: number;
  /** 24 h change in percent (e.g. 2.5 for +2.5 %). */
  change24hPercent: number;
  volume24h: number;
  turnover24h: number;
  timestamp: number;
}

export type PositionSide = 'Long' | 'Short';

export interface Position {
  symbol: string;
  side: PositionSide;
  /** Size in coins, always > 0 (adapters drop zero-size rows). */
  size: number;
  entryPrice: number;
  markPrice: number;
  leverage: number;
  unrealizedPnl: number;
  realizedPnl: number;
  stopLoss: number | null;
  takeProfit: number | null;
  liquidationPrice: number | null;
  /** size × mark, USDT. */
  positionValue: number;
  /** Initial margin, USDT. */
  margin: number;
  createdAt: number;
  updatedAt: number;
}

export type OrderSide = 'buy' | 'sell';

export interface MarketOrderRequest {
  symbol: string;
  side: OrderSide;
  /** Quantity in coins; adapters round it to the market's qtyStep. */
  amount: number;
  reduceOnly?: boolean;
  stopLoss?: number;
  takeProfit?: number;
  /** Idempotency key: an adapter that can, passes it to the exchange so a retry never doubles an order. */
  clientOrderId?: string;
}

export interface OrderResult {
  orderId: string;
  symbol: string;
  side: OrderSide;
  amount: number;
  /** Fill price when known (paper), else the last price seen before the order. */
  price: number | null;
  fee: number;
}

export interface TradingStopRequest {
  stopLoss?: number;
  takeProfit?: number;
}

export interface Balance {
  currency: 'USDT';
  totalEquity: number;
  walletBalance: number;
  availableBalance: number;
  unrealizedPnl: number;
  marginBalance: number;
  positionValue: number;
  activePositions: number;
}

/** A closed trade as the exchange reports it (paper: stop-loss / take-profit / liquidation fills). */
export interface ExchangeClosedTrade {
  symbol: string;
  side: PositionSide;
  size: number;
  entryPrice: number;
  exitPrice: number;
  pnl: number;
  reason: 'STOP_LOSS' | 'TAKE_PROFIT' | 'LIQUIDATION' | 'MANUAL' | 'REDUCE';
  closedAt: number;
}

export interface FetchCandlesOptions {
  /** Number of most recent candles (the forming one included). Default 1000, the per-request maximum. */
  limit?: number;
  /** Only candles with open time >= since (epoch ms). */
  since?: number;
  /**
   * Only candles with open time < until (epoch ms): with since, a window to page through history (the candle
   * store asks for windows of at most `limit` candles, so every exchange answers the whole window).
   */
  until?: number;
}

export interface ExchangeAdapter {
  /** "paper", "bybit", "binance", "okx". */
  readonly name: string;
  readonly isPaper: boolean;
  init(): Promise<void>;
  close(): Promise<void>;
  /** All USDT linear perpetuals the exchange lists, whatever their status (used for delisting scans). */
  listMarkets(): Promise<MarketInfo[]>;
  fetchCandles(symbol: string, timeframe: Timeframe, options?: FetchCandlesOptions): Promise<Candle[]>;
  /**
   * Optional: the same candles as fetchCandles, as columns (cheaper for mass loads); ExchangeService converts
   * otherwise. The arrays are new on every call: the caller owns them and may keep and change them.
   */
  fetchCandleColumns?(symbol: string, timeframe: Timeframe, options?: FetchCandlesOptions): Promise<CandleColumns>;
  /** Tickers for every symbol in one request, keyed by bare symbol. */
  fetchTickers(): Promise<Map<string, Ticker>>;
  /** Open positions (size > 0). Throws on failure: an error never reads as "no positions". */
  fetchPositions(): Promise<Position[]>;
  createMarketOrder(request: MarketOrderRequest): Promise<OrderResult>;
  /** Market-closes the whole position on `symbol` (reduce-only). Resolves null when there is none. */
  closePosition(symbol: string): Promise<OrderResult | null>;
  cancelOrder(symbol: string, orderId: string): Promise<void>;
  /** Sets or moves the position's stop-loss / take-profit. */
  setTradingStop(symbol: string, request: TradingStopRequest): Promise<void>;
  setLeverage(symbol: string, leverage: number): Promise<void>;
  fetchBalance(): Promise<Balance>;
  /** Closed trades with closedAt >= since, oldest first (optional: the paper exchange has them). */
  fetchClosedTrades?(since: number): Promise<ExchangeClosedTrade[]>;
}
