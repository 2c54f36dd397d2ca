import { Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { BoundedCache } from '../common/bounded-cache';
import { Clock, isoLocal } from '../common/clock';
import { AutoBotConfigService } from '../config/auto-bot-config.service';
import { IndividualSettingsService } from '../config/individual-settings.service';
import { SystemConfigService } from '../config/system-config.service';
import { UnknownSymbolError } from '../exchange/exchange.errors';
import { ExchangeService } from '../exchange/exchange.service';
import { FETCHABLE_TIMEFRAMES, type Candle, type Ticker, type Timeframe } from '../exchange/exchange.types';
import type { LoadProgress, MarketLoadPort } from '../health/market-load.port';
import { JsonStore } from '../persistence/json-store.service';
import { StateRegistry } from '../persistence/state-registry.service';
import { CandleLoader, type LoadSummary, type LoaderHost } from './candle-loader';
import type { CandleSeries } from './candle-series';
import { analyzeSeries, updateLastClose } from './coin-analysis';
import { change24hFromCandles, emptyCoinRecord, indicatorFields, signalSeries } from './coin-record';
import { CoinSettings } from './coin-settings';
import { CoinTable, type CoinMarketView, type SymbolState } from './coin-table';
import { computeRsiSeries } from './indicators/rsi';
import { OtherTimeframeCache, TimeframeError, isFetchable } from './other-timeframe-cache';

export { isFetchable };
import { COIN_RECORD_ENRICHER, LazyPort, POSITIONS_VIEW, type CoinRecordEnricher, type PositionsView } from './ports';
import { RSI_CACHE_FILE, RsiCacheFile } from './rsi-cache-file';
import type { CoinRecord } from './rsi.types';

export { CANDLE_LIMIT, DEFAULT_LOAD_CONCURRENCY, classifyExchangeError, type LoadSummary } from './candle-loader';
export type { CoinMarketView } from './coin-table';
export { OTHER_TIMEFRAME_CACHE_AGE_MS, OTHER_TIMEFRAME_CACHE_ENTRIES, TimeframeError } from './other-timeframe-cache';
export { OPTIMAL_EMA_FILE, RSI_CACHE_FILE } from './rsi-cache-file';

/** System settings that change indicator results (enhanced RSI, EMA-trend confirmation). */
const INDICATOR_SYSTEM_KEYS = /^(enhanced_rsi|rsi_extreme|rsi_volume|rsi_divergence|trend_confirmation)/;
/** A coin refreshed this recently is not fetched again for a caller's refresh (coins-with-rsi?refresh_symbol=). */
export const REQUESTED_REFRESH_MIN_INTERVAL_MS = 10_000;

/**
 * The market-data core: candles of every tradable USDT perpetual on the system timeframe, RSI(14) Wilder, trend,
 * EMA trend and enhanced RSI per coin, in an in-memory coin table that the UI polls (coins-with-rsi) and that
 * maturity, filters and bots read. A facade over the coin table (coin-table.ts), the loader (candle-loader.ts), the
 * record builder (coin-record.ts), the cache file (rsi-cache-file.ts) and the other-timeframe candles
 * (other-timeframe-cache.ts). Derived fields come from the COIN_RECORD_ENRICHER port, positions from POSITIONS_VIEW.
 */
@Injectable()
export class RsiService implements OnModuleInit, MarketLoadPort {
  private readonly logger = new Logger('RSI');
  private currentTimeframe: Timeframe = '6h';
  private readonly table = new CoinTable();
  private readonly loader: CandleLoader;
  private readonly cacheFile: RsiCacheFile;
  private readonly otherTimeframes: OtherTimeframeCache;
  private readonly enricher: LazyPort<CoinRecordEnricher>;
  private readonly positions: LazyPort<PositionsView>;
  /** One refresh per coin and timeframe at a time: callers asking meanwhile share it (docs/security.md). */
  private readonly refreshing = new Map<string, Promise<CoinRecord>>();
  /** Coins refreshed within REQUESTED_REFRESH_MIN_INTERVAL_MS (the age bound is the interval itself). */
  private readonly recentlyRefreshed: BoundedCache<string, true>;
  private readonly timeframeListeners: Array<(timeframe: Timeframe, previous: Timeframe) => void> = [];
  private readonly settings: CoinSettings;
  private generationCounter = 0;
  private cacheSavedAt: number | null = null;

  constructor(
    private readonly exchange: ExchangeService,
    private readonly systemConfig: SystemConfigService,
    private readonly autoBotConfig: AutoBotConfigService,
    individualSettings: IndividualSettingsService,
    store: JsonStore,
    private readonly registry: StateRegistry,
    private readonly clock: Clock,
    @Optional() moduleRef?: ModuleRef,
  ) {
    const host: LoaderHost = {
      timeframe: () => this.currentTimeframe,
      generation: () => this.generation,
      install: (symbol, series, ticker) => this.install(symbol, series, ticker),
      formingCandleMoved: (symbol, at) => this.formingCandleMoved(symbol, at),
      finishRound: (durationMs, only) => this.finishRound(durationMs, only),
      saveInBackground: () => this.saveInBackground(),
    };
    this.loader = new CandleLoader(host, this.table, exchange, clock, this.logger);
    this.cacheFile = new RsiCacheFile(store, clock, this.logger);
    this.otherTimeframes = new OtherTimeframeCache(exchange, clock);
    this.settings = new CoinSettings(systemConfig, individualSettings, exchange);
    this.enricher = new LazyPort(moduleRef, COIN_RECORD_ENRICHER);
    this.positions = new LazyPort(moduleRef, POSITIONS_VIEW);
    this.recentlyRefreshed = new BoundedCache({
      maxEntries: 10_000,
      maxAgeMs: REQUESTED_REFRESH_MIN_INTERVAL_MS,
      now: () => clock.now(),
    });
  }

  /** Tests and the benchmark may tune the mass-load parallelism. */
  get loadConcurrency(): number {
    return this.loader.concurrency;
  }
  set loadConcurrency(value: number) {
    this.loader.concurrency = value;
  }

  /** Entries in the cache of other timeframes' candles (bounded by OTHER_TIMEFRAME_CACHE_ENTRIES). */
  get otherTimeframeCacheSize(): number {
    return this.otherTimeframes.size;
  }

  /** Bumped by a timeframe switch: results of loads started before it are dropped. */
  get generation(): number {
    return this.generationCounter;
  }

  async onModuleInit(): Promise<void> {
    const configured = this.systemConfig.timeframe;
    if (!isFetchable(configured)) {
      this.logger.warn(`System timeframe ${configured} cannot be fetched from the exchange; using 6h`);
    }
    this.currentTimeframe = isFetchable(configured) ? configured : '6h';
    this.settings.optimalEma = await this.cacheFile.loadOptimalEma();
    await this.loadCache();
    this.registry.register('rsi cache', () => this.flush());
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
    return this.table.version;
  }

  /** Changes with every write of a coin record (finer than dataVersion): the key of serialised copies. */
  get contentRevision(): number {
    return this.table.revision;
  }

  /** True once a full load from the exchange finished in this process. */
  get firstRoundComplete(): boolean {
    return this.loader.firstRoundDone;
  }

  getCoin(symbol: string): CoinRecord | undefined {
    return this.table.record(symbol);
  }

  getCoins(): CoinRecord[] {
    return this.table.allRecords();
  }

  coinsCount(): number {
    return this.table.size;
  }

  /** Symbols the service knows: the exchange's markets (any status) plus the coin table. */
  isKnownSymbol(symbol: string): boolean {
    return this.table.has(symbol) || this.exchange.market(symbol) !== undefined;
  }

  getMarketView(symbol: string): CoinMarketView | undefined {
    return this.table.view(symbol, this.currentTimeframe);
  }

  /**
   * Cached candles, oldest first. For the current timeframe: the coin table's candles. For another timeframe: the
   * last fetched copy (possibly empty); a missing or stale copy is fetched in the background (see fetchCandlesFor).
   */
  getCandles(symbol: string, timeframe: Timeframe = this.currentTimeframe): Candle[] {
    if (timeframe === this.currentTimeframe) return this.table.state(symbol)?.series.toCandles() ?? [];
    const { series, stale } = this.otherTimeframes.peek(symbol, timeframe);
    // Fire and forget: this read answers from the cache at once; a failed fetch leaves the copy, the next read retries.
    if (stale) void this.otherTimeframes.series(symbol, timeframe).catch(() => undefined);
    return series?.toCandles() ?? [];
  }

  /** Candles of any timeframe, fetched when not cached (or stale, for timeframes other than the current one). */
  async fetchCandlesFor(symbol: string, timeframe: Timeframe): Promise<Candle[]> {
    if (timeframe === this.currentTimeframe) {
      if (!this.table.state(symbol)) await this.refreshSymbol(symbol);
      return this.table.state(symbol)?.series.toCandles() ?? [];
    }
    return (await this.otherTimeframes.series(symbol, timeframe)).toCandles();
  }

  /** RSI(14) on any timeframe (bots whose entry timeframe differs from the system one). null when unavailable. */
  async computeRsiFor(symbol: string, timeframe: Timeframe): Promise<number | null> {
    if (timeframe === this.currentTimeframe) {
      const known = this.table.record(symbol);
      if (known?.rsi !== null && known?.rsi !== undefined && this.table.state(symbol)) return known.rsi;
      try {
        return (await this.refreshSymbol(symbol)).rsi;
      } catch {
        return null;
      }
    }
    try {
      const series = await this.otherTimeframes.series(symbol, timeframe);
      return computeRsiSeries(series.closes()).rsi;
    } catch (error) {
      this.logger.warn(`RSI ${symbol} ${timeframe} unavailable: ${(error as Error).message}`);
      return null;
    }
  }

  getLoadProgress(): LoadProgress {
    return this.loader.getLoadProgress();
  }

  /** Counters for the legacy smart-rsi-status endpoint and process state. */
  loaderState() {
    return {
      is_running: this.loader.progress.inProgress || this.loader.cycleRunning,
      update_count: this.loader.updateCount,
      last_update: this.loader.progress.lastUpdate,
      last_error: this.loader.lastError,
      first_round_complete: this.loader.firstRoundDone,
      data_version: this.table.version,
    };
  }

  stats() {
    return { ...this.loader.lastStats };
  }

  cacheInfo() {
    const age = this.cacheSavedAt === null ? null : Math.max(0, (this.clock.now() - this.cacheSavedAt) / 60_000);
    return {
      cache_exists: this.cacheSavedAt !== null,
      cache_age_minutes: age === null ? null : Math.round(age * 10) / 10,
      data_source: this.loader.servingCache ? 'cache' : 'live',
    };
  }

  /** Clears the "update in progress" flag (a stuck-looking UI); the load itself keeps running. */
  resetUpdateFlag(): boolean {
    const was = this.loader.progress.inProgress;
    this.loader.progress.inProgress = false;
    return was;
  }

  /** Coins with an exchange position and no bot (POSITIONS_VIEW); empty without the bots module. */
  async manualPositions(): Promise<string[]> {
    const view = this.positions.get();
    if (!view) return [];
    try {
      return (await view.manualPositionSymbols()) ?? [];
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
  async setTimeframe(
    timeframe: string,
  ): Promise<{ old_timeframe: Timeframe; new_timeframe: Timeframe; changed: boolean }> {
    if (!isFetchable(timeframe)) {
      throw new TimeframeError(`Unsupported timeframe: ${timeframe}. Supported: ${FETCHABLE_TIMEFRAMES.join(', ')}`);
    }
    const previous = this.currentTimeframe;
    if (timeframe === previous) return { old_timeframe: previous, new_timeframe: previous, changed: false };
    // Save what we have for the old timeframe, then the new setting; the coin table switches only once that is
    // on disk (the config listener switches it; applyTimeframe is then a no-op). A failed save changes nothing.
    await this.flush().catch((error: Error) =>
      this.logger.warn(`Saving ${RSI_CACHE_FILE} before the switch failed: ${error.message}`),
    );
    await this.systemConfig.setTimeframe(timeframe);
    this.applyTimeframe(timeframe);
    return { old_timeframe: previous, new_timeframe: timeframe, changed: true };
  }

  private applyTimeframe(timeframe: Timeframe): void {
    const previous = this.currentTimeframe;
    if (timeframe === previous) return;
    this.currentTimeframe = timeframe;
    this.generationCounter++;
    this.table.clear();
    this.loader.reset();
    this.table.bump();
    this.logger.log(`Timeframe ${previous} → ${timeframe}: coin table cleared, reloading`);
    for (const listener of this.timeframeListeners) listener(timeframe, previous);
    // Background reload; a failed load is reported in its summary and lastError.
    this.requestFullLoad('timeframe switch').catch((error: Error) =>
      this.logger.warn(`Reload after the switch failed: ${error.message}`),
    );
  }

  // ---------------------------------------------------------------- loading (candle-loader.ts)

  runCycle(reason = 'interval'): Promise<LoadSummary | null> {
    return this.loader.runCycle(reason);
  }

  /** Starts a full load unless one is running (then that one is returned); after a switch the new one follows. */
  requestFullLoad(reason = 'manual'): Promise<LoadSummary> {
    return this.loader.requestFullLoad(reason);
  }

  symbolsWithClosedCandle(): string[] {
    return this.loader.symbolsWithClosedCandle();
  }

  loadNewCandles(symbols: string[]): Promise<LoadSummary> {
    return this.loader.loadNewCandles(symbols);
  }

  refreshFromTickers(): Promise<LoadSummary> {
    return this.loader.refreshFromTickers();
  }

  /**
   * A refresh a caller asked for (coins-with-rsi?refresh_symbol=, refresh-rsi/{symbol}): a coin refreshed in the last
   * REQUESTED_REFRESH_MIN_INTERVAL_MS is answered from memory, so a flood of requests costs the exchange limiter at
   * most one candle request per coin per interval (docs/security.md, "Exchange limiter").
   */
  async refreshOnRequest(symbol: string): Promise<CoinRecord> {
    const record = this.table.record(symbol);
    if (record && this.table.state(symbol)?.live && this.recentlyRefreshed.get(`${this.currentTimeframe}:${symbol}`)) {
      return record;
    }
    return this.refreshSymbol(symbol);
  }

  /** Reloads one coin from the exchange (1000 candles of the current timeframe) and returns its record. */
  refreshSymbol(symbol: string): Promise<CoinRecord> {
    if (!this.isKnownSymbol(symbol)) return Promise.reject(new UnknownSymbolError(`Unknown symbol: ${symbol}`));
    const timeframe = this.currentTimeframe;
    const key = `${timeframe}:${symbol}`;
    const running = this.refreshing.get(key);
    if (running) return running;
    const refresh = this.loader
      .loadOne(symbol)
      .then(() => {
        this.recentlyRefreshed.set(key, true);
        return this.table.record(symbol)!;
      })
      .finally(() => this.refreshing.delete(key));
    this.refreshing.set(key, refresh);
    return refresh;
  }

  /**
   * Re-runs the enricher on some coins (all by default) and bumps the version: a module whose state feeds the
   * derived fields changed it outside a round (e.g. the maturity store was cleared).
   */
  reenrich(symbols?: string[]): void {
    this.enrichAndVersion(symbols);
  }

  /** Recomputes every record from the stored candles (after a settings change); no exchange call. */
  recomputeAll(): void {
    for (const [symbol, state] of this.table.stateEntries()) {
      state.signal = this.signalOf(symbol, state.series);
      state.analysis = analyzeSeries(state.signal, this.settings.analysisParams(symbol), state.analysis);
      const record = this.table.record(symbol);
      if (record) this.writeIndicators(record, symbol, state);
    }
    this.finishRound(0);
  }

  // ---------------------------------------------------------------- records (LoaderHost)

  private install(symbol: string, series: CandleSeries, ticker: Ticker | undefined): void {
    // The replaced analysis lends its history storage (the old state is dropped right below).
    const signal = this.signalOf(symbol, series);
    const analysis = analyzeSeries(signal, this.settings.analysisParams(symbol), this.table.state(symbol)?.analysis);
    const state: SymbolState = { series, signal, analysis, live: true };
    this.table.setState(symbol, state);
    const now = isoLocal(this.clock.now());
    const record = this.table.recordFor(symbol, () =>
      emptyCoinRecord(symbol, this.exchange.market(symbol)?.status, now),
    );
    this.table.apply(record, {
      data_source: undefined,
      price: ticker?.last ?? series.lastClose ?? 0,
      change24h: ticker?.change24hPercent ?? change24hFromCandles(series, this.currentTimeframe),
      last_update: now,
    });
    this.writeIndicators(record, symbol, state);
  }

  /** The candles the coin's record is computed on (docs/settings.md §Signal candle). */
  private signalOf(symbol: string, series: CandleSeries): CandleSeries {
    return signalSeries(series, this.settings.signalCandle(symbol), this.currentTimeframe, this.clock.now());
  }

  private formingCandleMoved(symbol: string, at: number): void {
    const state = this.table.state(symbol);
    if (!state) return;
    // On closed candles only (signal_candle 'closed') the forming candle is not part of the analysis.
    const moved = state.signal === state.series;
    if (moved) updateLastClose(state.analysis, state.series, this.settings.analysisParams(symbol));
    const record = this.table.record(symbol);
    if (!record) return;
    if (moved) this.writeIndicators(record, symbol, state);
    this.table.apply(record, { last_update: isoLocal(at) });
  }

  /** Enriches the changed records (all when `only` is absent), bumps the data version, records the round. */
  private finishRound(durationMs: number, only?: string[]): void {
    this.enrichAndVersion(only);
    this.loader.noteRound(durationMs, !only);
  }

  private saveInBackground(): void {
    this.flush().catch((error: Error) => this.logger.warn(`Saving ${RSI_CACHE_FILE} failed: ${error.message}`));
  }

  private enrichAndVersion(only?: string[]): void {
    const records = only
      ? only.map((s) => this.table.record(s)).filter((r): r is CoinRecord => r !== undefined)
      : this.table.allRecords();
    const open = this.openPositionSymbols();
    if (open) {
      for (const record of records) this.table.apply(record, { has_existing_position: open.has(record.symbol) });
    }
    const enricher = this.enricher.get();
    if (enricher) {
      try {
        for (const [symbol, patch] of enricher.enrich(records)) {
          const record = this.table.record(symbol);
          if (record) this.table.apply(record, patch);
        }
      } catch (error) {
        this.logger.error(`Coin record enricher failed: ${(error as Error).stack ?? String(error)}`);
      }
    }
    this.table.bump();
  }

  private openPositionSymbols(): Set<string> | null {
    const view = this.positions.get();
    if (!view) return null;
    try {
      return new Set(view.openPositionSymbols());
    } catch {
      return new Set();
    }
  }

  /** Indicator fields of a record (the enricher adds the rest). */
  private writeIndicators(record: CoinRecord, symbol: string, state: SymbolState): void {
    this.table.apply(
      record,
      indicatorFields(
        state.signal,
        state.analysis,
        this.settings.recordSettings(symbol, this.currentTimeframe),
        record.trading_status,
      ),
    );
  }

  // ---------------------------------------------------------------- persistence (rsi-cache-file.ts)

  private async loadCache(): Promise<void> {
    const cached = await this.cacheFile.load(this.currentTimeframe);
    this.cacheSavedAt = cached.savedAt;
    if (!cached.coins) return;
    this.table.serveCached(cached.coins);
    if (cached.stats) this.loader.lastStats = cached.stats;
    this.loader.servingCache = this.table.size > 0;
    this.loader.progress.lastUpdate = cached.savedAt;
    this.table.bump();
    this.table.dirty = false;
    this.logger.log(`Serving ${this.table.size} coins from ${RSI_CACHE_FILE} until the live load finishes`);
  }

  async flush(): Promise<void> {
    if (!this.table.dirty) return;
    this.table.dirty = false;
    const now = this.clock.now();
    try {
      await this.cacheFile.save(this.currentTimeframe, this.table.recordEntries(), this.loader.lastStats, now);
      this.cacheSavedAt = now;
    } catch (error) {
      this.table.dirty = true;
      throw error;
    }
  }
}
