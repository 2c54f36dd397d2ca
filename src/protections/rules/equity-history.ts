import type { EquityPoint } from './rule.types';

/** At most this many samples are kept (bounded memory and file size whatever the lookback). */
export const MAX_EQUITY_POINTS = 1500;
const MIN_BUCKET_MS = 60_000;

/**
 * Bounded equity history for the drawdown rule: samples are merged into buckets of lookback/1000 (at least one
 * minute), each keeping its highest equity, so the peak is never lost however often equity is sampled.
 */
export class EquityHistory {
  private points: EquityPoint[] = [];

  constructor(initial: readonly EquityPoint[] = []) {
    this.points = [...initial]
      .filter((p) => Number.isFinite(p.time) && Number.isFinite(p.equity))
      .sort((a, b) => a.time - b.time);
    this.trimToCap();
  }

  static bucketMs(lookbackMs: number): number {
    return Math.max(MIN_BUCKET_MS, Math.floor(lookbackMs / 1000));
  }

  /** Adds a sample and drops samples older than the lookback. */
  record(point: EquityPoint, lookbackMs: number): void {
    const bucket = EquityHistory.bucketMs(lookbackMs);
    const last = this.points[this.points.length - 1];
    if (last && point.time < last.time) return;
    if (last && Math.floor(last.time / bucket) === Math.floor(point.time / bucket)) {
      if (point.equity > last.equity) this.points[this.points.length - 1] = point;
    } else {
      this.points.push(point);
    }
    const cutoff = point.time - lookbackMs;
    let drop = 0;
    while (drop < this.points.length && this.points[drop].time < cutoff) drop++;
    if (drop) this.points.splice(0, drop);
    this.trimToCap();
  }

  all(): EquityPoint[] {
    return [...this.points];
  }

  get size(): number {
    return this.points.length;
  }

  private trimToCap(): void {
    if (this.points.length > MAX_EQUITY_POINTS) this.points.splice(0, this.points.length - MAX_EQUITY_POINTS);
  }
}
