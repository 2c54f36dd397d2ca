import type { Candle, CandleColumns } from '../exchange/exchange.types';

/** Most candles kept per symbol and timeframe (one exchange request's worth). */
export const MAX_CANDLES = 1000;

/**
 * A symbol's candles in columnar arrays (oldest first, the last one may still be forming).
 * 583 symbols x 1000 candles take ~28 MB this way instead of ~60 MB as objects.
 */
export class CandleSeries {
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  length = 0;

  /** `adopt`: full columns (length = capacity) to use as they are instead of fresh empty ones (see fromColumns). */
  constructor(
    private readonly capacity = MAX_CANDLES,
    adopt?: CandleColumns,
  ) {
    this.time = adopt?.time ?? new Float64Array(capacity);
    this.open = adopt?.open ?? new Float64Array(capacity);
    this.high = adopt?.high ?? new Float64Array(capacity);
    this.low = adopt?.low ?? new Float64Array(capacity);
    this.close = adopt?.close ?? new Float64Array(capacity);
    this.volume = adopt?.volume ?? new Float64Array(capacity);
    if (adopt) this.length = adopt.length;
  }

  /** Sorted by time, duplicates removed (the later one wins), at most `capacity` newest candles. */
  static fromCandles(candles: readonly Candle[], capacity = MAX_CANDLES): CandleSeries {
    const series = new CandleSeries(capacity);
    series.merge(candles);
    return series;
  }

  /**
   * Same result as fromCandles for the same candles. Ascending columns as long as the capacity (a full load) are
   * adopted as they are, when every candle is valid; otherwise they are merged candle by candle.
   */
  static fromColumns(columns: CandleColumns, capacity = MAX_CANDLES): CandleSeries {
    const { length, time, open, high, low, close, volume } = columns;
    const adoptable =
      length === capacity &&
      [time, open, high, low, close, volume].every((c) => c.length === capacity) &&
      columnsValidAndAscending(columns);
    if (adoptable) return new CandleSeries(capacity, columns);
    const series = new CandleSeries(capacity);
    const sorted = columnsValidAndAscending(columns, false);
    if (!sorted) {
      const candles: Candle[] = [];
      for (let i = 0; i < length; i++) {
        candles.push({ time: time[i], open: open[i], high: high[i], low: low[i], close: close[i], volume: volume[i] });
      }
      series.merge(candles);
      return series;
    }
    for (let i = 0; i < length; i++) {
      if (!(Number.isFinite(time[i]) && Number.isFinite(close[i]) && close[i] > 0)) continue;
      if (series.length === capacity) series.dropOldest(1);
      const j = series.length++;
      series.time[j] = time[i];
      series.open[j] = open[i];
      series.high[j] = high[i];
      series.low[j] = low[i];
      series.close[j] = close[i];
      series.volume[j] = volume[i];
    }
    return series;
  }

  get lastTime(): number | null {
    return this.length > 0 ? this.time[this.length - 1] : null;
  }

  get lastClose(): number | null {
    return this.length > 0 ? this.close[this.length - 1] : null;
  }

  /**
   * The first `length` candles as a read-only view on the same storage (no copy). Valid until this series is
   * merged into again; never merge into or update the view itself.
   */
  prefix(length: number): CandleSeries {
    const n = Math.max(0, Math.min(this.length, length));
    const { time, open, high, low, close, volume } = this;
    return new CandleSeries(this.capacity, { length: n, time, open, high, low, close, volume });
  }

  /** Views (no copy) of the filled part. */
  closes(): Float64Array {
    return this.close.subarray(0, this.length);
  }
  opens(): Float64Array {
    return this.open.subarray(0, this.length);
  }
  highs(): Float64Array {
    return this.high.subarray(0, this.length);
  }
  lows(): Float64Array {
    return this.low.subarray(0, this.length);
  }
  volumes(): Float64Array {
    return this.volume.subarray(0, this.length);
  }
  times(): Float64Array {
    return this.time.subarray(0, this.length);
  }

  /**
   * Merges fresh candles: one with the time of a stored candle replaces it (the formerly forming candle, now
   * closed), newer ones are appended, and the oldest are dropped beyond the capacity. Returns how many were appended.
   */
  merge(candles: readonly Candle[]): number {
    if (candles.length === 0) return 0;
    const sorted = isSorted(candles) ? candles : [...candles].sort((a, b) => a.time - b.time);
    let appended = 0;
    for (const candle of sorted) {
      if (!isValidCandle(candle)) continue;
      const last = this.lastTime;
      if (last === null || candle.time > last) {
        if (this.length === this.capacity) this.dropOldest(1);
        this.write(this.length, candle);
        this.length++;
        appended++;
      } else {
        const index = this.indexOf(candle.time);
        if (index >= 0) this.write(index, candle);
      }
    }
    return appended;
  }

  /** The forming candle follows the live price: close = price, high/low widened to include it. */
  updateForming(price: number): boolean {
    if (this.length === 0 || !(price > 0)) return false;
    const i = this.length - 1;
    this.close[i] = price;
    if (price > this.high[i]) this.high[i] = price;
    if (price < this.low[i]) this.low[i] = price;
    return true;
  }

  candleAt(i: number): Candle {
    return {
      time: this.time[i],
      open: this.open[i],
      high: this.high[i],
      low: this.low[i],
      close: this.close[i],
      volume: this.volume[i],
    };
  }

  /** The last `count` candles (all by default) as objects. */
  toCandles(count = this.length): Candle[] {
    const start = Math.max(0, this.length - count);
    const out: Candle[] = new Array(this.length - start);
    for (let i = start; i < this.length; i++) out[i - start] = this.candleAt(i);
    return out;
  }

  private indexOf(time: number): number {
    let lo = 0;
    let hi = this.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const t = this.time[mid];
      if (t === time) return mid;
      if (t < time) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  private write(i: number, c: Candle): void {
    this.time[i] = c.time;
    this.open[i] = c.open;
    this.high[i] = c.high;
    this.low[i] = c.low;
    this.close[i] = c.close;
    this.volume[i] = c.volume;
  }

  private dropOldest(count: number): void {
    const n = Math.min(count, this.length);
    for (const column of [this.time, this.open, this.high, this.low, this.close, this.volume]) {
      column.copyWithin(0, n, this.length);
    }
    this.length -= n;
  }
}

/** Times strictly ascending (over the valid candles) and, when `requireAllValid`, every candle valid. */
function columnsValidAndAscending(columns: CandleColumns, requireAllValid = true): boolean {
  let last = -Infinity;
  for (let i = 0; i < columns.length; i++) {
    const t = columns.time[i];
    const c = columns.close[i];
    if (!(Number.isFinite(t) && Number.isFinite(c) && c > 0)) {
      if (requireAllValid) return false;
      continue;
    }
    if (t <= last) return false;
    last = t;
  }
  return true;
}

function isSorted(candles: readonly Candle[]): boolean {
  for (let i = 1; i < candles.length; i++) if (candles[i].time < candles[i - 1].time) return false;
  return true;
}

function isValidCandle(c: Candle): boolean {
  return Number.isFinite(c.time) && Number.isFinite(c.close) && c.close > 0;
}
