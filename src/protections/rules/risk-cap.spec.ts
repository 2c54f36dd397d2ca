import { checkRiskCap } from './risk-cap';

describe('risk cap (10 % of the balance)', () => {
  it('allows while open margin + the entry stay within 10 % of the balance', () => {
    // 10 % of 10 000 = 1 000; 700 + 300 = 1 000
    expect(
      checkRiskCap({ walletBalance: 10_000, openMarginUsdt: 700, entryMarginUsdt: 300 }, { percent: 10 }).allowed,
    ).toBe(true);
  });

  it('refuses an entry that would exceed it, naming the figures', () => {
    const decision = checkRiskCap(
      { walletBalance: 10_000, openMarginUsdt: 700, entryMarginUsdt: 300.5 },
      { percent: 10 },
    );
    expect(decision.allowed).toBe(false);
    expect(decision.reason).toBe(
      'risk cap: open margin 700.00 USDT + entry 300.50 USDT = 1000.50 USDT would exceed 10 % of 10000.00 USDT = 1000.00 USDT',
    );
  });

  it('an empty or negative balance allows nothing', () => {
    expect(checkRiskCap({ walletBalance: -5, openMarginUsdt: 0, entryMarginUsdt: 1 }, { percent: 50 }).allowed).toBe(
      false,
    );
  });
});
