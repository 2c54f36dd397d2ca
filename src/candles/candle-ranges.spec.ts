import { backwardPages, closedEnd, coveredAfterForwardFill, forwardPages, pageCount, planFill } from './candle-ranges';

const H6 = 6 * 3600_000;
const T0 = Date.UTC(2025, 0, 1); // a 6h boundary
const NOW = T0 + 3000 * H6 + 123_456; // inside candle 3000, which is still forming

describe('candle fill planning', () => {
  it('closed candles end at the open of the forming one', () => {
    expect(closedEnd(NOW, '6h')).toBe(T0 + 3000 * H6);
    expect(closedEnd(T0 + 3000 * H6, '6h')).toBe(T0 + 3000 * H6);
  });

  it('with nothing stored fetches the whole request forwards, aligned and clipped to closed candles', () => {
    const plan = planFill(null, '6h', { from: T0 - 1000, to: NOW + 10 * H6 }, NOW);
    expect(plan).toEqual({
      wanted: { from: T0, to: T0 + 3000 * H6 },
      before: null,
      after: { from: T0, to: T0 + 3000 * H6 },
    });
    expect(pageCount(plan, '6h')).toBe(3);
  });

  it('starts at the listing when the exchange tells it', () => {
    const plan = planFill(null, '6h', { from: T0, to: NOW }, NOW, T0 + 2500 * H6 + 5);
    expect(plan.after).toEqual({ from: T0 + 2501 * H6, to: T0 + 3000 * H6 });
  });

  it('fetches only before the first and after the last known candle', () => {
    const stored = { coveredFrom: T0 + 1000 * H6, coveredTo: T0 + 2000 * H6 };
    const plan = planFill(stored, '6h', { from: T0, to: NOW }, NOW);
    expect(plan.before).toEqual({ from: T0, to: T0 + 1000 * H6 });
    expect(plan.after).toEqual({ from: T0 + 2000 * H6, to: T0 + 3000 * H6 });
    expect(pageCount(plan, '6h')).toBe(2);
  });

  it('fetches nothing when the request lies inside what is known, and the new candles only after a clock step', () => {
    const stored = { coveredFrom: T0, coveredTo: T0 + 3000 * H6 };
    expect(planFill(stored, '6h', { from: T0 + 5 * H6, to: NOW }, NOW)).toMatchObject({ before: null, after: null });
    const later = NOW + 3 * H6;
    expect(planFill(stored, '6h', { from: T0, to: later }, later)).toMatchObject({
      before: null,
      after: { from: T0 + 3000 * H6, to: T0 + 3003 * H6 },
    });
  });

  it('keeps the stored span contiguous: a request past it also fetches the gap in between', () => {
    const stored = { coveredFrom: T0, coveredTo: T0 + 100 * H6 };
    expect(planFill(stored, '6h', { from: T0 + 500 * H6, to: T0 + 600 * H6 }, NOW).after).toEqual({
      from: T0 + 100 * H6,
      to: T0 + 600 * H6,
    });
    const later = { coveredFrom: T0 + 900 * H6, coveredTo: T0 + 1000 * H6 };
    expect(planFill(later, '6h', { from: T0, to: T0 + 10 * H6 }, NOW).before).toEqual({ from: T0, to: T0 + 900 * H6 });
  });

  it('pages forwards oldest first and backwards newest first, at most 1000 candles each', () => {
    const range = { from: T0, to: T0 + 2500 * H6 };
    expect(forwardPages(range, '6h')).toEqual([
      { from: T0, to: T0 + 1000 * H6 },
      { from: T0 + 1000 * H6, to: T0 + 2000 * H6 },
      { from: T0 + 2000 * H6, to: T0 + 2500 * H6 },
    ]);
    expect(backwardPages(range, '6h')).toEqual([
      { from: T0 + 1500 * H6, to: T0 + 2500 * H6 },
      { from: T0 + 500 * H6, to: T0 + 1500 * H6 },
      { from: T0, to: T0 + 500 * H6 },
    ]);
    expect(forwardPages({ from: T0, to: T0 }, '6h')).toEqual([]);
  });

  it('does not mark the newest two missing candles as known (the exchange may publish them late)', () => {
    const end = T0 + 100 * H6;
    expect(coveredAfterForwardFill(T0, end, end - H6, '6h')).toBe(end); // all arrived
    expect(coveredAfterForwardFill(T0, end, end - 2 * H6, '6h')).toBe(end - H6); // newest missing: asked again
    expect(coveredAfterForwardFill(T0, end, end - 50 * H6, '6h')).toBe(end - 2 * H6); // long gap (delisted): only the last two
    expect(coveredAfterForwardFill(T0, end, NaN, '6h')).toBe(end - 2 * H6);
    expect(coveredAfterForwardFill(end - H6, end, NaN, '6h')).toBe(end - H6); // never before the start
  });
});
