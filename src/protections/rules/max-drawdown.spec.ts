import { checkMaxDrawdown } from './max-drawdown';

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);
const params = { percent: 10, lookbackMs: 24 * H, lockMs: 6 * H };

describe('max drawdown rule (10 % within 24 h, lock 6 h)', () => {
  it('locks every coin when equity is 10 % or more below the peak in the lookback', () => {
    // peak 10 000 at T0+1h, now 8 950 at T0+5h: (10 000 − 8 950) / 10 000 = 10.5 %
    const history = [
      { time: T0, equity: 9_800 },
      { time: T0 + H, equity: 10_000 },
      { time: T0 + 3 * H, equity: 9_500 },
    ];
    const decision = checkMaxDrawdown(
      { now: T0 + 5 * H, history, current: { time: T0 + 5 * H, equity: 8_950 } },
      params,
    );
    expect(decision.locks).toHaveLength(1);
    expect(decision.locks[0]).toMatchObject({ rule: 'max_drawdown', symbol: null, until: T0 + 11 * H });
    expect(decision.locks[0].reason).toContain('10.50 % below');
  });

  it('exactly at the limit locks; just above it does not', () => {
    const history = [{ time: T0, equity: 10_000 }];
    expect(
      checkMaxDrawdown({ now: T0 + H, history, current: { time: T0 + H, equity: 9_000 } }, params).locks,
    ).toHaveLength(1);
    const none = checkMaxDrawdown({ now: T0 + H, history, current: { time: T0 + H, equity: 9_001 } }, params);
    expect(none.locks).toHaveLength(0);
    expect(none.reason).toContain('9.99 % below');
  });

  it('a peak older than the lookback does not count', () => {
    // 12 000 at T0 is 25 h before now; the peak in the window is 9 500: (9 500 − 9 000) / 9 500 = 5.26 %
    const history = [
      { time: T0, equity: 12_000 },
      { time: T0 + 2 * H, equity: 9_500 },
    ];
    const decision = checkMaxDrawdown(
      { now: T0 + 25 * H, history, current: { time: T0 + 25 * H, equity: 9_000 } },
      params,
    );
    expect(decision.locks).toHaveLength(0);
    expect(decision.reason).toContain('5.26 % below');
  });

  it('samples at or before notBefore (the end of the previous lock) are ignored', () => {
    const history = [
      { time: T0, equity: 10_000 },
      { time: T0 + 7 * H, equity: 8_900 },
    ];
    const decision = checkMaxDrawdown(
      { now: T0 + 8 * H, history, current: { time: T0 + 8 * H, equity: 8_800 }, notBefore: T0 + 6 * H },
      params,
    );
    // peak since the reset is 8 900: 1.12 %
    expect(decision.locks).toHaveLength(0);
    expect(decision.reason).toContain('1.12 % below');
  });

  it('equity above every earlier sample is its own peak (0 %)', () => {
    const decision = checkMaxDrawdown(
      { now: T0 + H, history: [{ time: T0, equity: 100 }], current: { time: T0 + H, equity: 120 } },
      params,
    );
    expect(decision.locks).toHaveLength(0);
    expect(decision.reason).toContain('0.00 % below');
  });
});
