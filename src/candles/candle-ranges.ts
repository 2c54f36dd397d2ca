/**
 * What a fill must fetch: pure arithmetic over open times, no I/O (docs/candle-store.md, "Incremental fills").
 *
 * A stored series covers one contiguous span [coveredFrom, coveredTo). A request [from, to) is served from it
 * and only the parts outside are fetched: before the span (paged backwards, newest window first, each page
 * prepended) and after it (paged forwards, each page appended), so the span stays contiguous after every page
 * and a crash between pages leaves a file that is still true.
 */
import { TIMEFRAME_MS, type Timeframe } from '../exchange/exchange.types';

/** Timeframes whose candles open on multiples of their length since the epoch (weeks and months do not). */
export const STORABLE_TIMEFRAMES: readonly Timeframe[] = [
  '1m',
  '3m',
  '5m',
  '15m',
  '30m',
  '1h',
  '2h',
  '4h',
  '6h',
  '12h',
  '1d',
];
/** Candles per request: the page size of Bybit, Binance (as ccxt uses it) and the paper exchange. */
export const CANDLES_PER_PAGE = 1000;
/**
 * Newest closed candles that a fill does not mark as known-absent when the exchange has not sent them: an
 * exchange may publish a just-closed candle late, and the next fill should ask again rather than skip it.
 */
export const PROVISIONAL_CANDLES = 2;

export function isStorableTimeframe(value: unknown): value is Timeframe {
  return typeof value === 'string' && (STORABLE_TIMEFRAMES as readonly string[]).includes(value);
}

export interface TimeRange {
  /** Inclusive open time. */
  from: number;
  /** Exclusive open time. */
  to: number;
}

export interface Coverage {
  coveredFrom: number;
  coveredTo: number;
}

export interface FillPlan {
  /** The request, aligned to candle opens and clipped to closed candles (and the listing). Empty when from >= to. */
  wanted: TimeRange;
  /** Fetched backwards from `to`; ends where the stored span begins. */
  before: TimeRange | null;
  /** Fetched forwards from `from`; starts where the stored span ends. */
  after: TimeRange | null;
}

export function alignUp(t: number, size: number): number {
  return Math.ceil(t / size) * size;
}

/** End of the closed candles at `now`: candles opening before it have closed. */
export function closedEnd(now: number, timeframe: Timeframe): number {
  const size = TIMEFRAME_MS[timeframe];
  return Math.floor(now / size) * size;
}

/**
 * The ranges to fetch so that [from, to) is known, given what is stored (null: nothing). `listedAt` (the market's
 * launch time, when the exchange tells) moves `from` forward: there is nothing to fetch before it.
 */
export function planFill(
  stored: Coverage | null,
  timeframe: Timeframe,
  request: TimeRange,
  now: number,
  listedAt?: number,
): FillPlan {
  const size = TIMEFRAME_MS[timeframe];
  const from = alignUp(Math.max(request.from, listedAt ?? -Infinity), size);
  const to = Math.min(alignUp(request.to, size), closedEnd(now, timeframe));
  const wanted = { from, to };
  if (!(from < to)) return { wanted, before: null, after: null };
  if (!stored) return { wanted, before: null, after: { from, to } };
  const before = from < stored.coveredFrom ? { from, to: stored.coveredFrom } : null;
  const after = to > stored.coveredTo ? { from: stored.coveredTo, to } : null;
  return { wanted, before, after };
}

/** Windows of at most `perPage` candles covering `range`, oldest first. */
export function forwardPages(range: TimeRange, timeframe: Timeframe, perPage = CANDLES_PER_PAGE): TimeRange[] {
  const span = perPage * TIMEFRAME_MS[timeframe];
  const pages: TimeRange[] = [];
  for (let from = range.from; from < range.to; from += span) pages.push({ from, to: Math.min(from + span, range.to) });
  return pages;
}

/** Windows of at most `perPage` candles covering `range`, newest first. */
export function backwardPages(range: TimeRange, timeframe: Timeframe, perPage = CANDLES_PER_PAGE): TimeRange[] {
  const span = perPage * TIMEFRAME_MS[timeframe];
  const pages: TimeRange[] = [];
  for (let to = range.to; to > range.from; to -= span) pages.push({ from: Math.max(to - span, range.from), to });
  return pages;
}

export function pageCount(plan: FillPlan, timeframe: Timeframe, perPage = CANDLES_PER_PAGE): number {
  const span = perPage * TIMEFRAME_MS[timeframe];
  const count = (range: TimeRange | null) => (range ? Math.ceil((range.to - range.from) / span) : 0);
  return count(plan.before) + count(plan.after);
}

/**
 * Where the known span ends after a forward fill up to `fillEnd` whose newest candle opened at `lastTime`
 * (NaN: none at all since `start`): the newest PROVISIONAL_CANDLES that did not come are asked for again next time.
 */
export function coveredAfterForwardFill(
  start: number,
  fillEnd: number,
  lastTime: number,
  timeframe: Timeframe,
): number {
  const size = TIMEFRAME_MS[timeframe];
  const received = Number.isNaN(lastTime) ? start : lastTime + size;
  return Math.min(fillEnd, Math.max(start, received, fillEnd - PROVISIONAL_CANDLES * size));
}
