import type { Logger } from '@nestjs/common';
import type { Clock } from '../common/clock';
import { ExchangeRateLimitError, ExchangeUnavailableError } from '../exchange/exchange.errors';
import type { ExchangeService } from '../exchange/exchange.service';
import { TIMEFRAME_MS, type Ticker, type Timeframe } from '../exchange/exchange.types';
import type { LoadProgress } from '../health/status.service';
import { CandleSeries, MAX_CANDLES } from './candle-series';
import type { CoinTable } from './coin-table';
import { runPool, type FailureKind } from './load-pool';
import type { LoadStats } from './rsi-cache-file';

/**
 * Requests in flight during a mass load; the adapter's limiter keeps them within the exchange's budget. Parsing a
 * 1000-candle answer costs several ms of CPU against ~50 ms of latency, so 16 keep the CPU busy; more in flight only
 * hold more answers in memory at once (see bench/run.ts).
 */
export const DEFAULT_LOAD_CONCURRENCY = 16;
/** Candles fetched per symbol: enough for RSI and the 400-candle maturity rule in one request. */
export const CANDLE_LIMIT = MAX_CANDLES;

export interface LoadSummary {
  kind: 'full' | 'incremental' | 'tickers';
  total: number;
  succeeded: number;
  failed: number;
  durationMs: number;
  cancelled: boolean;
}

/** What the loader needs from the service that owns the coin table. */
export interface LoaderHost {
  timeframe(): Timeframe;
  /** Bumped by a timeframe switch: results of loads started before it are dropped. */
  generation(): number;
  /** Stores the coin's new candles and recomputes its record. */
  install(symbol: string, series: CandleSeries, ticker: Ticker | undefined): void;
  /** The live price moved the coin's forming candle (record price fields already set by the loader). */
  formingCandleMoved(symbol: string, lastUpdate: number): void;
  /** Enrich and version the changed records (all when `only` is absent). */
  finishRound(durationMs: number, only?: string[]): void;
  /** Writes the cache file in the background (errors are logged). */
  saveInBackground(): void;
}

/** Rate-limit answers slow the load down and are retried; network trouble is retried; the rest fails the coin. */
export function classifyExchangeError(error: unknown): FailureKind {
  if (error instanceof ExchangeRateLimitError) return 'rate-limit';
  if (error instanceof ExchangeUnavailableError) return 'transient';
  return 'fatal';
}

/**
 * Fills the coin table from the exchange: a full load of every tradable coin, the new candles of coins whose
 * candle closed, the forming candles from one tickers request, and single coins on request. Keeps the progress
 * and counters the status endpoints show.
 */
export class CandleLoader {
  progress = {
    total: 0,
    done: 0,
    failed: 0,
    inProgress: false,
    lastUpdate: null as number | null,
    durationMs: 0,
    startedAt: 0,
  };
  lastStats: LoadStats = { total_coins: 0, successful_coins: 0, failed_coins: 0 };
  lastError: string | null = null;
  firstRoundDone = false;
  /** True while the table holds records of the cache file only. */
  servingCache = false;
  updateCount = 0;
  cycleRunning = false;
  /** Tests and the benchmark may tune the mass-load parallelism. */
  concurrency = DEFAULT_LOAD_CONCURRENCY;
  private activeLoad: Promise<LoadSummary> | null = null;
  private activeLoadGeneration = -1;
  /** The tickers request in flight, shared by concurrent single-coin refreshes. */
  private tickersInFlight: Promise<Map<string, Ticker>> | null = null;

  constructor(
    private readonly host: LoaderHost,
    private readonly table: CoinTable,
    private readonly exchange: ExchangeService,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  getLoadProgress(): LoadProgress {
    const p = this.progress;
    return {
      total: p.total,
      done: p.done,
      failed: p.failed,
      inProgress: p.inProgress,
      lastUpdate: p.lastUpdate,
      durationMs: p.inProgress ? Math.max(0, this.clock.now() - p.startedAt) : p.durationMs,
    };
  }

  /** A round of record changes ended (see RsiService.finishRound). */
  noteRound(durationMs: number, full: boolean): void {
    this.updateCount++;
    this.progress.lastUpdate = this.clock.now();
    if (full) this.progress.durationMs = durationMs;
  }

  /**
   * One worker tick: a full load when there is no live data, new candles for coins whose candle closed, and the
   * forming candle of every coin from one tickers request.
   */
  async runCycle(reason: string): Promise<LoadSummary | null> {
    if (this.cycleRunning || this.activeLoad) return null;
    this.cycleRunning = true;
    try {
      if (!this.firstRoundDone || this.table.stateCount === 0) return await this.requestFullLoad(reason);
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
  requestFullLoad(reason: string): Promise<LoadSummary> {
    if (this.activeLoad) {
      if (this.activeLoadGeneration === this.host.generation()) return this.activeLoad;
      // The running load belongs to the previous timeframe and is winding down: start ours right after it.
      return this.activeLoad.then(() => this.requestFullLoad(reason));
    }
    const load = this.loadAll(reason).finally(() => {
      if (this.activeLoad === load) this.activeLoad = null;
    });
    this.activeLoad = load;
    this.activeLoadGeneration = this.host.generation();
    return load;
  }

  /** A timeframe switch: the table is empty, nothing is live. */
  reset(): void {
    this.servingCache = false;
    this.firstRoundDone = false;
  }

  private async loadAll(reason: string): Promise<LoadSummary> {
    const generation = this.host.generation();
    const timeframe = this.host.timeframe();
    const started = performance.now();
    this.progress = { ...this.progress, total: 0, done: 0, failed: 0, inProgress: true, startedAt: this.clock.now() };
    try {
      if (!this.exchange.isReady) await this.exchange.connect();
      if (!this.exchange.isReady) {
        throw new ExchangeUnavailableError(this.exchange.lastInitError ?? 'Exchange not initialized');
      }
      await this.exchange
        .refreshMarkets()
        .catch((error: Error) => this.logger.warn(`Market list refresh failed: ${error.message}`));
      const symbols = this.exchange.tradableSymbols().sort();
      this.progress.total = symbols.length;
      this.logger.log(`Loading ${symbols.length} coins on ${timeframe} (${reason})`);
      const tickers = await this.exchange.fetchTickers().catch(() => new Map<string, Ticker>());
      const cancelled = () => generation !== this.host.generation();
      const result = await runPool(
        symbols,
        async (symbol) => {
          // Columns straight from the adapter: no object per candle on the way (GC and peak memory of the load).
          const columns = await this.exchange.fetchCandleColumns(symbol, timeframe, { limit: CANDLE_LIMIT });
          if (cancelled()) return;
          this.host.install(symbol, CandleSeries.fromColumns(columns), tickers.get(symbol));
        },
        {
          concurrency: this.concurrency,
          classify: classifyExchangeError,
          cancelled,
          onSettled: (_s, ok) => this.settled(cancelled, ok),
        },
      );
      const durationMs = performance.now() - started;
      if (cancelled()) {
        return { kind: 'full', total: symbols.length, succeeded: 0, failed: 0, durationMs, cancelled: true };
      }
      // Coins no longer tradable leave the table.
      const tradable = new Set(symbols);
      for (const symbol of this.table.symbols()) if (!tradable.has(symbol)) this.table.remove(symbol);
      if (result.failed.length > 0) {
        const sample = result.failed
          .slice(0, 3)
          .map((f) => `${f.item}: ${f.error}`)
          .join('; ');
        this.logger.warn(`${result.failed.length} of ${symbols.length} coins failed to load (${sample})`);
      }
      this.lastStats = {
        total_coins: symbols.length,
        successful_coins: result.succeeded.length,
        failed_coins: result.failed.length,
      };
      this.servingCache = false;
      if (result.succeeded.length > 0) this.firstRoundDone = true;
      this.host.finishRound(durationMs);
      this.logger.log(
        `Loaded ${result.succeeded.length}/${symbols.length} coins in ${(durationMs / 1000).toFixed(1)} s`,
      );
      this.host.saveInBackground();
      return {
        kind: 'full',
        total: symbols.length,
        succeeded: result.succeeded.length,
        failed: result.failed.length,
        durationMs,
        cancelled: false,
      };
    } catch (error) {
      this.lastError = (error as Error).message;
      this.logger.warn(`Full load failed: ${this.lastError}`);
      return {
        kind: 'full',
        total: this.progress.total,
        succeeded: 0,
        failed: this.progress.total,
        durationMs: performance.now() - started,
        cancelled: false,
      };
    } finally {
      if (generation === this.host.generation()) {
        this.progress.inProgress = false;
        this.progress.durationMs = performance.now() - started;
      }
    }
  }

  private settled(cancelled: () => boolean, ok: boolean): void {
    if (cancelled()) return;
    this.progress.done++;
    if (!ok) this.progress.failed++;
  }

  /** Coins whose newest stored candle is older than the candle forming now. */
  symbolsWithClosedCandle(): string[] {
    const formingOpen = this.formingOpen();
    const out: string[] = [];
    for (const [symbol, state] of this.table.stateEntries()) {
      const last = state.series.lastTime;
      if (last !== null && last < formingOpen) out.push(symbol);
    }
    return out;
  }

  /** At a candle close: fetch only the candles since each coin's last one and recompute those coins. */
  async loadNewCandles(symbols: string[]): Promise<LoadSummary> {
    const generation = this.host.generation();
    const timeframe = this.host.timeframe();
    const step = TIMEFRAME_MS[timeframe];
    const started = performance.now();
    this.progress = {
      ...this.progress,
      total: symbols.length,
      done: 0,
      failed: 0,
      inProgress: true,
      startedAt: this.clock.now(),
    };
    const cancelled = () => generation !== this.host.generation();
    try {
      const result = await runPool(
        symbols,
        async (symbol) => {
          const state = this.table.state(symbol);
          const since = state?.series.lastTime ?? null;
          // A gap longer than one request can cover means a fresh full series.
          if (!state || since === null || this.clock.now() - since > (CANDLE_LIMIT - 2) * step) {
            const columns = await this.exchange.fetchCandleColumns(symbol, timeframe, { limit: CANDLE_LIMIT });
            if (cancelled()) return;
            this.host.install(symbol, CandleSeries.fromColumns(columns), undefined);
          } else {
            const candles = await this.exchange.fetchCandles(symbol, timeframe, { since, limit: CANDLE_LIMIT });
            if (cancelled()) return;
            state.series.merge(candles);
            this.host.install(symbol, state.series, undefined);
          }
        },
        {
          concurrency: this.concurrency,
          classify: classifyExchangeError,
          cancelled,
          onSettled: (_s, ok) => this.settled(cancelled, ok),
        },
      );
      const durationMs = performance.now() - started;
      if (!cancelled()) {
        this.host.finishRound(durationMs);
        this.host.saveInBackground();
      }
      return {
        kind: 'incremental',
        total: symbols.length,
        succeeded: result.succeeded.length,
        failed: result.failed.length,
        durationMs,
        cancelled: cancelled(),
      };
    } finally {
      if (!cancelled()) {
        this.progress.inProgress = false;
        this.progress.durationMs = performance.now() - started;
      }
    }
  }

  /** Between closes: one tickers request moves every coin's forming candle; indicators update in O(1) per coin. */
  async refreshFromTickers(): Promise<LoadSummary> {
    const generation = this.host.generation();
    const started = performance.now();
    const tickers = await this.exchange.fetchTickers();
    if (generation !== this.host.generation()) {
      return { kind: 'tickers', total: 0, succeeded: 0, failed: 0, durationMs: 0, cancelled: true };
    }
    const formingOpen = this.formingOpen();
    const now = this.clock.now();
    const table = this.table;
    let updated = 0;
    for (const [symbol, state] of table.stateEntries()) {
      const ticker = tickers.get(symbol);
      if (!ticker) continue;
      const record = table.record(symbol);
      if (record) table.apply(record, { price: ticker.last, change24h: ticker.change24hPercent });
      // A coin whose candle closed waits for its new candles: the live price belongs to a candle it does not have.
      if ((state.series.lastTime ?? 0) < formingOpen) continue;
      if (!state.series.updateForming(ticker.last)) continue;
      this.host.formingCandleMoved(symbol, now);
      updated++;
    }
    const durationMs = performance.now() - started;
    this.host.finishRound(durationMs);
    return { kind: 'tickers', total: table.stateCount, succeeded: updated, failed: 0, durationMs, cancelled: false };
  }

  /** Loads one coin (1000 candles of the current timeframe) with its ticker; throws when the timeframe changed. */
  async loadOne(symbol: string): Promise<void> {
    const generation = this.host.generation();
    const timeframe = this.host.timeframe();
    const [columns, tickers] = await Promise.all([
      this.exchange.fetchCandleColumns(symbol, timeframe, { limit: CANDLE_LIMIT }),
      this.sharedTickers(),
    ]);
    if (generation !== this.host.generation()) {
      throw new ExchangeUnavailableError('Timeframe changed during the refresh; try again');
    }
    this.host.install(symbol, CandleSeries.fromColumns(columns), tickers.get(symbol));
    this.host.finishRound(0, [symbol]);
  }

  /** One tickers request at a time for single-coin refreshes; a failure reads as "no tickers". */
  private sharedTickers(): Promise<Map<string, Ticker>> {
    this.tickersInFlight ??= this.exchange
      .fetchTickers()
      .catch(() => new Map<string, Ticker>())
      .finally(() => (this.tickersInFlight = null));
    return this.tickersInFlight;
  }

  private formingOpen(): number {
    const step = TIMEFRAME_MS[this.host.timeframe()];
    return Math.floor(this.clock.now() / step) * step;
  }
}
