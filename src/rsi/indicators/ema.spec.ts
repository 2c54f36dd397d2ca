import { EMA, SMA } from 'trading-signals';
import { emaSeries, lastEma, lastSma } from './ema';

/** StockCharts' 10-day EMA example (their moving-average article): closes and the published EMA column. */
const CLOSES = [
  22.27, 22.19, 22.08, 22.17, 22.18, 22.13, 22.23, 22.43, 22.24, 22.29, 22.15, 22.39, 22.38, 22.61, 23.36, 24.05, 23.75,
  23.83, 23.95, 23.63, 23.82, 23.87, 23.65, 23.19, 23.1, 23.33, 22.68, 23.1, 22.4, 22.17,
];
const PUBLISHED_EMA10 = [
  22.22, 22.21, 22.24, 22.27, 22.33, 22.52, 22.8, 22.97, 23.13, 23.28, 23.34, 23.43, 23.51, 23.54, 23.47, 23.4, 23.39,
  23.26, 23.23, 23.08, 22.92,
];

describe('EMA seeded with the SMA', () => {
  it('matches the StockCharts 10-day EMA example within its 2-decimal rounding', () => {
    const series = emaSeries(CLOSES, 10);
    for (let i = 0; i < 9; i++) expect(Number.isNaN(series[i])).toBe(true);
    PUBLISHED_EMA10.forEach((value, i) => expect(Math.abs(series[i + 9] - value)).toBeLessThanOrEqual(0.01 + 1e-9));
    expect(lastEma(CLOSES, 10)).toBeCloseTo(series[series.length - 1], 12);
  });

  it('starts from the simple mean of the first N values', () => {
    const series = emaSeries([1, 2, 3, 4, 5], 3);
    expect(series[2]).toBe(2);
    expect(series[3]).toBe(3);
    expect(series[4]).toBe(4);
    expect(lastEma([1, 2], 3)).toBeNull();
  });

  it('equals trading-signals EMA once both seeds coincide (constant first N values)', () => {
    // trading-signals seeds with the first price; with N equal prices that is also the SMA seed.
    const values = [
      ...Array.from({ length: 50 }, () => 100),
      ...Array.from({ length: 300 }, (_, i) => 100 + Math.sin(i / 7) * 10 + i / 20),
    ];
    const reference = new EMA(50);
    const ours = emaSeries(values, 50);
    values.forEach((v, i) => {
      const r = reference.add(v);
      if (i >= 49) expect(Math.abs(ours[i] - r!)).toBeLessThan(1e-9);
    });
  });

  it('SMA agrees with trading-signals SMA', () => {
    const values = Array.from({ length: 120 }, (_, i) => 50 + Math.cos(i / 5) * 3);
    const reference = new SMA(20);
    let last: number | null = null;
    for (const v of values) last = reference.add(v);
    expect(lastSma(values, 20)).toBeCloseTo(last!, 10);
    expect(lastSma(values.slice(0, 19), 20)).toBeNull();
  });
});
