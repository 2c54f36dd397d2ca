import { RSI } from 'trading-signals';
import { calculateRsi, calculateRsiHistory, computeRsiSeries, round2, rsiWithLastClose } from './rsi';

/** The 14-period example series of StockCharts' RSI article (Wilder's method; 33 closes). */
const STOCKCHARTS_CLOSES = [
  44.34, 44.09, 44.15, 43.61, 44.33, 44.83, 45.1, 45.42, 45.84, 46.08, 45.89, 46.03, 45.61, 46.28, 46.28, 46.0, 46.03,
  46.41, 46.22, 45.64, 46.21, 46.25, 45.71, 46.45, 45.78, 45.35, 44.03, 44.18, 44.22, 44.57, 43.42, 42.66, 43.13,
];
/** StockCharts' published RSI column (their spreadsheet rounds the averages, hence small differences). */
const STOCKCHARTS_PUBLISHED = [
  70.53, 66.32, 66.55, 69.41, 66.36, 57.97, 62.93, 63.26, 56.06, 62.38, 54.71, 50.42, 39.99, 41.46, 41.87, 45.46, 37.3,
  33.08, 37.77,
];
/** The same column computed at full precision (the values most libraries publish for this series). */
const STOCKCHARTS_EXACT = [
  70.46, 66.25, 66.48, 69.35, 66.29, 57.92, 62.88, 63.21, 56.01, 62.34, 54.67, 50.39, 40.02, 41.49, 41.9, 45.5, 37.32,
  33.09, 37.79,
];

/** A seeded pseudo-random walk, so the cross-checks are reproducible. */
function randomWalk(length: number, seed: number, start = 100): number[] {
  let state = seed >>> 0;
  const next = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const closes: number[] = [];
  let price = start;
  for (let i = 0; i < length; i++) {
    price *= 1 + (next() - 0.5) * 0.04;
    // Repeat a price now and then: a zero delta must count as neither gain nor loss.
    closes.push(next() < 0.05 && i > 0 ? closes[i - 1] : price);
  }
  return closes;
}

describe('Wilder RSI', () => {
  it('reproduces the StockCharts / Wilder 14-period example at full precision', () => {
    // The first RSI is the seed (15 closes); the history holds one value per later step.
    expect(calculateRsi(STOCKCHARTS_CLOSES.slice(0, 15))).toBe(STOCKCHARTS_EXACT[0]);
    expect(calculateRsiHistory(STOCKCHARTS_CLOSES)).toEqual(STOCKCHARTS_EXACT.slice(1));
    expect(calculateRsi(STOCKCHARTS_CLOSES)).toBe(37.79);
  });

  it('gives 57.9 after the first 20 closes of the textbook series (stack-notes reference)', () => {
    expect(calculateRsi(STOCKCHARTS_CLOSES.slice(0, 20))?.toFixed(1)).toBe('57.9');
  });

  it('stays within 0.1 of the StockCharts published column (rounded intermediate averages)', () => {
    const ours = [calculateRsi(STOCKCHARTS_CLOSES.slice(0, 15))!, ...calculateRsiHistory(STOCKCHARTS_CLOSES)];
    expect(ours).toHaveLength(STOCKCHARTS_PUBLISHED.length);
    ours.forEach((value, i) => expect(Math.abs(value - STOCKCHARTS_PUBLISHED[i])).toBeLessThanOrEqual(0.1));
  });

  it('matches the Tulip Indicators RSI(5) test vector', () => {
    const prices = [
      81.59, 81.06, 82.87, 83.0, 83.61, 83.15, 82.84, 83.99, 84.55, 84.36, 85.53, 86.54, 86.89, 87.77, 87.29,
    ];
    const expected = [72.034, 64.927, 75.936, 79.796, 74.713, 83.033, 87.478, 88.755, 91.483, 78.498];
    const { rsi, history } = computeRsiSeries(prices, 5, { round: false });
    const all = [computeRsiSeries(prices.slice(0, 6), 5, { round: false }).rsi!, ...history];
    expect(all).toHaveLength(expected.length);
    all.forEach((value, i) => expect(value).toBeCloseTo(expected[i], 3));
    expect(rsi).toBeCloseTo(78.498, 3);
  });

  it('agrees with trading-signals RSI (Wilder smoothing) step by step on random series', () => {
    for (const seed of [1, 7, 42, 1234]) {
      const closes = randomWalk(600, seed);
      const reference = new RSI(14);
      const referenceValues: number[] = [];
      for (const close of closes) {
        const value = reference.add(close);
        if (value !== null) referenceValues.push(value);
      }
      const { rsi, history } = computeRsiSeries(closes, 14, { round: false });
      // trading-signals emits the seed too; we do not.
      expect(history).toHaveLength(referenceValues.length - 1);
      history.forEach((value, i) => expect(Math.abs(value - referenceValues[i + 1])).toBeLessThan(1e-9));
      expect(Math.abs(rsi! - referenceValues[referenceValues.length - 1])).toBeLessThan(1e-9);
    }
  });

  it('needs period + 1 closes', () => {
    expect(calculateRsi(randomWalk(14, 3))).toBeNull();
    expect(calculateRsi(randomWalk(15, 3))).not.toBeNull();
    expect(calculateRsiHistory(randomWalk(15, 3))).toEqual([]);
    expect(calculateRsiHistory(randomWalk(16, 3))).toHaveLength(1);
  });

  it('is 100 without losses and 0 without gains', () => {
    expect(calculateRsi(Array.from({ length: 30 }, (_, i) => 10 + i))).toBe(100);
    expect(calculateRsi(Array.from({ length: 30 }, () => 10))).toBe(100);
    expect(calculateRsi(Array.from({ length: 30 }, (_, i) => 50 - i))).toBe(0);
  });

  it('history has closes - 15 values and ends with the scalar RSI', () => {
    const closes = randomWalk(400, 99);
    const { rsi, history } = computeRsiSeries(closes);
    expect(history).toHaveLength(385);
    expect(round2(history[history.length - 1])).toBe(rsi);
  });

  it('writes the history into reused storage when it fits, with the same values as a fresh pass', () => {
    // Textbook series in storage that holds stale values: the published column comes out, nothing stale is left.
    const storage = new Float64Array(40).fill(-1);
    const reused = computeRsiSeries(STOCKCHARTS_CLOSES, 14, { reuse: storage.subarray(0, 3) });
    expect(reused.history.buffer).toBe(storage.buffer);
    expect(Array.from(reused.history, round2)).toEqual(STOCKCHARTS_EXACT.slice(1));
    expect(reused.rsi).toBe(37.79);
    // Too small: a fresh array, the storage untouched.
    const small = new Float64Array(5).fill(-1);
    const fresh = computeRsiSeries(STOCKCHARTS_CLOSES, 14, { reuse: small });
    expect(fresh.history.buffer).not.toBe(small.buffer);
    expect(Array.from(fresh.history, round2)).toEqual(STOCKCHARTS_EXACT.slice(1));
    expect(Array.from(small)).toEqual([-1, -1, -1, -1, -1]);
  });

  it('recomputes the last RSI in O(1) exactly as a full pass would, seed case included', () => {
    for (const length of [15, 16, 17, 200]) {
      const closes = randomWalk(length, length);
      const { state } = computeRsiSeries(closes);
      for (const factor of [0.9, 0.99, 1, 1.01, 1.2]) {
        const replaced = [...closes.slice(0, -1), closes[length - 1] * factor];
        expect(rsiWithLastClose(state!, replaced[length - 1])).toBe(calculateRsi(replaced));
      }
    }
  });
});
