import { marginUsdt, pnlUsdt, profitPercent, roiPercent } from './profit';

describe('profit, PnL and ROI', () => {
  it("profit % is the price move in the position's favour", () => {
    expect(profitPercent('LONG', 100, 110)).toBeCloseTo(10, 10);
    expect(profitPercent('SHORT', 100, 90)).toBeCloseTo(10, 10);
    expect(profitPercent('SHORT', 100, 110)).toBeCloseTo(-10, 10);
    expect(profitPercent('LONG', 0, 110)).toBe(0);
  });

  it('LONG 2 coins 100 → 110 at 10× earns 20 USDT on 20 USDT margin: ROI 100 %', () => {
    const pnl = pnlUsdt('LONG', 100, 110, 2);
    expect(pnl).toBe(20);
    expect(marginUsdt(100, 2, 10)).toBe(20);
    expect(roiPercent(pnl, 100, 2, 10)).toBe(100);
  });

  it('SHORT 2 coins 100 → 110 at 5× loses 20 USDT on 40 USDT margin: ROI −50 %', () => {
    const pnl = pnlUsdt('SHORT', 100, 110, 2);
    expect(pnl).toBe(-20);
    expect(roiPercent(pnl, 100, 2, 5)).toBe(-50);
  });
});
