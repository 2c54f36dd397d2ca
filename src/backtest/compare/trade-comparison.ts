import type { Direction } from '../../bots/engine/bot.types';
import { round } from '../../bots/engine/profit';

/**
 * Trade-by-trade comparison of the trades a service recorded (live or dry run) with the trades a backtest of the
 * same window produced (docs/backtest.md, "Comparing with live trades"). Pure: two lists in, pairs, the unmatched
 * trades of each side and totals out; the same input always gives the same answer.
 */

/** The fields of a closed trade the comparison reads: a /api/bots/trades record and a backtested trade both fit. */
export interface ComparableTrade {
  id: string;
  symbol: string;
  direction: Direction;
  /** Entry time, epoch ms. */
  entry_timestamp: number;
  /** Exit time, epoch ms. */
  close_time_ms: number;
  entry_price: number;
  exit_price: number;
  close_reason: string;
  /** PnL after fees, USDT. */
  net_pnl: number;
}

export interface TradeComparisonOptions {
  /** Largest entry-time gap (ms) at which a live and a backtested trade of the same coin and side are one trade. */
  toleranceMs: number;
  /** At most this many trades of each side are compared (the earliest by entry); default MAX_COMPARED_TRADES. */
  maxTrades?: number;
}

/** Bound on the trades compared per side, so one request's work and answer stay bounded. */
export const MAX_COMPARED_TRADES = 10_000;

/** One live trade paired with its backtested twin. Differences are live − backtest. */
export interface MatchedTradePair {
  symbol: string;
  direction: Direction;
  live_id: string;
  backtest_id: string;
  live_entry_time_ms: number;
  backtest_entry_time_ms: number;
  entry_time_diff_ms: number;
  exit_time_diff_ms: number;
  live_entry_price: number;
  backtest_entry_price: number;
  entry_price_diff: number;
  /** entry_price_diff in % of the backtested entry price. */
  entry_price_diff_pct: number;
  live_exit_price: number;
  backtest_exit_price: number;
  exit_price_diff: number;
  /** exit_price_diff in % of the backtested exit price. */
  exit_price_diff_pct: number;
  live_close_reason: string;
  backtest_close_reason: string;
  close_reason_equal: boolean;
  live_net_pnl: number;
  backtest_net_pnl: number;
  net_pnl_diff: number;
}

/** A trade the other side has no twin for. */
export interface UnmatchedTrade {
  id: string;
  symbol: string;
  direction: Direction;
  entry_time_ms: number;
  close_time_ms: number;
  entry_price: number;
  exit_price: number;
  close_reason: string;
  net_pnl: number;
}

export interface TradeComparisonTotals {
  /** Trades compared on each side (after the cap). */
  live_trades: number;
  backtest_trades: number;
  /** Trades left out by the cap (the latest by entry). */
  live_not_compared: number;
  backtest_not_compared: number;
  matched: number;
  live_only: number;
  backtest_only: number;
  /** Share of the compared trades of both sides that found a twin: 2 × matched / (live + backtest), %; null if none. */
  match_rate_pct: number | null;
  /** Matched pairs that closed for the same reason. */
  close_reason_equal: number;
  /** Net PnL of every compared trade of each side, matched or not, and live − backtest. */
  live_net_pnl_usdt: number;
  backtest_net_pnl_usdt: number;
  net_pnl_diff_usdt: number;
  /** Sum of the pairs' net_pnl_diff: the part of the gap that comes from trades both sides made. */
  matched_net_pnl_diff_usdt: number;
}

export interface TradeComparison {
  tolerance_ms: number;
  max_trades: number;
  /** In the backtest's entry order. */
  matched: MatchedTradePair[];
  /** In entry order (ties by symbol). */
  live_only: UnmatchedTrade[];
  backtest_only: UnmatchedTrade[];
  totals: TradeComparisonTotals;
}

/** Entry time, then symbol, direction and id: the order both sides are capped and walked in. */
function byEntry(a: ComparableTrade, b: ComparableTrade): number {
  return (
    a.entry_timestamp - b.entry_timestamp ||
    compareText(a.symbol, b.symbol) ||
    compareText(a.direction, b.direction) ||
    compareText(a.id, b.id)
  );
}

/** Code-unit order: the same on every machine and locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Percent of `base`, 0 when there is no base to measure against. */
function percentOf(diff: number, base: number): number {
  return base !== 0 ? round((diff / Math.abs(base)) * 100, 6) : 0;
}

function unmatched(t: ComparableTrade): UnmatchedTrade {
  return {
    id: t.id,
    symbol: t.symbol,
    direction: t.direction,
    entry_time_ms: t.entry_timestamp,
    close_time_ms: t.close_time_ms,
    entry_price: t.entry_price,
    exit_price: t.exit_price,
    close_reason: t.close_reason,
    net_pnl: t.net_pnl,
  };
}

function pair(live: ComparableTrade, backtest: ComparableTrade): MatchedTradePair {
  const entryPriceDiff = round(live.entry_price - backtest.entry_price);
  const exitPriceDiff = round(live.exit_price - backtest.exit_price);
  return {
    symbol: backtest.symbol,
    direction: backtest.direction,
    live_id: live.id,
    backtest_id: backtest.id,
    live_entry_time_ms: live.entry_timestamp,
    backtest_entry_time_ms: backtest.entry_timestamp,
    entry_time_diff_ms: live.entry_timestamp - backtest.entry_timestamp,
    exit_time_diff_ms: live.close_time_ms - backtest.close_time_ms,
    live_entry_price: live.entry_price,
    backtest_entry_price: backtest.entry_price,
    entry_price_diff: entryPriceDiff,
    entry_price_diff_pct: percentOf(entryPriceDiff, backtest.entry_price),
    live_exit_price: live.exit_price,
    backtest_exit_price: backtest.exit_price,
    exit_price_diff: exitPriceDiff,
    exit_price_diff_pct: percentOf(exitPriceDiff, backtest.exit_price),
    live_close_reason: live.close_reason,
    backtest_close_reason: backtest.close_reason,
    close_reason_equal: live.close_reason === backtest.close_reason,
    live_net_pnl: live.net_pnl,
    backtest_net_pnl: backtest.net_pnl,
    net_pnl_diff: round(live.net_pnl - backtest.net_pnl),
  };
}

/**
 * The live trades of one coin and side, in entry order, with "nearest unmatched index" links on both sides
 * (union-find with path compression), so a long run of taken trades is skipped in near-constant time.
 */
class CandidateLane {
  private readonly times: number[];
  /** nextFree[i]: smallest free index ≥ i (length = none). prevFree[i + 1]: largest free index ≤ i (−1 = none). */
  private readonly nextFree: Int32Array;
  private readonly prevFree: Int32Array;

  constructor(readonly trades: ComparableTrade[]) {
    this.times = trades.map((t) => t.entry_timestamp);
    this.nextFree = Int32Array.from({ length: trades.length + 1 }, (_, i) => i);
    this.prevFree = Int32Array.from({ length: trades.length + 1 }, (_, i) => i - 1);
  }

  /** Takes and returns the free trade whose entry is nearest `time` within `tolerance` (the earlier on a tie). */
  take(time: number, tolerance: number): ComparableTrade | null {
    const split = this.firstAtOrAfter(time);
    const right = this.findNext(split);
    const left = this.findPrev(split - 1);
    const rightGap = right < this.trades.length ? this.times[right] - time : Infinity;
    const leftGap = left >= 0 ? time - this.times[left] : Infinity;
    if (Math.min(leftGap, rightGap) > tolerance) return null;
    // Among free trades entered at the same time, the first in order (lowest id), on either side.
    const index = leftGap <= rightGap ? this.findNext(this.firstAtOrAfter(this.times[left])) : right;
    this.nextFree[index] = index + 1;
    this.prevFree[index + 1] = index - 1;
    return this.trades[index];
  }

  private firstAtOrAfter(time: number): number {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.times[mid] < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private findNext(i: number): number {
    let root = i;
    while (this.nextFree[root] !== root) root = this.nextFree[root];
    for (let k = i; k !== root;) {
      const up = this.nextFree[k];
      this.nextFree[k] = root;
      k = up;
    }
    return root;
  }

  /** Largest free index ≤ i, or −1. Stored shifted by one so −1 has a slot. */
  private findPrev(i: number): number {
    let root = i + 1;
    while (root > 0 && this.prevFree[root] !== root - 1) root = this.prevFree[root] + 1;
    for (let k = i + 1; k !== root;) {
      const up = this.prevFree[k] + 1;
      this.prevFree[k] = root - 1;
      k = up;
    }
    return root - 1;
  }
}

/**
 * Pairs live and backtested trades and measures how far each pair is apart.
 *
 * Matching: same symbol and direction, entry times at most `toleranceMs` apart. Greedy by time: the backtested
 * trades are taken in entry order (ties by symbol, direction, id) and each takes the free live trade whose entry is
 * nearest its own, the earlier one on an equal gap. Each trade is used at most once.
 *
 * Bounded: each side is sorted by entry and cut to `maxTrades` (default 10 000) before matching; what the cut left
 * out is counted in the totals. Work is O(n log n).
 */
export function compareTrades(
  live: readonly ComparableTrade[],
  backtested: readonly ComparableTrade[],
  options: TradeComparisonOptions,
): TradeComparison {
  const { toleranceMs } = options;
  const maxTrades = options.maxTrades ?? MAX_COMPARED_TRADES;
  if (!Number.isFinite(toleranceMs) || toleranceMs < 0) {
    throw new RangeError(`toleranceMs must be a finite number ≥ 0, got ${toleranceMs}`);
  }
  if (!Number.isInteger(maxTrades) || maxTrades < 1) {
    throw new RangeError(`maxTrades must be a positive integer, got ${maxTrades}`);
  }
  const liveSorted = [...live].sort(byEntry);
  const backtestSorted = [...backtested].sort(byEntry);
  const liveCompared = liveSorted.slice(0, maxTrades);
  const backtestCompared = backtestSorted.slice(0, maxTrades);

  const lanes = new Map<string, CandidateLane>();
  const laneKey = (t: ComparableTrade) => `${t.symbol}\u0000${t.direction}`;
  const grouped = new Map<string, ComparableTrade[]>();
  for (const t of liveCompared) {
    const key = laneKey(t);
    const list = grouped.get(key);
    if (list) list.push(t);
    else grouped.set(key, [t]);
  }
  for (const [key, list] of grouped) lanes.set(key, new CandidateLane(list));

  const matched: MatchedTradePair[] = [];
  const backtestOnly: UnmatchedTrade[] = [];
  const taken = new Set<ComparableTrade>();
  for (const b of backtestCompared) {
    const twin = lanes.get(laneKey(b))?.take(b.entry_timestamp, toleranceMs) ?? null;
    if (twin) {
      taken.add(twin);
      matched.push(pair(twin, b));
    } else {
      backtestOnly.push(unmatched(b));
    }
  }
  const liveOnly = liveCompared.filter((t) => !taken.has(t)).map(unmatched);

  const sum = (list: readonly ComparableTrade[]) => round(list.reduce((s, t) => s + t.net_pnl, 0));
  const liveNet = sum(liveCompared);
  const backtestNet = sum(backtestCompared);
  const compared = liveCompared.length + backtestCompared.length;
  return {
    tolerance_ms: toleranceMs,
    max_trades: maxTrades,
    matched,
    live_only: liveOnly,
    backtest_only: backtestOnly,
    totals: {
      live_trades: liveCompared.length,
      backtest_trades: backtestCompared.length,
      live_not_compared: liveSorted.length - liveCompared.length,
      backtest_not_compared: backtestSorted.length - backtestCompared.length,
      matched: matched.length,
      live_only: liveOnly.length,
      backtest_only: backtestOnly.length,
      match_rate_pct: compared > 0 ? round(((2 * matched.length) / compared) * 100, 4) : null,
      close_reason_equal: matched.filter((p) => p.close_reason_equal).length,
      live_net_pnl_usdt: liveNet,
      backtest_net_pnl_usdt: backtestNet,
      net_pnl_diff_usdt: round(liveNet - backtestNet),
      matched_net_pnl_diff_usdt: round(matched.reduce((s, p) => s + p.net_pnl_diff, 0)),
    },
  };
}
