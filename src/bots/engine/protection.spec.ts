import {
  breakEvenStopPrice,
  evaluateProtections,
  initialProtectionState,
  ratchetStop,
  stopLossPrice,
  takeProfitPrice,
  tightestStop,
  trailingStopPrice,
  type ProtectionInput,
  type ProtectionSettings,
  type ProtectionState,
  stopLossPercentWithinLiquidation,
} from './protection';

const trailingOnly: ProtectionSettings = {
  maxLossPercent: 15,
  takeProfitPercent: 0,
  closeAtProfitEnabled: true,
  trailingActivation: 10,
  trailingDistance: 5,
  trailingUpdateIntervalSec: 3,
  maxPositionHours: 0,
  breakEvenProtection: false,
  breakEvenTrigger: 5,
};

function run(
  settings: ProtectionSettings,
  side: 'LONG' | 'SHORT',
  prices: number[],
  extra: Partial<ProtectionInput> = {},
) {
  let state: ProtectionState = initialProtectionState();
  return prices.map((price) => {
    const r = evaluateProtections(
      state,
      { side, entryPrice: 100, price, quantity: 2, cumRealisedPnl: 0, positionStartMs: 0, nowMs: 0, ...extra },
      settings,
    );
    state = r.state;
    return r;
  });
}

describe('fixed stop-loss and take-profit prices', () => {
  it('puts the stop 15 % below a long entry and above a short entry', () => {
    expect(stopLossPrice('LONG', 100, 15)).toBeCloseTo(85, 10);
    expect(stopLossPrice('SHORT', 100, 15)).toBeCloseTo(115, 10);
    expect(stopLossPrice('LONG', 100, 0)).toBeNull();
  });

  it('puts the take-profit 5 % in the profitable direction; (0,1) reads as 1 %', () => {
    expect(takeProfitPrice('LONG', 200, 5)).toBeCloseTo(210, 10);
    expect(takeProfitPrice('SHORT', 200, 5)).toBeCloseTo(190, 10);
    expect(takeProfitPrice('LONG', 200, 0.5)).toBeCloseTo(202, 10);
    expect(takeProfitPrice('LONG', 200, 0)).toBeNull();
  });
});

describe('trailing stop, LONG (entry 100, activation 10 %, distance 5 %)', () => {
  const results = run(trailingOnly, 'LONG', [105, 110, 120, 116, 114]);

  it('stays inactive below the activation profit; the fixed stop (85) is what the exchange holds', () => {
    expect(results[0].state.trailingActive).toBe(false);
    expect(results[0].desiredStop).toBeCloseTo(85, 10);
    expect(results[0].close).toBeNull();
  });

  it('activates at +10 % with the stop at 110·0.95 = 104.5', () => {
    expect(results[1].state.trailingActive).toBe(true);
    expect(results[1].state.trailingReference).toBe(110);
    expect(results[1].state.trailingStop).toBeCloseTo(104.5, 10);
    expect(results[1].desiredStop).toBeCloseTo(104.5, 10);
  });

  it('follows a new high: 120·0.95 = 114', () => {
    expect(results[2].state.trailingReference).toBe(120);
    expect(results[2].state.trailingStop).toBeCloseTo(114, 10);
  });

  it('does not move back down when the price falls (116 keeps 114)', () => {
    expect(results[3].state.trailingReference).toBe(120);
    expect(results[3].state.trailingStop).toBeCloseTo(114, 10);
    expect(results[3].close).toBeNull();
  });

  it('closes TRAILING_STOP when the price reaches the stop', () => {
    expect(results[4].close).toBe('TRAILING_STOP');
  });
});

describe('trailing stop, SHORT (entry 100, activation 10 %, distance 5 %)', () => {
  const results = run(trailingOnly, 'SHORT', [95, 90, 80, 83, 84]);

  it('activates at −10 % price (profit +10 %) with the stop at 90·1.05 = 94.5', () => {
    expect(results[0].state.trailingActive).toBe(false);
    expect(results[0].desiredStop).toBeCloseTo(115, 10);
    expect(results[1].state.trailingActive).toBe(true);
    expect(results[1].state.trailingStop).toBeCloseTo(94.5, 10);
  });

  it('follows a new low (80·1.05 = 84) and never loosens on a bounce', () => {
    expect(results[2].state.trailingStop).toBeCloseTo(84, 10);
    expect(results[3].state.trailingReference).toBe(80);
    expect(results[3].state.trailingStop).toBeCloseTo(84, 10);
    expect(results[3].close).toBeNull();
  });

  it('closes TRAILING_STOP at 84', () => {
    expect(results[4].close).toBe('TRAILING_STOP');
  });
});

describe('trailing stop arithmetic', () => {
  it('never puts a LONG trailing stop below entry or the break-even stop', () => {
    expect(trailingStopPrice('LONG', 104, 5, 100, null)).toBe(100); // 98.8 raised to entry
    expect(trailingStopPrice('LONG', 110, 12, 100, 100.125)).toBe(100.125); // 96.8 raised to the BE stop
  });

  it('never puts a SHORT trailing stop above entry or the break-even stop', () => {
    expect(trailingStopPrice('SHORT', 97, 5, 100, null)).toBe(100); // 101.85 lowered to entry
    expect(trailingStopPrice('SHORT', 90, 12, 100, 99.875)).toBe(99.875);
  });

  it('ratchets only in the profitable direction', () => {
    expect(ratchetStop('LONG', 104.5, 103)).toBe(104.5);
    expect(ratchetStop('LONG', 104.5, 106)).toBe(106);
    expect(ratchetStop('SHORT', 94.5, 96)).toBe(94.5);
    expect(ratchetStop('SHORT', 94.5, 93)).toBe(93);
    expect(ratchetStop('LONG', null, 90)).toBe(90);
  });

  it('picks the tightest stop but never through the price', () => {
    expect(tightestStop('LONG', 105, [85, 100, null])).toBe(100);
    expect(tightestStop('LONG', 99, [85, 100])).toBe(99);
    expect(tightestStop('SHORT', 95, [115, 100])).toBe(100);
    expect(tightestStop('SHORT', 101, [115, 100])).toBe(101);
    expect(tightestStop('LONG', 100, [null])).toBeNull();
  });
});

describe('stop-loss, take-profit, max hold', () => {
  const withTp: ProtectionSettings = { ...trailingOnly, takeProfitPercent: 5 };

  it('closes STOP_LOSS at −15 % and not just above it', () => {
    expect(run(trailingOnly, 'LONG', [85.01])[0].close).toBeNull();
    expect(run(trailingOnly, 'LONG', [85])[0].close).toBe('STOP_LOSS');
    expect(run(trailingOnly, 'SHORT', [115])[0].close).toBe('STOP_LOSS');
  });

  it('closes TAKE_PROFIT at +5 % (LONG 105, SHORT 95) when close_at_profit is on', () => {
    expect(run(withTp, 'LONG', [104.9])[0].close).toBeNull();
    expect(run(withTp, 'LONG', [105])[0].close).toBe('TAKE_PROFIT');
    expect(run(withTp, 'SHORT', [95])[0].close).toBe('TAKE_PROFIT');
    expect(run({ ...withTp, closeAtProfitEnabled: false }, 'LONG', [105])[0].close).toBeNull();
  });

  it('closes MAX_POSITION_HOURS once the hold time is reached', () => {
    const s = { ...trailingOnly, maxPositionHours: 2 };
    expect(run(s, 'LONG', [101], { positionStartMs: 0, nowMs: 2 * 3_600_000 - 1 })[0].close).toBeNull();
    expect(run(s, 'LONG', [101], { positionStartMs: 0, nowMs: 2 * 3_600_000 })[0].close).toBe('MAX_POSITION_HOURS');
  });

  it('tracks the maximum profit', () => {
    const r = run(trailingOnly, 'LONG', [103, 107, 104]);
    expect(r[2].state.maxProfitPercent).toBeCloseTo(7, 10);
  });
});

describe('break-even', () => {
  const be: ProtectionSettings = {
    ...trailingOnly,
    breakEvenProtection: true,
    breakEvenTrigger: 5,
    trailingDistance: 0,
  };

  it('computes the stop as entry ± 2.5×fees per coin, clamped between entry and price', () => {
    // fees 0.1 USDT on 2 coins: 0.1·2.5/2 = 0.125
    expect(breakEvenStopPrice('LONG', 100, 106, -0.1, 2)).toBeCloseTo(100.125, 10);
    expect(breakEvenStopPrice('SHORT', 100, 94, -0.1, 2)).toBeCloseTo(99.875, 10);
    expect(breakEvenStopPrice('LONG', 100, 100.05, -0.1, 2)).toBeCloseTo(100.05, 10);
    expect(breakEvenStopPrice('LONG', 100, 106, 0, 2)).toBe(100);
  });

  it('arms at +5 %, moves the stop to break-even and closes BREAK_EVEN back at entry', () => {
    const r = run(be, 'LONG', [104, 106, 100.04], { cumRealisedPnl: -0.1 });
    expect(r[0].state.breakEvenActive).toBe(false);
    expect(r[1].state.breakEvenActive).toBe(true);
    expect(r[1].state.breakEvenStop).toBeCloseTo(100.125, 10);
    expect(r[1].desiredStop).toBeCloseTo(100.125, 10);
    expect(r[2].close).toBe('BREAK_EVEN');
  });

  it('closes BREAK_EVEN when a short gaps through its break-even stop between two ticks', () => {
    const r = run(be, 'SHORT', [94, 100.5]);
    expect(r[0].state.breakEvenStop).toBe(100);
    expect(r[1].close).toBe('BREAK_EVEN');
  });
});

describe('stopLossPercentWithinLiquidation', () => {
  it('keeps the configured stop when it lies inside the liquidation distance', () => {
    expect(stopLossPercentWithinLiquidation(5, 10)).toBe(5); // 5 % < 8 % (80 % of 10 %)
    expect(stopLossPercentWithinLiquidation(15, 1)).toBe(15); // no leverage, no liquidation
  });
  it('pulls a stop that liquidation would pre-empt inside it', () => {
    expect(stopLossPercentWithinLiquidation(15, 10)).toBeCloseTo(8, 10); // 100/10 * 0.8
    expect(stopLossPercentWithinLiquidation(15, 25)).toBeCloseTo(3.2, 10);
  });
  it('leaves a disabled stop disabled', () => {
    expect(stopLossPercentWithinLiquidation(0, 10)).toBe(0);
  });
});
