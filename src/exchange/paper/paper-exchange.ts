/**
 * The paper exchange: a paper account (paper-account.ts) trading on the prices of a market-data port
 * (paper-market-data.ts), driven by the injected Clock. No keys, no signed request.
 * - PaperExchange: on the seeded simulation (the default; deterministic, stops replay on the minute path).
 * - PaperTradingExchange on LiveMarketData: the dry run on a real exchange's public prices (docs/dry-run.md).
 * Plain classes, no Nest imports: ExchangeService wires them in and persists exportState().
 */
import type { Clock } from '../../common/clock';
import { ExchangeError, InvalidOrderError, UnknownSymbolError } from '../exchange.errors';
import {
  FETCHABLE_TIMEFRAMES,
  candlesToColumns,
  type Balance,
  type Candle,
  type CandleColumns,
  type ExchangeAdapter,
  type ExchangeClosedTrade,
  type FetchCandlesOptions,
  type MarketInfo,
  type MarketOrderRequest,
  type OrderResult,
  type Position,
  type Ticker,
  type Timeframe,
  type TradingStopRequest,
} from '../exchange.types';
import type { PaperMarket } from './market-sim';
import {
  PaperAccount,
  liquidationPrice,
  type CloseReason,
  type InstrumentRules,
  type PaperAccountState,
} from './paper-account';
import type { PaperMarketData } from './paper-market-data';
import { SimMarketData } from './sim-market-data';

export type { PaperAccountState, PaperPositionState } from './paper-account';

export interface PaperAccountOptions {
  /** Starting USDT wallet balance. */
  startingBalance?: number;
  /** Taker fee rate charged on every fill (0.00055 = Bybit's 0.055 %). */
  feeRate?: number;
  /** Account-wide leverage cap on top of each market's own maximum. */
  maxLeverage?: number;
}

export interface PaperExchangeOptions extends PaperAccountOptions {
  clock: Clock;
  /** Seed of the simulated market; the same seed and clock time always give the same prices. */
  seed?: number;
  /** Number of listed USDT perpetuals (a few of them delisted / delivering). */
  symbolCount?: number;
}

/** The paper account on any price source: orders fill at the source's quote, stops fire where its prices touch them. */
export class PaperTradingExchange<Data extends PaperMarketData = PaperMarketData> implements ExchangeAdapter {
  readonly name = 'paper';
  readonly isPaper = true;
  private readonly account: PaperAccount;
  /** Bumped whenever a stop, take-profit or liquidation closes a position (the owner saves the account then). */
  private triggerRevision = 0;

  constructor(
    readonly data: Data,
    private readonly clock: Clock,
    options: PaperAccountOptions = {},
  ) {
    const { startingBalance = 10_000, feeRate = 0.00055, maxLeverage = 50 } = options;
    if (!(startingBalance >= 0) || !(feeRate >= 0) || !(maxLeverage >= 1)) {
      throw new RangeError('paper exchange: startingBalance and feeRate must be >= 0, maxLeverage >= 1');
    }
    this.account = new PaperAccount({ startingBalance, feeRate, maxLeverage });
  }

  /** Changes whenever a trigger closed a position; compare to decide whether the account needs saving. */
  get revision(): number {
    return this.triggerRevision;
  }

  async init(): Promise<void> {
    await this.data.init();
    this.tick();
  }

  async close(): Promise<void> {
    await this.data.close();
  }

  async listMarkets(): Promise<MarketInfo[]> {
    this.tick();
    // One source for the leverage limit: what the account accepts (the symbol's and the account's cap) is what is
    // listed.
    return (await this.data.listMarkets()).map((m) => ({ ...m, maxLeverage: this.account.maxLeverage(m) }));
  }

  async fetchCandles(symbol: string, timeframe: Timeframe, options: FetchCandlesOptions = {}): Promise<Candle[]> {
    this.checkCandleQuery(symbol, timeframe, options);
    return this.data.fetchCandles(symbol, timeframe, options);
  }

  async fetchCandleColumns(
    symbol: string,
    timeframe: Timeframe,
    options: FetchCandlesOptions = {},
  ): Promise<CandleColumns> {
    this.checkCandleQuery(symbol, timeframe, options);
    if (this.data.fetchCandleColumns) return this.data.fetchCandleColumns(symbol, timeframe, options);
    return candlesToColumns(await this.data.fetchCandles(symbol, timeframe, options));
  }

  async fetchTickers(): Promise<Map<string, Ticker>> {
    const tickers = await this.data.fetchTickers();
    this.tick();
    return tickers;
  }

  async fetchPositions(): Promise<Position[]> {
    const marks = await this.data.marks(this.account.openPositions().map((p) => p.symbol));
    this.tick();
    const positions: Position[] = [];
    for (const position of this.account.openPositions()) {
      const rules = this.data.instrument(position.symbol);
      const mark = marks.get(position.symbol);
      // A position whose market the source does not list (yet) is still reported, valued at its entry.
      positions.push(this.account.view(position, mark ?? position.entryPrice, rules ?? fallbackRules(position.symbol)));
    }
    return positions;
  }

  async createMarketOrder(request: MarketOrderRequest): Promise<OrderResult> {
    if (request.clientOrderId) {
      const earlier = this.account.processedOrder(request.clientOrderId);
      if (earlier) return earlier;
    }
    const rules = this.requireSymbol(request.symbol, 'createMarketOrder');
    const quote = await this.data.quote(request.symbol);
    const now = this.tickAndNow();
    return this.account.marketOrder(rules, request, quote, now);
  }

  async closePosition(symbol: string): Promise<OrderResult | null> {
    const rules = this.requireSymbol(symbol, 'closePosition');
    if (!this.account.position(symbol)) {
      this.tick();
      return null;
    }
    const quote = await this.data.quote(symbol);
    const now = this.tickAndNow();
    const position = this.account.position(symbol);
    if (!position) return null; // its stop fired on this very quote
    const request: MarketOrderRequest = {
      symbol,
      side: position.side === 'Long' ? 'sell' : 'buy',
      amount: position.size,
      reduceOnly: true,
    };
    return this.account.marketOrder(rules, request, quote, now, 'MANUAL');
  }

  async cancelOrder(symbol: string, orderId: string): Promise<void> {
    this.tick();
    // Market orders fill at once, so there is never a resting order to cancel.
    throw new InvalidOrderError(`order not found: ${orderId} on ${symbol}`, 'cancelOrder');
  }

  async setTradingStop(symbol: string, request: TradingStopRequest): Promise<void> {
    const rules = this.requireSymbol(symbol, 'setTradingStop');
    const quote = await this.data.quote(symbol);
    const now = this.tickAndNow();
    this.account.setTradingStop(rules, request, quote.last, now);
  }

  async setLeverage(symbol: string, leverage: number): Promise<void> {
    const rules = this.requireSymbol(symbol, 'setLeverage');
    const now = this.tickAndNow();
    this.account.setLeverage(rules.spec, leverage, now);
  }

  async fetchBalance(): Promise<Balance> {
    const marks = await this.data.marks(this.account.openPositions().map((p) => p.symbol));
    this.tick();
    return this.account.balance(marks);
  }

  async fetchClosedTrades(since: number): Promise<ExchangeClosedTrade[]> {
    this.tick();
    return this.account.closedSince(since);
  }

  /**
   * Fires stop-losses, take-profits and liquidations the source's prices reached since the last check and
   * closes each hit position (at its level on the simulated path, at the observed price on live data; a
   * liquidation always at its own price: the margin is lost, never more). Returns the new closes.
   */
  tick(): ExchangeClosedTrade[] {
    const now = this.clock.now();
    const last = this.account.lastTriggerCheck;
    if (last !== null && now <= last) return []; // no time passed, or the clock went back
    this.account.lastTriggerCheck = now;
    if (last === null) return [];

    const hits: Array<{ rules: InstrumentRules; symbol: string; price: number; reason: CloseReason; time: number }> =
      [];
    for (const position of this.account.openPositions()) {
      const rules = this.data.instrument(position.symbol);
      if (!rules) continue;
      const liquidation = rules.roundPrice(liquidationPrice(position.side, position.entryPrice, position.leverage));
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
      const touch = this.data.firstTouch(position.symbol, last, now, below, above);
      if (!touch) continue;
      const isAdverse = (touch.side === 'below') === (position.side === 'Long');
      const reason = isAdverse ? adverseReason : 'TAKE_PROFIT';
      hits.push({
        rules,
        symbol: position.symbol,
        price: reason === 'LIQUIDATION' ? adverse : touch.fillPrice,
        reason,
        time: touch.time,
      });
    }
    hits.sort((a, b) => a.time - b.time);
    const closed: ExchangeClosedTrade[] = [];
    for (const hit of hits) {
      const trade = this.account.closeAt(hit.rules, hit.symbol, hit.price, hit.reason, hit.time);
      if (trade) closed.push(trade);
    }
    if (closed.length > 0) this.triggerRevision++;
    return closed;
  }

  /** The account for the paper account file (plain JSON). */
  exportState(): PaperAccountState {
    return this.account.exportState();
  }

  /** Restores a saved account; throws without changing anything if the state is malformed. */
  importState(state: PaperAccountState): void {
    this.account.importState(state, (symbol) => this.data.acceptsSavedSymbol(symbol));
  }

  protected tickAndNow(): number {
    this.tick();
    return this.clock.now();
  }

  private checkCandleQuery(symbol: string, timeframe: Timeframe, options: FetchCandlesOptions): void {
    this.tick();
    this.requireSymbol(symbol, 'fetchCandles');
    if (!FETCHABLE_TIMEFRAMES.includes(timeframe)) {
      throw new ExchangeError(`timeframe ${String(timeframe)} is not available`, 'fetchCandles');
    }
    if (options.limit !== undefined && !(options.limit >= 1)) {
      throw new ExchangeError(`limit must be >= 1, got ${options.limit}`, 'fetchCandles');
    }
    if (options.since !== undefined && !Number.isFinite(options.since)) {
      throw new ExchangeError(`since must be a time in ms, got ${options.since}`, 'fetchCandles');
    }
    if (options.until !== undefined && !Number.isFinite(options.until)) {
      throw new ExchangeError(`until must be a time in ms, got ${options.until}`, 'fetchCandles');
    }
  }

  protected requireSymbol(symbol: string, method: string): InstrumentRules {
    const rules = typeof symbol === 'string' ? this.data.instrument(symbol) : undefined;
    if (!rules) throw new UnknownSymbolError(`unknown symbol ${String(symbol)}`, method);
    return rules;
  }
}

/** Rounding for a saved position whose market is not listed: prices and sizes as they are. */
function fallbackRules(symbol: string): InstrumentRules {
  return {
    spec: { symbol, status: 'Closed', minOrderQty: 0, minNotional: 0, maxLeverage: 1 },
    floorQty: (qty) => qty,
    roundQty: (qty) => qty,
    roundPrice: (price) => price,
  };
}

/** The built-in simulated exchange: the paper account on the seeded market (market-sim.ts). */
export class PaperExchange extends PaperTradingExchange<SimMarketData> {
  readonly seed: number;

  constructor(options: PaperExchangeOptions) {
    const { clock, seed = 42, symbolCount = 540 } = options;
    super(new SimMarketData(clock, seed, symbolCount), clock, options);
    this.seed = seed;
  }

  get market(): PaperMarket {
    return this.data.market;
  }

  /** Current traded price of a symbol (the forming candle's close and the ticker's last). */
  currentPrice(symbol: string): number {
    this.tick();
    this.requireSymbol(symbol, 'currentPrice');
    return this.data.price(symbol);
  }
}
