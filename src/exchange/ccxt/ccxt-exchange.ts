/**
 * Real-exchange adapter over ccxt's unified API: Bybit v5 and OKX v5 (linear USDT perpetuals), Binance USDⓈ-M futures.
 *
 * Three parts (docs/exchanges.md): the transport (./transport: rate limiter with priority classes, hard timeout,
 * answer inspection, retries and metrics), the exchange's dialect (./dialects: capabilities and overrides for
 * what that exchange does its own way) and pure mappers (./mappers.ts). This class holds the market index and the
 * flow of each adapter method. ccxt is loaded lazily in init(), so the paper default never pays for it. Plain class,
 * no Nest imports: ExchangeService wires it in.
 */
import type { Exchange, OHLCV, Position as CcxtPosition } from 'ccxt';
import {
  ExchangeError,
  ExchangeNotReadyError,
  ExchangeUnavailableError,
  InvalidOrderError,
  UnknownSymbolError,
} from '../exchange.errors';
import {
  Balance,
  Candle,
  CandleColumns,
  ExchangeAdapter,
  FETCHABLE_TIMEFRAMES,
  FetchCandlesOptions,
  MarketInfo,
  MarketOrderRequest,
  OrderResult,
  Position,
  Ticker,
  Timeframe,
  TIMEFRAME_MS,
  TradingStopRequest,
} from '../exchange.types';
import { createCcxtClient, destroyCcxtClient, loadCcxtClass } from './ccxt-client';
import {
  CCXT_EXCHANGE_IDS,
  type CcxtExchangeId,
  dialectFor,
  type DialectContext,
  type ExchangeDialect,
} from './dialects';
import { ccxtIs } from './dialects/dialect';
import {
  bareCoin,
  bareFromTickerKey,
  columnsToCandles,
  isUsdtPerpetual,
  ohlcvColumns,
  toBalance,
  toTicker,
  type UnifiedUsdt,
} from './mappers';
import type { CcxtExchangeOptions } from './ccxt-exchange.options';
import { CallRunner } from './transport/call-runner';
import { HttpTransport } from './transport/http-transport';

export type { CcxtExchangeId } from './dialects';
export type { RequestOutcome } from './transport/call-runner';
// Re-exported for the adapter's spec and the other modules that have always imported them from here.
export { loadCcxtClass, replaceApiOrigins } from './ccxt-client';
export { ohlcvColumns, toPosition, toTicker } from './mappers';
export { bybitBalanceFigures, bybitMarketInfo, fastBybitOhlcv, installFastBybitOhlcv } from './dialects/bybit';
export { binanceBalanceFigures, binanceMarketInfo } from './dialects/binance';

export type { CcxtExchangeLogger, CcxtExchangeOptions } from './ccxt-exchange.options';

const DEFAULT_TIMEOUT_MS = 10_000;
/** Adapter calls whose requests wait behind trading requests in the limiter (docs/security.md). */
const ANALYSIS_METHODS: ReadonlySet<string> = new Set(['fetchCandles', 'fetchTickers']);
const MAX_CANDLES_PER_REQUEST = 1000;
/** listMarkets reuses a market list loaded this recently (e.g. by init just before). */
const MARKETS_FRESH_MS = 5000;

function oldestTime(rows: readonly OHLCV[]): number {
  let oldest = Infinity;
  for (const row of rows) if (Number(row[0]) < oldest) oldest = Number(row[0]);
  return oldest;
}

export class CcxtExchange implements ExchangeAdapter {
  readonly name: CcxtExchangeId;
  readonly isPaper = false;

  private readonly dialect: ExchangeDialect;
  private readonly transport: HttpTransport;
  private readonly runner: CallRunner;
  /** What the dialect may use of this adapter for its multi-request steps. */
  private readonly context: DialectContext;
  private client: Exchange | undefined;
  private marketsLoading: Promise<void> | undefined;
  private marketsReady = false;
  private marketsLoadedAt = -Infinity;
  /** Bare coin -> ccxt unified symbol ("BTC" -> "BTC/USDT:USDT"), rebuilt on every markets load. */
  private symbolByBare = new Map<string, string>();
  private bareBySymbol = new Map<string, string>();
  /** Last price seen per bare coin (tickers, candles, positions): the reference price of an order. */
  private readonly lastPrice = new Map<string, number>();
  private readonly timeoutMs: number;

  constructor(private readonly options: CcxtExchangeOptions) {
    const dialect = dialectFor(options.exchangeId);
    if (!dialect) {
      throw new Error(`unsupported exchange "${String(options.exchangeId)}" (${CCXT_EXCHANGE_IDS.join(', ')})`);
    }
    this.dialect = dialect;
    this.name = dialect.id;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.transport = new HttpTransport({
      exchangeName: this.name,
      timeoutMs: this.timeoutMs,
      requestsPerWindow: options.rateLimit?.requestsPerWindow ?? 600,
      windowMs: options.rateLimit?.windowMs ?? 5000,
      maxConcurrent: options.rateLimit?.maxConcurrent ?? 50,
      rules: dialect,
      logger: options.logger,
    });
    const attempts = options.retry?.attempts ?? 3;
    this.runner = new CallRunner({
      exchangeName: this.name,
      attempts,
      baseDelayMs: options.retry?.baseDelayMs ?? 100,
      secrets: [options.apiKey, options.secret, options.password],
      logger: options.logger,
      onRequest: options.onRequest,
    });
    this.context = {
      call: (method, task) => this.call(method, task),
      unifiedSymbol: (bare, method) => this.unifiedSymbol(bare, method),
      bare: (unified) => this.bare(unified),
      openPositions: (client, unified) => this.openPositions(client, unified),
    };
  }

  async init(): Promise<void> {
    if (!this.client) {
      if (this.options.apiKey && !this.options.secret) {
        throw new ExchangeError('init: an API key needs its secret', 'init');
      }
      if (this.options.apiKey && this.dialect.capabilities.needsPassword && !this.options.password) {
        throw new ExchangeError(`init: a ${this.name} API key needs its passphrase (EXCHANGE_API_PASSWORD)`, 'init');
      }
      // Lazy: ccxt costs ~0.5 s and ~60 MB to load, the paper default never needs it.
      const client = createCcxtClient(loadCcxtClass(this.dialect.ccxtClassId), {
        apiKey: this.options.apiKey,
        secret: this.options.secret,
        password: this.options.password,
        timeoutMs: this.timeoutMs,
        testnet: this.options.testnet,
        apiUrl: this.options.apiUrl,
        options: this.dialect.clientOptions(),
      });
      // No JSON number of these answers is beyond 2^53, so ccxt's walk of every parsed answer looking for
      // precision-risky integers finds nothing and is skipped.
      if (this.dialect.capabilities.numbersAsStrings) client.quoteJsonNumbers = false;
      this.dialect.prepareClient(client);
      this.transport.install(client);
      this.client = client;
    }
    await this.call('init', async (client) => this.loadMarkets(client), { loadsMarkets: true });
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.marketsReady = false;
    this.marketsLoading = undefined;
    if (client) await destroyCcxtClient(client);
  }

  async listMarkets(): Promise<MarketInfo[]> {
    // A delisting scan wants the exchange's current list, not the one cached at start-up.
    return this.call(
      'listMarkets',
      async (client) => {
        if (!this.marketsReady || performance.now() - this.marketsLoadedAt > MARKETS_FRESH_MS) {
          await this.loadMarkets(client);
        }
        const markets: MarketInfo[] = [];
        for (const market of Object.values(client.markets ?? {})) {
          if (!market || !isUsdtPerpetual(market)) continue;
          markets.push(this.dialect.marketInfo(market));
        }
        return markets.sort((a, b) => a.symbol.localeCompare(b.symbol));
      },
      { loadsMarkets: true },
    );
  }

  async fetchCandles(symbol: string, timeframe: Timeframe, options: FetchCandlesOptions = {}): Promise<Candle[]> {
    return columnsToCandles(await this.candleColumns('fetchCandles', symbol, timeframe, options));
  }

  /** The candles of fetchCandles as columns: a mass load stores these without making an object per candle. */
  fetchCandleColumns(symbol: string, timeframe: Timeframe, options: FetchCandlesOptions = {}): Promise<CandleColumns> {
    return this.candleColumns('fetchCandleColumns', symbol, timeframe, options);
  }

  private candleColumns(
    method: string,
    symbol: string,
    timeframe: Timeframe,
    options: FetchCandlesOptions,
  ): Promise<CandleColumns> {
    if (!FETCHABLE_TIMEFRAMES.includes(timeframe)) {
      return Promise.reject(
        new ExchangeError(`${method}: timeframe ${timeframe} cannot be fetched from ${this.name}`, method),
      );
    }
    const limit = Math.min(MAX_CANDLES_PER_REQUEST, Math.max(1, Math.floor(options.limit ?? MAX_CANDLES_PER_REQUEST)));
    return this.call('fetchCandles', async (client) => {
      const unified = this.unifiedSymbol(symbol, method);
      // ccxt's `until` is the exchanges' inclusive end (Bybit `end`, Binance `endTime`); ours is exclusive.
      const params = options.until !== undefined ? { until: options.until - 1 } : undefined;
      const perRequest = this.dialect.capabilities.maxCandlesPerRequest;
      let rows = await client.fetchOHLCV(unified, timeframe, options.since, Math.min(limit, perRequest), params);
      if (limit > perRequest) rows = await this.olderCandles(client, unified, timeframe, rows, limit, options.since);
      const columns = ohlcvColumns(rows, options.since, limit, options.until);
      if (columns.length > 0) this.lastPrice.set(this.bare(unified), columns.close[columns.length - 1]);
      return columns;
    });
  }

  /**
   * An exchange that answers fewer candles per request than asked (OKX: 300) is paged backwards from the oldest candle
   * received, one window of `perRequest` candles at a time, until `limit` candles, `since`, or an empty page.
   */
  private async olderCandles(
    client: Exchange,
    unified: string,
    timeframe: Timeframe,
    first: OHLCV[],
    limit: number,
    since: number | undefined,
  ): Promise<OHLCV[]> {
    const perRequest = this.dialect.capabilities.maxCandlesPerRequest;
    const all = [...first];
    let oldest = oldestTime(first);
    while (all.length < limit && Number.isFinite(oldest) && (since === undefined || oldest > since)) {
      const from = Math.max(since ?? -Infinity, oldest - perRequest * TIMEFRAME_MS[timeframe]);
      const page = await client.fetchOHLCV(unified, timeframe, from, perRequest, { until: oldest - 1 });
      const pageOldest = oldestTime(page);
      if (!(pageOldest < oldest)) break; // nothing older: the market's first candle was reached
      all.push(...page);
      oldest = pageOldest;
    }
    return all;
  }

  async fetchTickers(): Promise<Map<string, Ticker>> {
    return this.call('fetchTickers', async (client) => {
      const raw = await client.fetchTickers();
      const tickers = new Map<string, Ticker>();
      for (const [key, ticker] of Object.entries(raw)) {
        const bare = bareFromTickerKey(key, this.bareBySymbol);
        if (!bare) continue;
        const parsed = toTicker(bare, ticker);
        if (!parsed) continue;
        tickers.set(bare, parsed);
        this.lastPrice.set(bare, parsed.last);
      }
      return tickers;
    });
  }

  async fetchPositions(): Promise<Position[]> {
    return this.call('fetchPositions', async (client) => {
      const positions = await this.openPositions(client, undefined);
      // Only the full list needs them: closing, moving a stop and the balance figures do not.
      if (this.dialect.capabilities.stopsAsOrders && positions.length > 0) {
        await this.dialect.readStops(this.context, client, positions);
      }
      return positions;
    });
  }

  async createMarketOrder(request: MarketOrderRequest): Promise<OrderResult> {
    if (request.side !== 'buy' && request.side !== 'sell') {
      throw new InvalidOrderError(`createMarketOrder: side must be buy or sell`, 'createMarketOrder');
    }
    if (!(request.amount > 0) || !Number.isFinite(request.amount)) {
      throw new InvalidOrderError(`createMarketOrder: amount must be a positive number`, 'createMarketOrder');
    }
    const stops: TradingStopRequest = { stopLoss: request.stopLoss, takeProfit: request.takeProfit };
    const hasStops = request.stopLoss !== undefined || request.takeProfit !== undefined;
    const { stopsOnOrder } = this.dialect.capabilities;
    // One id for every attempt: a retry of an order the exchange already took is answered "duplicate".
    const clientOrderId =
      request.clientOrderId !== undefined
        ? this.dialect.clientOrderId(request.clientOrderId)
        : this.dialect.newClientOrderId();
    let amount = 0;
    const orderId = await this.call('createMarketOrder', async (client) => {
      const unified = this.unifiedSymbol(request.symbol, 'createMarketOrder');
      // ccxt counts swap amounts in contracts: coins on Bybit and Binance (size 1), e.g. 0.01 BTC on OKX.
      const contractSize = client.market(unified).contractSize ?? 1;
      const contracts = Number(client.amountToPrecision(unified, request.amount / contractSize));
      amount = contractSize === 1 ? contracts : Number((contracts * contractSize).toPrecision(12));
      if (!(amount > 0)) {
        throw new InvalidOrderError(`createMarketOrder: amount ${request.amount} rounds to 0`, 'createMarketOrder');
      }
      const params: Record<string, unknown> = { clientOrderId };
      if (request.reduceOnly) params.reduceOnly = true;
      if (stopsOnOrder && hasStops) Object.assign(params, this.dialect.attachedStopParams(client, unified, stops));
      try {
        const order = await client.createOrder(unified, 'market', request.side, contracts, undefined, params);
        if (!order?.id) {
          throw new ExchangeUnavailableError('createMarketOrder: malformed answer (no order id)', 'createMarketOrder');
        }
        return String(order.id);
      } catch (error) {
        if (!this.dialect.isDuplicateClientOrderId(error)) throw error;
        this.options.logger?.warn(
          `createMarketOrder: ${request.symbol} order ${clientOrderId} already placed (an earlier attempt got through); looking it up`,
        );
        const found = await this.dialect.findOrderIdByClientId(client, unified, clientOrderId);
        if (found) return found;
        throw new ExchangeUnavailableError(`order ${clientOrderId} was placed but cannot be found yet`);
      }
    });
    if (!stopsOnOrder && hasStops) await this.setTradingStop(request.symbol, stops);
    return {
      orderId,
      symbol: request.symbol,
      side: request.side,
      amount,
      price: this.lastPrice.get(request.symbol) ?? null,
      fee: 0,
    };
  }

  async closePosition(symbol: string): Promise<OrderResult | null> {
    const positions = await this.call('closePosition', async (client) =>
      this.openPositions(client, this.unifiedSymbol(symbol, 'closePosition')),
    );
    const position = positions.find((p) => p.symbol === symbol);
    if (!position) return null;
    return this.createMarketOrder({
      symbol,
      side: position.side === 'Long' ? 'sell' : 'buy',
      amount: position.size,
      reduceOnly: true,
    });
  }

  async cancelOrder(symbol: string, orderId: string): Promise<void> {
    await this.call('cancelOrder', async (client, attempt) => {
      try {
        await client.cancelOrder(orderId, this.unifiedSymbol(symbol, 'cancelOrder'));
      } catch (error) {
        // A retry of a cancel the exchange already processed finds no order: it is gone, as wanted.
        if (attempt > 1 && ccxtIs(error, 'OrderNotFound')) return;
        throw error;
      }
    });
  }

  async setTradingStop(symbol: string, request: TradingStopRequest): Promise<void> {
    for (const [field, value] of Object.entries(request)) {
      if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
        throw new InvalidOrderError(`setTradingStop: ${field} must be a non-negative number`, 'setTradingStop');
      }
    }
    if (request.stopLoss === undefined && request.takeProfit === undefined) return;
    await this.dialect.setTradingStop(this.context, symbol, request);
  }

  async setLeverage(symbol: string, leverage: number): Promise<void> {
    if (!(leverage >= 1) || !Number.isFinite(leverage)) {
      throw new InvalidOrderError('setLeverage: leverage must be >= 1', 'setLeverage');
    }
    await this.call('setLeverage', async (client) => {
      try {
        await client.setLeverage(leverage, this.unifiedSymbol(symbol, 'setLeverage'), this.dialect.leverageParams());
      } catch (error) {
        if (this.dialect.isLeverageUnchanged(error)) return;
        throw error;
      }
    });
  }

  async fetchBalance(): Promise<Balance> {
    return this.call('fetchBalance', async (client) => {
      // Both requests run to the end before an error surfaces: no request is left in flight behind a failure.
      const [balanceResult, positionsResult] = await Promise.allSettled([
        client.fetchBalance(),
        this.openPositions(client, undefined),
      ]);
      if (balanceResult.status === 'rejected') throw balanceResult.reason;
      if (positionsResult.status === 'rejected') throw positionsResult.reason;
      const balance = balanceResult.value;
      const usdt = balance.USDT as UnifiedUsdt | undefined;
      const mapped = toBalance(this.dialect.balanceFigures(balance.info), usdt, positionsResult.value);
      if (!mapped) {
        throw new ExchangeUnavailableError('fetchBalance: malformed answer (no USDT balance)', 'fetchBalance');
      }
      return mapped;
    });
  }

  // ---------------------------------------------------------------- internals

  /** Runs one adapter method through the transport's priority class and the runner's retries. */
  private async call<T>(
    method: string,
    task: (client: Exchange, attempt: number) => Promise<T>,
    how: { loadsMarkets?: boolean } = {},
  ): Promise<T> {
    // Candles and tickers are analysis reads; everything else (orders, stops, positions, balance, markets) trades.
    if (this.transport.currentPriority() === undefined) {
      return this.transport.withPriority(ANALYSIS_METHODS.has(method) ? 'analysis' : 'trading', () =>
        this.call(method, task, how),
      );
    }
    const client = this.client;
    if (!client) throw new ExchangeNotReadyError(`${method}: the ${this.name} adapter is not initialised`, method);
    return this.runner.run(method, async (attempt) => {
      if (!how.loadsMarkets && !this.marketsReady) await this.loadMarkets(client);
      return task(client, attempt);
    });
  }

  /** Always reloads: ccxt caches a failed load and would hand back the same rejection forever. */
  private loadMarkets(client: Exchange): Promise<void> {
    this.marketsLoading ??= (async () => {
      try {
        // Trading class even when a candle read started it: orders wait for this same load.
        await this.transport.withPriority('trading', () => client.loadMarkets(true));
        this.indexMarkets(client);
        this.marketsReady = true;
        this.marketsLoadedAt = performance.now();
      } finally {
        this.marketsLoading = undefined;
      }
    })();
    return this.marketsLoading;
  }

  private indexMarkets(client: Exchange): void {
    const symbolByBare = new Map<string, string>();
    const bareBySymbol = new Map<string, string>();
    for (const market of Object.values(client.markets ?? {})) {
      if (!market || !isUsdtPerpetual(market)) continue;
      const bare = bareCoin(market);
      symbolByBare.set(bare, market.symbol);
      bareBySymbol.set(market.symbol, bare);
    }
    if (symbolByBare.size === 0) {
      throw new ExchangeUnavailableError('loadMarkets: malformed answer (no USDT perpetuals listed)');
    }
    this.symbolByBare = symbolByBare;
    this.bareBySymbol = bareBySymbol;
  }

  private unifiedSymbol(bare: string, method: string): string {
    const unified = this.symbolByBare.get(bare) ?? this.symbolByBare.get(String(bare).toUpperCase());
    if (!unified) throw new UnknownSymbolError(`${method}: ${this.name} lists no USDT perpetual for "${bare}"`, method);
    return unified;
  }

  private bare(unified: string): string {
    return this.bareBySymbol.get(unified) ?? unified.split('/')[0];
  }

  private async openPositions(client: Exchange, unified: string | undefined): Promise<Position[]> {
    const raw: CcxtPosition[] = await client.fetchPositions(unified ? [unified] : undefined);
    if (!Array.isArray(raw)) throw new ExchangeUnavailableError('fetchPositions: malformed answer (no list)');
    const positions: Position[] = [];
    for (const row of raw) {
      const symbol = String(row.symbol);
      const contractSize = client.markets?.[symbol]?.contractSize ?? 1;
      const position = this.dialect.toPosition(this.bare(symbol), row, contractSize);
      if (!position) continue;
      positions.push(position);
      if (position.markPrice > 0) this.lastPrice.set(position.symbol, position.markPrice);
    }
    return positions;
  }
}
