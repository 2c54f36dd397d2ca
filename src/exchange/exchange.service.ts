import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Clock } from '../common/clock';
import { exchangeConfig } from '../config/app.config';
import { isJsonObject, JsonStore } from '../persistence/json-store.service';
import { StateRegistry } from '../persistence/state-registry.service';
import { ExchangeAuthError, ExchangeNotReadyError } from './exchange.errors';
import { candlesToColumns } from './exchange.types';
import type {
  Balance,
  Candle,
  CandleColumns,
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
} from './exchange.types';
import type { CcxtExchange as CcxtExchangeClass } from './ccxt/ccxt-exchange';
import type * as CreatePaperExchangeModule from './paper/create-paper-exchange';
import { paperAccountFile, paperModeDescription } from './paper/paper-mode';

/** Adapter calls that are signed with the account's key (readiness: docs/security.md). */
const SIGNED_METHODS: ReadonlySet<string> = new Set([
  'fetchPositions',
  'fetchBalance',
  'createMarketOrder',
  'closePosition',
  'cancelOrder',
  'setTradingStop',
  'setLeverage',
  'fetchClosedTrades',
]);

/** The simulation's account file; a dry run keeps its own (paperAccountFile). */
export const PAPER_ACCOUNT_FILE = 'paper_account.json';

/** Which exchange runs and where its prices come from, as the API and the start-up log say it. */
export interface ExchangeMode {
  exchange: string;
  /** Paper mode: where the paper account's prices come from ('sim', 'bybit', 'binance'); null on a real exchange. */
  paper_market: 'sim' | 'bybit' | 'binance' | null;
  /** True when the paper account trades on a real exchange's live public prices: no order reaches that exchange. */
  dry_run: boolean;
  description: string;
}
/** Optional provider: an adapter to use instead of the configured one (tests, benchmarks). */
export const EXCHANGE_ADAPTER = Symbol('EXCHANGE_ADAPTER');

export interface ExchangeCallStats {
  calls: number;
  errors: number;
  totalMs: number;
  lastError: string | null;
}

/**
 * The exchange for the rest of the service (in place of the original's GlobalState): picks the adapter from
 * config, initialises it first at start-up, and counts every call by method for status pages and metrics.
 */
@Injectable()
export class ExchangeService implements ExchangeAdapter, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Exchange');
  private adapter!: ExchangeAdapter;
  private marketList: MarketInfo[] = [];
  private marketIndex = new Map<string, MarketInfo>();
  private ready = false;
  private initError: string | null = null;
  /** A signed (account) request succeeded since the last authentication failure: the key and secret work. */
  private signedOk = false;
  private signedError: string | null = null;
  readonly stats = new Map<string, ExchangeCallStats>();
  private readonly callListeners: Array<(method: string, ok: boolean, ms: number) => void> = [];
  private afterAccountChange: (() => Promise<void>) | null = null;
  private afterTriggers: (() => Promise<void>) | null = null;
  private readonly attemptListeners: Array<(method: string, outcome: 'ok' | 'error' | 'retry') => void> = [];

  constructor(
    @Inject(exchangeConfig.KEY) private readonly config: ConfigType<typeof exchangeConfig>,
    private readonly clock: Clock,
    private readonly store: JsonStore,
    private readonly registry: StateRegistry,
    @Optional() @Inject(EXCHANGE_ADAPTER) adapterOverride?: ExchangeAdapter | null,
  ) {
    if (adapterOverride) this.adapter = adapterOverride;
  }

  get name(): string {
    return this.config.name;
  }

  get isPaper(): boolean {
    return this.config.name === 'paper';
  }

  get mode(): ExchangeMode {
    const c = this.config;
    if (c.name !== 'paper') {
      return {
        exchange: c.name,
        paper_market: null,
        dry_run: false,
        description: `real ${c.name} account${c.testnet ? ' (testnet)' : ''}`,
      };
    }
    return {
      exchange: 'paper',
      paper_market: c.paper.market,
      dry_run: c.paper.market !== 'sim',
      description: paperModeDescription(c.paper.market),
    };
  }

  get isReady(): boolean {
    return this.ready;
  }

  get lastInitError(): string | null {
    return this.initError;
  }

  /** True once a signed request has succeeded (always on paper); false again after an authentication failure. */
  get signedCallSucceeded(): boolean {
    return this.isPaper || this.signedOk;
  }

  /** Why no signed request has succeeded (the last signed failure), or null. */
  get lastSignedCallError(): string | null {
    return this.signedError;
  }

  /** Used by tests and benchmarks to run the service on an adapter of their own. */
  useAdapter(adapter: ExchangeAdapter): void {
    this.adapter = adapter;
  }

  onCall(listener: (method: string, ok: boolean, ms: number) => void): void {
    this.callListeners.push(listener);
  }

  /** Each HTTP attempt of a real-exchange adapter, retries included (metrics); the paper exchange has none. */
  onAttempt(listener: (method: string, outcome: 'ok' | 'error' | 'retry') => void): void {
    this.attemptListeners.push(listener);
  }

  async onModuleInit(): Promise<void> {
    if (!this.adapter) this.adapter = await this.createAdapter();
    await this.connect();
  }

  private async createAdapter(): Promise<ExchangeAdapter> {
    const c = this.config;
    if (c.name === 'paper') {
      // Required lazily: only the adapter in use is loaded.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { createPaperExchange } = require('./paper/create-paper-exchange') as typeof CreatePaperExchangeModule;
      const paper = createPaperExchange(c, {
        clock: this.clock,
        logger: this.logger,
        onRequest: (method, outcome) => this.attempted(method, outcome),
      });
      const file = paperAccountFile(c.paper.market);
      const saved = await this.store.load<Record<string, unknown> | null>(file, {
        defaults: () => null,
        validate: isJsonObject,
      });
      if (saved) paper.importState(saved as never);
      let savedRevision = paper.revision;
      const savePaperAccount = async () => {
        const revision = paper.revision;
        await this.store.save(file, paper.exportState());
        savedRevision = revision;
      };
      this.registry.register('paper account', savePaperAccount);
      // The paper account is the "exchange": an order it acknowledged must survive a crash, so every
      // account change is written before the call returns; so is a close by a stop (live prices cannot be replayed).
      this.afterAccountChange = savePaperAccount;
      this.afterTriggers = () => (paper.revision !== savedRevision ? savePaperAccount() : Promise.resolve());
      this.logger.log(
        c.paper.market === 'sim'
          ? `Paper trading: ${this.mode.description}, ${c.paper.symbols} simulated symbols, seed ${c.paper.seed}, time x${c.paper.timeScale}`
          : `Paper trading: ${this.mode.description}: public ${c.paper.market} market data${c.apiUrl ? ` via ${c.apiUrl}` : ''}, no keys, no order reaches the exchange; account in ${file}`,
      );
      return paper;
    }
    // Lazy: the ccxt adapter is loaded only when a real exchange is configured; its type is an `import type` above.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberate lazy load, see above
    const { CcxtExchange } = require('./ccxt/ccxt-exchange') as { CcxtExchange: typeof CcxtExchangeClass };
    this.logger.log(`Real exchange: ${c.name}${c.testnet ? ' (testnet)' : ''}${c.apiUrl ? ` via ${c.apiUrl}` : ''}`);
    return new CcxtExchange({
      exchangeId: c.name,
      apiKey: c.apiKey ?? undefined,
      secret: c.apiSecret ?? undefined,
      password: c.apiPassword ?? undefined,
      testnet: c.testnet,
      apiUrl: c.apiUrl ?? undefined,
      timeoutMs: c.timeoutMs,
      rateLimit: { requestsPerWindow: c.rateLimitRequests, windowMs: c.rateLimitWindowMs },
      logger: this.logger,
      onRequest: (method, outcome) => this.attempted(method, outcome),
    });
  }

  private attempted(method: string, outcome: 'ok' | 'error' | 'retry'): void {
    for (const listener of this.attemptListeners) listener(method, outcome);
  }

  /** (Re)initialises the adapter and caches the market list. Failure leaves the service up but not ready. */
  async init(): Promise<void> {
    await this.connect();
  }

  async connect(): Promise<boolean> {
    try {
      await this.track('init', () => this.adapter.init());
      await this.refreshMarkets();
      this.ready = true;
      this.initError = null;
      const mode = this.mode.dry_run ? ` (${this.mode.description})` : '';
      this.logger.log(
        `Exchange ${this.name}${mode} ready: ${this.marketList.filter((m) => m.status === 'Trading').length} tradable USDT perpetuals`,
      );
      // Public market data works without valid keys: one signed read proves them (readiness waits for it).
      if (!this.signedCallSucceeded) {
        await this.fetchPositions().catch((error: Error) =>
          this.logger.error(`Exchange ${this.name}: signed request failed: ${error.message}`),
        );
      }
    } catch (error) {
      this.ready = false;
      this.initError = (error as Error).message;
      this.logger.error(`Exchange ${this.name} failed to initialise: ${this.initError}`);
    }
    return this.ready;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.adapter
      ?.close()
      .catch((error: Error) => this.logger.warn(`Exchange ${this.name} did not close cleanly: ${error.message}`));
  }

  async refreshMarkets(): Promise<MarketInfo[]> {
    const markets = await this.track('listMarkets', () => this.adapter.listMarkets());
    this.marketList = markets;
    this.marketIndex = new Map(markets.map((m) => [m.symbol, m]));
    return markets;
  }

  /** Cached market list (all statuses). */
  markets(): MarketInfo[] {
    return this.marketList;
  }

  /** Symbols that can be traded now. */
  tradableSymbols(): string[] {
    return this.marketList.filter((m) => m.status === 'Trading').map((m) => m.symbol);
  }

  market(symbol: string): MarketInfo | undefined {
    return this.marketIndex.get(symbol);
  }

  private async track<T>(method: string, fn: () => Promise<T>): Promise<T> {
    if (!this.adapter) throw new ExchangeNotReadyError('Exchange not initialized', method);
    const started = performance.now();
    let stats = this.stats.get(method);
    if (!stats) this.stats.set(method, (stats = { calls: 0, errors: 0, totalMs: 0, lastError: null }));
    stats.calls++;
    try {
      const result = await fn();
      if (SIGNED_METHODS.has(method)) [this.signedOk, this.signedError] = [true, null];
      this.emit(method, true, performance.now() - started, stats);
      return result;
    } catch (error) {
      if (SIGNED_METHODS.has(method)) {
        this.signedError = (error as Error).message;
        if (error instanceof ExchangeAuthError) this.signedOk = false;
      }
      stats.errors++;
      stats.lastError = (error as Error).message;
      this.emit(method, false, performance.now() - started, stats);
      throw error;
    } finally {
      await this.saveTriggeredCloses();
    }
  }

  /** Paper mode: a stop, take-profit or liquidation closed a position during this call; keep it on disk. */
  private async saveTriggeredCloses(): Promise<void> {
    await this.afterTriggers?.().catch((error: Error) =>
      this.logger.error(`Saving the paper account failed: ${error.message}`),
    );
  }

  /** Waits for the account save (paper mode) after a call that changes the account, success or failure. */
  private async persisted<T>(call: Promise<T>): Promise<T> {
    try {
      return await call;
    } finally {
      // A failed save must not turn a filled order into an error (the caller would retry and double it).
      await this.afterAccountChange?.().catch((error: Error) =>
        this.logger.error(`Saving the paper account failed: ${error.message}`),
      );
    }
  }

  private emit(method: string, ok: boolean, ms: number, stats: ExchangeCallStats): void {
    stats.totalMs += ms;
    for (const listener of this.callListeners) listener(method, ok, ms);
  }

  listMarkets(): Promise<MarketInfo[]> {
    return this.refreshMarkets();
  }
  fetchCandles(symbol: string, timeframe: Timeframe, options?: FetchCandlesOptions): Promise<Candle[]> {
    return this.track('fetchCandles', () => this.adapter.fetchCandles(symbol, timeframe, options));
  }
  /** fetchCandles as columns (counted as fetchCandles); adapters without a columnar path are converted. */
  fetchCandleColumns(symbol: string, timeframe: Timeframe, options?: FetchCandlesOptions): Promise<CandleColumns> {
    return this.track('fetchCandles', async () => {
      const adapter = this.adapter;
      if (adapter.fetchCandleColumns) return adapter.fetchCandleColumns(symbol, timeframe, options);
      return candlesToColumns(await adapter.fetchCandles(symbol, timeframe, options));
    });
  }
  fetchTickers(): Promise<Map<string, Ticker>> {
    return this.track('fetchTickers', () => this.adapter.fetchTickers());
  }
  fetchPositions(): Promise<Position[]> {
    return this.track('fetchPositions', () => this.adapter.fetchPositions());
  }
  createMarketOrder(request: MarketOrderRequest): Promise<OrderResult> {
    return this.track('createMarketOrder', () => this.persisted(this.adapter.createMarketOrder(request)));
  }
  closePosition(symbol: string): Promise<OrderResult | null> {
    return this.track('closePosition', () => this.persisted(this.adapter.closePosition(symbol)));
  }
  cancelOrder(symbol: string, orderId: string): Promise<void> {
    return this.track('cancelOrder', () => this.adapter.cancelOrder(symbol, orderId));
  }
  setTradingStop(symbol: string, request: TradingStopRequest): Promise<void> {
    return this.track('setTradingStop', () => this.persisted(this.adapter.setTradingStop(symbol, request)));
  }
  setLeverage(symbol: string, leverage: number): Promise<void> {
    return this.track('setLeverage', () => this.persisted(this.adapter.setLeverage(symbol, leverage)));
  }
  fetchBalance(): Promise<Balance> {
    return this.track('fetchBalance', () => this.adapter.fetchBalance());
  }
  /** Trades the exchange closed by itself (stop-loss, take-profit, liquidation), when the adapter can tell. */
  async fetchClosedTrades(since: number): Promise<ExchangeClosedTrade[]> {
    const adapter = this.adapter as ExchangeAdapter & {
      fetchClosedTrades?: (since: number) => Promise<ExchangeClosedTrade[]>;
    };
    if (!adapter.fetchClosedTrades) return [];
    return this.track('fetchClosedTrades', () => adapter.fetchClosedTrades!(since));
  }
  close(): Promise<void> {
    return this.adapter.close();
  }
}
