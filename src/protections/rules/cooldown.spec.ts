import { checkCooldown } from './cooldown';
import type { ClosedTradeFact } from './rule.types';

const M = 60_000;
const T0 = Date.UTC(2026, 0, 1);
const trade = (symbol: string, minute: number): ClosedTradeFact => ({
  symbol,
  closedAt: T0 + minute * M,
  pnlUsdt: 5,
  roiPercent: 5,
  exitReason: 'TAKE_PROFIT',
});

describe('cooldown after an exit (60 min)', () => {
  it('locks each coin until 60 min after its newest exit, winners included', () => {
    const trades = [trade('A', 0), trade('A', 30), trade('B', 10), trade('C', -100)];
    const decision = checkCooldown({ now: T0 + 40 * M, trades }, { cooldownMs: 60 * M });
    expect(decision.locks.map((l) => [l.symbol, l.until])).toEqual([
      ['A', T0 + 90 * M],
      ['B', T0 + 70 * M],
    ]);
    expect(decision.locks[0].reason).toContain('10 min ago');
  });

  it('the lock ends exactly at exit + cooldown', () => {
    expect(checkCooldown({ now: T0 + 60 * M, trades: [trade('A', 0)] }, { cooldownMs: 60 * M }).locks).toHaveLength(0);
    expect(checkCooldown({ now: T0 + 60 * M - 1, trades: [trade('A', 0)] }, { cooldownMs: 60 * M }).locks).toHaveLength(
      1,
    );
  });

  it('a removed cooldown is not set again from the same exit', () => {
    expect(
      checkCooldown({ now: T0 + 10 * M, trades: [trade('A', 0)], resets: { A: T0 + 5 * M } }, { cooldownMs: 60 * M })
        .locks,
    ).toHaveLength(0);
  });
});
