import { checkRsiTimeFilter, DEFAULT_RSI_TIME_FILTER_PARAMS, normalizeTimeFilterCandles } from './rsi-time-filter';

/** 30 neutral RSI values followed by `tail` (the last value is the current RSI). */
function history(tail: number[]): number[] {
  return [...Array(30).fill(50), ...tail];
}

function check(tail: number[], direction: 'LONG' | 'SHORT' = 'LONG', candlesCount = 100, currentRsi?: number) {
  const h = history(tail);
  return checkRsiTimeFilter(
    { candlesCount, rsiHistory: h, currentRsi: currentRsi ?? h[h.length - 1], direction },
    DEFAULT_RSI_TIME_FILTER_PARAMS,
  );
}

describe('RSI time filter (N = 7, lower 35, upper 65, thresholds 29/71)', () => {
  it('LONG: allowed when RSI reached <= 29 exactly 7 candles ago and stayed <= 35', () => {
    const decision = check([29, 30, 31, 33, 34, 35, 30]);
    expect(decision.allowed).toBe(true);
    expect(decision.filter).toBe('rsi_time_filter');
  });

  it('LONG: blocked when the first value of the window is 29.01 (the zone was reached one candle too late)', () => {
    const decision = check([29.01, 28, 31, 33, 34, 35, 30]);
    expect(decision.allowed).toBe(false);
    expect(decision.reason).toMatch(/waiting/);
  });

  it('LONG: blocked when RSI went above 35 after the extreme ("entry missed")', () => {
    const decision = check([29, 30, 31, 35.01, 34, 33, 30]);
    expect(decision.allowed).toBe(false);
    expect(decision.reason).toMatch(/entry missed/);
  });

  it('LONG: blocked when RSI never reached the threshold in the window', () => {
    expect(check([30, 30, 31, 33, 34, 35, 30]).allowed).toBe(false);
  });

  it('the current RSI replaces the last history value', () => {
    expect(check([29, 30, 31, 33, 34, 35, 30], 'LONG', 100, 35.01).allowed).toBe(false);
    expect(check([29, 30, 31, 33, 34, 35, 40], 'LONG', 100, 35).allowed).toBe(true);
  });

  it('SHORT mirrors: >= 71 seven candles ago and >= 65 since', () => {
    expect(check([71, 70, 66, 65, 68, 69, 70], 'SHORT').allowed).toBe(true);
    expect(check([70.99, 72, 66, 65, 68, 69, 70], 'SHORT').allowed).toBe(false);
    expect(check([71, 70, 66, 64.99, 68, 69, 70], 'SHORT').allowed).toBe(false);
  });

  it('blocks with fewer than 50 candles or a history shorter than max(2N + 14, 30)', () => {
    expect(check([29, 30, 31, 33, 34, 35, 30], 'LONG', 49).allowed).toBe(false);
    expect(check([29, 30, 31, 33, 34, 35, 30], 'LONG', 50).allowed).toBe(true);
    const shortHistory = [...Array(22).fill(50), 29, 30, 31, 33, 34, 35, 30]; // 29 values
    expect(
      checkRsiTimeFilter(
        { candlesCount: 100, rsiHistory: shortHistory, currentRsi: 30, direction: 'LONG' },
        DEFAULT_RSI_TIME_FILTER_PARAMS,
      ).allowed,
    ).toBe(false);
    expect(
      checkRsiTimeFilter(
        { candlesCount: 100, rsiHistory: [50, ...shortHistory], currentRsi: 30, direction: 'LONG' },
        DEFAULT_RSI_TIME_FILTER_PARAMS,
      ).allowed,
    ).toBe(true);
  });

  it('N defaults to 8 when missing and is at least 2', () => {
    expect(normalizeTimeFilterCandles(undefined)).toBe(8);
    expect(normalizeTimeFilterCandles(1)).toBe(2);
    expect(normalizeTimeFilterCandles(7)).toBe(7);
  });
});
