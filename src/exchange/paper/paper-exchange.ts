/**
 * The built-in simulated exchange: a deterministic market (market-sim.ts) plus a paper account
 * (paper-account.ts), driven by the injected Clock. No keys, no network.
 * Plain class, no Nest imports: ExchangeService wires it in and persists exportState().
 */
import type { Clock } from '../../common/clock';
import { ExchangeError, InvalidOrderError, UnknownSymbolError } from '../exchange.errors';
import {
  FETCHABLE_TIMEFRAMES,
  type Balance, type Candle, type ExchangeAdapter, type ExchangeClosedTrade, type FetchCandlesOptions, type MarketInfo,
  type MarketOrderRequest, type OrderResult, type Position, type Ticker, type Timeframe, type TradingStopRequest,
} from '../exchange.types';
import { MINUTE_MS, PaperMarket, type SymbolMarket } from './market-sim';
import { PaperAccount, liquidationPrice, type CloseReason, type PaperAccountState } from './paper-account';

export type { PaperAccountState, PaperPositionState } from './paper-account';

export interface PaperExchangeOptions {
  clock: Clock;
  /** Seed of the simulated market; the same seed and clock time always give the same prices. */
  seed?: number;
  /** Number of listed USDT perpetuals (a few of them delisted / delivering). */
  symbolCount?: number;
  /** Starting USDT wallet balance. */
  startingBalance?: number;
  /** Taker fee rate charged on every fill (0.00055 = Bybit's 0.055 %). */
  feeRate?: number;
  /** Account-wide leverage cap on top of each market's own maximum. */
  maxLeverage?: number;
}

/** How far back the stop/liquidation check walks after a long pause (e.g. the service was down). */
const MAX_TRIGGER_WALK_MINUTES = 365 * 24 * 60;

export class PaperExchange implements ExchangeAdapter {
  readonly name = 'paper';
  readonly isPaper = true;
  readonly seed: number;
  readonly market: PaperMarket;
  private readonly clock: Clock;
  private readonly account: PaperAccount;

  constructor(options: PaperExchangeOptions) {
    const { clock, seed = 42, symbolCount = 540, startingBalance = 10_000, feeRate = 0.00055, maxLeverage = 50 } = options;
    if (!(startingBalance >= 0) || !(feeRate >= 0) || !(maxLeverage >= 1)) {
      throw new RangeError('paper exchange: startingBalance and feeRate must be >= 0, maxLeverage >= 1');
    }
    this.clock = clock;
    this.seed = seed;
    this.market = new PaperMarket(seed, symbolCount);
    this.account = new PaperAccount({ startingBalance, feeRate, maxLeverage });
  }

  async init(): Promise<void> {
    this.tick();
  }

  async close(): Promise<void> {
    // Nothing to release: no sockets, no timers.
  }

  async listMarkets(): Promise<MarketInfo[]> {
    const now = this.tickAndNow();
    // One source for the leverage limit: what the account accepts (the symbol's and the account's cap) is what is listed.
    return this.market.specs.map((spec) => ({ ...this.market.marketInfo(spec, now), maxLeverage: this.account.maxLeverage(spec) }));
  }

  async fetchCandles(symbol: string, timeframe: Timeframe, options: FetchCandlesOptions = {}): Promise<Candle[]> {
    const now = this.tickAndNow();
    this.requireSymbol(symbol, 'fetchCandles');
    if (!FETCHABLE_TIMEFRAMES.includes(timeframe)) throw new ExchangeError(`timeframe ${String(timeframe)} is not available`, 'fetchCandles');
    if (options.limit !== undefined && !(options.limit >= 1)) throw new ExchangeError(`limit must be >= 1, got ${options.limit}`, 'fetchCandles');
    if (options.since !== undefined && !Number.isFinite(options.since)) throw new ExchangeError(`since must be a time in ms, got ${options.since}`, 'fetchCandles');
    return this.market.candles(symbol, timeframe, options, now);
  }

  async fetchTickers(): Promise<Map<string, Ticker>> {
    const now = this.tickAndNow();
    const tickers = new Map<string, Ticker>();
    for (const spec of this.market.specs) {
      if (spec.status === 'Trading') tickers.set(spec.symbol, this.market.ticker(spec.symbol, now));
    }
    return tickers;
  }

  async fetchPositions(): Promise<Position[]> {
    const now = this.tickAndNow();
    return this.account.openPositions().map((position) => {
      const market = this.market.symbol(position.symbol);
      return this.account.view(position, market.priceAt(now), market);
    });
  }

  async createMarketOrder(request: MarketOrderRequest): Promise<OrderResult> {
    const now = this.tickAndNow();
    if (request.clientOrderId) {
      const earlier = this.account.processedOrder(request.clientOrderId);
      if (earlier) return earlier;
    }
    const market = this.requireSymbol(request.symbol, 'createMarketOrder');
    return this.account.marketOrder(market, request, market.quote(now), now);
  }

  async closePosition(symbol: string): Promise<OrderResult | null> {
    const now = this.tickAndNow();
    const market = this.requireSymbol(symbol, 'closePosition');
    const position = this.account.position(symbol);
    if (!position) return null;
    const request: MarketOrderRequest = { symbol, side: position.side === 'Long' ? 'sell' : 'buy', amount: position.size, reduceOnly: true };
    return this.account.marketOrder(market, request, market.quote(now), now, 'MANUAL');
  }

  async cancelOrder(symbol: string, orderId: string): Promise<void> {
    this.tick();
    // Market orders fill at once, so there is never a resting order to cancel.
    throw new InvalidOrderError(`order not found: ${orderId} on ${symbol}`, 'cancelOrder');
  }

  async setTradingStop(symbol: string, request: TradingStopRequest): Promise<void> {
    const now = this.tickAndNow();
    const market = this.requireSymbol(symbol, 'setTradingStop');
    this.account.setTradingStop(market, request, market.priceAt(now), now);
  }

  async setLeverage(symbol: string, leverage: number): Promise<void> {
    const now = this.tickAndNow();
    const market = this.requireSymbol(symbol, 'setLeverage');
    this.account.setLeverage(market.spec, leverage, now);
  }

  async fetchBalance(): Promise<Balance> {
    const now = this.tickAndNow();
    const marks = new Map<string, number>();
    for (const position of this.account.openPositions()) marks.set(position.symbol, this.market.price(position.symbol, now));
    return this.account.balance(marks);
  }

  async fetchClosedTrades(since: number): Promise<ExchangeClosedTrade[]> {
    this.tick();
    return this.account.closedSince(since);
  }

  /** Current traded price of a symbol (the forming candle's close and the ticker's last). */
  currentPrice(symbol: string): number {
    const now = this.tickAndNow();
    return this.requireSymbol(symbol, 'currentPrice').priceAt(now);
  }

  /**
   * Fires stop-losses, take-profits and liquidations crossed since the last check: walks the minute
   * price path up to now and closes each hit position at its trigger price. Returns the new closes.
   */
  tick(): ExchangeClosedTrade[] {
    const now = this.clock.now();
    const nowMinute = Math.floor(now / MINUTE_MS);
    const last = this.account.lastTriggerCheck;
    if (last !== null && nowMinute <= Math.floor(last / MINUTE_MS)) return []; // same minute, or the clock went back
    this.account.lastTriggerCheck = now;
    if (last === null) return [];
    const fromMinute = Math.max(Math.floor(last / MINUTE_MS) + 1, nowMinute - MAX_TRIGGER_WALK_MINUTES);

    const hits: Array<{ market: SymbolMarket; symbol: string; price: number; reason: CloseReason; time: number }> = [];
    for (const position of this.account.openPositions()) {
      const market = this.market.symbol(position.symbol);
      const liquidation = market.roundPrice(liquidationPrice(position.side, position.entryPrice, position.leverage));
      // The stop nearer to the price fires first; on a tie the stop-loss wins over liquidation.
      let adverse: number;
      let adverseReason: CloseReason;
      if (position.side === 'Long') {
        const stopFirst = position.stopLoss !== null && position.stopLoss >= liquidation;
        adverse = stopFirst ? position.stopLoss! : liquidation;
        adverseReason = stopFirst ? 'STOP_LOSS' : 'LIQUIDATION';
      } else {
        const stopFirst = position.stopLoss !== null && position.stopLoss <= liquidation;
        adverse = stopFirst ? position.stopLoss! : liquidation;
        adverseReason = stopFirst ? 'STOP_LOSS' : 'LIQUIDATION';
      }
      const below = position.side === 'Long' ? adverse : position.takeProfit;
      const above = position.side === 'Long' ? position.takeProfit : adverse;
      const touch = market.firstTouch(fromMinute, nowMinute, below, above);
      if (!touch) continue;
      const isAdverse = (touch.side === 'below') === (position.side === 'Long');
      hits.push({
        market,
        symbol: position.symbol,
        price: isAdverse ? adverse : position.takeProfit!,
        reason: isAdverse ? adverseReason : 'TAKE_PROFIT',
        time: touch.minute * MINUTE_MS,
      });
    }
    hits.sort((a, b) => a.time - b.time);
    const closed: ExchangeClosedTrade[] = [];
    for (const hit of hits) {
      const trade = this.account.closeAt(hit.market, hit.symbol, hit.price, hit.reason, hit.time);
      if (trade) closed.push(trade);
    }
    return closed;
  }

  /** The account for data/paper_account.json (plain JSON). */
  exportState(): PaperAccountState {
    return this.account.exportState();
  }

  /** Restores a saved account; throws without changing anything if the state is malformed. */
  importState(state: PaperAccountState): void {
    this.account.importState(state, (symbol) => this.market.spec(symbol) !== undefined);
  }

  private tickAndNow(): number {
    this.tick();
    return this.clock.now();
  }

  private requireSymbol(symbol: string, method: string): SymbolMarket {
    if (typeof symbol !== 'string' || !this.market.spec(symbol)) throw new UnknownSymbolError(`unknown symbol ${String(symbol)}`, method);
    return this.market.symbol(symbol);
  }
}
