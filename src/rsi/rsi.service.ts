import { BoundedCache } from '../common/bounded-cache';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Clock, isoLocal } from '../common/clock';
import { AutoBotConfigService } from '../config/auto-bot-config.service';
import type { AutoBotConfig } from '../config/defaults';
import { IndividualSettingsService } from '../config/individual-settings.service';
import { SystemConfigService } from '../config/system-config.service';
import { ExchangeRateLimitError, ExchangeUnavailableError, UnknownSymbolError } from '../exchange/exchange.errors';
import { ExchangeService } from '../exchange/exchange.service';
import {
  FETCHABLE_TIMEFRAMES, TIMEFRAME_MS, type Candle, type Ticker, type Timeframe,
} from '../exchange/exchange.types';
import type { LoadProgress } from '../health/status.service';
import { StatusService } from '../health/status.service';
import { JsonStore } from '../persistence/json-store.service';
import { StateRegistry } from '../persistence/state-registry.service';
import { CandleSeries, MAX_CANDLES } from './candle-series';
import { analyzeSeries, updateLastClose, type AnalysisParams, type CoinAnalysis } from './coin-analysis';
import { analyzeEnhancedRsi, type EnhancedRsiSettings } from './indicators/enhanced-rsi';
import { computeRsiSeries } from './indicators/rsi';
import { DEFAULT_EMA_TREND_PARAMS } from './indicators/trend';
import { baseSignal, rsiZone } from './indicators/zones';
import { runPool, type FailureKind } from './load-pool';
import type { CoinRecord, Trend } from './rsi.types';

export const RSI_CACHE_FILE = 'rsi_cache.json';
export const OPTIMAL_EMA_FILE = 'optimal_ema.json';
/** A cache older than this is not served at start-up (docs/api-contract.md §5). */
const CACHE_MAX_AGE_MS = 6 * 3600_000;
/**
 * Requests in flight during a mass load; the adapter's limiter keeps them within the exchange's budget. Parsing a
 * 1000-candle answer costs several ms of CPU against ~50 ms of latency, so 16 keep the CPU busy; more in flight only
 * hold more answers in memory at once (see bench/run.ts).
 */
export const DEFAULT_LOAD_CONCURRENCY = 16;
/** Candles fetched per symbol: enough for RSI and the 400-candle maturity rule in one request. */
export const CANDLE_LIMIT = MAX_CANDLES;
/** System settings that change indicator results (enhanced RSI, EMA-trend confirmation). */
const INDICATOR_SYSTEM_KEYS = /^(enhanced_rsi|rsi_extreme|rsi_volume|rsi_divergence|trend_confirmation)/;
/** Candles of another timeframe (bots whose entry timeframe differs) are re-fetched after this long. */
const OTHER_TIMEFRAME_TTL_MS = 30_000;
/**
 * Bounds of that cache (docs/security.md, "Caches"): 1000 coin/timeframe series of up to 1000 candles
 * (~50 kB each, ~50 MB in all); a series not refreshed for 10 minutes is dropped.
 */
export const OTHER_TIMEFRAME_CACHE_ENTRIES = 1000;
export const OTHER_TIMEFRAME_CACHE_AGE_MS = 10 * 60_000;
/** A coin refreshed this recently is not fetched again for a caller's refresh (coins-with-rsi?refresh_symbol=). */
export const REQUESTED_REFRESH_MIN_INTERVAL_MS = 10_000;

/** What maturity and filters read of a coin besides its record. */
export interface CoinMarketView {
  symbol: string;
  timeframe: Timeframe;
  series: CandleSeries;
  analysis: CoinAnalysis;
  /** False until the coin was computed from exchange data in this process (cache-only records are not live). */
  live: boolean;
}

/** A decorator completes coin records (maturity, filter flags, signals) after each change of the table. */
export type RecordDecorator = (records: CoinRecord[]) => void;

export interface LoadSummary {
  kind: 'full' | 'incremental' | 'tickers';
  total: number;
  succeeded: number;
  failed: number;
  durationMs: number;
  cancelled: boolean;
}

interface SymbolState {
  series: CandleSeries;
  analysis: CoinAnalysis;
  live: boolean;
}

interface RsiCacheFile {
  timestamp?: string;
  saved_at?: number;
  timeframe?: string;
  coins: Record<string, CoinRecord>;
  stats?: { total_coins: number; successful_coins: number; failed_coins: number };
}

interface OtherTimeframeEntry {
  series: CandleSeries;
  fetchedAt: number;
  pending?: Promise<CandleSeries>;
}

function validateCache(value: unknown): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'expected a JSON object';
  const coins = (value as { coins?: unknown }).coins;
  if (coins === null || typeof coins !== 'object' || Array.isArray(coins)) return 'coins must be an object';
  return null;
}

export function isFetchable(tf: string): tf is Timeframe {
  return (FETCHABLE_TIMEFRAMES as readonly string[]).includes(tf);
}

/**
 * The market-data core: candles of every tradable USDT perpetual on the system timeframe, RSI(14) Wilder, trend,
 * EMA trend and enhanced RSI per coin, in an in-memory coin table that the UI polls (coins-with-rsi) and that
 * maturity, filters and bots read. Mass loads run with bounded concurrency; between candle closes one tickers request
 * updates every forming candle and the indicators are updated in O(1) per coin.
 */
@Injectable()
export class RsiService implements OnModuleInit {
  private readonly logger = new Logger('RSI');
  private currentTimeframe: Timeframe = '6h';
  private readonly states = new Map<string, SymbolState>();
  private readonly coins = new Map<string, CoinRecord>();
  private readonly otherTimeframes: BoundedCache<string, OtherTimeframeEntry>;
  /** One refresh per coin and timeframe at a time: callers asking meanwhile share it (docs/security.md). */
  private readonly refreshing = new Map<string, Promise<CoinRecord>>();
  /** Coins refreshed within REQUESTED_REFRESH_MIN_INTERVAL_MS (the age bound is the interval itself). */
  private readonly recentlyRefreshed: BoundedCache<string, true>;
  /** The tickers request in flight, shared by concurrent single-coin refreshes. */
  private tickersInFlight: Promise<Map<string, Ticker>> | null = null;
  private readonly decorators: Array<{ name: string; priority: number; fn: RecordDecorator }> = [];
  private readonly timeframeListeners: Array<(timeframe: Timeframe, previous: Timeframe) => void> = [];
  private optimalEma = new Map<string, { fast: number; slow: number }>();
  private manualPositionsProvider: (() => unknown[] | Promise<unknown[]>) | null = null;
  private openPositionsProvider: (() => Iterable<string>) | null = null;

  private version = 0;
  /** Bumped by a timeframe switch: results of loads started before it are dropped. */
  private generation = 0;
  private dirty = false;
  private cacheSavedAt: number | null = null;
  private servingCache = false;
  private firstRoundDone = false;
  private updateCount = 0;
  private lastError: string | null = null;
  private activeLoad: Promise<LoadSummary> | null = null;
  private activeLoadGeneration = -1;
  private cycleRunning = false;
  private progress = { total: 0, done: 0, failed: 0, inProgress: false, lastUpdate: null as number | null, durationMs: 0, startedAt: 0 };
  private lastStats = { total_coins: 0, successful_coins: 0, failed_coins: 0 };
  /** Tests and the benchmark may tune the mass-load parallelism. */
  loadConcurrency = DEFAULT_LOAD_CONCURRENCY;

  constructor(
    private readonly exchange: ExchangeService,
    private readonly systemConfig: SystemConfigService,
    private readonly autoBotConfig: AutoBotConfigService,
    private readonly individualSettings: IndividualSettingsService,
    private readonly store: JsonStore,
    private readonly registry: StateRegistry,
    private readonly clock: Clock,
    private readonly status: StatusService,
  ) {
    this.otherTimeframes = new BoundedCache({ maxEntries: OTHER_TIMEFRAME_CACHE_ENTRIES, maxAgeMs: OTHER_TIMEFRAME_CACHE_AGE_MS, now: () => clock.now() });
    this.recentlyRefreshed = new BoundedCache({ maxEntries: 10_000, maxAgeMs: REQUESTED_REFRESH_MIN_INTERVAL_MS, now: () => clock.now() });
  }

  /** Entries in the cache of other timeframes' candles (bounded by OTHER_TIMEFRAME_CACHE_ENTRIES). */
  get otherTimeframeCacheSize(): number {
    return this.otherTimeframes.size;
  }

  async onModuleInit(): Promise<void> {
    const configured = this.systemConfig.timeframe;
    if (!isFetchable(configured)) {
      this.logger.warn(`System timeframe ${configured} cannot be fetched from the exchange; using 6h`);
    }
    this.currentTimeframe = isFetchable(configured) ? configured : '6h';
    await this.loadOptimalEma();
    await this.loadCache();
    this.registry.register('rsi cache', () => this.flush());
    this.status.registerRsi(this);
    this.systemConfig.onChange((config, changes) => {
      // A timeframe written by another path (config import) switches the same way as the endpoint.
      if (config.system_timeframe !== this.currentTimeframe && isFetchable(config.system_timeframe)) {
        this.applyTimeframe(config.system_timeframe);
      } else if (changes.some((c) => INDICATOR_SYSTEM_KEYS.test(c.key))) {
        this.recomputeAll();
      }
    });
    this.autoBotConfig.onChange((_config, changes) => {
      // Thresholds, filters and trend settings feed the records: recompute them without refetching.
      if (changes.length > 0) this.recomputeAll();
    });
  }

  // ---------------------------------------------------------------- public read API

  get timeframe(): Timeframe {
    return this.currentTimeframe;
  }

  /** Increments whenever the coin table changes (the UI skips a redraw when it did not). */
  get dataVersion(): number {
    return this.version;
  }

  /** True once a full load from the exchange finished in this process. */
  get firstRoundComplete(): boolean {
    return this.firstRoundDone;
  }

  getCoin(symbol: string): CoinRecord | undefined {
    return this.coins.get(symbol);
  }

  getCoins(): CoinRecord[] {
    return [...this.coins.values()];
  }

  coinsCount(): number {
    return this.coins.size;
  }

  /** Symbols the service knows: the exchange's markets (any status) plus the coin table. */
  isKnownSymbol(symbol: string): boolean {
    return this.coins.has(symbol) || this.exchange.market(symbol) !== undefined;
  }

  getMarketView(symbol: string): CoinMarketView | undefined {
    const state = this.states.get(symbol);
    if (!state) return undefined;
    return { symbol, timeframe: this.currentTimeframe, series: state.series, analysis: state.analysis, live: state.live };
  }

  /**
   * Cached candles, oldest first. For the current timeframe: the coin table's candles. For another timeframe: the
   * last fetched copy (possibly empty); a missing or stale copy is fetched in the background (see fetchCandlesFor).
   */
  getCandles(symbol: string, timeframe: Timeframe = this.currentTimeframe): Candle[] {
    if (timeframe === this.currentTimeframe) return this.states.get(symbol)?.series.toCandles() ?? [];
    const entry = this.otherTimeframes.get(`${timeframe}:${symbol}`);
    if (!entry || this.clock.now() - entry.fetchedAt > OTHER_TIMEFRAME_TTL_MS) {
      void this.fetchCandlesFor(symbol, timeframe).catch(() => undefined);
    }
    return entry?.series.toCandles() ?? [];
  }

  /** Candles of any timeframe, fetched when not cached (or stale, for timeframes other than the current one). */
  async fetchCandlesFor(symbol: string, timeframe: Timeframe): Promise<Candle[]> {
    if (timeframe === this.currentTimeframe) {
      if (!this.states.has(symbol)) await this.refreshSymbol(symbol);
      return this.states.get(symbol)?.series.toCandles() ?? [];
    }
    return (await this.otherTimeframeSeries(symbol, timeframe)).toCandles();
  }

  /** RSI(14) on any timeframe (bots whose entry timeframe differs from the system one). null when unavailable. */
  async computeRsiFor(symbol: string, timeframe: Timeframe): Promise<number | null> {
    if (timeframe === this.currentTimeframe) {
      const known = this.coins.get(symbol);
      if (known?.rsi !== null && known?.rsi !== undefined && this.states.has(symbol)) return known.rsi;
      try {
        return (await this.refreshSymbol(symbol)).rsi;
      } catch {
        return null;
      }
    }
    try {
      const series = await this.otherTimeframeSeries(symbol, timeframe);
      return computeRsiSeries(series.closes()).rsi;
    } catch (error) {
      this.logger.warn(`RSI ${symbol} ${timeframe} unavailable: ${(error as Error).message}`);
      return null;
    }
  }

  getLoadProgress(): LoadProgress {
    const p = this.progress;
    return {
      total: p.total,
      done: p.done,
      failed: p.failed,
      inProgress: p.inProgress,
      lastUpdate: p.lastUpdate,
      durationMs: p.inProgress ? this.clockElapsed(p.startedAt) : p.durationMs,
    };
  }

  /** Counters for the legacy smart-rsi-status endpoint and process state. */
  loaderState() {
    return {
      is_running: this.progress.inProgress || this.cycleRunning,
      update_count: this.updateCount,
      last_update: this.progress.lastUpdate,
      last_error: this.lastError,
      first_round_complete: this.firstRoundDone,
      data_version: this.version,
    };
  }

  stats() {
    return { ...this.lastStats };
  }

  cacheInfo() {
    const age = this.cacheSavedAt === null ? null : Math.max(0, (this.clock.now() - this.cacheSavedAt) / 60_000);
    return {
      cache_exists: this.cacheSavedAt !== null,
      cache_age_minutes: age === null ? null : Math.round(age * 10) / 10,
      data_source: this.servingCache ? 'cache' : 'live',
    };
  }

  /** Clears the "update in progress" flag (a stuck-looking UI); the load itself keeps running. */
  resetUpdateFlag(): boolean {
    const was = this.progress.inProgress;
    this.progress.inProgress = false;
    return was;
  }

  // ---------------------------------------------------------------- hooks for other modules

  /** Maturity (priority 10) and filters (20) complete the records after every change. */
  registerDecorator(name: string, priority: number, fn: RecordDecorator): void {
    this.decorators.push({ name, priority, fn });
    this.decorators.sort((a, b) => a.priority - b.priority);
  }

  /** The bots module supplies "coins with an exchange position and no bot" for coins-with-rsi. */
  setManualPositionsProvider(provider: (() => unknown[] | Promise<unknown[]>) | null): void {
    this.manualPositionsProvider = provider;
  }

  /** The bots module supplies the symbols with an open exchange position (has_existing_position). */
  setOpenPositionsProvider(provider: (() => Iterable<string>) | null): void {
    this.openPositionsProvider = provider;
  }

  async manualPositions(): Promise<unknown[]> {
    if (!this.manualPositionsProvider) return [];
    try {
      return (await this.manualPositionsProvider()) ?? [];
    } catch (error) {
      this.logger.warn(`Manual positions unavailable: ${(error as Error).message}`);
      return [];
    }
  }

  onTimeframeChange(listener: (timeframe: Timeframe, previous: Timeframe) => void): void {
    this.timeframeListeners.push(listener);
  }

  // ---------------------------------------------------------------- timeframe

  /**
   * Switches the system timeframe: persists it, clears candles and the coin table, reloads in the background.
   * Throws (→ 400) for a timeframe the exchange cannot serve.
   */
  async setTimeframe(timeframe: string): Promise<{ old_timeframe: Timeframe; new_timeframe: Timeframe; changed: boolean }> {
    if (!isFetchable(timeframe)) {
      throw new TimeframeError(`Unsupported timeframe: ${timeframe}. Supported: ${FETCHABLE_TIMEFRAMES.join(', ')}`);
    }
    const previous = this.currentTimeframe;
    if (timeframe === previous) return { old_timeframe: previous, new_timeframe: previous, changed: false };
    // Save what we have for the old timeframe, then the new setting; the coin table switches only once that is
    // on disk (the config listener switches it; applyTimeframe is then a no-op). A failed save changes nothing.
    await this.flush().catch(() => undefined);
    await this.systemConfig.setTimeframe(timeframe);
    this.applyTimeframe(timeframe);
    return { old_timeframe: previous, new_timeframe: timeframe, changed: true };
  }

  private applyTimeframe(timeframe: Timeframe): void {
    const previous = this.currentTimeframe;
    if (timeframe === previous) return;
    this.currentTimeframe = timeframe;
    this.generation++;
    this.states.clear();
    this.coins.clear();
    this.servingCache = false;
    this.firstRoundDone = false;
    this.version++;
    this.dirty = true;
    this.logger.log(`Timeframe ${previous} → ${timeframe}: coin table cleared, reloading`);
    for (const listener of this.timeframeListeners) listener(timeframe, previous);
    void this.requestFullLoad('timeframe switch');
  }

  // ---------------------------------------------------------------- loading

  /**
   * One worker tick: a full load when there is no live data, new candles for coins whose candle closed, and the
   * forming candle of every coin from one tickers request.
   */
  async runCycle(reason = 'interval'): Promise<LoadSummary | null> {
    if (this.cycleRunning || this.activeLoad) return null;
    this.cycleRunning = true;
    try {
      if (!this.firstRoundDone || this.states.size === 0) return await this.requestFullLoad(reason);
      const closed = this.symbolsWithClosedCandle();
      let summary: LoadSummary | null = null;
      if (closed.length > 0) summary = await this.loadNewCandles(closed);
      const tickers = await this.refreshFromTickers();
      return summary ?? tickers;
    } catch (error) {
      this.lastError = (error as Error).message;
      this.logger.warn(`RSI cycle (${reason}) failed: ${this.lastError}`);
      return null;
    } finally {
      this.cycleRunning = false;
    }
  }

  /** Starts a full load unless one is running (then that one is returned); after a switch the new one follows. */
  requestFullLoad(reason = 'manual'): Promise<LoadSummary> {
    if (this.activeLoad) {
      if (this.activeLoadGeneration === this.generation) return this.activeLoad;
      // The running load belongs to the previous timeframe and is winding down: start ours right after it.
      return this.activeLoad.then(() => this.requestFullLoad(reason));
    }
    const load = this.loadAll(reason).finally(() => {
      if (this.activeLoad === load) this.activeLoad = null;
    });
    this.activeLoad = load;
    this.activeLoadGeneration = this.generation;
    return load;
  }

  private async loadAll(reason: string): Promise<LoadSummary> {
    const generation = this.generation;
    const timeframe = this.currentTimeframe;
    const started = performance.now();
    this.progress = { ...this.progress, total: 0, done: 0, failed: 0, inProgress: true, startedAt: this.clock.now() };
    try {
      if (!this.exchange.isReady) await this.exchange.connect();
      if (!this.exchange.isReady) throw new ExchangeUnavailableError(this.exchange.lastInitError ?? 'Exchange not initialized');
      await this.exchange.refreshMarkets().catch((error: Error) => this.logger.warn(`Market list refresh failed: ${error.message}`));
      const symbols = this.exchange.tradableSymbols().sort();
      this.progress.total = symbols.length;
      this.logger.log(`Loading ${symbols.length} coins on ${timeframe} (${reason})`);
      const tickers = await this.exchange.fetchTickers().catch(() => new Map<string, Ticker>());
      const cancelled = () => generation !== this.generation;
      const result = await runPool(
        symbols,
        async (symbol) => {
          // Columns straight from the adapter: no object per candle on the way (GC and peak memory of the load).
          const columns = await this.exchange.fetchCandleColumns(symbol, timeframe, { limit: CANDLE_LIMIT });
          if (cancelled()) return;
          this.install(symbol, CandleSeries.fromColumns(columns), tickers.get(symbol));
        },
        {
          concurrency: this.loadConcurrency,
          classify: classifyExchangeError,
          cancelled,
          onSettled: (_symbol, ok) => {
            if (cancelled()) return;
            this.progress.done++;
            if (!ok) this.progress.failed++;
          },
        },
      );
      const durationMs = performance.now() - started;
      if (cancelled()) {
        return { kind: 'full', total: symbols.length, succeeded: 0, failed: 0, durationMs, cancelled: true };
      }
      // Coins no longer tradable leave the table.
      const tradable = new Set(symbols);
      for (const symbol of [...this.coins.keys()]) {
        if (!tradable.has(symbol)) {
          this.coins.delete(symbol);
          this.states.delete(symbol);
        }
      }
      if (result.failed.length > 0) {
        const sample = result.failed.slice(0, 3).map((f) => `${f.item}: ${f.error}`).join('; ');
        this.logger.warn(`${result.failed.length} of ${symbols.length} coins failed to load (${sample})`);
      }
      this.lastStats = { total_coins: symbols.length, successful_coins: result.succeeded.length, failed_coins: result.failed.length };
      this.servingCache = false;
      if (result.succeeded.length > 0) this.firstRoundDone = true;
      this.finishRound(durationMs);
      this.logger.log(`Loaded ${result.succeeded.length}/${symbols.length} coins in ${(durationMs / 1000).toFixed(1)} s`);
      void this.flush().catch((error: Error) => this.logger.warn(`Saving ${RSI_CACHE_FILE} failed: ${error.message}`));
      return { kind: 'full', total: symbols.length, succeeded: result.succeeded.length, failed: result.failed.length, durationMs, cancelled: false };
    } catch (error) {
      this.lastError = (error as Error).message;
      this.logger.warn(`Full load failed: ${this.lastError}`);
      return { kind: 'full', total: this.progress.total, succeeded: 0, failed: this.progress.total, durationMs: performance.now() - started, cancelled: false };
    } finally {
      if (generation === this.generation) {
        this.progress.inProgress = false;
        this.progress.durationMs = performance.now() - started;
      }
    }
  }

  /** Coins whose newest stored candle is older than the candle forming now. */
  symbolsWithClosedCandle(): string[] {
    const step = TIMEFRAME_MS[this.currentTimeframe];
    const formingOpen = Math.floor(this.clock.now() / step) * step;
    const out: string[] = [];
    for (const [symbol, state] of this.states) {
      const last = state.series.lastTime;
      if (last !== null && last < formingOpen) out.push(symbol);
    }
    return out;
  }

  /** At a candle close: fetch only the candles since each coin's last one and recompute those coins. */
  async loadNewCandles(symbols: string[]): Promise<LoadSummary> {
    const generation = this.generation;
    const timeframe = this.currentTimeframe;
    const step = TIMEFRAME_MS[timeframe];
    const started = performance.now();
    this.progress = { ...this.progress, total: symbols.length, done: 0, failed: 0, inProgress: true, startedAt: this.clock.now() };
    const cancelled = () => generation !== this.generation;
    try {
      const result = await runPool(
        symbols,
        async (symbol) => {
          const state = this.states.get(symbol);
          const since = state?.series.lastTime ?? null;
          // A gap longer than one request can cover means a fresh full series.
          const tooOld = since === null || this.clock.now() - since > (CANDLE_LIMIT - 2) * step;
          if (tooOld || !state) {
            const columns = await this.exchange.fetchCandleColumns(symbol, timeframe, { limit: CANDLE_LIMIT });
            if (cancelled()) return;
            this.install(symbol, CandleSeries.fromColumns(columns), undefined);
          } else {
            const candles = await this.exchange.fetchCandles(symbol, timeframe, { since: since!, limit: CANDLE_LIMIT });
            if (cancelled()) return;
            state.series.merge(candles);
            this.install(symbol, state.series, undefined);
          }
        },
        {
          concurrency: this.loadConcurrency,
          classify: classifyExchangeError,
          cancelled,
          onSettled: (_s, ok) => {
            if (cancelled()) return;
            this.progress.done++;
            if (!ok) this.progress.failed++;
          },
        },
      );
      const durationMs = performance.now() - started;
      if (!cancelled()) {
        this.finishRound(durationMs);
        void this.flush().catch(() => undefined);
      }
      return { kind: 'incremental', total: symbols.length, succeeded: result.succeeded.length, failed: result.failed.length, durationMs, cancelled: cancelled() };
    } finally {
      if (!cancelled()) {
        this.progress.inProgress = false;
        this.progress.durationMs = performance.now() - started;
      }
    }
  }

  /** Between closes: one tickers request moves every coin's forming candle; indicators update in O(1) per coin. */
  async refreshFromTickers(): Promise<LoadSummary> {
    const generation = this.generation;
    const started = performance.now();
    const tickers = await this.exchange.fetchTickers();
    if (generation !== this.generation) return { kind: 'tickers', total: 0, succeeded: 0, failed: 0, durationMs: 0, cancelled: true };
    const step = TIMEFRAME_MS[this.currentTimeframe];
    const formingOpen = Math.floor(this.clock.now() / step) * step;
    const now = isoLocal(this.clock.now());
    let updated = 0;
    for (const [symbol, state] of this.states) {
      const ticker = tickers.get(symbol);
      if (!ticker) continue;
      const record = this.coins.get(symbol);
      if (record) {
        record.price = ticker.last;
        record.change24h = ticker.change24hPercent;
      }
      // A coin whose candle closed waits for its new candles: the live price belongs to a candle it does not have.
      if ((state.series.lastTime ?? 0) < formingOpen) continue;
      if (!state.series.updateForming(ticker.last)) continue;
      updateLastClose(state.analysis, state.series, this.analysisParams(symbol));
      if (record) {
        this.writeIndicators(record, symbol, state);
        record.last_update = now;
      }
      updated++;
    }
    const durationMs = performance.now() - started;
    this.finishRound(durationMs);
    return { kind: 'tickers', total: this.states.size, succeeded: updated, failed: 0, durationMs, cancelled: false };
  }

  /**
   * A refresh a caller asked for (coins-with-rsi?refresh_symbol=, refresh-rsi/{symbol}): a coin refreshed in the last
   * REQUESTED_REFRESH_MIN_INTERVAL_MS is answered from memory, so a flood of requests costs the exchange limiter at
   * most one candle request per coin per interval (docs/security.md, "Exchange limiter").
   */
  async refreshOnRequest(symbol: string): Promise<CoinRecord> {
    const record = this.coins.get(symbol);
    if (record && this.states.get(symbol)?.live && this.recentlyRefreshed.get(`${this.currentTimeframe}:${symbol}`)) return record;
    return this.refreshSymbol(symbol);
  }

  /** Reloads one coin from the exchange (1000 candles of the current timeframe) and returns its record. */
  refreshSymbol(symbol: string): Promise<CoinRecord> {
    if (!this.isKnownSymbol(symbol)) return Promise.reject(new UnknownSymbolError(`Unknown symbol: ${symbol}`));
    const key = `${this.currentTimeframe}:${symbol}`;
    const running = this.refreshing.get(key);
    if (running) return running;
    const refresh = this.loadOneSymbol(symbol).finally(() => this.refreshing.delete(key));
    this.refreshing.set(key, refresh);
    return refresh;
  }

  private async loadOneSymbol(symbol: string): Promise<CoinRecord> {
    const generation = this.generation;
    const timeframe = this.currentTimeframe;
    const [columns, tickers] = await Promise.all([this.exchange.fetchCandleColumns(symbol, timeframe, { limit: CANDLE_LIMIT }), this.sharedTickers()]);
    if (generation !== this.generation) throw new ExchangeUnavailableError('Timeframe changed during the refresh; try again');
    this.install(symbol, CandleSeries.fromColumns(columns), tickers.get(symbol));
    this.recentlyRefreshed.set(`${timeframe}:${symbol}`, true);
    this.finishRound(0, [this.coins.get(symbol)!]);
    return this.coins.get(symbol)!;
  }

  /** One tickers request at a time for single-coin refreshes; a failure reads as "no tickers". */
  private sharedTickers(): Promise<Map<string, Ticker>> {
    this.tickersInFlight ??= this.exchange
      .fetchTickers()
      .catch(() => new Map<string, Ticker>())
      .finally(() => (this.tickersInFlight = null));
    return this.tickersInFlight;
  }

  /** A decorator changed records outside a round (e.g. the maturity store was cleared): bump the version. */
  markChanged(): void {
    this.version++;
    this.dirty = true;
  }

  /** Recomputes every record from the stored candles (after a settings change); no exchange call. */
  recomputeAll(): void {
    for (const [symbol, state] of this.states) {
      state.analysis = analyzeSeries(state.series, this.analysisParams(symbol), state.analysis);
      const record = this.coins.get(symbol);
      if (record) this.writeIndicators(record, symbol, state);
    }
    this.finishRound(0);
  }

  // ---------------------------------------------------------------- records

  private install(symbol: string, series: CandleSeries, ticker: Ticker | undefined): void {
    // The replaced analysis lends its history storage (the old state is dropped right below).
    const analysis = analyzeSeries(series, this.analysisParams(symbol), this.states.get(symbol)?.analysis);
    const state: SymbolState = { series, analysis, live: true };
    this.states.set(symbol, state);
    const record = this.coins.get(symbol) ?? this.emptyRecord(symbol);
    delete record.data_source;
    this.coins.set(symbol, record);
    record.price = ticker?.last ?? series.lastClose ?? 0;
    record.change24h = ticker?.change24hPercent ?? this.change24hFromCandles(series);
    record.last_update = isoLocal(this.clock.now());
    this.writeIndicators(record, symbol, state);
  }

  private emptyRecord(symbol: string): CoinRecord {
    return {
      symbol,
      rsi: null,
      trend: 'NEUTRAL',
      rsi_zone: 'NEUTRAL',
      signal: 'WAIT',
      effective_signal: 'WAIT',
      price: 0,
      change24h: 0,
      last_update: isoLocal(this.clock.now()),
      candles_count: 0,
      is_mature: false,
      blocked_by_scope: false,
      blocked_by_exit_scam: false,
      blocked_by_rsi_time: false,
      blocked_by_loss_reentry: false,
      has_existing_position: false,
      trading_status: this.exchange.market(symbol)?.status ?? 'Trading',
      is_delisting: false,
      enhanced_rsi: { enabled: false },
      stoch_rsi_k: null,
      stoch_rsi_d: null,
    };
  }

  /** Indicator fields of a record (the filter and maturity decorators add the rest). */
  private writeIndicators(record: CoinRecord, symbol: string, state: SymbolState): void {
    const tf = this.currentTimeframe;
    const { analysis, series } = state;
    const trend: Trend = analysis.trend.trend;
    record.rsi = analysis.rsi;
    record.trend = trend;
    record[`rsi${tf}`] = analysis.rsi;
    record[`trend${tf}`] = trend;
    record.candles_count = series.length;
    record.stoch_rsi_k = analysis.stoch.k;
    record.stoch_rsi_d = analysis.stoch.d;
    record.trading_status = this.exchange.market(symbol)?.status ?? record.trading_status ?? 'Trading';
    record.trend_analysis = {
      trend,
      timeframe: tf,
      change_percent: analysis.trend.change_percent,
      rising_candles: analysis.trend.rising,
      falling_candles: analysis.trend.falling,
      period: analysis.trend.period,
      ema_trend: analysis.emaTrend.trend,
      ema_fast: roundOrNull(analysis.emaTrend.ema_fast, 8),
      ema_slow: roundOrNull(analysis.emaTrend.ema_slow, 8),
      ema_periods: { fast: analysis.emaTrend.fast_period, slow: analysis.emaTrend.slow_period },
    };
    record.enhanced_rsi = this.enhancedFor(symbol, state);
  }

  /** §4, only when enabled (system setting, a per-coin override wins) and only for coins in an entry zone. */
  private enhancedFor(symbol: string, state: SymbolState): { enabled: boolean; [key: string]: unknown } {
    const system = this.systemConfig.get();
    const override = this.individualSettings.get(symbol)?.enhanced_rsi_enabled;
    const enabled = typeof override === 'boolean' ? override : system.enhanced_rsi_enabled;
    if (!enabled) return { enabled: false };
    const config = this.individualSettings.effectiveConfig(symbol);
    const thresholds = { longThreshold: config.rsi_long_threshold, shortThreshold: config.rsi_short_threshold };
    const base = baseSignal(state.analysis.rsi, thresholds);
    if (base === 'WAIT' || state.analysis.rsi === null) return { enabled: true, signal: 'WAIT', reason: 'RSI outside the entry zones' };
    const settings: EnhancedRsiSettings = {
      requireDivergence: system.enhanced_rsi_require_divergence_confirmation,
      useVolumeConfirmation: system.enhanced_rsi_require_volume_confirmation,
      useStochRsi: system.enhanced_rsi_use_stoch_rsi,
      extremeOversold: system.rsi_extreme_oversold,
      extremeOverbought: system.rsi_extreme_overbought,
      extremeZoneTimeout: system.rsi_extreme_zone_timeout,
      divergenceLookback: system.rsi_divergence_lookback,
      volumeMultiplier: system.rsi_volume_confirmation_multiplier,
      ...thresholds,
      emaTrend: this.emaParams(symbol),
    };
    const { series } = state;
    const result = analyzeEnhancedRsi(
      { high: series.highs(), low: series.lows(), close: series.closes(), volume: series.volumes(), rsiHistory: state.analysis.history, rsi: state.analysis.rsi, baseSignal: base },
      settings,
    );
    return { ...result, ema_trend: { trend: result.ema_trend.trend, reason: result.ema_trend.reason } };
  }

  private analysisParams(symbol: string): AnalysisParams {
    const config: AutoBotConfig = this.individualSettings.effectiveConfig(symbol);
    return {
      trend: {
        period: config.trend_analysis_period,
        priceChangeThreshold: config.trend_price_change_threshold,
        candlesThreshold: config.trend_candles_threshold,
      },
      emaTrend: this.emaParams(symbol),
    };
  }

  private emaParams(symbol: string) {
    const pair = this.optimalEma.get(symbol);
    const confirmationBars = this.systemConfig.get().trend_confirmation_bars ?? DEFAULT_EMA_TREND_PARAMS.confirmationBars;
    return pair ? { fast: pair.fast, slow: pair.slow, confirmationBars } : { ...DEFAULT_EMA_TREND_PARAMS, confirmationBars };
  }

  private change24hFromCandles(series: CandleSeries): number {
    const last = series.lastClose;
    const step = TIMEFRAME_MS[this.currentTimeframe];
    const back = Math.round(86_400_000 / step);
    if (last === null || back < 1 || series.length <= back) return 0;
    const before = series.close[series.length - 1 - back];
    return before > 0 ? Math.round(((last - before) * 10_000) / before) / 100 : 0;
  }

  /** Runs the decorators (maturity, filters), bumps the data version, records the round. */
  private finishRound(durationMs: number, only?: CoinRecord[]): void {
    const records = only ?? [...this.coins.values()];
    const open = this.openPositionsProvider ? new Set(this.safeOpenPositions()) : null;
    if (open) for (const record of records) record.has_existing_position = open.has(record.symbol);
    for (const decorator of this.decorators) {
      try {
        decorator.fn(records);
      } catch (error) {
        this.logger.error(`Record decorator ${decorator.name} failed: ${(error as Error).stack ?? error}`);
      }
    }
    this.version++;
    this.dirty = true;
    this.updateCount++;
    this.progress.lastUpdate = this.clock.now();
    if (!only) this.progress.durationMs = durationMs;
  }

  private safeOpenPositions(): string[] {
    try {
      return [...(this.openPositionsProvider?.() ?? [])];
    } catch {
      return [];
    }
  }

  private async otherTimeframeSeries(symbol: string, timeframe: Timeframe): Promise<CandleSeries> {
    if (!isFetchable(timeframe)) throw new TimeframeError(`Unsupported timeframe: ${timeframe}`);
    const key = `${timeframe}:${symbol}`;
    const entry = this.otherTimeframes.get(key);
    if (entry?.pending) return entry.pending;
    if (entry && this.clock.now() - entry.fetchedAt <= OTHER_TIMEFRAME_TTL_MS) return entry.series;
    const fetchIt = async (): Promise<CandleSeries> => {
      const since = entry?.series.lastTime ?? null;
      const step = TIMEFRAME_MS[timeframe];
      const incremental = entry && since !== null && this.clock.now() - since < (CANDLE_LIMIT - 2) * step;
      const candles = await this.exchange.fetchCandles(symbol, timeframe, incremental ? { since: since!, limit: CANDLE_LIMIT } : { limit: CANDLE_LIMIT });
      const series = incremental ? entry!.series : CandleSeries.fromCandles(candles);
      if (incremental) series.merge(candles);
      this.otherTimeframes.set(key, { series, fetchedAt: this.clock.now() });
      return series;
    };
    const pending = fetchIt();
    if (entry) entry.pending = pending;
    else this.otherTimeframes.set(key, { series: new CandleSeries(CANDLE_LIMIT), fetchedAt: -Infinity, pending });
    try {
      return await pending;
    } catch (error) {
      const current = this.otherTimeframes.get(key);
      if (current?.pending === pending) {
        if (current.series.length === 0) this.otherTimeframes.delete(key);
        else delete current.pending;
      }
      throw error;
    }
  }

  private clockElapsed(since: number): number {
    return Math.max(0, this.clock.now() - since);
  }

  // ---------------------------------------------------------------- persistence

  private async loadCache(): Promise<void> {
    const cache = await this.store.load<RsiCacheFile | null>(RSI_CACHE_FILE, { defaults: () => null, validate: validateCache });
    if (!cache) return;
    const savedAt = typeof cache.saved_at === 'number' ? cache.saved_at : cache.timestamp ? Date.parse(cache.timestamp) : NaN;
    if (Number.isFinite(savedAt)) this.cacheSavedAt = savedAt;
    if (cache.timeframe && cache.timeframe !== this.currentTimeframe) {
      this.logger.log(`${RSI_CACHE_FILE} holds ${cache.timeframe} data; the system timeframe is ${this.currentTimeframe}: not served`);
      return;
    }
    if (!Number.isFinite(savedAt) || this.clock.now() - savedAt > CACHE_MAX_AGE_MS) {
      this.logger.log(`${RSI_CACHE_FILE} is older than 6 h: not served`);
      return;
    }
    for (const [symbol, record] of Object.entries(cache.coins)) {
      if (!record || typeof record !== 'object') continue;
      // No entry from a cached record: effective signals wait for live data.
      this.coins.set(symbol, { ...record, symbol, data_source: 'cache', effective_signal: 'WAIT', effective_signal_reason: 'waiting for live market data' });
    }
    if (cache.stats) this.lastStats = { ...cache.stats };
    this.servingCache = this.coins.size > 0;
    this.progress.lastUpdate = Number.isFinite(savedAt) ? savedAt : null;
    this.version++;
    this.logger.log(`Serving ${this.coins.size} coins from ${RSI_CACHE_FILE} until the live load finishes`);
  }

  async flush(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    const now = this.clock.now();
    const coins: Record<string, CoinRecord> = {};
    for (const [symbol, record] of this.coins) coins[symbol] = record;
    const file: RsiCacheFile = { timestamp: isoLocal(now), saved_at: now, timeframe: this.currentTimeframe, coins, stats: this.lastStats };
    try {
      await this.store.save(RSI_CACHE_FILE, file);
      this.cacheSavedAt = now;
    } catch (error) {
      this.dirty = true;
      throw error;
    }
  }

  private async loadOptimalEma(): Promise<void> {
    // Optional, read-only: the optimal-EMA search was removed upstream, but a file left by it is honoured.
    if (!(await this.store.exists(OPTIMAL_EMA_FILE))) return;
    const data = await this.store.load<Record<string, unknown>>(OPTIMAL_EMA_FILE, { defaults: () => ({}) });
    if (!data || typeof data !== 'object' || Array.isArray(data)) return;
    for (const [symbol, value] of Object.entries(data)) {
      const v = value as { ema_short?: unknown; ema_long?: unknown } | null;
      const fast = Number(v?.ema_short);
      const slow = Number(v?.ema_long);
      if (Number.isInteger(fast) && Number.isInteger(slow) && fast >= 2 && slow > fast && slow <= 600) {
        this.optimalEma.set(symbol.toUpperCase().replace(/USDT$/, ''), { fast, slow });
      }
    }
    if (this.optimalEma.size > 0) this.logger.log(`Optimal EMA periods for ${this.optimalEma.size} coins from ${OPTIMAL_EMA_FILE}`);
  }
}

/** A timeframe the exchange cannot serve (the controller answers 400). */
export class TimeframeError extends Error {}

/** Rate-limit answers slow the load down and are retried; network trouble is retried; the rest fails the coin. */
export function classifyExchangeError(error: unknown): FailureKind {
  if (error instanceof ExchangeRateLimitError) return 'rate-limit';
  if (error instanceof ExchangeUnavailableError) return 'transient';
  return 'fatal';
}

function roundOrNull(value: number | null, decimals: number): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}
