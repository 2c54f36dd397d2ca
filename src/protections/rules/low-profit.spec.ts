import { checkLowProfit } from './low-profit';
import type { ClosedTradeFact } from './rule.types';

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);
const trade = (symbol: string, hour: number, roiPercent: number): ClosedTradeFact => ({
  symbol,
  closedAt: T0 + hour * H,
  pnlUsdt: roiPercent / 10,
  roiPercent,
  exitReason: 'RSI_EXIT',
});
const params = { tradeCount: 3, maxLossPercent: 10, lockMs: 12 * H };

describe('low-profit pairs (last 3 trades lost more than 10 %, lock 12 h)', () => {
  it("sums the ROI of the coin's last 3 trades: −4 −5 −2 = −11 % locks until 12 h after the newest", () => {
    const trades = [trade('A', 1, 30), trade('A', 2, -4), trade('A', 3, -5), trade('A', 4, -2)];
    const decision = checkLowProfit({ now: T0 + 5 * H, trades }, params);
    expect(decision.locks).toEqual([expect.objectContaining({ rule: 'low_profit', symbol: 'A', until: T0 + 16 * H })]);
    expect(decision.locks[0].reason).toContain('-11.00 %');
  });

  it('exactly −10 % is not more than 10 %: no lock; an older winner outside the last 3 does not help', () => {
    expect(
      checkLowProfit({ now: T0 + 5 * H, trades: [trade('A', 2, -4), trade('A', 3, -4), trade('A', 4, -2)] }, params)
        .locks,
    ).toHaveLength(0);
    // last 3 of B: +1, −6, −6 = −11 → lock (the −20 before them is not among the last 3)
    const b = [trade('B', 0, -20), trade('B', 2, 1), trade('B', 3, -6), trade('B', 4, -6)];
    expect(checkLowProfit({ now: T0 + 5 * H, trades: b }, params).locks).toHaveLength(1);
  });

  it('fewer than 3 trades never lock; each coin is judged on its own', () => {
    const trades = [trade('A', 1, -50), trade('A', 2, -50), trade('B', 1, -1), trade('B', 2, -1), trade('B', 3, -1)];
    expect(checkLowProfit({ now: T0 + 4 * H, trades }, params).locks).toHaveLength(0);
  });

  it('no lock once 12 h passed since the newest trade, or after a reset', () => {
    const trades = [trade('A', 2, -4), trade('A', 3, -5), trade('A', 4, -2)];
    expect(checkLowProfit({ now: T0 + 16 * H, trades }, params).locks).toHaveLength(0);
    expect(checkLowProfit({ now: T0 + 5 * H, trades, resets: { A: T0 + 4 * H } }, params).locks).toHaveLength(0);
  });
});
