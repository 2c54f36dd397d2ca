// What a replay computes from the candles alone, whatever the settings (docs/backtest-engine.md, "Reuse across
// runs"): built once per universe of candles and shared by every runBacktest over it — the optimizer's worker builds
// it once and replays every candidate on it.
import { checkMaturity, type MaturityParams } from '../../maturity/maturity.rules';
import { computeRsiSeries, round2, RSI_PERIOD } from '../../rsi/indicators/rsi';
import type { BacktestSymbol, ReplayCandles } from './backtest.types';
import { timeGrid } from './replay-setup';

/** Maturity answers kept per set of maturity settings; a run uses one or a few (per-coin overrides). */
const MATURITY_MEMO_SIZE = 8;
/** "Never mature" in the maturity memo. */
const NEVER = 0x7fffffff;
/** "Not computed yet" in the maturity memo. */
const UNKNOWN = -1;

export class PreparedUniverse {
  readonly n: number;
  /** Every candle open time of the universe, ascending (timeGrid). */
  readonly grid: Float64Array;
  /** RSI (unrounded) at each candle index of each coin; NaN before the first value. */
  readonly rsiAt: Float64Array[];
  /** The live RSI history of each coin (one value per smoothing step): a prefix of it is the history at any candle. */
  readonly rsiHistory: Float64Array[];
  /** round2 of rsiAt (the value every decision reads). */
  readonly rsiRounded: Float64Array[];
  /** Coins with a candle at each grid step. */
  readonly presentCount: Int32Array;
  /** Grid step of each coin's first candle (grid.length when it has none). */
  private readonly firstStep: Int32Array;
  /** Grid steps from the first candle to the last; a coin without gaps has one candle per step of its span. */
  private readonly span: Int32Array;
  /** Candles the grid walk reaches (all of them when their open times ascend). */
  private readonly reached: Int32Array;
  /** Per step of the span: the candle at that step or -1 (null: no gaps, the candle index is the step offset). */
  private readonly atStep: Array<Int32Array | null>;
  /** Per step of the span: the last candle at or before it. */
  private readonly lastAtStep: Array<Int32Array | null>;
  private readonly candles: ReplayCandles[];
  private readonly maturity = new Map<string, Int32Array>();

  constructor(
    universe: readonly BacktestSymbol[],
    readonly tfMs: number,
  ) {
    this.n = universe.length;
    this.candles = universe.map((coin) => coin.candles);
    this.grid = timeGrid(universe, tfMs);
    this.presentCount = new Int32Array(this.grid.length);
    this.firstStep = new Int32Array(this.n);
    this.span = new Int32Array(this.n);
    this.reached = new Int32Array(this.n);
    this.atStep = [];
    this.lastAtStep = [];
    this.rsiAt = [];
    this.rsiHistory = [];
    this.rsiRounded = [];
    universe.forEach((coin, s) => {
      this.placeOnGrid(s, coin.candles);
      this.computeRsi(coin.candles);
    });
  }

  /** True when `universe` has exactly the candles this was built from (the settings may differ). */
  fits(universe: readonly BacktestSymbol[], tfMs: number): boolean {
    return (
      tfMs === this.tfMs && universe.length === this.n && universe.every((coin, s) => coin.candles === this.candles[s])
    );
  }

  /** Index of coin s's candle at grid step g, or -1 when it has none there. */
  indexAt(s: number, g: number): number {
    const k = g - this.firstStep[s];
    if (k < 0 || k >= this.span[s]) return -1;
    const map = this.atStep[s];
    return map === null ? k : map[k];
  }

  /** Index of coin s's last candle at or before grid step g (the replay's cursor − 1), or -1. */
  lastIndexAt(s: number, g: number): number {
    const k = g - this.firstStep[s];
    if (k < 0) return -1;
    if (k >= this.span[s]) return this.reached[s] - 1;
    const map = this.lastAtStep[s];
    return map === null ? k : map[k];
  }

  /**
   * The first candle index from which coin s counts as mature (once mature, always mature, as the maturity store),
   * `Infinity` when never. The replay checks maturity at every close from which it decides (`fromMs`) once the RSI
   * exists, so this is the first such candle whose closes pass checkMaturity. Computed once per coin and setting.
   */
  firstMatureIndex(s: number, params: MaturityParams, fromMs: number): number {
    const key = `${params.minCandles}|${params.minRsiLow}|${params.maxRsiHigh}|${params.timeframe}|${fromMs}`;
    let memo = this.maturity.get(key);
    if (!memo) {
      memo = new Int32Array(this.n).fill(UNKNOWN);
      if (this.maturity.size >= MATURITY_MEMO_SIZE) this.maturity.delete(this.maturity.keys().next().value as string);
      this.maturity.set(key, memo);
    }
    if (memo[s] === UNKNOWN) memo[s] = this.scanMaturity(s, params, fromMs);
    return memo[s] === NEVER ? Infinity : memo[s];
  }

  private scanMaturity(s: number, params: MaturityParams, fromMs: number): number {
    const c = this.candles[s];
    const rsi = this.rsiAt[s];
    for (let i = 0; i < this.reached[s]; i++) {
      if (c.time[i] + this.tfMs < fromMs || !Number.isFinite(rsi[i]) || i + 1 < params.minCandles) continue;
      if (checkMaturity(c.close.subarray(0, i + 1), params).is_mature) return i;
    }
    return NEVER;
  }

  /**
   * Walks the grid as the replay loop does (a coin's next candle counts when its open time is the grid time), and
   * keeps the step of each candle compactly: a coin without gaps needs its first step only.
   */
  private placeOnGrid(s: number, c: ReplayCandles): void {
    const steps: number[] = [];
    let next = 0;
    for (let g = 0; g < this.grid.length && next < c.length; g++) {
      if (c.time[next] !== this.grid[g]) continue;
      steps.push(g);
      this.presentCount[g]++;
      next++;
    }
    if (steps.length === 0) {
      this.firstStep[s] = this.grid.length;
      this.atStep.push(null);
      this.lastAtStep.push(null);
      return;
    }
    this.reached[s] = steps.length;
    const first = steps[0];
    const span = steps[steps.length - 1] - first + 1;
    this.firstStep[s] = first;
    this.span[s] = span;
    // A candle the walk never reached (times not ascending) is not replayed, as before: the coin then has a gap map.
    if (span === steps.length && steps.length === c.length) {
      this.atStep.push(null);
      this.lastAtStep.push(null);
      return;
    }
    const at = new Int32Array(span).fill(-1);
    const last = new Int32Array(span);
    steps.forEach((g, i) => (at[g - first] = i));
    for (let k = 0, seen = -1; k < span; k++) {
      if (at[k] >= 0) seen = at[k];
      last[k] = seen;
    }
    this.atStep.push(at);
    this.lastAtStep.push(last);
  }

  private computeRsi(c: ReplayCandles): void {
    // One Wilder pass per coin: the value at candle i reads closes 0..i only, so it equals the live incremental RSI.
    const closes = c.close.subarray(0, c.length);
    const { history } = computeRsiSeries(closes, RSI_PERIOD, { round: false });
    const at = new Float64Array(closes.length).fill(NaN);
    if (closes.length > RSI_PERIOD) {
      const seed = computeRsiSeries(closes.subarray(0, RSI_PERIOD + 1), RSI_PERIOD, { round: false }).rsi;
      at[RSI_PERIOD] = seed ?? NaN;
      at.set(history, RSI_PERIOD + 1);
    }
    this.rsiAt.push(at);
    this.rsiHistory.push(history);
    this.rsiRounded.push(at.map(round2));
  }
}

/** Builds the setting-independent part of a replay of `universe` once, for many runBacktest calls over it. */
export function prepareUniverse(universe: readonly BacktestSymbol[], tfMs: number): PreparedUniverse {
  return new PreparedUniverse(universe, tfMs);
}
