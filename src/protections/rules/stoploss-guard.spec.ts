import type { ClosedTradeFact } from './rule.types';
import { checkStoplossGuard, isStopLossExit } from './stoploss-guard';

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);
const trade = (symbol: string, hour: number, exitReason = 'STOP_LOSS', pnlUsdt = -10): ClosedTradeFact => ({
  symbol,
  closedAt: T0 + hour * H,
  pnlUsdt,
  roiPercent: pnlUsdt,
  exitReason,
});
const params = { tradeLimit: 3, lookbackMs: 6 * H, lockMs: 4 * H, perCoin: false };

describe('stop-loss guard (3 stops within 6 h, lock 4 h)', () => {
  it('counts stop-losses, liquidations and losing trailing stops only', () => {
    expect(isStopLossExit(trade('A', 0))).toBe(true);
    expect(isStopLossExit(trade('A', 0, 'LIQUIDATION'))).toBe(true);
    expect(isStopLossExit(trade('A', 0, 'TRAILING_STOP', -1))).toBe(true);
    expect(isStopLossExit(trade('A', 0, 'TRAILING_STOP', 5))).toBe(false);
    expect(isStopLossExit(trade('A', 0, 'RSI_EXIT', -50))).toBe(false);
  });

  it('three stops across coins within 6 h lock the account until 4 h after the newest', () => {
    const trades = [trade('A', 1), trade('B', 3), trade('C', 5), trade('D', 5, 'TAKE_PROFIT', 20)];
    const decision = checkStoplossGuard({ now: T0 + 6 * H, trades }, params);
    expect(decision.locks).toEqual([
      expect.objectContaining({ rule: 'stoploss_guard', symbol: null, until: T0 + 9 * H }),
    ]);
    expect(decision.locks[0].reason).toContain('3 stop-loss exits across the account');
  });

  it('a stop older than the lookback does not count', () => {
    // at T0+7h the window is (T0+1h, T0+7h]: the stop at T0+1h is out, 2 remain
    const decision = checkStoplossGuard(
      { now: T0 + 7 * H, trades: [trade('A', 1), trade('B', 3), trade('C', 5)] },
      params,
    );
    expect(decision.locks).toHaveLength(0);
  });

  it('per coin: only the coin with 3 stops is locked', () => {
    const trades = [trade('A', 1), trade('A', 2), trade('A', 4), trade('B', 3), trade('B', 4)];
    const decision = checkStoplossGuard({ now: T0 + 5 * H, trades }, { ...params, perCoin: true });
    expect(decision.locks).toEqual([expect.objectContaining({ symbol: 'A', until: T0 + 8 * H })]);
  });

  it('stops at or before a reset (lock lifted or removed) are not counted again', () => {
    const trades = [trade('A', 1), trade('B', 3), trade('C', 5)];
    expect(checkStoplossGuard({ now: T0 + 6 * H, trades, resets: { '*': T0 + 5 * H } }, params).locks).toHaveLength(0);
  });

  it('a lock that would already have ended is not set', () => {
    // lookback 10 h, lock 1 h: newest stop at T0+5h → until T0+6h, now T0+7h
    const decision = checkStoplossGuard(
      { now: T0 + 7 * H, trades: [trade('A', 1), trade('B', 3), trade('C', 5)] },
      { ...params, lookbackMs: 10 * H, lockMs: H },
    );
    expect(decision.locks).toHaveLength(0);
  });
});
