import { EquityHistory, MAX_EQUITY_POINTS } from './equity-history';

const M = 60_000;
const H = 60 * M;
const T0 = Date.UTC(2026, 0, 1);

describe('bounded equity history', () => {
  it('merges samples of one bucket keeping the highest, so the peak survives', () => {
    const history = new EquityHistory();
    // 24 h lookback → 86.4 s buckets: T0, T0+20s, T0+40s share one bucket
    history.record({ time: T0, equity: 100 }, 24 * H);
    history.record({ time: T0 + 20_000, equity: 130 }, 24 * H);
    history.record({ time: T0 + 40_000, equity: 90 }, 24 * H);
    expect(history.all()).toEqual([{ time: T0 + 20_000, equity: 130 }]);
    history.record({ time: T0 + 10 * M, equity: 95 }, 24 * H);
    expect(history.size).toBe(2);
  });

  it('drops samples older than the lookback and never holds more than the cap', () => {
    const history = new EquityHistory();
    history.record({ time: T0, equity: 1 }, H);
    history.record({ time: T0 + 2 * H, equity: 2 }, H);
    expect(history.all()).toEqual([{ time: T0 + 2 * H, equity: 2 }]);
    // Sampling keeps at most lookback / bucket = 1000 points; a longer list (e.g. from a file) is cut to the cap.
    const long = new EquityHistory(
      Array.from({ length: MAX_EQUITY_POINTS + 50 }, (_, i) => ({ time: T0 + i * M, equity: i })),
    );
    expect(long.size).toBe(MAX_EQUITY_POINTS);
    expect(long.all()[0].equity).toBe(50);
  });
});
