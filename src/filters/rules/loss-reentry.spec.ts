import { checkLossReentry, DEFAULT_LOSS_REENTRY_PARAMS } from './loss-reentry';

const SIX_HOURS = 6 * 3600_000;
const times = Array.from({ length: 20 }, (_, i) => Date.UTC(2026, 0, 1) + i * SIX_HOURS);

describe('loss re-entry protection (N = 1, X = 3)', () => {
  const exitAtCandle = (index: number, pnl = -5) => [{ pnl, exitTime: times[index] }];

  it('blocks until 3 candles opened since the losing exit', () => {
    const twoPassed = checkLossReentry(
      { trades: exitAtCandle(18), candleTimes: times, timeframeMs: SIX_HOURS },
      DEFAULT_LOSS_REENTRY_PARAMS,
    );
    expect(twoPassed.allowed).toBe(false);
    expect(twoPassed.details?.candles_passed).toBe(2);
    const threePassed = checkLossReentry(
      { trades: exitAtCandle(17), candleTimes: times, timeframeMs: SIX_HOURS },
      DEFAULT_LOSS_REENTRY_PARAMS,
    );
    expect(threePassed.allowed).toBe(true);
  });

  it('a break-even or winning last trade allows', () => {
    expect(
      checkLossReentry(
        { trades: exitAtCandle(19, 0), candleTimes: times, timeframeMs: SIX_HOURS },
        DEFAULT_LOSS_REENTRY_PARAMS,
      ).allowed,
    ).toBe(true);
  });

  it('fewer trades than N allows; with N = 2 one winner among the last two allows', () => {
    expect(
      checkLossReentry({ trades: [], candleTimes: times, timeframeMs: SIX_HOURS }, DEFAULT_LOSS_REENTRY_PARAMS).allowed,
    ).toBe(true);
    const params = { count: 2, candles: 3 };
    const oneLoss = [{ pnl: -1, exitTime: times[19] }];
    expect(checkLossReentry({ trades: oneLoss, candleTimes: times, timeframeMs: SIX_HOURS }, params).allowed).toBe(
      true,
    );
    const lossThenWin = [
      { pnl: -1, exitTime: times[19] },
      { pnl: 3, exitTime: times[10] },
    ];
    expect(checkLossReentry({ trades: lossThenWin, candleTimes: times, timeframeMs: SIX_HOURS }, params).allowed).toBe(
      true,
    );
    const twoLosses = [
      { pnl: -1, exitTime: times[19] },
      { pnl: -3, exitTime: times[10] },
    ];
    expect(checkLossReentry({ trades: twoLosses, candleTimes: times, timeframeMs: SIX_HOURS }, params).allowed).toBe(
      false,
    );
  });

  it('an exit after the newest candle opened counts no candle', () => {
    const decision = checkLossReentry(
      { trades: [{ pnl: -1, exitTime: times[19] + 1000 }], candleTimes: times, timeframeMs: SIX_HOURS },
      DEFAULT_LOSS_REENTRY_PARAMS,
    );
    expect(decision.allowed).toBe(false);
    expect(decision.details?.candles_passed).toBe(0);
  });
});
