import {
  adaptiveLevels,
  analyzeEnhancedRsi,
  DEFAULT_ENHANCED_RSI_SETTINGS,
  detectDivergence,
  extremeDuration,
  stochRsi,
  volatilityRatio,
  volumeConfirmed,
  type EnhancedRsiInput,
} from './enhanced-rsi';

/** Candles around 100 whose true range is exactly `range` (no gaps: close stays 100). */
function flatCandles(ranges: number[]) {
  return {
    high: ranges.map((r) => 100 + r / 2),
    low: ranges.map((r) => 100 - r / 2),
    close: ranges.map(() => 100),
  };
}

describe('enhanced RSI building blocks', () => {
  it('volatility ratio = last 14-candle ATR / mean of 14-candle chunk ATRs', () => {
    const c = flatCandles([...Array(14).fill(1), ...Array(14).fill(2)]);
    expect(volatilityRatio(c.high, c.low, c.close)).toBeCloseTo(2 / 1.5, 12);
    const short = flatCandles(Array(13).fill(1));
    expect(volatilityRatio(short.high, short.low, short.close)).toBeNull();
  });

  it('adaptive levels switch just above 1.5 and just below 0.7', () => {
    expect(adaptiveLevels(1.51)).toEqual({ low: 24, high: 76 });
    expect(adaptiveLevels(1.5)).toEqual({ low: 29, high: 71 });
    expect(adaptiveLevels(0.69)).toEqual({ low: 32, high: 68 });
    expect(adaptiveLevels(0.7)).toEqual({ low: 29, high: 71 });
    expect(adaptiveLevels(null)).toEqual({ low: 29, high: 71 });
  });

  it('divergence needs a price move beyond 0.01 and an RSI move beyond 1 in opposite directions', () => {
    const close = Array(20).fill(100);
    const rsi = Array(20).fill(30);
    const at = (priceEnd: number, rsiEnd: number) => {
      const c = [...close];
      const r = [...rsi];
      c[19] = priceEnd;
      r[19] = rsiEnd;
      return detectDivergence(c, r, 10);
    };
    expect(at(99.9899, 31.01)).toBe('BULLISH');
    expect(at(99.9901, 31.01)).toBeNull(); // price fell by less than 0.01
    expect(at(99.9899, 30.99)).toBeNull(); // RSI rose by less than 1
    expect(at(100.0101, 28.99)).toBe('BEARISH');
    expect(at(100.0099, 28.99)).toBeNull();
    expect(detectDivergence(close.slice(0, 10), rsi.slice(0, 10), 10)).toBeNull();
  });

  it('volume confirmation: last 5 mean must exceed 1.2 x the previous 5', () => {
    expect(volumeConfirmed([...Array(5).fill(10), ...Array(5).fill(12.01)], 1.2)).toBe(true);
    expect(volumeConfirmed([...Array(5).fill(10), ...Array(5).fill(12)], 1.2)).toBe(false);
    expect(volumeConfirmed(Array(9).fill(100), 1.2)).toBe(false);
  });

  it('stoch RSI: 50 on a flat history, 100 at the top of a rising one, 0 at the bottom of a falling one', () => {
    expect(stochRsi(Array(30).fill(40))).toEqual({ k: 50, d: 50 });
    expect(stochRsi(Array.from({ length: 30 }, (_, i) => 20 + i))).toEqual({ k: 100, d: 100 });
    expect(stochRsi(Array.from({ length: 30 }, (_, i) => 80 - i))).toEqual({ k: 0, d: 0 });
    expect(stochRsi(Array(15).fill(40))).toEqual({ k: null, d: null });
  });

  it('extreme duration counts the newest values at or beyond 20/80', () => {
    expect(extremeDuration([50, 15, 20, 80], 20, 80)).toBe(3);
    expect(extremeDuration([10, 20.01], 20, 80)).toBe(0);
  });
});

describe('analyzeEnhancedRsi', () => {
  /**
   * 60 calm candles; RSI history rising from 22 to 25 over the lookback while the price slips: a bullish divergence.
   */
  type Setup = EnhancedRsiInput & {
    high: number[];
    low: number[];
    close: number[];
    volume: number[];
    rsiHistory: number[];
  };
  function longSetup(overrides: Partial<Setup> = {}): Setup {
    const n = 60;
    const close = Array.from({ length: n }, (_, i) => 100 - i * 0.01);
    return {
      high: close.map((c) => c + 0.5),
      low: close.map((c) => c - 0.5),
      close,
      volume: Array(n).fill(1000),
      rsiHistory: Array.from({ length: n - 15 }, (_, i) => 40 - i * 0.3).map((v, i, all) =>
        i >= all.length - 11 ? 22 + (i - (all.length - 11)) * 0.3 : v,
      ),
      rsi: 25,
      baseSignal: 'ENTER_LONG',
      ...overrides,
    };
  }

  it('WAIT with fewer than 50 candles', () => {
    const input = longSetup();
    const short = {
      ...input,
      high: input.high.slice(-49),
      low: input.low.slice(-49),
      close: input.close.slice(-49),
      volume: input.volume.slice(-49),
    };
    expect(analyzeEnhancedRsi(short).signal).toBe('WAIT');
    expect(analyzeEnhancedRsi(input).signal).toBe('ENTER_LONG');
  });

  it('strict mode needs the adaptive level and a matching divergence', () => {
    const strict = { ...DEFAULT_ENHANCED_RSI_SETTINGS, requireDivergence: true };
    const input = longSetup();
    const result = analyzeEnhancedRsi(input, strict);
    expect(result.divergence).toBe('BULLISH');
    expect(result.signal).toBe('ENTER_LONG');
    // Same RSI without the divergence (flat price): WAIT.
    const flat = { ...input, close: input.close.map(() => 100) };
    expect(analyzeEnhancedRsi(flat, strict).signal).toBe('WAIT');
    // RSI 29.01 is above the adaptive low (29 in calm-normal volatility): WAIT even with the divergence.
    expect(analyzeEnhancedRsi({ ...input, rsi: 29.01 }, strict).signal).toBe('WAIT');
  });

  it('non-strict mode: one confirmation is enough, two once RSI has been extreme for more than 3 candles', () => {
    const base = longSetup({ close: Array(60).fill(100) }); // no divergence, normal volume
    const one = analyzeEnhancedRsi(base);
    expect(one.confirmations).toBeGreaterThanOrEqual(1);
    expect(one.signal).toBe('ENTER_LONG');
    // Four trailing values <= 20: two confirmations are required; RSI zone alone is not enough.
    const extreme = [...base.rsiHistory.slice(0, -4), 19, 19, 19, 19];
    const stretched = analyzeEnhancedRsi(
      { ...base, rsiHistory: extreme, rsi: 19 },
      { ...DEFAULT_ENHANCED_RSI_SETTINGS, useStochRsi: false },
    );
    expect(stretched.extreme_duration).toBe(4);
    expect(stretched.required_confirmations).toBe(2);
    expect(stretched.signal).toBe('WAIT');
    // Adding the volume confirmation makes two.
    const volume = [...Array(55).fill(1000), ...Array(5).fill(1300)];
    expect(
      analyzeEnhancedRsi(
        { ...base, rsiHistory: extreme, rsi: 19, volume },
        { ...DEFAULT_ENHANCED_RSI_SETTINGS, useStochRsi: false },
      ).signal,
    ).toBe('ENTER_LONG');
  });

  it('never turns WAIT into an entry', () => {
    expect(analyzeEnhancedRsi(longSetup({ baseSignal: 'WAIT' })).signal).toBe('WAIT');
  });
});
