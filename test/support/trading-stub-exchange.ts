import type {
  Balance,
  Candle,
  ExchangeAdapter,
  ExchangeClosedTrade,
  FetchCandlesOptions,
  MarketInfo,
  MarketOrderRequest,
  OrderResult,
  Position,
  Ticker,
  Timeframe,
  TradingStopRequest,
} from '../../src/exchange/exchange.types';
import { StubExchange } from './stub-exchange';

type FailingMethod = 'createMarketOrder' | 'closePosition' | 'setTradingStop' | 'fetchPositions' | 'setLeverage';

/**
 * The stub exchange with an account: positions, fills, closed trades, and failures scripted per call. For service
 * specs that test the trading paths (entry, close, sync) without a server. Prices are fixed per symbol (default 100).
 */
export class TradingStubExchange implements ExchangeAdapter {
  readonly name = 'stub';
  readonly isPaper = true;
  /** The stub exchange's three coins and their candles. */
  private readonly market: StubExchange;
  readonly prices = new Map<string, number>();
  readonly positions: Position[] = [];
  readonly closedTrades: ExchangeClosedTrade[] = [];
  readonly orders: MarketOrderRequest[] = [];
  readonly stops: Array<{ symbol: string } & TradingStopRequest> = [];
  readonly leverages: Array<{ symbol: string; leverage: number }> = [];
  closeCalls = 0;
  /** Share of an order that fills (a partial fill below 1). */
  fillRatio = 1;
  /** Slippage of a market fill as a fraction: a buy fills that much above the price, a sell that much below. */
  fillSlippage = 0;
  /** When set, an order whose failure is scripted still opens its position (the answer, not the order, was lost). */
  fillDespiteFailure = false;
  balance: Balance = {
    currency: 'USDT',
    totalEquity: 1000,
    walletBalance: 1000,
    availableBalance: 1000,
    unrealizedPnl: 0,
    marginBalance: 1000,
    positionValue: 0,
    activePositions: 0,
  };
  private readonly failures = new Map<FailingMethod, Error[]>();
  private orderSeq = 0;

  constructor(private readonly clockNow: () => number) {
    this.market = new StubExchange(clockNow);
  }

  get symbols(): string[] {
    return this.market.symbols;
  }

  async init(): Promise<void> {}
  async close(): Promise<void> {}
  async cancelOrder(): Promise<void> {}

  listMarkets(): Promise<MarketInfo[]> {
    return this.market.listMarkets();
  }

  fetchCandles(symbol: string, timeframe: Timeframe, options?: FetchCandlesOptions): Promise<Candle[]> {
    return this.market.fetchCandles(symbol, timeframe, options);
  }

  /** The next call of `method` throws `error` (queued: one error per call). */
  failNext(method: FailingMethod, error: Error, times = 1): void {
    const queue = this.failures.get(method) ?? [];
    for (let i = 0; i < times; i++) queue.push(error);
    this.failures.set(method, queue);
  }

  private takeFailure(method: FailingMethod): Error | undefined {
    return this.failures.get(method)?.shift();
  }

  priceOf(symbol: string): number {
    return this.prices.get(symbol) ?? 100;
  }

  /** Puts a position on the account as the exchange would show it. */
  addPosition(p: Partial<Position> & Pick<Position, 'symbol' | 'side' | 'size' | 'entryPrice'>): Position {
    const mark = p.markPrice ?? this.priceOf(p.symbol);
    const position: Position = {
      markPrice: mark,
      leverage: 10,
      unrealizedPnl: 0,
      realizedPnl: 0,
      stopLoss: null,
      takeProfit: null,
      liquidationPrice: null,
      positionValue: p.size * mark,
      margin: (p.size * mark) / (p.leverage ?? 10),
      createdAt: this.clockNow(),
      updatedAt: this.clockNow(),
      ...p,
    };
    this.positions.push(position);
    return position;
  }

  async fetchTickers(): Promise<Map<string, Ticker>> {
    const map = new Map<string, Ticker>();
    for (const symbol of this.symbols) {
      const p = this.priceOf(symbol);
      map.set(symbol, {
        symbol,
        last: p,
        bid: p,
        ask: p,
        mark: p,
        high24h: p,
        low24h: p,
        change24hPercent: 0,
        volume24h: 1,
        turnover24h: 1,
        timestamp: this.clockNow(),
      });
    }
    return map;
  }

  async fetchPositions(): Promise<Position[]> {
    const failure = this.takeFailure('fetchPositions');
    if (failure) throw failure;
    return this.positions.map((p) => ({ ...p }));
  }

  async createMarketOrder(request: MarketOrderRequest): Promise<OrderResult> {
    this.orders.push(request);
    const failure = this.takeFailure('createMarketOrder');
    const amount = Math.round(request.amount * this.fillRatio * 1e9) / 1e9;
    const quote = this.priceOf(request.symbol);
    const price =
      Math.round(quote * (request.side === 'buy' ? 1 + this.fillSlippage : 1 - this.fillSlippage) * 1e9) / 1e9;
    if (!failure || this.fillDespiteFailure) {
      this.addPosition({
        symbol: request.symbol,
        side: request.side === 'buy' ? 'Long' : 'Short',
        size: amount,
        entryPrice: price,
        // The exchange shows the position at the leverage last set for its coin.
        leverage: this.leverageOf(request.symbol),
        stopLoss: request.stopLoss ?? null,
        takeProfit: request.takeProfit ?? null,
      });
    }
    if (failure) throw failure;
    return { orderId: `order-${++this.orderSeq}`, symbol: request.symbol, side: request.side, amount, price, fee: 0 };
  }

  async closePosition(symbol: string): Promise<OrderResult | null> {
    this.closeCalls++;
    const failure = this.takeFailure('closePosition');
    if (failure) throw failure;
    const index = this.positions.findIndex((p) => p.symbol === symbol);
    if (index < 0) return null;
    const [position] = this.positions.splice(index, 1);
    return {
      orderId: `close-${++this.orderSeq}`,
      symbol,
      side: position.side === 'Long' ? 'sell' : 'buy',
      amount: position.size,
      price: this.priceOf(symbol),
      fee: 0,
    };
  }

  async setTradingStop(symbol: string, request: TradingStopRequest): Promise<void> {
    const failure = this.takeFailure('setTradingStop');
    if (failure) throw failure;
    this.stops.push({ symbol, ...request });
    const position = this.positions.find((p) => p.symbol === symbol);
    if (position && request.stopLoss !== undefined) position.stopLoss = request.stopLoss;
    if (position && request.takeProfit !== undefined) position.takeProfit = request.takeProfit;
  }

  async setLeverage(symbol: string, leverage: number): Promise<void> {
    const failure = this.takeFailure('setLeverage');
    if (failure) throw failure;
    this.leverages.push({ symbol, leverage });
  }

  /** The leverage last set for `symbol` (10x, the stub's account default, before any). */
  leverageOf(symbol: string): number {
    return this.leverages.findLast((l) => l.symbol === symbol)?.leverage ?? 10;
  }

  async fetchBalance(): Promise<Balance> {
    return { ...this.balance };
  }

  async fetchClosedTrades(since: number): Promise<ExchangeClosedTrade[]> {
    return this.closedTrades.filter((t) => t.closedAt >= since);
  }
}
