import {
  analyzeEmaTrend,
  analyzeTrend,
  DEFAULT_TREND_PARAMS,
  emaTrendMinCandles,
  emaTrendState,
  emaTrendWithState,
} from './trend';

/** 30 closes: 28 alternating ±1 steps around 100 (14 up, 14 down), then one step to `last`. */
function zigzagEndingAt(last: number): number[] {
  const closes = [100];
  for (let i = 0; i < 28; i++) closes.push(i % 2 === 0 ? 101 : 100);
  closes.push(last);
  return closes;
}

/** 30 closes with `up` rising steps of +0.1 then falling steps of -0.1 (29 steps in all). */
function steps(up: number, down: number, start = 100): number[] {
  const closes = [start];
  for (let i = 0; i < up; i++) closes.push(closes[closes.length - 1] + 0.1);
  for (let i = 0; i < down; i++) closes.push(closes[closes.length - 1] - 0.1);
  return closes;
}

describe('analyzeTrend (period 30, 7 %, 70 %)', () => {
  it('UP when the change is just above 7 %, NEUTRAL at exactly 7 %', () => {
    expect(analyzeTrend(zigzagEndingAt(107.01)).trend).toBe('UP');
    const atThreshold = analyzeTrend(zigzagEndingAt(107));
    expect(atThreshold.change_percent).toBe(7);
    expect(atThreshold.trend).toBe('NEUTRAL');
  });

  it('DOWN when the change is just below -7 %, NEUTRAL at exactly -7 %', () => {
    expect(analyzeTrend(zigzagEndingAt(92.99)).trend).toBe('DOWN');
    expect(analyzeTrend(zigzagEndingAt(93)).trend).toBe('NEUTRAL');
  });

  it('UP with 22 of 29 rising steps (> 21), NEUTRAL with 21', () => {
    const up22 = analyzeTrend(steps(22, 7));
    expect(up22.rising).toBe(22);
    expect(up22.trend).toBe('UP');
    expect(analyzeTrend(steps(21, 8)).trend).toBe('NEUTRAL');
  });

  it('DOWN with 22 falling steps, NEUTRAL with 21', () => {
    expect(analyzeTrend(steps(7, 22)).trend).toBe('DOWN');
    expect(analyzeTrend(steps(8, 21)).trend).toBe('NEUTRAL');
  });

  it('looks only at the last `period` closes and needs that many', () => {
    const longer = [...Array.from({ length: 50 }, (_, i) => 50 + i), ...steps(8, 21)];
    expect(analyzeTrend(longer).trend).toBe('NEUTRAL');
    const short = analyzeTrend(steps(22, 6));
    expect(short.trend).toBe('NEUTRAL');
    expect(short.change_percent).toBeNull();
    expect(analyzeTrend(steps(20, 9), { ...DEFAULT_TREND_PARAMS, period: 10 }).trend).toBe('DOWN');
  });
});

describe('analyzeEmaTrend (50/200, 3 confirmation bars)', () => {
  const rising = (n: number) => Array.from({ length: n }, (_, i) => 100 + i * 0.5);
  const falling = (n: number) => Array.from({ length: n }, (_, i) => 500 - i * 0.5);

  it('needs max(200, 3) + 10 = 210 candles', () => {
    expect(emaTrendMinCandles({ fast: 50, slow: 200, confirmationBars: 3 })).toBe(210);
    expect(analyzeEmaTrend(rising(209)).trend).toBe('NEUTRAL');
    expect(analyzeEmaTrend(rising(210)).trend).toBe('UP');
  });

  it('UP in a steady rise, DOWN in a steady fall', () => {
    const up = analyzeEmaTrend(rising(300));
    expect(up.trend).toBe('UP');
    expect(up.ema_fast!).toBeGreaterThan(up.ema_slow!);
    expect(up.slope!).toBeGreaterThan(0);
    expect(analyzeEmaTrend(falling(300)).trend).toBe('DOWN');
  });

  it('one of the last 3 closes below the slow EMA breaks the confirmation', () => {
    const closes = rising(300);
    const slow = analyzeEmaTrend(closes).ema_slow!;
    const dipped = [...closes];
    dipped[297] = slow - 1; // third-to-last bar under the EMA, the last one back above
    const result = analyzeEmaTrend(dipped);
    expect(dipped[299]).toBeGreaterThan(result.ema_slow!);
    expect(result.trend).toBe('NEUTRAL');
    const outsideWindow = [...closes];
    outsideWindow[296] = slow - 1; // fourth-to-last: outside the 3 confirmation bars
    expect(analyzeEmaTrend(outsideWindow).trend).toBe('UP');
  });

  it("honours other EMA periods (a coin's optimal pair)", () => {
    const result = analyzeEmaTrend(rising(80), { fast: 10, slow: 30, confirmationBars: 3 });
    expect(result.trend).toBe('UP');
    expect(result.slow_period).toBe(30);
  });
});

describe('EMA trend state (O(1) forming-candle updates)', () => {
  it('gives the same result as a full pass after the last close changes', () => {
    const closes = Array.from({ length: 400 }, (_, i) => 100 + Math.sin(i / 13) * 8 + i * 0.02);
    const state = emaTrendState(closes)!;
    for (const last of [80, 100, 107.5, 130]) {
      const changed = [...closes.slice(0, -1), last];
      const quick = emaTrendWithState(changed, state);
      const full = analyzeEmaTrend(changed);
      expect(quick.trend).toBe(full.trend);
      expect(quick.ema_slow!).toBeCloseTo(full.ema_slow!, 9);
      expect(quick.ema_fast!).toBeCloseTo(full.ema_fast!, 9);
      expect(quick.slope!).toBeCloseTo(full.slope!, 9);
    }
  });
});
