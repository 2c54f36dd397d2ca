import { windowMetrics } from './objective';
import { applyDecision, foldWindows, scoreCandidate } from './walk-forward';

describe('walk-forward', () => {
  it('cuts folds + 1 equal segments; rolling trains on one, anchored on all before', () => {
    expect(foldWindows({ start: 0, end: 300 }, { folds: 2, mode: 'rolling' })).toEqual([
      { inSample: { start: 0, end: 100 }, outOfSample: { start: 100, end: 200 } },
      { inSample: { start: 100, end: 200 }, outOfSample: { start: 200, end: 300 } },
    ]);
    expect(foldWindows({ start: 0, end: 300 }, { folds: 2, mode: 'anchored' })[1]).toEqual({
      inSample: { start: 0, end: 200 },
      outOfSample: { start: 200, end: 300 },
    });
  });

  // Hand-computed: segments [0,100) [100,200) [200,300); trades by exit time.
  //   seg 0: +2, -1        -> net 1,   PF 2/1 = 2
  //   seg 1: +3, +1, -2    -> net 2,   PF 4/2 = 2
  //   seg 2: -1, +4        -> net 3,   PF 4/1 = 4
  // rolling, 2 folds: IS = seg0, seg1 -> mean net (1+2)/2 = 1.5; OOS = seg1, seg2 -> (2+3)/2 = 2.5; holdout = 3
  const trades = [
    { exitTime: 10, pnlPercent: 2 },
    { exitTime: 50, pnlPercent: -1 },
    { exitTime: 100, pnlPercent: 3 },
    { exitTime: 150, pnlPercent: 1 },
    { exitTime: 199, pnlPercent: -2 },
    { exitTime: 200, pnlPercent: -1 },
    { exitTime: 299, pnlPercent: 4 },
    { exitTime: 300, pnlPercent: 100 }, // at the end bound: outside the range
  ];
  const windows = foldWindows({ start: 0, end: 300 }, { folds: 2, mode: 'rolling' });

  it('scores net PnL per fold, in-sample and out-of-sample, by hand', () => {
    const score = scoreCandidate(trades, windows, 'net_pnl', { minTrades: 2, maxDrawdownPercent: 50 });
    expect(score.folds.map((f) => [f.inSample.score, f.outOfSample.score])).toEqual([
      [1, 2],
      [2, 3],
    ]);
    expect(score.inSampleScore).toBe(1.5);
    expect(score.outOfSampleScore).toBe(2.5);
    expect(score.holdoutScore).toBe(3);
    expect(score.outOfSampleTrades).toBe(5);
  });

  it('scores profit factor by hand, and anchored in-sample pools the earlier segments', () => {
    const score = scoreCandidate(
      trades,
      foldWindows({ start: 0, end: 300 }, { folds: 2, mode: 'anchored' }),
      'profit_factor',
      { minTrades: 1, maxDrawdownPercent: 50 },
    );
    // fold 2 anchored IS = seg0 + seg1: profit 2+3+1 = 6, loss 1+2 = 3 -> 2
    expect(score.folds.map((f) => [f.inSample.score, f.outOfSample.score])).toEqual([
      [2, 2],
      [2, 4],
    ]);
    expect(score.outOfSampleScore).toBe(3);
  });

  it('computes drawdown, Sharpe, Sortino and Calmar by hand', () => {
    // equity 100 -> 102 -> 101 -> 104: peak 102, trough 101 -> drawdown 1/102 %
    const m = windowMetrics([
      { exitTime: 1, pnlPercent: 2 },
      { exitTime: 2, pnlPercent: -1 },
      { exitTime: 3, pnlPercent: 3 },
    ]);
    // 4 decimals: the backtest statistics' drawdown rule (src/backtest/result/statistics.ts).
    expect(m.maxDrawdownPercent).toBe(0.9804);
    // mean 4/3; sample variance ((2/3)^2 + (7/3)^2 + (5/3)^2) / 2 = (4 + 49 + 25) / 18 = 78/18
    expect(m.sharpe).toBeCloseTo(4 / 3 / Math.sqrt(78 / 18), 10);
    // downside deviation sqrt(1 / 3)
    expect(m.sortino).toBeCloseTo(4 / 3 / Math.sqrt(1 / 3), 10);
    expect(m.calmar).toBeCloseTo(4 / 0.9804, 10);
    expect(m.winRate).toBeCloseTo(2 / 3, 10);
  });

  it('a window breaking a constraint has no score, and the candidate mean is null', () => {
    const score = scoreCandidate(trades, windows, 'net_pnl', { minTrades: 3, maxDrawdownPercent: 50 });
    expect(score.folds[0].inSample).toMatchObject({ score: null, violation: '2 trades < min 3' });
    expect(score.inSampleScore).toBeNull();
  });

  describe('applyDecision', () => {
    const score = scoreCandidate(trades, windows, 'net_pnl', { minTrades: 2, maxDrawdownPercent: 50 });
    it('applies a candidate at or above the floor', () => {
      expect(applyDecision(score, { minOutOfSampleScore: 2.5, minOutOfSampleTrades: 5 })).toEqual({ apply: true });
    });
    it('refuses below the floor, with the score and the floor', () => {
      expect(applyDecision(score, { minOutOfSampleScore: 2.6, minOutOfSampleTrades: 1 })).toEqual({
        apply: false,
        reason: 'out-of-sample score 2.5 < floor 2.6',
      });
    });
    it('refuses when the holdout alone is below the floor', () => {
      const weakHoldout = { ...score, holdoutScore: 0.5 };
      expect(applyDecision(weakHoldout, { minOutOfSampleScore: 1, minOutOfSampleTrades: 1 })).toEqual({
        apply: false,
        reason: 'holdout score 0.5 < floor 1',
      });
    });
    it('refuses too few out-of-sample trades', () => {
      expect(applyDecision(score, { minOutOfSampleScore: 0, minOutOfSampleTrades: 6 })).toEqual({
        apply: false,
        reason: 'out-of-sample trades 5 < minimum 6',
      });
    });
    it('refuses an out-of-sample window that breaks a constraint', () => {
      const broken = scoreCandidate(trades, windows, 'net_pnl', { minTrades: 3, maxDrawdownPercent: 50 });
      expect(applyDecision(broken, { minOutOfSampleScore: 0, minOutOfSampleTrades: 0 })).toEqual({
        apply: false,
        reason: 'fold 2 out-of-sample breaks a constraint: 2 trades < min 3',
      });
    });
  });
});
