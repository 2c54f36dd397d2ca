import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import * as path from 'node:path';
import { Clock } from '../common/clock';
import { SYMBOL_PATTERN } from '../common/symbol';
import { appConfig } from '../config/app.config';
import { ExchangeService } from '../exchange/exchange.service';
import type { CandleColumns, Timeframe } from '../exchange/exchange.types';
import { moveAside } from '../persistence/move-aside';
import {
  CANDLE_BYTES,
  CANDLE_HEADER_BYTES,
  CandleFileError,
  decodeCandles,
  emptyColumns,
  encodeCandles,
  lowerBound,
  sliceColumns,
  type CandleSeries,
} from './candle-codec';
import { readCandleFile, readCandleHeader, removeStaleCandleTemps, writeCandleFile } from './candle-file';
import {
  backwardPages,
  CANDLES_PER_PAGE,
  coveredAfterForwardFill,
  forwardPages,
  isStorableTimeframe,
  pageCount,
  planFill,
  STORABLE_TIMEFRAMES,
  type FillPlan,
  type TimeRange,
} from './candle-ranges';

/** Symbols one ensure() call accepts (the paper universe is 540, Bybit lists ~600). */
export const MAX_SYMBOLS_PER_FILL = 5000;
/**
 * Symbols filled at once. Each has one request in flight at a time, so the store never queues more than this
 * many requests in the exchange's rate limiter ahead of a trading call (docs/candle-store.md, "Rate limit").
 */
export const DEFAULT_FILL_CONCURRENCY = 4;

export interface CandleFillProgress {
  /** The symbol whose page just arrived or whose fill just ended. */
  symbol: string;
  symbolsDone: number;
  symbolsTotal: number;
  /** Pages (requests) done and planned; the plan grows when a damaged file has to be fetched again. */
  pagesDone: number;
  pagesTotal: number;
  candlesFetched: number;
}

export interface CandleFillSummary {
  timeframe: Timeframe;
  /** The request, aligned to candle opens and clipped to the closed candles. */
  from: number;
  to: number;
  symbols: number;
  requests: number;
  candlesFetched: number;
  /** Candles in the files of these symbols after the fill, and the files' size. */
  candlesStored: number;
  bytes: number;
  /** Damaged files moved aside (and fetched again). */
  quarantined: string[];
  failed: Array<{ symbol: string; error: string }>;
  seconds: number;
}

export interface EnsureOptions {
  concurrency?: number;
  /**
   * false: a file whose (checked) header already covers the range is not read. For callers that read and verify the
   * payload themselves right after (a backtest job's thread decodes every file, CRC included, and asks for a
   * verifying fill of a file it finds damaged): reading 583 files twice per job cost the event loop ~40 ms each
   * (docs/whole-service-bench.md, "Backtest and optimizer jobs"). Default true: every file is read and verified.
   */
  verifyPayload?: boolean;
}

export class CandleStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CandleStoreError';
  }
}

interface FillTally {
  pagesDone: number;
  pagesTotal: number;
  symbolsDone: number;
  candlesFetched: number;
  requests: number;
}

/**
 * Historical candles on disk, one file per symbol and timeframe under DATA_DIR/candles/<timeframe>/<SYMBOL>.bin
 * (format: ./candle-codec.ts, docs/candle-store.md). Fills go through ExchangeService, so they pass the same
 * adapter, retries and rate limiter as live trading; only the ranges not yet known are fetched.
 */
@Injectable()
export class CandleStoreService {
  private readonly logger = new Logger('CandleStore');
  readonly root: string;
  /** One fill per file at a time inside this process (an entry exists only while a fill runs). */
  private readonly fileLocks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly exchange: ExchangeService,
    private readonly clock: Clock,
    @Inject(appConfig.KEY) config: ConfigType<typeof appConfig>,
  ) {
    this.root = path.resolve(config.dataDir, 'candles');
  }

  fileOf(symbol: string, timeframe: Timeframe): string {
    this.checkSymbol(symbol);
    this.checkTimeframe(timeframe);
    return path.join(this.root, timeframe, `${symbol}.bin`);
  }

  /**
   * Stored candles of `symbol` with open time in [from, to), oldest first, as views over the file's one buffer.
   * Nothing stored: empty columns. A damaged file is moved aside and a CandleStoreError thrown (ensure() fetches
   * it again); it is never used.
   */
  async load(symbol: string, timeframe: Timeframe, from: number, to: number): Promise<CandleColumns> {
    const file = this.fileOf(symbol, timeframe);
    const series = await this.readOrQuarantine(file, symbol, timeframe, null);
    if (!series) return emptyColumns();
    const { time } = series.columns;
    return sliceColumns(series.columns, lowerBound(time, from), lowerBound(time, to));
  }

  /**
   * Makes [from, to) known for every symbol: fetches what the files lack (before their first and after their last
   * known candle), page by page, each page on disk before the next is asked for. A symbol that fails is reported
   * in the summary and keeps what was fetched; the others go on.
   */
  async ensure(
    symbols: readonly string[],
    timeframe: Timeframe,
    from: number,
    to: number,
    onProgress?: (progress: CandleFillProgress) => void,
    options: EnsureOptions = {},
  ): Promise<CandleFillSummary> {
    this.checkTimeframe(timeframe);
    if (!Number.isFinite(from) || !Number.isFinite(to) || !(from < to)) {
      throw new CandleStoreError(`from must be before to (got ${from}, ${to})`);
    }
    if (symbols.length === 0 || symbols.length > MAX_SYMBOLS_PER_FILL) {
      throw new CandleStoreError(`symbols: 1 to ${MAX_SYMBOLS_PER_FILL} expected, got ${symbols.length}`);
    }
    const unique = [...new Set(symbols)];
    unique.forEach((s) => this.checkSymbol(s));
    const concurrency = Math.max(1, Math.min(16, Math.floor(options.concurrency ?? DEFAULT_FILL_CONCURRENCY)));
    const started = performance.now();
    const now = this.clock.now();
    await removeStaleCandleTemps(path.join(this.root, timeframe));

    const wanted = planFill(null, timeframe, { from, to }, now).wanted;
    const summary: CandleFillSummary = {
      timeframe,
      from: wanted.from,
      to: wanted.to,
      symbols: unique.length,
      requests: 0,
      candlesFetched: 0,
      candlesStored: 0,
      bytes: 0,
      quarantined: [],
      failed: [],
      seconds: 0,
    };
    const known = this.exchange.markets().length > 0;
    // Headers only: the plan (and the progress total) without holding any candles.
    const plans = new Map<string, FillPlan>();
    for (const symbol of unique) {
      const market = this.exchange.market(symbol);
      if (known && !market) {
        summary.failed.push({ symbol, error: 'unknown symbol' });
        continue;
      }
      // A damaged header plans a full fetch; the fill itself moves the file aside and plans again.
      const header = await readCandleHeader(this.fileOf(symbol, timeframe)).catch(() => null);
      plans.set(symbol, planFill(header, timeframe, { from, to }, now, market?.launchTime));
    }
    const tally: FillTally = { pagesDone: 0, pagesTotal: 0, symbolsDone: 0, candlesFetched: 0, requests: 0 };
    for (const plan of plans.values()) tally.pagesTotal += pageCount(plan, timeframe);
    const report = (symbol: string) =>
      onProgress?.({
        symbol,
        symbolsDone: tally.symbolsDone,
        symbolsTotal: plans.size,
        pagesDone: tally.pagesDone,
        pagesTotal: tally.pagesTotal,
        candlesFetched: tally.candlesFetched,
      });

    const queue = [...plans.keys()];
    const worker = async () => {
      for (let symbol = queue.shift(); symbol !== undefined; symbol = queue.shift()) {
        const plan = plans.get(symbol)!;
        if (options.verifyPayload === false && plan.before === null && plan.after === null) {
          tally.symbolsDone++;
          report(symbol);
          continue;
        }
        try {
          const stored = await this.locked(this.fileOf(symbol, timeframe), () =>
            this.fillSymbol(symbol, timeframe, { from, to }, now, plan, tally, summary.quarantined, () =>
              report(symbol),
            ),
          );
          summary.candlesStored += stored.candles;
          summary.bytes += stored.bytes;
        } catch (error) {
          const message = (error as Error).message;
          summary.failed.push({ symbol, error: message });
          this.logger.warn(`Candle fill ${symbol} ${timeframe} failed: ${message}`);
        }
        tally.symbolsDone++;
        report(symbol);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
    summary.requests = tally.requests;
    summary.candlesFetched = tally.candlesFetched;
    summary.seconds = (performance.now() - started) / 1000;
    return summary;
  }

  private async fillSymbol(
    symbol: string,
    timeframe: Timeframe,
    request: TimeRange,
    now: number,
    headerPlan: FillPlan,
    tally: FillTally,
    quarantined: string[],
    onPage: () => void,
  ): Promise<{ candles: number; bytes: number }> {
    const file = this.fileOf(symbol, timeframe);
    const series = await this.readOrQuarantine(file, symbol, timeframe, quarantined);
    const plan = planFill(series, timeframe, request, now, this.exchange.market(symbol)?.launchTime);
    tally.pagesTotal += pageCount(plan, timeframe) - pageCount(headerPlan, timeframe);

    let stored: CandleColumns = series?.columns ?? emptyColumns();
    let onDisk = series !== null;
    const start = plan.after?.from ?? plan.wanted.from;
    let coveredFrom = series?.coveredFrom ?? start;
    let coveredTo = series?.coveredTo ?? start;
    let firstTime = stored.length > 0 ? stored.time[0] : Infinity;
    let lastTime = stored.length > 0 ? stored.time[stored.length - 1] : -Infinity;
    const pendingBefore: CandleColumns[] = []; // newest page first
    const pendingAfter: CandleColumns[] = [];
    let pendingCandles = 0;
    let coverageChanged = false;

    const flush = async () => {
      if (pendingCandles === 0 && !coverageChanged) return;
      const buffer = encodeCandles({ symbol, timeframe, coveredFrom, coveredTo }, [
        ...[...pendingBefore].reverse(),
        stored,
        ...pendingAfter,
      ]);
      await writeCandleFile(file, buffer);
      stored = decodeCandles(buffer, { symbol, timeframe }).columns;
      onDisk = true;
      pendingBefore.length = 0;
      pendingAfter.length = 0;
      pendingCandles = 0;
      coverageChanged = false;
    };
    // Every page is written while the file is small; a large file (1m history) is rewritten only each time it has
    // grown by a quarter, so a long fill writes each candle a few times, not once per page.
    const flushIfDue = async () => {
      if (pendingCandles >= stored.length / 4) await flush();
    };
    const fetchPage = async (page: TimeRange) => {
      tally.requests++;
      const columns = await this.exchange.fetchCandleColumns(symbol, timeframe, {
        since: page.from,
        until: page.to,
        limit: CANDLES_PER_PAGE,
      });
      tally.pagesDone++;
      return columns;
    };

    try {
      if (plan.after) {
        let lastReceived = NaN;
        for (const page of forwardPages(plan.after, timeframe)) {
          const columns = await fetchPage(page);
          const kept = sliceColumns(
            columns,
            lowerBound(columns.time, Math.max(page.from, lastTime + 1)),
            lowerBound(columns.time, page.to),
          );
          if (kept.length > 0) {
            pendingAfter.push(kept);
            pendingCandles += kept.length;
            tally.candlesFetched += kept.length;
            lastTime = lastReceived = kept.time[kept.length - 1];
          }
          coveredTo = coveredAfterForwardFill(plan.after.from, page.to, lastReceived, timeframe);
          coverageChanged = true;
          await flushIfDue();
          onPage();
        }
      }
      if (plan.before) {
        const pages = backwardPages(plan.before, timeframe);
        for (let p = 0; p < pages.length; p++) {
          const page = pages[p];
          const columns = await fetchPage(page);
          const kept = sliceColumns(
            columns,
            lowerBound(columns.time, page.from),
            lowerBound(columns.time, Math.min(page.to, firstTime)),
          );
          coverageChanged = true;
          if (kept.length === 0) {
            // Nothing in a whole page before the first candle: the listing is reached (docs/candle-store.md).
            coveredFrom = plan.before.from;
            tally.pagesDone += pages.length - p - 1;
            onPage();
            break;
          }
          pendingBefore.push(kept);
          pendingCandles += kept.length;
          tally.candlesFetched += kept.length;
          firstTime = kept.time[0];
          coveredFrom = page.from;
          await flushIfDue();
          onPage();
        }
      }
    } catch (error) {
      // What arrived stays: the next fill starts where this one stopped.
      await flush().catch((flushError: Error) =>
        this.logger.error(`Saving candles of ${symbol} ${timeframe} failed: ${flushError.message}`),
      );
      throw error;
    }
    await flush();
    return { candles: stored.length, bytes: onDisk ? CANDLE_HEADER_BYTES + stored.length * CANDLE_BYTES : 0 };
  }

  /** The file's series; a damaged file is moved aside (named in `quarantined`, or an error when that is null). */
  private async readOrQuarantine(
    file: string,
    symbol: string,
    timeframe: Timeframe,
    quarantined: string[] | null,
  ): Promise<CandleSeries | null> {
    try {
      return await readCandleFile(file, { symbol, timeframe });
    } catch (error) {
      if (!(error instanceof CandleFileError)) throw error;
      const aside = await moveAside(file, this.clock.now());
      this.logger.error(
        `Damaged candle file ${file} (${error.reason}): moved to ${path.basename(aside)}; it will be fetched again`,
      );
      if (!quarantined) {
        throw new CandleStoreError(
          `candle file of ${symbol} ${timeframe} was damaged (${error.reason}); moved aside, run a fill again`,
        );
      }
      quarantined.push(aside);
      return null;
    }
  }

  private async locked<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.fileLocks.get(key) ?? Promise.resolve();
    // The previous task's failure went to its own caller; here it only has to have ended.
    const run = previous.catch(() => undefined).then(task);
    this.fileLocks.set(key, run);
    try {
      return await run;
    } finally {
      if (this.fileLocks.get(key) === run) this.fileLocks.delete(key);
    }
  }

  private checkSymbol(symbol: string): void {
    if (typeof symbol !== 'string' || !SYMBOL_PATTERN.test(symbol)) {
      throw new CandleStoreError(`symbol "${String(symbol)}" is not a coin symbol (A-Z, 0-9, up to 20)`);
    }
  }

  private checkTimeframe(timeframe: Timeframe): void {
    if (!isStorableTimeframe(timeframe)) {
      throw new CandleStoreError(`timeframe must be one of ${STORABLE_TIMEFRAMES.join(', ')}`);
    }
  }
}
