import { checkMaturity, isRecordValid, type MaturityParams } from './maturity.rules';

const params: MaturityParams = { minCandles: 400, minRsiLow: 35, maxRsiHigh: 65, timeframe: '6h' };

/** Calm alternating closes (RSI near 50) with one 20-candle rally and one 20-candle slide at the given positions. */
function series(length: number, rallyAt: number | null, slideAt: number | null): number[] {
  const closes: number[] = [];
  let price = 100;
  for (let i = 0; i < length; i++) {
    if (rallyAt !== null && i >= rallyAt && i < rallyAt + 20) price *= 1.01;
    else if (slideAt !== null && i >= slideAt && i < slideAt + 20) price *= 0.99;
    else price *= i % 2 === 0 ? 1.002 : 0.998;
    closes.push(price);
  }
  return closes;
}

describe('coin maturity (400 candles, RSI <= 35 and >= 65 over the last 400)', () => {
  it('mature after a full oscillation, with the RSI range in the details', () => {
    const verdict = checkMaturity(series(400, 100, 250), params);
    expect(verdict.is_mature).toBe(true);
    expect(verdict.details.rsi_min!).toBeLessThanOrEqual(35);
    expect(verdict.details.rsi_max!).toBeGreaterThanOrEqual(65);
    expect(verdict.details).toMatchObject({
      candles_count: 400,
      min_required: 400,
      config_min_rsi_low: 35,
      config_max_rsi_high: 65,
      timeframe: '6h',
    });
  });

  it('399 candles are not enough', () => {
    expect(checkMaturity(series(399, 100, 250), params).is_mature).toBe(false);
  });

  it('limits are inclusive: just inside is mature, just outside is not', () => {
    const closes = series(400, 100, 250);
    const { rsi_min, rsi_max } = checkMaturity(closes, params).details;
    expect(checkMaturity(closes, { ...params, minRsiLow: rsi_min!, maxRsiHigh: rsi_max! }).is_mature).toBe(true);
    expect(checkMaturity(closes, { ...params, minRsiLow: rsi_min! - 0.01, maxRsiHigh: rsi_max! }).is_mature).toBe(
      false,
    );
    expect(checkMaturity(closes, { ...params, minRsiLow: rsi_min!, maxRsiHigh: rsi_max! + 0.01 }).is_mature).toBe(
      false,
    );
  });

  it('a one-sided swing is not a full oscillation', () => {
    const onlyRally = checkMaturity(series(400, 100, null), params);
    expect(onlyRally.is_mature).toBe(false);
    expect(onlyRally.reason).toMatch(/RSI min/);
  });

  it('only the last 400 closes count', () => {
    // The slide happens in the first 150 of 550 candles: outside the window.
    expect(checkMaturity(series(550, 300, 20), params).is_mature).toBe(false);
    expect(checkMaturity(series(550, 300, 200), params).is_mature).toBe(true);
  });

  it('a stored record stays valid only under the same timeframe, candle minimum and RSI limits', () => {
    const record = { timestamp: 1, maturity_data: checkMaturity(series(400, 100, 250), params) };
    expect(isRecordValid(record, params)).toBe(true);
    expect(isRecordValid(record, { ...params, timeframe: '1h' })).toBe(false);
    expect(isRecordValid(record, { ...params, minCandles: 300 })).toBe(false);
    expect(isRecordValid(record, { ...params, minRsiLow: 30 })).toBe(false);
    expect(isRecordValid(record, { ...params, maxRsiHigh: 70 })).toBe(false);
  });
});
