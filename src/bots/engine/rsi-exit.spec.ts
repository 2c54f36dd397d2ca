import { rsiExitDelayMet, rsiExitStep } from './rsi-exit';

const HOUR = 3_600_000;

describe('RSI exit delays', () => {
  it('are off when all zero', () => {
    expect(rsiExitDelayMet({ minCandles: 0, minMinutes: 0, minMovePercent: 0 }, '6h', 0, 0)).toBe(true);
  });

  it('count whole candles of the entry timeframe', () => {
    const d = { minCandles: 2, minMinutes: 0, minMovePercent: 0 };
    expect(rsiExitDelayMet(d, '6h', 12 * HOUR - 1, 0)).toBe(false);
    expect(rsiExitDelayMet(d, '6h', 12 * HOUR, 0)).toBe(true);
  });

  it('minutes override candles and round up: 400 min on 6h = 2 candles', () => {
    const d = { minCandles: 10, minMinutes: 400, minMovePercent: 0 };
    expect(rsiExitDelayMet(d, '6h', 6 * HOUR, 0)).toBe(false);
    expect(rsiExitDelayMet(d, '6h', 12 * HOUR, 0)).toBe(true);
  });

  it('with a move minimum, the price must have moved that far either way', () => {
    const d = { minCandles: 0, minMinutes: 0, minMovePercent: 2 };
    expect(rsiExitDelayMet(d, '1h', HOUR, 1.5)).toBe(false);
    expect(rsiExitDelayMet(d, '1h', HOUR, -2.5)).toBe(true);
  });
});

describe('break-even wait (§7.6 step 3)', () => {
  it('closes RSI_EXIT in profit', () => {
    expect(rsiExitStep({ exitSignal: true, waitingBreakeven: false, profitPercent: 0.3, waitWhenLoss: true })).toEqual({
      action: 'close',
      reason: 'RSI_EXIT',
    });
  });

  it('starts waiting instead of closing in a loss', () => {
    expect(rsiExitStep({ exitSignal: true, waitingBreakeven: false, profitPercent: -1, waitWhenLoss: true })).toEqual({
      action: 'keep',
      waitingBreakeven: true,
    });
  });

  it('closes in a loss when the wait is off', () => {
    expect(rsiExitStep({ exitSignal: true, waitingBreakeven: false, profitPercent: -1, waitWhenLoss: false })).toEqual({
      action: 'close',
      reason: 'RSI_EXIT',
    });
  });

  it('leaves the wait at +0.05 % regardless of RSI', () => {
    expect(rsiExitStep({ exitSignal: false, waitingBreakeven: true, profitPercent: 0.05, waitWhenLoss: true })).toEqual(
      { action: 'close', reason: 'BREAKEVEN_WAIT_EXIT' },
    );
    expect(rsiExitStep({ exitSignal: true, waitingBreakeven: true, profitPercent: 0.04, waitWhenLoss: true })).toEqual({
      action: 'keep',
      waitingBreakeven: true,
    });
  });

  it('keeps without a signal', () => {
    expect(rsiExitStep({ exitSignal: false, waitingBreakeven: false, profitPercent: 5, waitWhenLoss: true })).toEqual({
      action: 'keep',
      waitingBreakeven: false,
    });
  });
});
