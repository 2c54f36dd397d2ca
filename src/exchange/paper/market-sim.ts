/**
 * The paper market: one price path per symbol, a pure function of (seed, symbol, time).
 *
 * Layers, coarse to fine:
 * - 6h boundary log-prices X(n) (n = absolute 6h index since the epoch) =
 *   log(base) + slow level waves (smooth value noise) + Y(n), where Y is a mean-reverting walk
 *   driven by regime-dependent volatility, oversold/overbought drift episodes with rebounds, and
 *   rare pump/dump jumps. Y forgets its start within a block, so each 1024-candle block is computed
 *   from a zero state one block earlier: any candle is reproducible without simulating from the epoch.
 * - Candle n opens at X(n) and closes at X(n+1); its wicks are drawn from the Brownian-bridge
 *   maximum/minimum law.
 * - Minute prices inside a candle run open -> high/low pivots -> close along seeded Bessel(3) bridges
 *   (Brownian motion split at its extremes), so every sub-candle price lies inside the candle and the
 *   candle's high and low are actually traded.
 * The price at a time t is the minute price of the minute containing t (a step function).
 */
import type { Candle, CandleColumns, MarketInfo, Ticker, Timeframe } from '../exchange.types';
import { TIMEFRAME_MS, candlesToColumns, columnsToCandles, emptyColumns } from '../exchange.types';
import { deriveKey, gaussAt, hashAt, uniformAt } from './rng';
import { MATURE_MIN_CANDLES, YOUNG_MAX_CANDLES, YOUNG_MIN_CANDLES, buildUniverse, type SymbolSpec } from './symbols';

/** Math captured once: global lookups are very slow inside jest's vm sandbox, and this code is hot. */
const math = Math;

export const MINUTE_MS = 60_000;
export const CANDLE_MS = TIMEFRAME_MS['6h'];
export const MINUTES_PER_CANDLE = CANDLE_MS / MINUTE_MS;
export const MAX_CANDLES_PER_REQUEST = 1000;

/** Candles per generation block; Y is restarted one block earlier, so blocks join seamlessly. */
const BLOCK = 1024;
/** Y's half-life is 36 candles (9 days): after one block the zero start has shrunk to 3e-9. */
const PHI = math.pow(2, -1 / 36);
const BLOCK_CACHE_SIZE = 2;
const PATH_CACHE_SIZE = 3;

/** Slow level waves: (spacing in candles, amplitude as a share of the symbol's levelAmplitude). */
const LEVEL_OCTAVES: ReadonlyArray<readonly [number, number]> = [
  [512, 1],
  [128, 0.45],
];
/** Volatility regimes: (spacing in candles, log amplitude). */
const VOL_OCTAVES: ReadonlyArray<readonly [number, number]> = [
  [48, 0.38],
  [12, 0.18],
];
const VOL_MEAN_CORRECTION = 0.5 * 0.8 * (0.38 * 0.38 + 0.18 * 0.18);

/** Drift episodes: one chance per slot of 64 candles. */
const EPISODE_SLOT = 64;
const EPISODE_PROBABILITY = 0.33;

/** Minute noise relative to sigma/sqrt(360) (1 = the Brownian scaling of the 6h volatility). */
const MINUTE_NOISE = 1;

/** Labels of the independent random streams of a symbol. */
const STREAM = {
  noise: 1,
  level: 2,
  vol: 3,
  episode: 4,
  jump: 5,
  jumpSize: 6,
  wick: 7,
  pivot: 8,
  minute: 9,
  volume: 10,
} as const;

interface Block {
  /** Log price at the open of each candle of the block. */
  x: Float64Array;
  /** Volatility of each candle's log return (wider on jump candles). */
  sigma: Float32Array;
}

/** Minute log prices of one 6h candle, plus cumulative volume weights. */
interface MinutePath {
  n: number;
  logs: Float64Array;
  cumWeight: Float32Array;
}

/** Reusable scratch space for block generation (the simulator is single-threaded). */
const scratchSigma = new Float64Array(2 * BLOCK);
const scratchDrift = new Float64Array(2 * BLOCK);
const scratchX = new Float64Array(MINUTES_PER_CANDLE + 1);
const scratchY = new Float64Array(MINUTES_PER_CANDLE + 1);
const scratchZ = new Float64Array(MINUTES_PER_CANDLE + 1);

/** Adds amp * (Catmull-Rom value noise) over [n0, n0 + count) to out[offset..]. */
function addValueNoise(
  out: Float64Array,
  offset: number,
  n0: number,
  count: number,
  spacing: number,
  key: number,
  amp: number,
): void {
  let cell = math.floor(n0 / spacing);
  let p0 = gaussAt(key, cell - 1);
  let p1 = gaussAt(key, cell);
  let p2 = gaussAt(key, cell + 1);
  let p3 = gaussAt(key, cell + 2);
  for (let i = 0; i < count; i++) {
    const n = n0 + i;
    const c = math.floor(n / spacing);
    if (c !== cell) {
      cell = c;
      p0 = p1;
      p1 = p2;
      p2 = p3;
      p3 = gaussAt(key, cell + 2);
    }
    const t = (n - cell * spacing) / spacing;
    const value =
      0.5 * (2 * p1 + (p2 - p0) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t * t + (3 * (p1 - p2) + p3 - p0) * t * t * t);
    out[offset + i] += amp * value;
  }
}

function floorDiv(a: number, b: number): number {
  return math.floor(a / b);
}

/** One symbol's price path. */
export class SymbolMarket {
  private readonly blocks = new Map<number, Block>();
  private readonly paths: MinutePath[] = [];
  private readonly logBase: number;
  private readonly priceScale: number;
  private readonly qtyScale: number;
  private readonly noiseKey: number;
  private readonly levelKey: number;
  private readonly volKey: number;
  private readonly episodeKey: number;
  private readonly jumpKey: number;
  private readonly jumpSizeKey: number;
  private readonly wickKey: number;
  private readonly pivotKey: number;
  private readonly minuteKey: number;
  private readonly volumeKey: number;

  constructor(readonly spec: SymbolSpec) {
    this.logBase = math.log(spec.basePrice);
    this.priceScale = math.pow(10, spec.priceDecimals);
    this.qtyScale = math.pow(10, spec.qtyDecimals);
    this.noiseKey = deriveKey(spec.key, STREAM.noise);
    this.levelKey = deriveKey(spec.key, STREAM.level);
    this.volKey = deriveKey(spec.key, STREAM.vol);
    this.episodeKey = deriveKey(spec.key, STREAM.episode);
    this.jumpKey = deriveKey(spec.key, STREAM.jump);
    this.jumpSizeKey = deriveKey(spec.key, STREAM.jumpSize);
    this.wickKey = deriveKey(spec.key, STREAM.wick);
    this.pivotKey = deriveKey(spec.key, STREAM.pivot);
    this.minuteKey = deriveKey(spec.key, STREAM.minute);
    this.volumeKey = deriveKey(spec.key, STREAM.volume);
  }

  /** Rounds a price to the tick (monotone, so rounding never breaks low <= open/close <= high). */
  roundPrice(price: number): number {
    return math.round(price * this.priceScale) / this.priceScale;
  }

  roundQty(qty: number): number {
    return math.round(qty * this.qtyScale) / this.qtyScale;
  }

  /** Rounds a quantity down to the qty step (a hair of tolerance for float noise such as 0.30000000000000004). */
  floorQty(qty: number): number {
    return math.floor(qty * this.qtyScale + 1e-9) / this.qtyScale;
  }

  private priceOfLog(logPrice: number): number {
    return this.roundPrice(math.exp(logPrice));
  }

  // ---- listing ---------------------------------------------------------------------------------

  /** First 6h candle index that exists at clock candle k (young coins are relisted on a rolling schedule). */
  firstCandle(k: number): number {
    const phase = this.spec.youngPhase;
    if (phase !== null) {
      const span = YOUNG_MAX_CANDLES - YOUNG_MIN_CANDLES + 1;
      const available = YOUNG_MIN_CANDLES + ((((k + phase) % span) + span) % span);
      return k - available + 1;
    }
    return math.min(floorDiv(this.spec.listedAt, CANDLE_MS), k - MATURE_MIN_CANDLES + 1);
  }

  // ---- 6h boundary process ---------------------------------------------------------------------

  private block(b: number): Block {
    const cached = this.blocks.get(b);
    if (cached) {
      this.blocks.delete(b);
      this.blocks.set(b, cached);
      return cached;
    }
    const block = this.computeBlock(b);
    this.blocks.set(b, block);
    if (this.blocks.size > BLOCK_CACHE_SIZE) this.blocks.delete(this.blocks.keys().next().value as number);
    return block;
  }

  /** Forgets cached blocks older than block b (they are recomputed, identically, if asked for again). */
  private dropBlocksBefore(b: number): void {
    for (const cached of [...this.blocks.keys()]) if (cached < b) this.blocks.delete(cached);
  }

  private computeBlock(b: number): Block {
    const spec = this.spec;
    const start = (b - 1) * BLOCK;
    const length = 2 * BLOCK;

    // Volatility regimes.
    scratchSigma.fill(0, 0, length);
    for (const [spacing, amp] of VOL_OCTAVES) {
      addValueNoise(scratchSigma, 0, start, length, spacing, deriveKey(this.volKey, spacing), amp);
    }
    for (let i = 0; i < length; i++) {
      const multiplier = math.exp(scratchSigma[i] - VOL_MEAN_CORRECTION);
      scratchSigma[i] = spec.sigma * math.min(3, math.max(0.35, multiplier));
    }

    // Oversold / overbought episodes: a run of same-signed drift, often followed by a rebound.
    scratchDrift.fill(0, 0, length);
    const firstSlot = floorDiv(start, EPISODE_SLOT);
    const lastSlot = floorDiv(start + length - 1, EPISODE_SLOT);
    for (let slot = firstSlot; slot <= lastSlot; slot++) {
      const key = deriveKey(this.episodeKey, slot >>> 0);
      if (uniformAt(key, 0) >= EPISODE_PROBABILITY) continue;
      const direction = uniformAt(key, 1) < 0.5 ? -1 : 1;
      const duration = 8 + math.floor(uniformAt(key, 2) * 14);
      const strength = 0.5 + 0.8 * uniformAt(key, 3);
      const rebound = uniformAt(key, 4) < 0.55 ? math.floor(duration * 0.6) + 2 : 0;
      const offset = math.floor(uniformAt(key, 5) * (EPISODE_SLOT - duration - rebound));
      const episodeStart = slot * EPISODE_SLOT + offset;
      for (let d = 0; d < duration + rebound; d++) {
        const i = episodeStart + d - start;
        if (i < 0 || i >= length) continue;
        scratchDrift[i] =
          d < duration ? direction * strength * scratchSigma[i] : -direction * 0.6 * strength * scratchSigma[i];
      }
    }

    const x = new Float64Array(BLOCK);
    const sigma = new Float32Array(BLOCK);
    const noiseKey = this.noiseKey;
    const jumpKey = this.jumpKey;
    const jumpThreshold = spec.jumpRate * 0x1_0000_0000;
    let y = 0;
    for (let i = 0; i < length; i++) {
      const n = start + i;
      const s = scratchSigma[i];
      let jump = 0;
      if (hashAt(jumpKey, n) < jumpThreshold) {
        const size = uniformAt(this.jumpSizeKey, n);
        // Mostly pumps (+18..48 %), sometimes dumps (-18..-35 %): bodies past the exit-scam limit of 15 %.
        jump = size < 0.75 ? math.log(1.18 + 0.4 * size) : math.log(0.82 - 0.17 * ((size - 0.75) / 0.25));
      }
      if (i >= BLOCK) {
        x[i - BLOCK] = y;
        sigma[i - BLOCK] = jump === 0 ? s : 1.8 * s;
      }
      y = PHI * y + s * gaussAt(noiseKey, n) + scratchDrift[i] + jump;
    }

    const level = new Float64Array(BLOCK);
    for (const [spacing, share] of LEVEL_OCTAVES) {
      addValueNoise(
        level,
        0,
        b * BLOCK,
        BLOCK,
        spacing,
        deriveKey(this.levelKey, spacing),
        share * spec.levelAmplitude,
      );
    }
    for (let i = 0; i < BLOCK; i++) x[i] += this.logBase + level[i];
    return { x, sigma };
  }

  /** Log price at the open of 6h candle n. */
  logOpen(n: number): number {
    const b = floorDiv(n, BLOCK);
    return this.block(b).x[n - b * BLOCK];
  }

  private sigmaOf(n: number): number {
    const b = floorDiv(n, BLOCK);
    return this.block(b).sigma[n - b * BLOCK];
  }

  /** Log high of the last wicks() call (fields instead of a tuple: this runs for every candle served). */
  private wickHigh = 0;
  private wickLow = 0;

  /** Log high/low of candle n: Brownian-bridge extremes between its open and close, into wickHigh/wickLow. */
  private wicks(n: number, open: number, close: number, sigma: number): void {
    // P(max > m) = exp(-2 (m - open)(m - close) / sigma^2), solved for m at a uniform draw.
    const twiceVariance = 2 * sigma * sigma;
    const mid = open + close;
    const gap = (open - close) * (open - close);
    this.wickHigh = (mid + math.sqrt(gap - twiceVariance * math.log(uniformAt(this.wickKey, 2 * n)))) / 2;
    this.wickLow = (mid - math.sqrt(gap - twiceVariance * math.log(uniformAt(this.wickKey, 2 * n + 1)))) / 2;
  }

  /** Coins traded in candle n: turnover grows with the volatility regime and the candle's move. */
  private candleVolume(n: number, open: number, close: number, sigma: number, midPrice: number): number {
    const activity = (sigma / this.spec.sigma) * (0.6 + (1.2 * math.abs(close - open)) / sigma);
    const noise = math.max(0.25, 1 + 0.3 * gaussAt(this.volumeKey, n));
    return (this.spec.turnover6h * activity * noise) / midPrice;
  }

  private fullCandleVolume(n: number): number {
    const open = this.logOpen(n);
    const close = this.logOpen(n + 1);
    return this.candleVolume(n, open, close, this.sigmaOf(n), math.exp((open + close) / 2));
  }

  // ---- minute path -----------------------------------------------------------------------------

  /** Minute log prices of candle n: a bridge open -> pivots (high, low in seeded order) -> close. */
  minutePath(n: number): MinutePath {
    for (const path of this.paths) if (path.n === n) return path;
    const path = this.computeMinutePath(n);
    this.paths.unshift(path);
    if (this.paths.length > PATH_CACHE_SIZE) this.paths.pop();
    return path;
  }

  /**
   * Minute log prices of candle n. The path is split at its high and low (Williams' decomposition of
   * Brownian motion at its extremes): each leg is the extreme minus (or plus) a Bessel(3) bridge, built
   * as the norm of a 3-d Brownian bridge, so it approaches the extreme from the right side without ever
   * crossing it. The other bound is kept by reflection.
   */
  private computeMinutePath(n: number): MinutePath {
    const open = this.logOpen(n);
    const close = this.logOpen(n + 1);
    const sigma = this.sigmaOf(n);
    this.wicks(n, open, close, sigma);
    const high = this.wickHigh;
    const low = this.wickLow;
    const last = MINUTES_PER_CANDLE - 1;
    // Where the extremes sit: reaching a level takes time ~ distance^2, so a high far above the open and
    // close to the close comes late. Jittered around that, and kept apart.
    const pivotTime = (distanceFromOpen: number, distanceToClose: number, label: number): number => {
      const a = distanceFromOpen * distanceFromOpen;
      const b = distanceToClose * distanceToClose;
      const centre = a + b > 0 ? a / (a + b) : 0.5;
      const share = centre + (uniformAt(this.pivotKey, 2 * n + label) - 0.5) * 1.2 * math.min(centre, 1 - centre);
      return 1 + math.round(share * (last - 2));
    };
    const highAt = pivotTime(high - open, high - close, 0);
    let lowAt = pivotTime(open - low, close - low, 1);
    if (lowAt === highAt) lowAt = highAt < last - 1 ? highAt + 1 : highAt - 1;

    const logs = new Float64Array(MINUTES_PER_CANDLE);
    const minuteSigma = (MINUTE_NOISE * sigma) / math.sqrt(MINUTES_PER_CANDLE);
    const highFirst = highAt < lowAt;
    const first = highFirst ? highAt : lowAt;
    const second = highFirst ? lowAt : highAt;
    const firstValue = highFirst ? high : low;
    const secondValue = highFirst ? low : high;
    const firstSign = highFirst ? -1 : 1; // path = extreme + sign * R
    // open -> first extreme, first extreme -> second extreme, second extreme -> close.
    this.bridgeLeg(logs, n, 0, first, firstValue, firstSign, math.abs(firstValue - open), 0, minuteSigma, low, high);
    this.bridgeLeg(
      logs,
      n,
      first,
      second,
      firstValue,
      firstSign,
      0,
      math.abs(secondValue - firstValue),
      minuteSigma,
      low,
      high,
    );
    this.bridgeLeg(
      logs,
      n,
      second,
      last,
      secondValue,
      -firstSign,
      0,
      math.abs(close - secondValue),
      minuteSigma,
      low,
      high,
    );
    logs[0] = open;
    logs[last] = close;
    logs[highAt] = high;
    logs[lowAt] = low;

    // Volume follows activity: a floor plus the size of each minute's move.
    const cumWeight = new Float32Array(MINUTES_PER_CANDLE);
    let total = 0;
    let previous = open;
    for (let j = 0; j < MINUTES_PER_CANDLE; j++) {
      total += 0.3 + math.abs(logs[j] - previous) / minuteSigma;
      cumWeight[j] = total;
      previous = logs[j];
    }
    return { n, logs, cumWeight };
  }

  /**
   * Fills logs[from..to] with extreme + sign * R, R a Bessel(3) bridge from r0 to r1 (one of them 0),
   * reflected back inside [low, high] on the far side.
   */
  private bridgeLeg(
    logs: Float64Array,
    n: number,
    from: number,
    to: number,
    extreme: number,
    sign: number,
    r0: number,
    r1: number,
    minuteSigma: number,
    low: number,
    high: number,
  ): void {
    const span = to - from;
    const key = this.minuteKey;
    const base = 3 * (n * MINUTES_PER_CANDLE + from);
    scratchX[0] = 0;
    scratchY[0] = 0;
    scratchZ[0] = 0;
    for (let i = 1; i <= span; i++) {
      scratchX[i] = scratchX[i - 1] + minuteSigma * gaussAt(key, base + 3 * i);
      scratchY[i] = scratchY[i - 1] + minuteSigma * gaussAt(key, base + 3 * i + 1);
      scratchZ[i] = scratchZ[i - 1] + minuteSigma * gaussAt(key, base + 3 * i + 2);
    }
    const endX = scratchX[span];
    const endY = scratchY[span];
    const endZ = scratchZ[span];
    for (let i = 0; i <= span; i++) {
      const share = i / span;
      const x = r0 + (r1 - r0) * share + scratchX[i] - share * endX;
      const y = scratchY[i] - share * endY;
      const z = scratchZ[i] - share * endZ;
      let value = extreme + sign * math.sqrt(x * x + y * y + z * z);
      if (value > high) value = 2 * high - value;
      if (value < low) value = 2 * low - value;
      logs[from + i] = math.min(high, math.max(low, value));
    }
  }

  /** Log price at absolute minute m. */
  logAtMinute(m: number): number {
    const n = floorDiv(m, MINUTES_PER_CANDLE);
    return this.minutePath(n).logs[m - n * MINUTES_PER_CANDLE];
  }

  /** Traded price at time t (rounded to the tick). */
  priceAt(t: number): number {
    return this.priceOfLog(this.logAtMinute(floorDiv(t, MINUTE_MS)));
  }

  /** Last price with a one-tick spread either side: buys fill at the ask, sells at the bid. */
  quote(now: number): { last: number; bid: number; ask: number } {
    return this.quoteOf(this.priceAt(now));
  }

  private quoteOf(last: number): { last: number; bid: number; ask: number } {
    const tick = this.spec.tickSize;
    return { last, bid: this.roundPrice(last - tick), ask: this.roundPrice(last + tick) };
  }

  // ---- candles ---------------------------------------------------------------------------------

  /**
   * 6h candles n0..k at time `now` (k = the candle containing now, still forming), oldest first, written straight
   * into columns (a coin load asks for 1000 per symbol: no object per candle, docs/whole-service-bench.md).
   * Completed candles come straight from the boundary process; the forming one from the minute path.
   */
  candles6hColumns(n0: number, now: number): CandleColumns {
    const nowMinute = floorDiv(now, MINUTE_MS);
    const k = floorDiv(nowMinute, MINUTES_PER_CANDLE);
    const out = emptyColumns(n0 > k ? 0 : k - n0 + 1);
    if (out.length === 0) return out;
    const scale = this.priceScale;
    let b = floorDiv(n0, BLOCK);
    let block = this.block(b);
    let close = block.x[n0 - b * BLOCK];
    let closePrice = math.exp(close);
    for (let n = n0; n < k; n++) {
      let i = n - b * BLOCK;
      if (i >= BLOCK) {
        b += 1;
        i -= BLOCK;
        block = this.block(b);
      }
      const open = close;
      const openPrice = closePrice;
      const sigma = block.sigma[i];
      close = i + 1 < BLOCK ? block.x[i + 1] : this.logOpen(n + 1);
      closePrice = math.exp(close);
      this.wicks(n, open, close, sigma);
      const at = n - n0;
      out.time[at] = n * CANDLE_MS;
      out.open[at] = math.round(openPrice * scale) / scale;
      out.high[at] = math.round(math.exp(this.wickHigh) * scale) / scale;
      out.low[at] = math.round(math.exp(this.wickLow) * scale) / scale;
      out.close[at] = math.round(closePrice * scale) / scale;
      out.volume[at] = this.roundQty(this.candleVolume(n, open, close, sigma, math.sqrt(openPrice * closePrice)));
    }
    this.writeFormingCandle(out, out.length - 1, k, nowMinute - k * MINUTES_PER_CANDLE);
    // A history read walks old blocks; keep only those the ticker and the forming candle read (k-4 .. k+1).
    this.dropBlocksBefore(floorDiv(k - 4, BLOCK));
    return out;
  }

  /** candles6hColumns as candle objects. */
  candles6h(n0: number, now: number): Candle[] {
    return columnsToCandles(this.candles6hColumns(n0, now));
  }

  private writeFormingCandle(out: CandleColumns, at: number, k: number, minute: number): void {
    const path = this.minutePath(k);
    let high = path.logs[0];
    let low = path.logs[0];
    for (let j = 1; j <= minute; j++) {
      const v = path.logs[j];
      if (v > high) high = v;
      if (v < low) low = v;
    }
    const open = this.logOpen(k);
    const fullVolume = this.fullCandleVolume(k);
    out.time[at] = k * CANDLE_MS;
    out.open[at] = this.priceOfLog(open);
    out.high[at] = this.priceOfLog(high);
    out.low[at] = this.priceOfLog(low);
    out.close[at] = this.priceOfLog(path.logs[minute]);
    out.volume[at] = this.roundQty((fullVolume * path.cumWeight[minute]) / path.cumWeight[MINUTES_PER_CANDLE - 1]);
  }

  /**
   * Candles of `minutes` minutes (a timeframe below 6h) from absolute candle index c0 to the one
   * containing now, as columns. A candle opens at the price of its first minute and closes at the price at its end,
   * i.e. of the next candle's first minute (the forming one at the current price), as the 6h candles do: the price
   * at a close is the candle's close, and the lower timeframes aggregate exactly to the 6h candles.
   */
  minuteCandleColumns(minutes: number, c0: number, now: number): CandleColumns {
    const nowMinute = floorDiv(now, MINUTE_MS);
    const cLast = floorDiv(nowMinute, minutes);
    if (c0 > cLast) return emptyColumns(0);
    const firstMinute = c0 * minutes;
    const count = nowMinute - firstMinute + 1;
    const logs = new Float64Array(count);
    const volumes = new Float64Array(count);
    let m = firstMinute;
    while (m <= nowMinute) {
      const n = floorDiv(m, MINUTES_PER_CANDLE);
      const path = this.minutePath(n);
      const fullVolume = this.fullCandleVolume(n);
      const totalWeight = path.cumWeight[MINUTES_PER_CANDLE - 1];
      const jEnd = math.min(MINUTES_PER_CANDLE - 1, nowMinute - n * MINUTES_PER_CANDLE);
      for (let j = m - n * MINUTES_PER_CANDLE; j <= jEnd; j++, m++) {
        logs[m - firstMinute] = path.logs[j];
        volumes[m - firstMinute] =
          (fullVolume * (path.cumWeight[j] - (j > 0 ? path.cumWeight[j - 1] : 0))) / totalWeight;
      }
    }
    const out = emptyColumns(cLast - c0 + 1);
    for (let c = c0; c <= cLast; c++) {
      const from = c * minutes - firstMinute; // index of this candle's first minute
      const end = math.min(from + minutes, count - 1); // the next candle's first minute (its close), or now
      let high = logs[from];
      let low = high;
      let volume = 0;
      for (let i = from; i <= end; i++) {
        const v = logs[i];
        if (v > high) high = v;
        if (v < low) low = v;
      }
      for (let i = from; i < math.min(from + minutes, count); i++) volume += volumes[i];
      const at = c - c0;
      out.time[at] = c * minutes * MINUTE_MS;
      out.open[at] = this.priceOfLog(logs[from]);
      out.high[at] = this.priceOfLog(high);
      out.low[at] = this.priceOfLog(low);
      out.close[at] = this.priceOfLog(logs[end]);
      out.volume[at] = this.roundQty(volume);
    }
    return out;
  }

  /** minuteCandleColumns as candle objects. */
  minuteCandles(minutes: number, c0: number, now: number): Candle[] {
    return columnsToCandles(this.minuteCandleColumns(minutes, c0, now));
  }

  // ---- triggers --------------------------------------------------------------------------------

  /**
   * First minute in [fromMinute, toMinute] whose price is <= below or >= above (either may be null).
   * Whole candles whose range cannot reach a level are skipped without building their minute path.
   */
  firstTouch(
    fromMinute: number,
    toMinute: number,
    below: number | null,
    above: number | null,
  ): { minute: number; price: number; side: 'below' | 'above' } | null {
    if (below === null && above === null) return null;
    const lo = below ?? -Infinity;
    const hi = above ?? Infinity;
    for (let n = floorDiv(fromMinute, MINUTES_PER_CANDLE); n * MINUTES_PER_CANDLE <= toMinute; n++) {
      const jFrom = math.max(0, fromMinute - n * MINUTES_PER_CANDLE);
      const jTo = math.min(MINUTES_PER_CANDLE - 1, toMinute - n * MINUTES_PER_CANDLE);
      const open = this.logOpen(n);
      const close = this.logOpen(n + 1);
      this.wicks(n, open, close, this.sigmaOf(n));
      if (this.priceOfLog(this.wickLow) > lo && this.priceOfLog(this.wickHigh) < hi) continue;
      const path = this.minutePath(n);
      for (let j = jFrom; j <= jTo; j++) {
        const price = this.priceOfLog(path.logs[j]);
        if (price <= lo) return { minute: n * MINUTES_PER_CANDLE + j, price, side: 'below' };
        if (price >= hi) return { minute: n * MINUTES_PER_CANDLE + j, price, side: 'above' };
      }
    }
    return null;
  }

  // ---- ticker ----------------------------------------------------------------------------------

  ticker(now: number): Ticker {
    const nowMinute = floorDiv(now, MINUTE_MS);
    const k = floorDiv(nowMinute, MINUTES_PER_CANDLE);
    const j = nowMinute - k * MINUTES_PER_CANDLE;
    const current = this.minutePath(k);
    const dayAgo = this.minutePath(k - 4);
    const total = MINUTES_PER_CANDLE - 1;
    let high = -Infinity;
    let low = Infinity;
    let volume = 0;
    let turnover = 0;
    const take = (logHigh: number, logLow: number, vol: number, logMid: number) => {
      if (logHigh > high) high = logHigh;
      if (logLow < low) low = logLow;
      volume += vol;
      turnover += vol * math.exp(logMid);
    };
    // The 24 h window: the tail of candle k-4 after minute j, candles k-3..k-1, and candle k so far.
    {
      let h = -Infinity;
      let l = Infinity;
      for (let i = j + 1; i <= total; i++) {
        h = math.max(h, dayAgo.logs[i]);
        l = math.min(l, dayAgo.logs[i]);
      }
      const open = this.logOpen(k - 4);
      const close = this.logOpen(k - 3);
      const full = this.fullCandleVolume(k - 4);
      if (j < total) {
        take(
          h,
          l,
          (full * (dayAgo.cumWeight[total] - dayAgo.cumWeight[j])) / dayAgo.cumWeight[total],
          (open + close) / 2,
        );
      }
    }
    for (let n = k - 3; n < k; n++) {
      const open = this.logOpen(n);
      const close = this.logOpen(n + 1);
      const sigma = this.sigmaOf(n);
      this.wicks(n, open, close, sigma);
      take(
        this.wickHigh,
        this.wickLow,
        this.candleVolume(n, open, close, sigma, math.exp((open + close) / 2)),
        (open + close) / 2,
      );
    }
    {
      let h = -Infinity;
      let l = Infinity;
      for (let i = 0; i <= j; i++) {
        h = math.max(h, current.logs[i]);
        l = math.min(l, current.logs[i]);
      }
      const open = this.logOpen(k);
      const full = this.fullCandleVolume(k);
      take(h, l, (full * current.cumWeight[j]) / current.cumWeight[total], (open + current.logs[j]) / 2);
    }
    const { last, bid, ask } = this.quoteOf(this.priceOfLog(current.logs[j]));
    const previous = this.priceOfLog(dayAgo.logs[j]);
    return {
      symbol: this.spec.symbol,
      last,
      bid,
      ask,
      mark: last,
      high24h: this.priceOfLog(high),
      low24h: this.priceOfLog(low),
      change24hPercent: math.round(((last - previous) / previous) * 1e6) / 1e4,
      volume24h: this.roundQty(volume),
      turnover24h: math.round(turnover * 100) / 100,
      timestamp: now,
    };
  }
}

/** Open time of the `tf` period containing t (epoch-aligned; weeks start on Monday, months on the 1st, UTC). */
export function periodStart(tf: Timeframe, t: number): number {
  if (tf === '1M') {
    const d = new Date(t);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  }
  if (tf === '1w') {
    const monday = Date.UTC(1970, 0, 5);
    const week = TIMEFRAME_MS['1w'];
    return floorDiv(t - monday, week) * week + monday;
  }
  const size = TIMEFRAME_MS[tf];
  return floorDiv(t, size) * size;
}

function nextPeriodStart(tf: Timeframe, start: number): number {
  if (tf === '1M') {
    const d = new Date(start);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  }
  return start + TIMEFRAME_MS[tf];
}

export interface CandleQuery {
  limit?: number;
  since?: number;
  /** Only candles with open time < until. */
  until?: number;
}

/** The whole simulated market: the instrument list and a lazily built path per symbol. */
export class PaperMarket {
  readonly specs: readonly SymbolSpec[];
  private readonly bySymbol = new Map<string, SymbolSpec>();
  private readonly markets = new Map<string, SymbolMarket>();

  constructor(seed: number, symbolCount: number) {
    this.specs = buildUniverse(seed, symbolCount);
    for (const spec of this.specs) this.bySymbol.set(spec.symbol, spec);
  }

  spec(symbol: string): SymbolSpec | undefined {
    return this.bySymbol.get(symbol);
  }

  /** The path of a known symbol; callers check existence with spec() first. */
  symbol(symbol: string): SymbolMarket {
    let market = this.markets.get(symbol);
    if (!market) {
      const spec = this.bySymbol.get(symbol);
      if (!spec) throw new RangeError(`unknown symbol ${symbol}`);
      market = new SymbolMarket(spec);
      this.markets.set(symbol, market);
    }
    return market;
  }

  /** Listing time at clock time `now`: the open of the oldest candle that exists. */
  launchTime(symbol: string, now: number): number {
    return this.symbol(symbol).firstCandle(floorDiv(now, CANDLE_MS)) * CANDLE_MS;
  }

  marketInfo(spec: SymbolSpec, now: number): MarketInfo {
    return {
      symbol: spec.symbol,
      exchangeSymbol: spec.exchangeSymbol,
      status: spec.status,
      tickSize: spec.tickSize,
      qtyStep: spec.qtyStep,
      minOrderQty: spec.minOrderQty,
      minNotional: spec.minNotional,
      maxLeverage: spec.maxLeverage,
      launchTime: this.launchTime(spec.symbol, now),
    };
  }

  price(symbol: string, now: number): number {
    return this.symbol(symbol).priceAt(now);
  }

  /** The most recent `limit` candles (max 1000) with open time >= since, the forming one last. */
  candles(symbol: string, tf: Timeframe, query: CandleQuery, now: number): Candle[] {
    const limit = math.min(MAX_CANDLES_PER_REQUEST, math.max(1, math.floor(query.limit ?? MAX_CANDLES_PER_REQUEST)));
    const launch = this.launchTime(symbol, now);
    const until = query.until;
    if (until === undefined || until > now) return this.candlesAt(symbol, tf, query.since, limit, launch, now);
    // Completed candles do not depend on the clock: build them as at the end of the period holding until - 1,
    // one more than asked (that period's successor may be forming there), and keep the newest `limit` before until.
    const evaluatedAt = math.min(now, nextPeriodStart(tf, periodStart(tf, until - 1)));
    const candles = this.candlesAt(symbol, tf, query.since, limit + 1, launch, evaluatedAt).filter(
      (c) => c.time < until,
    );
    return candles.slice(math.max(0, candles.length - limit));
  }

  /**
   * candles() as columns. Timeframes up to 6h read at the current time (the coin load) are written straight into the
   * columns; the rest go through the candle objects (same values either way).
   */
  candleColumns(symbol: string, tf: Timeframe, query: CandleQuery, now: number): CandleColumns {
    const until = query.until;
    if (TIMEFRAME_MS[tf] > CANDLE_MS || (until !== undefined && until <= now)) {
      return candlesToColumns(this.candles(symbol, tf, query, now));
    }
    const limit = math.min(MAX_CANDLES_PER_REQUEST, math.max(1, math.floor(query.limit ?? MAX_CANDLES_PER_REQUEST)));
    const since = math.max(this.launchTime(symbol, now), query.since ?? -Infinity);
    return this.fineColumnsAt(this.symbol(symbol), tf, since, limit, now);
  }

  /** Candles of a timeframe up to 6h: the newest `limit` with open time >= since, the forming one last. */
  private fineColumnsAt(market: SymbolMarket, tf: Timeframe, since: number, limit: number, now: number): CandleColumns {
    const size = TIMEFRAME_MS[tf];
    if (size < CANDLE_MS) {
      const minutes = size / MINUTE_MS;
      const cLast = floorDiv(floorDiv(now, MINUTE_MS), minutes);
      return market.minuteCandleColumns(minutes, math.max(cLast - limit + 1, math.ceil(since / size)), now);
    }
    const k = floorDiv(now, CANDLE_MS);
    return market.candles6hColumns(math.max(k - limit + 1, math.ceil(since / CANDLE_MS)), now);
  }

  private candlesAt(
    symbol: string,
    tf: Timeframe,
    querySince: number | undefined,
    limit: number,
    launch: number,
    now: number,
  ): Candle[] {
    const market = this.symbol(symbol);
    const query = { since: querySince };
    const since = math.max(launch, query.since ?? -Infinity);
    if (TIMEFRAME_MS[tf] <= CANDLE_MS) return columnsToCandles(this.fineColumnsAt(market, tf, since, limit, now));
    // Higher timeframes: aggregate 6h candles per period.
    const starts: number[] = [];
    for (let start = periodStart(tf, now); starts.length < limit; start = periodStart(tf, start - 1)) {
      if (nextPeriodStart(tf, start) <= launch) break; // wholly before the listing
      if (query.since !== undefined && start < query.since) break;
      starts.push(start);
    }
    starts.reverse();
    if (starts.length === 0) return [];
    const sixHours = market.candles6h(math.max(math.ceil(since / CANDLE_MS), floorDiv(starts[0], CANDLE_MS)), now);
    const out: Candle[] = [];
    let s = 0;
    for (const start of starts) {
      const end = nextPeriodStart(tf, start);
      let candle: Candle | null = null;
      while (s < sixHours.length && sixHours[s].time < end) {
        const c = sixHours[s++];
        if (c.time < start) continue;
        if (!candle) candle = { time: start, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume };
        else {
          if (c.high > candle.high) candle.high = c.high;
          if (c.low < candle.low) candle.low = c.low;
          candle.close = c.close;
          candle.volume += c.volume;
        }
      }
      if (candle) {
        candle.volume = market.roundQty(candle.volume);
        out.push(candle);
      }
    }
    return out;
  }

  ticker(symbol: string, now: number): Ticker {
    return this.symbol(symbol).ticker(now);
  }
}
