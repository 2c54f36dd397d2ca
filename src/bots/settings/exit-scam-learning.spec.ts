import type { Candle } from '../../exchange/exchange.types';
import { fitExitScam, percentile } from './exit-scam-learning';

/** Candle i opens at 100 and closes at 100 + i/10 (a body of i/10 %), i = 1..count. */
function candles(count: number): Candle[] {
  return Array.from({ length: count }, (_, k) => ({
    time: k * 60_000,
    open: 100,
    high: 106,
    low: 99,
    close: 100 + (k + 1) / 10,
    volume: 1,
  }));
}

describe('percentile', () => {
  it('interpolates linearly between ranks', () => {
    expect(percentile([1, 2, 3, 4, 5], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5], 90)).toBeCloseTo(4.6, 10);
    expect(percentile([5], 99)).toBe(5);
    expect(percentile([], 99)).toBe(0);
  });
});

describe('exit-scam fit', () => {
  it('needs at least 50 candles', () => {
    expect(fitExitScam(candles(49), 'normal', { candles: 8, multiCount: 4 })).toBeNull();
  });

  it('normal = 99th percentile of bodies 0.1 … 5.0 % → 4.95 %', () => {
    const fit = fitExitScam(candles(50), 'normal', { candles: 8, multiCount: 4 })!;
    // rank 0.99·49 = 48.51 → 4.9 + 0.51·0.1 = 4.951
    expect(fit.stats.single_raw_pct).toBe(4.95);
    expect(fit.params.exit_scam_single_candle_percent).toBe(4.95);
    expect(fit.params.exit_scam_multi_candle_count).toBe(4);
    expect(fit.params.exit_scam_candles).toBe(8);
    // 4-candle moves run from open 100 to close 100 + (i+4)/10: 0.4 … 5.0 % over 47 windows; rank 0.99·46 = 45.54 → 4.9
    // + 0.054 = 4.954
    expect(fit.stats.multi_per_n).toBe(4.95);
    expect(fit.stats).toMatchObject({
      aggressiveness: 'normal',
      percentile_used: 99,
      chosen_n: 4,
      candles_analyzed: 50,
    });
  });

  it('aggressive uses a lower percentile (97) and so a tighter threshold', () => {
    const fit = fitExitScam(candles(50), 'aggressive', { candles: 8, multiCount: 4 })!;
    // rank 0.97·49 = 47.53 → 4.8 + 0.053 = 4.853
    expect(fit.params.exit_scam_single_candle_percent).toBe(4.85);
  });
});
