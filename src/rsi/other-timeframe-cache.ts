import { BoundedCache } from '../common/bounded-cache';
import type { Clock } from '../common/clock';
import type { ExchangeService } from '../exchange/exchange.service';
import { FETCHABLE_TIMEFRAMES, TIMEFRAME_MS, type Timeframe } from '../exchange/exchange.types';
import { CandleSeries, MAX_CANDLES } from './candle-series';

/** Candles of another timeframe (bots whose entry timeframe differs) are re-fetched after this long. */
export const OTHER_TIMEFRAME_TTL_MS = 30_000;
/**
 * Bounds of that cache (docs/security.md, "Caches"): 1000 coin/timeframe series of up to 1000 candles
 * (~50 kB each, ~50 MB in all); a series not refreshed for 10 minutes is dropped.
 */
export const OTHER_TIMEFRAME_CACHE_ENTRIES = 1000;
export const OTHER_TIMEFRAME_CACHE_AGE_MS = 10 * 60_000;

/** A timeframe the exchange cannot serve (the controller answers 400). */
export class TimeframeError extends Error {}

export function isFetchable(tf: string): tf is Timeframe {
  return (FETCHABLE_TIMEFRAMES as readonly string[]).includes(tf);
}

interface Entry {
  series: CandleSeries;
  fetchedAt: number;
  pending?: Promise<CandleSeries>;
}

/**
 * Candles of timeframes other than the system one, per coin: fetched on demand, refreshed incrementally after
 * OTHER_TIMEFRAME_TTL_MS, one request per coin and timeframe at a time.
 */
export class OtherTimeframeCache {
  private readonly entries: BoundedCache<string, Entry>;

  constructor(
    private readonly exchange: ExchangeService,
    private readonly clock: Clock,
  ) {
    this.entries = new BoundedCache({
      maxEntries: OTHER_TIMEFRAME_CACHE_ENTRIES,
      maxAgeMs: OTHER_TIMEFRAME_CACHE_AGE_MS,
      now: () => clock.now(),
    });
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached series (possibly stale) and whether it needs a refresh. */
  peek(symbol: string, timeframe: Timeframe): { series: CandleSeries | undefined; stale: boolean } {
    const entry = this.entries.get(`${timeframe}:${symbol}`);
    return { series: entry?.series, stale: !entry || this.clock.now() - entry.fetchedAt > OTHER_TIMEFRAME_TTL_MS };
  }

  async series(symbol: string, timeframe: Timeframe): Promise<CandleSeries> {
    if (!isFetchable(timeframe)) throw new TimeframeError(`Unsupported timeframe: ${timeframe}`);
    const key = `${timeframe}:${symbol}`;
    const entry = this.entries.get(key);
    if (entry?.pending) return entry.pending;
    if (entry && this.clock.now() - entry.fetchedAt <= OTHER_TIMEFRAME_TTL_MS) return entry.series;
    const fetchIt = async (): Promise<CandleSeries> => {
      const since = entry?.series.lastTime ?? null;
      const step = TIMEFRAME_MS[timeframe];
      const incremental = entry !== undefined && since !== null && this.clock.now() - since < (MAX_CANDLES - 2) * step;
      const candles = await this.exchange.fetchCandles(
        symbol,
        timeframe,
        incremental ? { since, limit: MAX_CANDLES } : { limit: MAX_CANDLES },
      );
      const series = incremental ? entry.series : CandleSeries.fromCandles(candles);
      if (incremental) series.merge(candles);
      this.entries.set(key, { series, fetchedAt: this.clock.now() });
      return series;
    };
    const pending = fetchIt();
    if (entry) entry.pending = pending;
    else this.entries.set(key, { series: new CandleSeries(MAX_CANDLES), fetchedAt: -Infinity, pending });
    try {
      return await pending;
    } catch (error) {
      const current = this.entries.get(key);
      if (current?.pending === pending) {
        if (current.series.length === 0) this.entries.delete(key);
        else delete current.pending;
      }
      throw error;
    }
  }
}
