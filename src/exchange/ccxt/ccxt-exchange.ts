/**
 * Real-exchange adapter over ccxt: Bybit v5 (linear USDT perpetuals) and Binance USDⓈ-M futures.
 *
 * Every HTTP request passes our own rate limiter and a hard timeout; every adapter call is retried
 * with exponential backoff when the failure is transient. ccxt is loaded lazily in init(), so the
 * paper default never pays for it. Plain class, no Nest imports: ExchangeService wires it in.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { Exchange, Market as MaybeMarket, OHLCV, Position as CcxtPosition, Ticker as CcxtTicker } from 'ccxt';
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
  InstrumentStatus,
  MarketInfo,
  MarketOrderRequest,
  OrderResult,
  Position,
  Ticker,
  Timeframe,
  TradingStopRequest,
} from '../exchange.types';
import {
  binanceErrorCode,
  bybitMalformedReason,
  parseJsonOrUndefined,
  bybitRetCode,
  isBybitRateLimitAnswer,
  isRetryableExchangeError,
  mapCcxtError,
  rateLimitPauseMs,
} from './ccxt-errors';
import { RateLimiter, type RequestPriority } from './rate-limiter';
import { withRetry } from './retry';

export type CcxtExchangeId = 'bybit' | 'binance';
export type RequestOutcome = 'ok' | 'error' | 'retry';

/** Any logger with warn (Nest's Logger fits). */
export interface CcxtExchangeLogger {
  warn(message: string): void;
  debug?(message: string): void;
}

export interface CcxtExchangeOptions {
  exchangeId: CcxtExchangeId;
  apiKey?: string;
  secret?: string;
  /** Use the exchange's testnet URLs. */
  testnet?: boolean;
  /** Replaces the origin (scheme://host[:port]) of every REST URL: a proxy, a mirror, or the local fake. */
  apiUrl?: string;
  /** Per HTTP request; a stalled answer is cut off shortly after. Default 10000. */
  timeoutMs?: number;
  /** Attempts in total (default 3) and the first backoff (default 100 ms, doubling). */
  retry?: { attempts?: number; baseDelayMs?: number };
  /** Requests allowed per window (default 600 per 5000 ms, Bybit's IP limit) and in flight at once (default 50). */
  rateLimit?: { requestsPerWindow?: number; windowMs?: number; maxConcurrent?: number };
  logger?: CcxtExchangeLogger;
  /** Metrics hook: one call per attempt of an adapter method. */
  onRequest?: (method: string, outcome: RequestOutcome) => void;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** Adapter calls whose requests wait behind trading requests in the limiter (docs/security.md). */
const ANALYSIS_METHODS: ReadonlySet<string> = new Set(['fetchCandles', 'fetchTickers']);
/** Grace after ccxt's own (headers-only) timeout before our guard gives up on a stalled body. */
const TIMEOUT_GUARD_MARGIN_MS = 250;
const MAX_CANDLES_PER_REQUEST = 1000;
/** listMarkets reuses a market list loaded this recently (e.g. by init just before). */
const MARKETS_FRESH_MS = 5000;
const DEFAULT_MIN_NOTIONAL = 5;
const DEFAULT_MAX_LEVERAGE = 20;
/** Bybit retCodes that mean "already so" and count as success. */
const BYBIT_LEVERAGE_NOT_MODIFIED = 110043;
const BYBIT_TPSL_NOT_MODIFIED = 34040;
/** "This client order id was used already": the order exists, a retry must not place another one. */
const BYBIT_DUPLICATE_CLIENT_ID = new Set([110072, 12141]);
const BINANCE_DUPLICATE_CLIENT_ID = new Set([-4116]);

type CcxtModule = typeof import('ccxt');
type CcxtExchangeClass = new (config: Record<string, unknown>) => Exchange;

/**
 * The one ccxt exchange class we use, loaded from ccxt's CommonJS build without the other ~140 exchanges that
 * `require('ccxt')` loads and compiles (~40 MB of RSS and ~0.4 s at start-up). The files are the same ones the
 * full entry point loads (same module cache, same classes); if ccxt's layout ever differs, the full entry point is used.
 */
export function loadCcxtClass(id: 'bybit' | 'binanceusdm'): CcxtExchangeClass {
  try {
    const root = join(dirname(require.resolve('ccxt')), 'cjs');
    // What ccxt's own entry point requires first: rollup's helpers for the bundled dependencies.
    require(join(root, '_virtual', '_commonjsHelpers.js'));
    require(join(root, '_virtual', 'index.cjs.js'));
    const loaded = (require(join(root, 'src', `${id}.js`)) as { default?: unknown }).default;
    if (typeof loaded === 'function' && (loaded as { name?: string }).name === id) return loaded as CcxtExchangeClass;
  } catch {
    // fall through to the documented entry point
  }
  return (require('ccxt') as CcxtModule)[id] as unknown as CcxtExchangeClass;
}
type Market = NonNullable<MaybeMarket>;

export class CcxtExchange implements ExchangeAdapter {
  readonly name: CcxtExchangeId;
  readonly isPaper = false;

  private client: Exchange | undefined;
  private marketsLoading: Promise<void> | undefined;
  private marketsReady = false;
  private marketsLoadedAt = -Infinity;
  /** Bare coin -> ccxt unified symbol ("BTC" -> "BTC/USDT:USDT"), rebuilt on every markets load. */
  private symbolByBare = new Map<string, string>();
  private bareBySymbol = new Map<string, string>();
  /** Last price seen per bare coin (tickers, candles, positions): the reference price of an order. */
  private readonly lastPrice = new Map<string, number>();
  private readonly limiter: RateLimiter;
  /** The limiter class of the adapter call a request belongs to (set around each call, read by the fetch hooks). */
  private readonly callPriority = new AsyncLocalStorage<RequestPriority>();
  /** Set inside a patched fetch2 that already holds a limiter slot, so the fetch under it does not take a second. */
  private readonly slotHeld = new AsyncLocalStorage<boolean>();
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly baseDelayMs: number;

  constructor(private readonly options: CcxtExchangeOptions) {
    if (options.exchangeId !== 'bybit' && options.exchangeId !== 'binance') {
      throw new Error(`unsupported exchange "${String(options.exchangeId)}" (bybit or binance)`);
    }
    this.name = options.exchangeId;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.attempts = options.retry?.attempts ?? 3;
    this.baseDelayMs = options.retry?.baseDelayMs ?? 100;
    const start = performance.now();
    this.limiter = new RateLimiter({
      requestsPerWindow: options.rateLimit?.requestsPerWindow ?? 600,
      windowMs: options.rateLimit?.windowMs ?? 5000,
      maxConcurrent: options.rateLimit?.maxConcurrent ?? 50,
      now: () => performance.now() - start,
      schedule: (callback, ms) => setTimeout(callback, ms),
    });
  }

  async init(): Promise<void> {
    if (!this.client) {
      if (this.options.apiKey && !this.options.secret) {
        throw new ExchangeError('init: an API key needs its secret', 'init');
      }
      // Lazy: ccxt costs ~0.5 s and ~60 MB to load, the paper default never needs it.
      this.client = this.createClient(loadCcxtClass(this.name === 'bybit' ? 'bybit' : 'binanceusdm'));
    }
    await this.call('init', async (client) => this.loadMarkets(client), { loadsMarkets: true });
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.marketsReady = false;
    this.marketsLoading = undefined;
    if (!client) return;
    await client.close();
    // destroy, not close: close would wait for a stalled answer until undici's body timeout.
    const dispatcher = (client as unknown as { fetchDispatcher?: { destroy?: () => Promise<void> } }).fetchDispatcher;
    await dispatcher?.destroy?.().catch(() => undefined);
  }

  async listMarkets(): Promise<MarketInfo[]> {
    // A delisting scan wants the exchange's current list, not the one cached at start-up.
    return this.call('listMarkets', async (client) => {
      if (!this.marketsReady || performance.now() - this.marketsLoadedAt > MARKETS_FRESH_MS) await this.loadMarkets(client);
      const markets: MarketInfo[] = [];
      for (const market of Object.values(client.markets ?? {})) {
        if (!market || !isUsdtPerpetual(market)) continue;
        markets.push(this.name === 'bybit' ? bybitMarketInfo(market) : binanceMarketInfo(market));
      }
      return markets.sort((a, b) => a.symbol.localeCompare(b.symbol));
    }, { loadsMarkets: true });
  }

  async fetchCandles(symbol: string, timeframe: Timeframe, options: FetchCandlesOptions = {}): Promise<Candle[]> {
    const columns = await this.candleColumns('fetchCandles', symbol, timeframe, options);
    const candles: Candle[] = new Array(columns.length);
    for (let i = 0; i < columns.length; i++) {
      candles[i] = { time: columns.time[i], open: columns.open[i], high: columns.high[i], low: columns.low[i], close: columns.close[i], volume: columns.volume[i] };
    }
    return candles;
  }

  /** The candles of fetchCandles as columns: a mass load stores these without making an object per candle. */
  fetchCandleColumns(symbol: string, timeframe: Timeframe, options: FetchCandlesOptions = {}): Promise<CandleColumns> {
    return this.candleColumns('fetchCandleColumns', symbol, timeframe, options);
  }

  private candleColumns(method: string, symbol: string, timeframe: Timeframe, options: FetchCandlesOptions): Promise<CandleColumns> {
    if (!FETCHABLE_TIMEFRAMES.includes(timeframe)) {
      return Promise.reject(new ExchangeError(`${method}: timeframe ${timeframe} cannot be fetched from ${this.name}`, method));
    }
    const limit = Math.min(MAX_CANDLES_PER_REQUEST, Math.max(1, Math.floor(options.limit ?? MAX_CANDLES_PER_REQUEST)));
    return this.call('fetchCandles', async (client) => {
      const unified = this.unifiedSymbol(symbol, method);
      // ccxt's `until` is the exchanges' inclusive end (Bybit `end`, Binance `endTime`); ours is exclusive.
      const params = options.until !== undefined ? { until: options.until - 1 } : undefined;
      const columns = ohlcvColumns(await client.fetchOHLCV(unified, timeframe, options.since, limit, params), options.since, limit, options.until);
      if (columns.length > 0) this.lastPrice.set(this.bare(unified), columns.close[columns.length - 1]);
      return columns;
    });
  }

  async fetchTickers(): Promise<Map<string, Ticker>> {
    return this.call('fetchTickers', async (client) => {
      const raw = await client.fetchTickers();
      const tickers = new Map<string, Ticker>();
      for (const [key, ticker] of Object.entries(raw)) {
        const bare = this.bareFromTickerKey(key);
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
      if (this.name === 'binance' && positions.length > 0) await this.attachBinanceStops(client, positions);
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
    // One id for every attempt: a retry of an order the exchange already took is answered "duplicate".
    const clientOrderId = request.clientOrderId ?? newClientOrderId();
    let amount = 0;
    const orderId = await this.call('createMarketOrder', async (client) => {
      const unified = this.unifiedSymbol(request.symbol, 'createMarketOrder');
      amount = Number(client.amountToPrecision(unified, request.amount));
      if (!(amount > 0)) throw new InvalidOrderError(`createMarketOrder: amount ${request.amount} rounds to 0`, 'createMarketOrder');
      const params: Record<string, unknown> = { clientOrderId };
      if (request.reduceOnly) params.reduceOnly = true;
      const attachStops = this.name === 'bybit';
      if (attachStops && request.stopLoss !== undefined) params.stopLoss = { triggerPrice: request.stopLoss };
      if (attachStops && request.takeProfit !== undefined) params.takeProfit = { triggerPrice: request.takeProfit };
      try {
        const order = await client.createOrder(unified, 'market', request.side, amount, undefined, params);
        if (!order?.id) throw new ExchangeUnavailableError('createMarketOrder: malformed answer (no order id)', 'createMarketOrder');
        return String(order.id);
      } catch (error) {
        if (!this.isDuplicateClientOrderId(error)) throw error;
        this.options.logger?.warn(`createMarketOrder: ${request.symbol} order ${clientOrderId} already placed (an earlier attempt got through); looking it up`);
        return this.findOrderIdByClientId(client, unified, clientOrderId);
      }
    });
    if (this.name === 'binance' && (request.stopLoss !== undefined || request.takeProfit !== undefined)) {
      await this.setTradingStop(request.symbol, { stopLoss: request.stopLoss, takeProfit: request.takeProfit });
    }
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
    const positions = await this.call('closePosition', async (client) => this.openPositions(client, this.unifiedSymbol(symbol, 'closePosition')));
    const position = positions.find((p) => p.symbol === symbol);
    if (!position) return null;
    return this.createMarketOrder({ symbol, side: position.side === 'Long' ? 'sell' : 'buy', amount: position.size, reduceOnly: true });
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
    if (this.name === 'binance') return this.binanceTradingStop(symbol, request);
    await this.call('setTradingStop', async (client) => {
      const unified = this.unifiedSymbol(symbol, 'setTradingStop');
      const body: Record<string, unknown> = { category: 'linear', symbol: client.market(unified).id, tpslMode: 'Full', positionIdx: 0 };
      if (request.stopLoss !== undefined) body.stopLoss = priceString(client, unified, request.stopLoss);
      if (request.takeProfit !== undefined) body.takeProfit = priceString(client, unified, request.takeProfit);
      try {
        await (client as unknown as BybitRaw).privatePostV5PositionTradingStop(body);
      } catch (error) {
        if (bybitRetCode(error) !== BYBIT_TPSL_NOT_MODIFIED) throw error;
      }
    });
  }

  async setLeverage(symbol: string, leverage: number): Promise<void> {
    if (!(leverage >= 1) || !Number.isFinite(leverage)) {
      throw new InvalidOrderError('setLeverage: leverage must be >= 1', 'setLeverage');
    }
    await this.call('setLeverage', async (client) => {
      try {
        await client.setLeverage(leverage, this.unifiedSymbol(symbol, 'setLeverage'));
      } catch (error) {
        if (this.name === 'bybit' && bybitRetCode(error) === BYBIT_LEVERAGE_NOT_MODIFIED) return;
        throw error;
      }
    });
  }

  async fetchBalance(): Promise<Balance> {
    return this.call('fetchBalance', async (client) => {
      // Both requests run to the end before an error surfaces: no request is left in flight behind a failure.
      const [balanceResult, positionsResult] = await Promise.allSettled([client.fetchBalance(), this.openPositions(client, undefined)]);
      if (balanceResult.status === 'rejected') throw balanceResult.reason;
      if (positionsResult.status === 'rejected') throw positionsResult.reason;
      const balance = balanceResult.value;
      const positions = positionsResult.value;
      const info = balance.info as unknown;
      const usdt = (balance as unknown as Record<string, { free?: number; total?: number } | undefined>).USDT;
      const figures = this.name === 'bybit' ? bybitBalanceFigures(info) : binanceBalanceFigures(info);
      if (!figures && !usdt) throw new ExchangeUnavailableError('fetchBalance: malformed answer (no USDT balance)', 'fetchBalance');
      const walletBalance = figures?.walletBalance ?? usdt?.total ?? 0;
      const unrealizedPnl = figures?.unrealizedPnl ?? positions.reduce((sum, p) => sum + p.unrealizedPnl, 0);
      const totalEquity = figures?.equity ?? walletBalance + unrealizedPnl;
      return {
        currency: 'USDT',
        totalEquity,
        walletBalance,
        availableBalance: figures?.available ?? usdt?.free ?? 0,
        unrealizedPnl,
        marginBalance: figures?.marginBalance ?? totalEquity,
        positionValue: positions.reduce((sum, p) => sum + p.positionValue, 0),
        activePositions: positions.length,
      };
    });
  }

  // ---------------------------------------------------------------- internals

  private createClient(ExchangeClass: CcxtExchangeClass): Exchange {
    const common = {
      apiKey: this.options.apiKey,
      secret: this.options.secret,
      enableRateLimit: false, // our limiter below follows the exchange's real limit
      timeout: this.timeoutMs,
    };
    const client: Exchange =
      this.name === 'bybit'
        ? new ExchangeClass({
            ...common,
            options: {
              defaultType: 'swap',
              defaultSubType: 'linear',
              defaultSettle: 'USDT',
              fetchMarkets: { types: ['linear'] },
              // Preset, so ccxt does not query /v5/user/query-api and /v5/account/info before private calls.
              enableUnifiedMargin: false,
              enableUnifiedAccount: true,
              unifiedMarginStatus: 6,
            },
          })
        : new ExchangeClass({
            ...common,
            // Reading stops back needs the open conditional orders of every symbol at once (one request per sync).
            options: { defaultType: 'swap', fetchMarkets: { types: ['linear'] }, fetchOpenOrders: { warnWithoutSymbol: false } },
          });
    // Otherwise loadMarkets first calls a signed currencies endpoint we have no use for.
    (client.has as Record<string, unknown>).fetchCurrencies = false;
    if (this.name === 'bybit') {
      // Bybit v5 quotes every price, size and id as a string; its only JSON numbers are retCode, time and small
      // enums, never beyond 2^53. So ccxt's walk of every parsed answer looking for precision-risky integers finds
      // nothing and is skipped (Binance keeps it: its order ids are JSON numbers).
      (client as unknown as { quoteJsonNumbers: boolean }).quoteJsonNumbers = false;
      installFastBybitOhlcv(client);
    }
    if (this.options.testnet) client.setSandboxMode(true);
    if (this.options.apiUrl) {
      const before = flattenUrls(client.urls.api as UrlTree);
      replaceApiOrigins(client.urls.api as UrlTree, this.options.apiUrl);
      keepErrorMappingByHost(client, before, flattenUrls(client.urls.api as UrlTree));
    }
    this.installHooks(client);
    return client;
  }

  /** Rate limiter + hard timeout around every HTTP request; answer inspection (malformed, rate limited). */
  private installHooks(client: Exchange): void {
    const guardMs = this.timeoutMs + TIMEOUT_GUARD_MARGIN_MS;
    const originalDispatcherOptions = client.getDispatcherOptions.bind(client);
    // undici's own body timeout is 300 s; a stalled body should free its socket soon after our guard.
    client.getDispatcherOptions = (isPlainAgent?: boolean) => ({
      ...originalDispatcherOptions(isPlainAgent),
      bodyTimeout: guardMs + 1000,
      headersTimeout: guardMs + 1000,
    });

    // The limiter wait happens before ccxt signs the request (fetch2 = sign + fetch): a request signed before a long
    // wait would reach the exchange with a stale timestamp and be refused outside its receive window.
    const originalFetch2 = client.fetch2.bind(client) as (...args: unknown[]) => Promise<unknown>;
    (client as unknown as { fetch2: (...args: unknown[]) => Promise<unknown> }).fetch2 = async (...args: unknown[]) => {
      const release = await this.limiter.acquire(this.callPriority.getStore() ?? 'trading');
      try {
        return await this.slotHeld.run(true, () => originalFetch2(...args));
      } finally {
        release();
      }
    };
    const originalFetch = client.fetch.bind(client);
    client.fetch = async (url: string, method = 'GET', headers?: unknown, body?: unknown) => {
      // A request that did not come through fetch2 still passes the limiter.
      const release = this.slotHeld.getStore() ? undefined : await this.limiter.acquire(this.callPriority.getStore() ?? 'trading');
      let timer: NodeJS.Timeout | undefined;
      try {
        const request = originalFetch(url, method, headers, body);
        request.catch(() => undefined); // may settle after the guard fired
        const guard = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new ExchangeUnavailableError(`${method} ${urlPath(url)} timed out after ${guardMs} ms`)), guardMs);
        });
        return await Promise.race([request, guard]);
      } finally {
        clearTimeout(timer);
        release?.();
      }
    };

    // ccxt calls parseJson(text) right after onRestResponse returned that text, in the same synchronous step; our
    // inspection already parsed it, so ccxt gets that object instead of parsing a 70 kB kline answer a second time.
    let inspectedText: string | undefined;
    let inspectedValue: unknown;
    const originalOnRestResponse = client.onRestResponse.bind(client);
    client.onRestResponse = (status: number, statusText: string, url: string, method: string, responseHeaders: Record<string, string>, responseBody: string, requestHeaders: unknown, requestBody: unknown) => {
      inspectedText = inspectedValue = undefined;
      const text: string = originalOnRestResponse(status, statusText, url, method, responseHeaders, responseBody, requestHeaders, requestBody);
      const parsed = this.inspectAnswer(status, url, method, responseHeaders ?? {}, text);
      inspectedText = text;
      inspectedValue = parsed;
      return text;
    };
    const originalParseJson = client.parseJson.bind(client);
    const risky = client as unknown as { quoteJsonNumbers: boolean; hasUnsafeInteger(value: unknown): boolean };
    client.parseJson = (text: string) => {
      const parsed = inspectedValue;
      const reusable = text === inspectedText && parsed !== null && typeof parsed === 'object';
      inspectedText = inspectedValue = undefined;
      // Same result as ccxt's own parseJson: objects and arrays only, re-parsed with quoted numbers when asked to.
      if (reusable && (text[0] === '{' || text[0] === '[') && !(risky.quoteJsonNumbers && risky.hasUnsafeInteger(parsed))) return parsed;
      return originalParseJson(text);
    };
  }

  /** Pauses the limiter on a rate-limit answer, throws on a malformed one; returns the parsed body (undefined if not JSON). */
  private inspectAnswer(status: number, url: string, method: string, headers: Record<string, string>, text: string): unknown {
    const parsed = parseJsonOrUndefined(text);
    const rateLimited = this.name === 'bybit' ? isBybitRateLimitAnswer(status, parsed) : status === 429 || status === 418;
    if (rateLimited) {
      const pauseMs = rateLimitPauseMs(headers, Date.now());
      // One line per pause, not one per refused request of a mass load.
      if (!this.limiter.isPaused()) this.options.logger?.warn(`${this.name} rate limit answer on ${urlPath(url)}: holding requests for ${pauseMs} ms`);
      this.limiter.pause(pauseMs);
      return parsed;
    }
    const reason =
      this.name === 'bybit'
        ? bybitMalformedReason(status, url, text, parsed)
        : status >= 200 && status < 300 && parsed === undefined
          ? 'body is not JSON'
          : undefined;
    if (reason) throw new ExchangeUnavailableError(`malformed answer to ${method} ${urlPath(url)}: ${reason}`);
    return parsed;
  }

  /** Runs one adapter method with retries; every failure leaves as one of our ExchangeError classes. */
  private async call<T>(method: string, task: (client: Exchange, attempt: number) => Promise<T>, how: { loadsMarkets?: boolean } = {}): Promise<T> {
    // Candles and tickers are analysis reads; everything else (orders, stops, positions, balance, markets) trades.
    if (this.callPriority.getStore() === undefined) {
      return this.callPriority.run(ANALYSIS_METHODS.has(method) ? 'analysis' : 'trading', () => this.call(method, task, how));
    }
    const client = this.client;
    if (!client) throw new ExchangeNotReadyError(`${method}: the ${this.name} adapter is not initialised`, method);
    const secrets = [this.options.apiKey, this.options.secret];
    try {
      return await withRetry(
        async (attempt) => {
          try {
            if (!how.loadsMarkets && !this.marketsReady) await this.loadMarkets(client);
            const value = await task(client, attempt);
            this.options.onRequest?.(method, 'ok');
            return value;
          } catch (error) {
            throw mapCcxtError(error, { method, secrets });
          }
        },
        {
          attempts: this.attempts,
          baseDelayMs: this.baseDelayMs,
          isRetryable: isRetryableExchangeError,
          sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
          onRetry: (error, attempt, delayMs) => {
            this.options.onRequest?.(method, 'retry');
            const message = error instanceof Error ? error.message : String(error);
            this.options.logger?.warn(`${this.name} ${method}: attempt ${attempt}/${this.attempts} failed (${message}); retrying in ${delayMs} ms`);
          },
        },
      );
    } catch (error) {
      this.options.onRequest?.(method, 'error');
      throw error;
    }
  }

  /** Always reloads: ccxt caches a failed load and would hand back the same rejection forever. */
  private loadMarkets(client: Exchange): Promise<void> {
    this.marketsLoading ??= (async () => {
      try {
        // Trading class even when a candle read started it: orders wait for this same load.
        await this.callPriority.run('trading', () => client.loadMarkets(true));
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
    if (symbolByBare.size === 0) throw new ExchangeUnavailableError('loadMarkets: malformed answer (no USDT perpetuals listed)');
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

  /** fetchTickers keys are unified symbols; rows for markets ccxt does not know come under the raw id. */
  private bareFromTickerKey(key: string): string | undefined {
    const known = this.bareBySymbol.get(key);
    if (known) return known;
    if (key.includes('/')) return key.endsWith('/USDT:USDT') ? key.split('/')[0] : undefined;
    return key.endsWith('USDT') && key.length > 4 ? key.slice(0, -4) : undefined;
  }

  private async openPositions(client: Exchange, unified: string | undefined): Promise<Position[]> {
    const raw: CcxtPosition[] = await client.fetchPositions(unified ? [unified] : undefined);
    if (!Array.isArray(raw)) throw new ExchangeUnavailableError('fetchPositions: malformed answer (no list)');
    const positions: Position[] = [];
    for (const row of raw) {
      const position = toPosition(this.bare(String(row.symbol)), row);
      if (!position) continue;
      positions.push(position);
      if (position.markPrice > 0) this.lastPrice.set(position.symbol, position.markPrice);
    }
    return positions;
  }

  /**
   * Binance keeps stops as close-position conditional orders, not on the position: they are read back onto it, so
   * position sync sees a stop that is there (and does not "restore" it on every pass) and one that is missing.
   */
  private async attachBinanceStops(client: Exchange, positions: Position[]): Promise<void> {
    const resting = await client.fetchOpenOrders(undefined, undefined, undefined, { trigger: true });
    for (const order of resting) {
      const info = (order.info ?? {}) as Record<string, unknown>;
      if (String(info.closePosition) !== 'true') continue;
      const position = positions.find((p) => p.symbol === this.bare(String(order.symbol)));
      if (!position || order.side !== (position.side === 'Long' ? 'sell' : 'buy')) continue;
      const trigger = positiveOrNull(order.triggerPrice ?? order.stopPrice ?? info.triggerPrice);
      if (trigger === null) continue;
      if (info.orderType === 'STOP_MARKET') position.stopLoss = trigger;
      else if (info.orderType === 'TAKE_PROFIT_MARKET') position.takeProfit = trigger;
    }
  }

  private isDuplicateClientOrderId(error: unknown): boolean {
    if (this.name === 'bybit') {
      const code = bybitRetCode(error);
      return code !== undefined && BYBIT_DUPLICATE_CLIENT_ID.has(code);
    }
    const code = binanceErrorCode(error);
    return code !== undefined && BINANCE_DUPLICATE_CLIENT_ID.has(code);
  }

  private async findOrderIdByClientId(client: Exchange, unified: string, clientOrderId: string): Promise<string> {
    if (this.name === 'bybit') {
      const raw = client as unknown as BybitRaw;
      const query = { category: 'linear', symbol: client.market(unified).id, orderLinkId: clientOrderId };
      for (const lookup of [raw.privateGetV5OrderRealtime, raw.privateGetV5OrderHistory]) {
        const answer = (await lookup.call(client, query)) as { result?: { list?: Array<{ orderId?: string }> } };
        const id = answer?.result?.list?.find((o) => o?.orderId)?.orderId;
        if (id) return String(id);
      }
    } else {
      const order = await client.fetchOrder(undefined as unknown as string, unified, { origClientOrderId: clientOrderId });
      if (order?.id) return String(order.id);
    }
    throw new ExchangeUnavailableError(`order ${clientOrderId} was placed but cannot be found yet`);
  }

  /** Binance has no position-level SL/TP: place close-position stop orders instead. */
  private async binanceTradingStop(symbol: string, request: TradingStopRequest): Promise<void> {
    const positions = await this.call('setTradingStop', async (client) => this.openPositions(client, this.unifiedSymbol(symbol, 'setTradingStop')));
    const position = positions.find((p) => p.symbol === symbol);
    if (!position) throw new InvalidOrderError(`setTradingStop: no open position on ${symbol}`, 'setTradingStop');
    const side = position.side === 'Long' ? 'sell' : 'buy';
    const legs: Array<[string, number | undefined]> = [
      ['STOP_MARKET', request.stopLoss],
      ['TAKE_PROFIT_MARKET', request.takeProfit],
    ];
    for (const [type, price] of legs) {
      if (price === undefined) continue;
      const clientOrderId = newClientOrderId();
      await this.call('setTradingStop', async (client) => {
        const unified = this.unifiedSymbol(symbol, 'setTradingStop');
        // Binance keeps one close-position order per type and direction (a second one is refused with -4130):
        // moving a stop replaces the resting one, and 0 just lifts it.
        const resting = await client.fetchOpenOrders(unified, undefined, undefined, { trigger: true });
        for (const order of resting) {
          const info = (order.info ?? {}) as Record<string, unknown>;
          if (info.orderType !== type || String(info.closePosition) !== 'true' || order.clientOrderId === clientOrderId) continue;
          try {
            await client.cancelOrder(String(order.id), unified, { trigger: true });
          } catch (error) {
            if (!ccxtIs(error, 'OrderNotFound')) throw error; // already gone (triggered, or an earlier attempt)
          }
        }
        if (price === 0) return;
        try {
          await client.createOrder(unified, type, side, undefined as unknown as number, undefined, {
            stopPrice: priceString(client, unified, price),
            closePosition: true,
            clientOrderId,
          });
        } catch (error) {
          if (!this.isDuplicateClientOrderId(error)) throw error;
        }
      });
    }
  }
}

// ---------------------------------------------------------------- pure helpers

interface BybitRaw {
  privatePostV5PositionTradingStop(params: object): Promise<unknown>;
  privateGetV5OrderRealtime(params: object): Promise<unknown>;
  privateGetV5OrderHistory(params: object): Promise<unknown>;
}

type UrlTree = { [key: string]: string | UrlTree };

function flattenUrls(urls: UrlTree, prefix = '', into = new Map<string, string>()): Map<string, string> {
  for (const [key, value] of Object.entries(urls)) {
    if (typeof value === 'string') into.set(prefix + key, value);
    else if (value && typeof value === 'object') flattenUrls(value, `${prefix}${key}.`, into);
  }
  return into;
}

/**
 * ccxt's binance picks the error codes of a market type by the request URL's host (e.g. -2019 "Margin is
 * insufficient" is InsufficientFunds only for https://fapi.binance.com/...). Behind `apiUrl` every host is the same,
 * so the lookup is given the exchange's own URL back; without this such codes end up as plain ExchangeErrors.
 */
function keepErrorMappingByHost(client: Exchange, before: Map<string, string>, after: Map<string, string>): void {
  const target = client as unknown as { getExceptionsByUrl?: (url: string, exactOrBroad: string) => unknown };
  const lookup = target.getExceptionsByUrl?.bind(client);
  if (!lookup) return;
  const pairs: Array<[string, string]> = [];
  for (const [key, replaced] of after) {
    const original = before.get(key);
    if (original && original !== replaced) pairs.push([replaced, original]);
  }
  pairs.sort((a, b) => b[0].length - a[0].length);
  target.getExceptionsByUrl = (url: string, exactOrBroad: string) => {
    const pair = typeof url === 'string' ? pairs.find(([replaced]) => url === replaced || url.startsWith(`${replaced}/`) || url.startsWith(`${replaced}?`)) : undefined;
    return lookup(pair ? pair[1] + url.slice(pair[0].length) : url, exactOrBroad);
  };
}

/** Swaps scheme://host[:port] of every URL (nested too) for `apiUrl`, keeping each URL's path. */
export function replaceApiOrigins(urls: UrlTree, apiUrl: string): void {
  const origin = apiUrl.replace(/\/+$/, '');
  for (const [key, value] of Object.entries(urls)) {
    if (typeof value === 'string') urls[key] = value.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]+/i, origin);
    else if (value && typeof value === 'object') replaceApiOrigins(value, apiUrl);
  }
}

/**
 * ccxt's bybit parseOHLCV reads each field through safeInteger / safeNumber (prop, safeString, numberToString,
 * parseNumber: a dozen calls per field, the largest CPU item of a mass load after JSON.parse). For the plain decimal
 * strings (or finite numbers) Bybit sends, those come down to Math.trunc(Number(s)) for the time and Number(s) for
 * the rest; any other row (empty or missing field, exponent notation, not a string) goes to ccxt's own parser.
 * Still fetchOHLCV, ccxt's sorting and since/limit filtering: only the per-row conversion is shortcut.
 */
export function installFastBybitOhlcv(client: Exchange): void {
  const ccxtParse = client.parseOHLCV.bind(client) as (row: unknown, market?: unknown) => OHLCV;
  client.parseOHLCV = ((row: unknown, market?: { inverse?: unknown }) => {
    const volumeIndex = market?.inverse === true ? 6 : 5;
    const fast = fastBybitOhlcv(row, volumeIndex);
    return fast ?? ccxtParse(row, market);
  }) as Exchange['parseOHLCV'];
}

/**
 * ccxt OHLCV rows to columns: rows with a non-finite field, before `since` or from `until` on are dropped, the rest sorted by time
 * (the later of two equal times wins), the newest `limit` kept.
 */
export function ohlcvColumns(rows: readonly OHLCV[], since: number | undefined, limit: number, until?: number): CandleColumns {
  const kept: OHLCV[] = [];
  let sorted = true;
  for (const row of rows) {
    // Field by field: this runs for every candle of a mass load, so no temporary arrays.
    const time = Number(row[0]);
    if (!(Number.isFinite(time) && Number.isFinite(Number(row[1])) && Number.isFinite(Number(row[2])) && Number.isFinite(Number(row[3])) && Number.isFinite(Number(row[4])) && Number.isFinite(Number(row[5] ?? 0)))) continue;
    if ((since !== undefined && time < since) || (until !== undefined && time >= until)) continue;
    if (kept.length > 0 && time <= Number(kept[kept.length - 1][0])) sorted = false;
    kept.push(row);
  }
  if (!sorted) {
    kept.sort((a, b) => Number(a[0]) - Number(b[0]));
    // Equal times: keep the later row, as a merge would.
    for (let i = kept.length - 2; i >= 0; i--) if (Number(kept[i][0]) === Number(kept[i + 1][0])) kept.splice(i, 1);
  }
  const start = Math.max(0, kept.length - limit);
  const n = kept.length - start;
  const columns: CandleColumns = {
    length: n, time: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const row = kept[start + i];
    columns.time[i] = Number(row[0]);
    columns.open[i] = Number(row[1]);
    columns.high[i] = Number(row[2]);
    columns.low[i] = Number(row[3]);
    columns.close[i] = Number(row[4]);
    columns.volume[i] = Number(row[5] ?? 0);
  }
  return columns;
}

/** The row as ccxt would parse it, or undefined when the row needs ccxt's general path. */
export function fastBybitOhlcv(row: unknown, volumeIndex: 5 | 6): OHLCV | undefined {
  if (!Array.isArray(row)) return undefined;
  const time = plainNumber(row[0]);
  const open = plainNumber(row[1]);
  const high = plainNumber(row[2]);
  const low = plainNumber(row[3]);
  const close = plainNumber(row[4]);
  const volume = plainNumber(row[volumeIndex]);
  if (time === undefined || open === undefined || high === undefined || low === undefined || close === undefined || volume === undefined) return undefined;
  if (!Number.isFinite(time)) return undefined;
  return [Math.trunc(time), open, high, low, close, volume];
}

/** Number(value) for a non-empty string without 'e' or a finite number; undefined (= ask ccxt) for anything else or NaN. */
function plainNumber(value: unknown): number | undefined {
  let n: number;
  if (typeof value === 'string') {
    if (value.length === 0 || value.includes('e') || value.includes('E')) return undefined;
    n = Number(value);
  } else if (typeof value === 'number' && Number.isFinite(value)) {
    n = value;
  } else {
    return undefined;
  }
  return Number.isNaN(n) ? undefined : n;
}

function urlPath(url: string): string {
  return url.replace(/^[a-z]+:\/\/[^/]+/i, '').split('?')[0];
}

function newClientOrderId(): string {
  // Bybit orderLinkId / Binance newClientOrderId: at most 36 of [A-Za-z0-9_-].
  return `bots-${randomUUID().replace(/-/g, '')}`.slice(0, 36);
}

function ccxtIs(error: unknown, className: string): boolean {
  for (let proto = error ? Object.getPrototypeOf(error) : null; proto; proto = Object.getPrototypeOf(proto)) {
    if (proto.constructor?.name === className) return true;
  }
  return false;
}

function priceString(client: Exchange, unified: string, price: number): string {
  return price === 0 ? '0' : String(client.priceToPrecision(unified, price));
}

function isUsdtPerpetual(market: Market): boolean {
  return market.swap === true && market.linear === true && market.settle === 'USDT' && market.quote === 'USDT';
}

function bareCoin(market: Market): string {
  return String(market.baseId ?? market.base);
}

function num(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

function positiveOrUndefined(value: unknown): number | undefined {
  const n = num(value);
  return n !== undefined && n > 0 ? n : undefined;
}

function positiveOrNull(value: unknown): number | null {
  const n = num(value);
  return n !== undefined && n > 0 ? n : null;
}

const BYBIT_STATUS: Record<string, InstrumentStatus> = {
  Trading: 'Trading',
  PreLaunch: 'PreLaunch',
  Settling: 'Settling',
  Delivering: 'Delivering',
  Closed: 'Closed',
};

export function bybitMarketInfo(market: Market): MarketInfo {
  const info = (market.info ?? {}) as Record<string, any>;
  const lot = info.lotSizeFilter ?? {};
  return {
    symbol: bareCoin(market),
    exchangeSymbol: String(market.id),
    status: BYBIT_STATUS[String(info.status)] ?? (market.active === false ? 'Closed' : 'Trading'),
    tickSize: num(info.priceFilter?.tickSize) ?? num(market.precision?.price) ?? 0,
    qtyStep: num(lot.qtyStep) ?? num(market.precision?.amount) ?? 0,
    minOrderQty: num(lot.minOrderQty) ?? num(market.limits?.amount?.min) ?? 0,
    minNotional: num(lot.minNotionalValue) ?? num(info.minNotionalValue) ?? DEFAULT_MIN_NOTIONAL,
    maxLeverage: num(info.leverageFilter?.maxLeverage) ?? num(market.limits?.leverage?.max) ?? DEFAULT_MAX_LEVERAGE,
    launchTime: positiveOrUndefined(info.launchTime),
  };
}

const BINANCE_STATUS: Record<string, InstrumentStatus> = {
  TRADING: 'Trading',
  PENDING_TRADING: 'PreLaunch',
  PRE_TRADING: 'PreLaunch',
  SETTLING: 'Settling',
  DELIVERING: 'Delivering',
  PRE_DELIVERING: 'Delivering',
  DELIVERED: 'Closed',
  CLOSE: 'Closed',
};

export function binanceMarketInfo(market: Market): MarketInfo {
  const info = (market.info ?? {}) as Record<string, any>;
  const filters: Array<Record<string, string>> = Array.isArray(info.filters) ? info.filters : [];
  const filter = (type: string) => filters.find((f) => f.filterType === type) ?? {};
  return {
    symbol: bareCoin(market),
    exchangeSymbol: String(market.id),
    status: BINANCE_STATUS[String(info.status)] ?? (market.active === false ? 'Closed' : 'Trading'),
    tickSize: num(filter('PRICE_FILTER').tickSize) ?? num(market.precision?.price) ?? 0,
    qtyStep: num(filter('MARKET_LOT_SIZE').stepSize) ?? num(filter('LOT_SIZE').stepSize) ?? num(market.precision?.amount) ?? 0,
    minOrderQty: num(filter('MARKET_LOT_SIZE').minQty) ?? num(filter('LOT_SIZE').minQty) ?? num(market.limits?.amount?.min) ?? 0,
    minNotional: num(filter('MIN_NOTIONAL').notional) ?? num(market.limits?.cost?.min) ?? DEFAULT_MIN_NOTIONAL,
    maxLeverage: num(market.limits?.leverage?.max) ?? DEFAULT_MAX_LEVERAGE,
    launchTime: positiveOrUndefined(info.onboardDate),
  };
}

export function toTicker(bare: string, ticker: CcxtTicker): Ticker | undefined {
  const last = num(ticker.last) ?? num(ticker.close);
  if (last === undefined) return undefined;
  const info = (ticker.info ?? {}) as Record<string, unknown>;
  return {
    symbol: bare,
    last,
    bid: num(ticker.bid) ?? last,
    ask: num(ticker.ask) ?? last,
    mark: num(ticker.markPrice) ?? num(info.markPrice) ?? last,
    high24h: num(ticker.high) ?? last,
    low24h: num(ticker.low) ?? last,
    change24hPercent: num(ticker.percentage) ?? 0,
    volume24h: num(ticker.baseVolume) ?? 0,
    turnover24h: num(ticker.quoteVolume) ?? 0,
    timestamp: num(ticker.timestamp) ?? Date.now(),
  };
}

export function toPosition(bare: string, row: CcxtPosition): Position | undefined {
  const size = Math.abs(num(row.contracts) ?? 0);
  if (!(size > 0) || (row.side !== 'long' && row.side !== 'short')) return undefined;
  const info = (row.info ?? {}) as Record<string, unknown>;
  const markPrice = num(row.markPrice) ?? 0;
  const createdAt = num(row.timestamp) ?? 0;
  return {
    symbol: bare,
    side: row.side === 'long' ? 'Long' : 'Short',
    size,
    entryPrice: num(row.entryPrice) ?? 0,
    markPrice,
    // Binance's v3 position rows carry no leverage; their initial margin is |notional| / leverage.
    leverage: num(row.leverage) ?? impliedLeverage(row) ?? 1,
    unrealizedPnl: num(row.unrealizedPnl) ?? 0,
    realizedPnl: num(row.realizedPnl) ?? num(info.cumRealisedPnl) ?? 0,
    stopLoss: positiveOrNull(row.stopLossPrice),
    takeProfit: positiveOrNull(row.takeProfitPrice),
    liquidationPrice: positiveOrNull(row.liquidationPrice),
    positionValue: num(row.notional) ?? size * markPrice,
    margin: num(row.initialMargin) ?? 0,
    createdAt,
    updatedAt: num(row.lastUpdateTimestamp) ?? createdAt,
  };
}

function impliedLeverage(row: CcxtPosition): number | undefined {
  const notional = num(row.notional);
  const margin = num(row.initialMargin);
  return notional !== undefined && margin !== undefined && margin > 0 ? Math.max(1, Math.round(Math.abs(notional) / margin)) : undefined;
}

interface BalanceFigures {
  equity?: number;
  walletBalance?: number;
  available?: number;
  unrealizedPnl?: number;
  marginBalance?: number;
}

/** Bybit UTA wallet-balance: result.list[0] with a USDT coin row. */
export function bybitBalanceFigures(info: unknown): BalanceFigures | undefined {
  const account = (info as { result?: { list?: Array<Record<string, any>> } })?.result?.list?.[0];
  if (!account) return undefined;
  // An account that holds no USDT has no USDT row at all: that is a zero balance, not a broken answer.
  const coin = (Array.isArray(account.coin) ? account.coin : []).find((c: Record<string, unknown>) => c?.coin === 'USDT') ?? {
    equity: '0', walletBalance: '0', unrealisedPnl: '0',
  };
  return {
    equity: num(coin.equity),
    walletBalance: num(coin.walletBalance),
    // availableToWithdraw was dropped from UTA answers in 2025; the account-level figure replaces it.
    available: num(coin.availableToWithdraw) ?? num(account.totalAvailableBalance),
    unrealizedPnl: num(coin.unrealisedPnl),
    marginBalance: num(account.totalMarginBalance),
  };
}

/** Binance /fapi account: assets[] with a USDT row, totals at the top. */
export function binanceBalanceFigures(info: unknown): BalanceFigures | undefined {
  const account = info as Record<string, any> | undefined;
  if (!account || typeof account !== 'object') return undefined;
  const asset = (Array.isArray(account.assets) ? account.assets : []).find((a: Record<string, unknown>) => a?.asset === 'USDT') ?? {};
  return {
    equity: num(asset.marginBalance) ?? num(account.totalMarginBalance),
    walletBalance: num(asset.walletBalance) ?? num(account.totalWalletBalance),
    available: num(asset.availableBalance) ?? num(account.availableBalance),
    unrealizedPnl: num(asset.unrealizedProfit) ?? num(account.totalUnrealizedProfit),
    marginBalance: num(asset.marginBalance) ?? num(account.totalMarginBalance),
  };
}
