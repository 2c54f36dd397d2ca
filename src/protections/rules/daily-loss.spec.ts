import { checkDailyLoss, utcDayStart } from './daily-loss';
import type { ClosedTradeFact } from './rule.types';

const H = 3_600_000;
const DAY = Date.UTC(2026, 0, 2);
const trade = (hour: number, pnlUsdt: number): ClosedTradeFact => ({
  symbol: 'X',
  closedAt: DAY + hour * H,
  pnlUsdt,
  roiPercent: 0,
  exitReason: 'STOP_LOSS',
});

describe('daily loss limit', () => {
  it('utcDayStart is 00:00 UTC of the same day', () => {
    expect(utcDayStart(DAY + 13 * H + 5)).toBe(DAY);
  });

  it('USDT limit: a net loss of 300 today locks until the next UTC midnight; yesterday does not count', () => {
    const trades = [trade(-2, -1_000), trade(1, -200), trade(3, 50), trade(5, -150)];
    const decision = checkDailyLoss(
      { now: DAY + 6 * H, trades, walletBalance: 9_000 },
      { limitUsdt: 300, limitPercent: 0 },
    );
    expect(decision.locks).toEqual([
      expect.objectContaining({ rule: 'daily_loss', symbol: null, until: DAY + 24 * H }),
    ]);
    expect(decision.locks[0].reason).toContain('-300.00 USDT');
  });

  it('percent limit uses the balance the day started with: 9 700 now after −300 → 10 000; 3 % = 300', () => {
    const trades = [trade(1, -300)];
    expect(
      checkDailyLoss({ now: DAY + 2 * H, trades, walletBalance: 9_700 }, { limitUsdt: 0, limitPercent: 3 }).locks,
    ).toHaveLength(1);
    const under = checkDailyLoss(
      { now: DAY + 2 * H, trades: [trade(1, -299)], walletBalance: 9_701 },
      { limitUsdt: 0, limitPercent: 3 },
    );
    expect(under.locks).toHaveLength(0);
    expect(under.reason).toContain('3 % of 10000.00 USDT = 300.00 USDT');
  });

  it('with both forms set, the lower limit applies', () => {
    // 5 % of 10 000 = 500; 200 USDT is lower
    const decision = checkDailyLoss(
      { now: DAY + 2 * H, trades: [trade(1, -250)], walletBalance: 9_750 },
      { limitUsdt: 200, limitPercent: 5 },
    );
    expect(decision.locks).toHaveLength(1);
  });

  it('trades at or before a reset (lock removed) are not counted', () => {
    const decision = checkDailyLoss(
      {
        now: DAY + 6 * H,
        trades: [trade(1, -500), trade(5, -100)],
        walletBalance: 9_400,
        resets: { '*': DAY + 2 * H },
      },
      { limitUsdt: 300, limitPercent: 0 },
    );
    expect(decision.locks).toHaveLength(0);
  });
});
