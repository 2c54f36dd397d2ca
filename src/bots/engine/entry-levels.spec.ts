import { DEFAULT_AUTO_BOT_CONFIG } from '../../config/defaults';
import { entryLevels, exchangeCloseReason } from './entry-levels';

const config = {
  ...DEFAULT_AUTO_BOT_CONFIG,
  max_loss_percent: 15,
  take_profit_percent: 5,
  close_at_profit_enabled: true,
};

describe('entryLevels', () => {
  it('puts both levels at their distance from the same price, rounded to the tick', () => {
    // 1x: the full 15 %; 100.07 × 0.85 = 85.0595 → 85.06, × 1.05 = 105.0735 → 105.07.
    expect(entryLevels('LONG', 100.07, config, 1, 0.01)).toEqual({ stopLoss: 85.06, takeProfit: 105.07 });
    expect(entryLevels('SHORT', 100.07, config, 1, 0.01)).toEqual({ stopLoss: 115.08, takeProfit: 95.07 });
  });

  it('keeps the stop inside the liquidation distance at leverage (15 % at 10x → 8 %)', () => {
    expect(entryLevels('LONG', 100, config, 10, 0.01)).toEqual({ stopLoss: 92, takeProfit: 105 });
  });

  it('gives no take-profit when close_at_profit is off, no stop when max_loss is 0', () => {
    expect(
      entryLevels('LONG', 100, { ...config, close_at_profit_enabled: false, max_loss_percent: 0 }, 1, 0.01),
    ).toEqual({ stopLoss: null, takeProfit: null });
  });
});

describe('exchangeCloseReason', () => {
  const plain = { trailingActive: false, breakEvenActivated: false, breakEvenStopSet: false };
  it('names a stop fill after the stop the bot had placed', () => {
    expect(exchangeCloseReason('STOP_LOSS', plain)).toBe('STOP_LOSS');
    expect(
      exchangeCloseReason('STOP_LOSS', {
        ...plain,
        trailingActive: true,
        breakEvenActivated: true,
        breakEvenStopSet: true,
      }),
    ).toBe('TRAILING_STOP');
    expect(exchangeCloseReason('STOP_LOSS', { ...plain, breakEvenActivated: true, breakEvenStopSet: true })).toBe(
      'BREAK_EVEN',
    );
    expect(exchangeCloseReason('STOP_LOSS', { ...plain, breakEvenActivated: true })).toBe('STOP_LOSS');
  });

  it('passes take-profit and liquidation through; anything else is a close on the exchange', () => {
    expect(exchangeCloseReason('TAKE_PROFIT', plain)).toBe('TAKE_PROFIT');
    expect(exchangeCloseReason('LIQUIDATION', plain)).toBe('LIQUIDATION');
    expect(exchangeCloseReason('OTHER', plain)).toBe('CLOSED_ON_EXCHANGE');
    expect(exchangeCloseReason(undefined, plain)).toBe('CLOSED_ON_EXCHANGE');
  });
});
