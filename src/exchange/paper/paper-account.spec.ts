import { InsufficientFundsError, InvalidOrderError } from '../exchange.errors';
import {
  MAX_CLOSED_TRADES,
  PaperAccount,
  liquidationPrice,
  takerFee,
  type InstrumentRules,
  type Quote,
} from './paper-account';
import type { SymbolSpec } from './symbols';

/** A hand-made instrument: tick 0.01, qty step 0.001, min notional 5, max leverage 100. */
function instrument(symbol = 'TEST', status: SymbolSpec['status'] = 'Trading'): InstrumentRules {
  const spec: SymbolSpec = {
    index: 0,
    symbol,
    exchangeSymbol: `${symbol}USDT`,
    status,
    basePrice: 100,
    tickSize: 0.01,
    priceDecimals: 2,
    qtyStep: 0.001,
    qtyDecimals: 3,
    minOrderQty: 0.001,
    minNotional: 5,
    maxLeverage: 100,
    sigma: 0.02,
    levelAmplitude: 0.2,
    jumpRate: 0,
    turnover6h: 1e6,
    youngPhase: null,
    listedAt: 0,
    key: 1,
  };
  return {
    spec,
    floorQty: (q) => Math.floor(q * 1000 + 1e-9) / 1000,
    roundQty: (q) => Math.round(q * 1000) / 1000,
    roundPrice: (p) => Math.round(p * 100) / 100,
  };
}

/** A quote with a 0.1 spread either side of `last`. */
function quote(last: number): Quote {
  return { last, bid: Math.round((last - 0.1) * 100) / 100, ask: Math.round((last + 0.1) * 100) / 100 };
}

const T = Date.UTC(2026, 0, 1);

describe('takerFee', () => {
  it('is quantity × price × rate (2 coins at 100.1, 0.1 % → 0.2002; Bybit taker 0.055 % of 500 USDT → 0.275)', () => {
    expect(takerFee(2, 100.1, 0.001)).toBeCloseTo(0.2002, 15);
    expect(takerFee(5, 100, 0.00055)).toBeCloseTo(0.275, 15);
    expect(takerFee(3, 100, 0)).toBe(0);
  });

  it('multiplies in the order the backtest always did ((qty × price) × rate), so replays stay bit-identical', () => {
    for (const [qty, price, rate] of [
      [1.163, 86.01, 0.00055],
      [0.878, 113.99, 0.00055],
      [0.001, 64_123.45, 0.0006],
    ]) {
      expect(takerFee(qty, price, rate)).toBe(qty * price * rate);
    }
  });

  it('is the fee the paper account charges on a fill', () => {
    const account = new PaperAccount({ startingBalance: 1000, feeRate: 0.00055, maxLeverage: 50 });
    const fill = account.marketOrder(instrument(), { symbol: 'TEST', side: 'buy', amount: 1.163 }, quote(86), T);
    expect(fill.fee).toBe(Math.round(takerFee(1.163, 86.1, 0.00055) * 1e8) / 1e8);
  });
});

describe('PaperAccount', () => {
  let account: PaperAccount;
  const test = instrument();

  beforeEach(() => {
    // Fee 0.1 % and a 1000 USDT wallet keep the hand arithmetic readable.
    account = new PaperAccount({ startingBalance: 1000, feeRate: 0.001, maxLeverage: 50 });
  });

  it('fills a buy at the ask with the fee, and holds margin = notional / leverage (default 10x)', () => {
    const result = account.marketOrder(test, { symbol: 'TEST', side: 'buy', amount: 2.0009 }, quote(100), T);
    // qty floored to the step: 2.000; price = ask 100.1; fee = 2 * 100.1 * 0.001 = 0.2002
    expect(result).toEqual({ orderId: 'paper-1', symbol: 'TEST', side: 'buy', amount: 2, price: 100.1, fee: 0.2002 });
    expect(account.walletBalance).toBeCloseTo(999.7998, 10);
    expect(account.usedMargin()).toBeCloseTo(20.02, 10); // 200.2 / 10
    const balance = account.balance(new Map([['TEST', 100]]));
    expect(balance).toEqual({
      currency: 'USDT',
      walletBalance: 999.7998,
      unrealizedPnl: -0.2, // (100 - 100.1) * 2
      totalEquity: 999.5998,
      marginBalance: 999.5998,
      availableBalance: 979.7798, // 999.7998 - 20.02
      positionValue: 200,
      activePositions: 1,
    });
    const view = account.view(account.position('TEST')!, 100, test);
    expect(view).toMatchObject({
      side: 'Long',
      size: 2,
      entryPrice: 100.1,
      leverage: 10,
      margin: 20.02,
      realizedPnl: -0.2002,
      unrealizedPnl: -0.2,
    });
    // Liquidation estimate: 100.1 * (1 - 1/10 + 0.005) = 90.5905 -> 90.59
    expect(view.liquidationPrice).toBe(90.59);
  });

  it('realises long PnL net of both fees', () => {
    account.marketOrder(test, { symbol: 'TEST', side: 'buy', amount: 2 }, quote(100), T);
    const close = account.marketOrder(
      test,
      { symbol: 'TEST', side: 'sell', amount: 2, reduceOnly: true },
      quote(110),
      T + 60_000,
      'MANUAL',
    );
    expect(close).toMatchObject({ side: 'sell', amount: 2, price: 109.9, fee: 0.2198 });
    expect(account.position('TEST')).toBeUndefined();
    // gross (109.9 - 100.1) * 2 = 19.6; fees 0.2002 + 0.2198 = 0.42
    expect(account.walletBalance).toBeCloseTo(1019.18, 10);
    expect(account.closedSince(0)).toEqual([
      {
        symbol: 'TEST',
        side: 'Long',
        size: 2,
        entryPrice: 100.1,
        exitPrice: 109.9,
        pnl: 19.18,
        reason: 'MANUAL',
        closedAt: T + 60_000,
      },
    ]);
  });

  it('realises short PnL net of both fees', () => {
    const open = account.marketOrder(test, { symbol: 'TEST', side: 'sell', amount: 3 }, quote(100), T);
    expect(open).toMatchObject({ price: 99.9, fee: 0.2997 });
    account.marketOrder(test, { symbol: 'TEST', side: 'buy', amount: 3 }, quote(90), T + 1);
    // gross (99.9 - 90.1) * 3 = 29.4; fees 0.2997 + 0.2703 = 0.57
    expect(account.walletBalance).toBeCloseTo(1028.83, 10);
    expect(account.closedSince(0)[0]).toMatchObject({
      side: 'Short',
      size: 3,
      entryPrice: 99.9,
      exitPrice: 90.1,
      pnl: 28.83,
      reason: 'REDUCE',
    });
    // A short loses when the price rises.
    account.marketOrder(test, { symbol: 'TEST', side: 'sell', amount: 1 }, quote(100), T + 2);
    expect(account.view(account.position('TEST')!, 105, test).unrealizedPnl).toBeCloseTo(-5.1, 10); // (99.9 - 105) * 1
    expect(account.view(account.position('TEST')!, 105, test).liquidationPrice).toBe(109.39); // 99.9 * (1 + 0.1 - 0.005)
  });

  it('averages the entry when adding, and charges opening fees pro rata on partial closes', () => {
    account.marketOrder(test, { symbol: 'TEST', side: 'buy', amount: 1 }, quote(100), T);
    account.marketOrder(test, { symbol: 'TEST', side: 'buy', amount: 1 }, quote(110), T + 1);
    const position = account.position('TEST')!;
    expect(position.size).toBe(2);
    expect(position.entryPrice).toBeCloseTo(105.1, 10); // (100.1 + 110.1) / 2
    expect(position.openFee).toBeCloseTo(0.2102, 10); // 0.1001 + 0.1101
    account.marketOrder(test, { symbol: 'TEST', side: 'sell', amount: 0.5 }, quote(120), T + 2);
    // 0.5 * (119.9 - 105.1) = 7.4; close fee 0.5 * 119.9 * 0.001 = 0.05995; open fee share 0.2102 / 4 = 0.05255
    expect(account.closedSince(0)[0]).toMatchObject({ size: 0.5, pnl: 7.2875, reason: 'REDUCE' });
    expect(account.position('TEST')!.size).toBe(1.5);
    expect(account.position('TEST')!.openFee).toBeCloseTo(0.15765, 10);
  });

  it('flips a position with an opposite order larger than it, unless reduce-only', () => {
    account.marketOrder(test, { symbol: 'TEST', side: 'buy', amount: 2 }, quote(100), T);
    const flip = account.marketOrder(test, { symbol: 'TEST', side: 'sell', amount: 5 }, quote(110), T + 1);
    expect(flip).toMatchObject({ amount: 5, price: 109.9, fee: 0.5495 });
    expect(account.position('TEST')).toMatchObject({ side: 'Short', size: 3, entryPrice: 109.9 });
    expect(account.closedSince(0)).toHaveLength(1);
    expect(account.closedSince(0)[0]).toMatchObject({ side: 'Long', size: 2, reason: 'REDUCE' });

    // Reduce-only never flips: it closes the 3 and stops.
    const reduce = account.marketOrder(
      test,
      { symbol: 'TEST', side: 'buy', amount: 10, reduceOnly: true },
      quote(100),
      T + 2,
    );
    expect(reduce.amount).toBe(3);
    expect(account.position('TEST')).toBeUndefined();
  });

  it('rejects reduce-only orders that would open or increase a position', () => {
    expect(() =>
      account.marketOrder(test, { symbol: 'TEST', side: 'sell', amount: 1, reduceOnly: true }, quote(100), T),
    ).toThrow(InvalidOrderError);
    account.marketOrder(test, { symbol: 'TEST', side: 'buy', amount: 1 }, quote(100), T);
    expect(() =>
      account.marketOrder(test, { symbol: 'TEST', side: 'buy', amount: 1, reduceOnly: true }, quote(100), T),
    ).toThrow(/reduce-only/);
    expect(account.position('TEST')!.size).toBe(1);
  });

  it('validates quantity and order value', () => {
    expect(() => account.marketOrder(test, { symbol: 'TEST', side: 'buy', amount: 0.0009 }, quote(100), T)).toThrow(
      InvalidOrderError,
    );
    expect(() => account.marketOrder(test, { symbol: 'TEST', side: 'buy', amount: Number.NaN }, quote(100), T)).toThrow(
      InvalidOrderError,
    );
    expect(() => account.marketOrder(test, { symbol: 'TEST', side: 'buy', amount: -1 }, quote(100), T)).toThrow(
      InvalidOrderError,
    );
    // 0.049 * 100.1 = 4.9049 USDT < 5
    expect(() => account.marketOrder(test, { symbol: 'TEST', side: 'buy', amount: 0.049 }, quote(100), T)).toThrow(
      /below the minimum 5 USDT/,
    );
    // 0.05 * 100.1 = 5.005 passes
    expect(account.marketOrder(test, { symbol: 'TEST', side: 'buy', amount: 0.05 }, quote(100), T).amount).toBe(0.05);
    // Closing a position smaller than the minimum value is allowed.
    expect(account.marketOrder(test, { symbol: 'TEST', side: 'sell', amount: 0.01 }, quote(100), T).amount).toBe(0.01);
  });

  it('refuses orders it cannot fund (margin plus fee), changing nothing', () => {
    // 99 * 100.1 = 9909.9 notional -> margin 990.99 + fee 9.9099 = 1000.8999 > 1000
    expect(() => account.marketOrder(test, { symbol: 'TEST', side: 'buy', amount: 99 }, quote(100), T)).toThrow(
      InsufficientFundsError,
    );
    expect(account.walletBalance).toBe(1000);
    expect(account.openPositions()).toHaveLength(0);
    // 98 * 100.1 = 9809.8 -> 980.98 + 9.8098 = 990.7898 fits
    account.marketOrder(test, { symbol: 'TEST', side: 'buy', amount: 98 }, quote(100), T);
    expect(account.availableBalance()).toBeCloseTo(1000 - 9.8098 - 980.98, 8);
    // A flip may use the margin its close frees: after closing the 98 (wallet 960.8, nothing held) a short of 50
    // needs 499.5 + 4.995; with the long still open only 9.2102 would be free.
    account.marketOrder(test, { symbol: 'TEST', side: 'sell', amount: 148 }, quote(100), T);
    expect(account.position('TEST')).toMatchObject({ side: 'Short', size: 50, entryPrice: 99.9 });
    expect(account.walletBalance).toBeCloseTo(960.8 - 4.995, 8);
  });

  it('opens nothing on a market that is not trading, but still lets positions be reduced', () => {
    const closed = instrument('GONE', 'Closed');
    expect(() => account.marketOrder(closed, { symbol: 'GONE', side: 'buy', amount: 1 }, quote(100), T)).toThrow(
      /not trading/,
    );
    expect(account.openPositions()).toHaveLength(0);
    // A position opened before the delisting (restored from a saved account) can still be closed.
    const state = account.exportState();
    state.positions.push({
      symbol: 'GONE',
      side: 'Long',
      size: 1,
      entryPrice: 100,
      leverage: 10,
      stopLoss: null,
      takeProfit: null,
      openFee: 0.1,
      realizedPnl: -0.1,
      createdAt: T,
      updatedAt: T,
    });
    account.importState(state, () => true);
    expect(() => account.marketOrder(closed, { symbol: 'GONE', side: 'buy', amount: 1 }, quote(100), T)).toThrow(
      /not trading/,
    );
    expect(
      account.marketOrder(closed, { symbol: 'GONE', side: 'sell', amount: 1, reduceOnly: true }, quote(100), T).amount,
    ).toBe(1);
    expect(account.openPositions()).toHaveLength(0);
  });

  it('sets stops with the order and validates their side against the current price', () => {
    account.marketOrder(
      test,
      { symbol: 'TEST', side: 'buy', amount: 1, stopLoss: 95.004, takeProfit: 110 },
      quote(100),
      T,
    );
    expect(account.position('TEST')).toMatchObject({ stopLoss: 95, takeProfit: 110 });
    expect(() => account.setTradingStop(test, { stopLoss: 101 }, 100, T)).toThrow(
      /must be below the current price 100/,
    );
    expect(() => account.setTradingStop(test, { takeProfit: 99 }, 100, T)).toThrow(InvalidOrderError);
    account.setTradingStop(test, { stopLoss: 97 }, 100, T);
    expect(account.position('TEST')).toMatchObject({ stopLoss: 97, takeProfit: 110 });
    account.setTradingStop(test, { takeProfit: 0 }, 100, T);
    expect(account.position('TEST')!.takeProfit).toBeNull();
    // Shorts mirror it; an invalid stop on an order rejects the whole order.
    expect(() =>
      account.marketOrder(test, { symbol: 'TEST', side: 'sell', amount: 3, stopLoss: 90 }, quote(100), T),
    ).toThrow(/must be above/);
    expect(account.position('TEST')!.side).toBe('Long');
    expect(() => account.setTradingStop(instrument('NONE'), { stopLoss: 1 }, 100, T)).toThrow(/no open position/);
  });

  it('bounds leverage by the market and the account cap, and re-margins an open position', () => {
    expect(() => account.setLeverage(test.spec, 0.5, T)).toThrow(InvalidOrderError);
    expect(() => account.setLeverage(test.spec, 51, T)).toThrow(/between 1 and 50/);
    account.setLeverage(test.spec, 50, T);
    account.marketOrder(test, { symbol: 'TEST', side: 'buy', amount: 10 }, quote(100), T);
    expect(account.usedMargin()).toBeCloseTo(20.02, 10); // 1001 / 50
    expect(liquidationPrice('Long', 100.1, 50)).toBeCloseTo(98.5985, 10); // 100.1 * (1 - 0.02 + 0.005)
    account.setLeverage(test.spec, 2, T);
    expect(account.position('TEST')!.leverage).toBe(2);
    expect(account.usedMargin()).toBeCloseTo(500.5, 10);
    // 1x would need 1001 USDT of margin: more than the wallet.
    expect(() => account.setLeverage(test.spec, 1, T)).toThrow(InsufficientFundsError);
    expect(account.leverageOf(test.spec)).toBe(2);
  });

  it('answers a repeated clientOrderId with the original result and places nothing', () => {
    const first = account.marketOrder(
      test,
      { symbol: 'TEST', side: 'buy', amount: 1, clientOrderId: 'bot-1' },
      quote(100),
      T,
    );
    const again = account.marketOrder(
      test,
      { symbol: 'TEST', side: 'buy', amount: 1, clientOrderId: 'bot-1' },
      quote(120),
      T + 5,
    );
    expect(again).toEqual(first);
    expect(account.position('TEST')!.size).toBe(1);
    const other = account.marketOrder(
      test,
      { symbol: 'TEST', side: 'buy', amount: 1, clientOrderId: 'bot-2' },
      quote(100),
      T,
    );
    expect(other.orderId).not.toBe(first.orderId);
    expect(account.position('TEST')!.size).toBe(2);
    // A failed attempt is not remembered: the retry may succeed.
    expect(() =>
      account.marketOrder(test, { symbol: 'TEST', side: 'buy', amount: 500, clientOrderId: 'bot-3' }, quote(100), T),
    ).toThrow(InsufficientFundsError);
    expect(
      account.marketOrder(test, { symbol: 'TEST', side: 'buy', amount: 1, clientOrderId: 'bot-3' }, quote(100), T)
        .amount,
    ).toBe(1);
  });

  it('closes at a trigger price with the fee and keeps at most the last 500 closed trades', () => {
    account.marketOrder(test, { symbol: 'TEST', side: 'buy', amount: 1 }, quote(100), T);
    const trade = account.closeAt(test, 'TEST', 95, 'STOP_LOSS', T + 60_000);
    // (95 - 100.1) * 1 - 0.095 - 0.1001
    expect(trade).toMatchObject({ exitPrice: 95, pnl: -5.2951, reason: 'STOP_LOSS', closedAt: T + 60_000 });
    expect(account.walletBalance).toBeCloseTo(1000 - 0.1001 - 5.1 - 0.095, 10);
    expect(account.closeAt(test, 'TEST', 95, 'STOP_LOSS', T)).toBeNull();
    for (let i = 0; i < MAX_CLOSED_TRADES + 20; i++) {
      account.marketOrder(test, { symbol: 'TEST', side: 'buy', amount: 0.1 }, quote(100), T + i);
      account.closeAt(test, 'TEST', 100, 'MANUAL', T + i);
    }
    const trades = account.closedSince(0);
    expect(trades).toHaveLength(MAX_CLOSED_TRADES);
    expect(trades.at(-1)!.closedAt).toBe(T + MAX_CLOSED_TRADES + 19);
    expect(account.closedSince(T + MAX_CLOSED_TRADES + 10)).toHaveLength(10);
  });

  it('exports plain JSON and imports it back; malformed state throws and changes nothing', () => {
    account.setLeverage(test.spec, 20, T);
    account.marketOrder(
      test,
      { symbol: 'TEST', side: 'sell', amount: 2, clientOrderId: 'c-1', stopLoss: 120 },
      quote(100),
      T,
    );
    account.marketOrder(test, { symbol: 'TEST', side: 'buy', amount: 1 }, quote(90), T + 1);
    account.lastTriggerCheck = T + 2;
    const saved = JSON.parse(JSON.stringify(account.exportState()));

    const restored = new PaperAccount({ startingBalance: 1000, feeRate: 0.001, maxLeverage: 50 });
    restored.importState(saved, (s) => s === 'TEST');
    expect(restored.exportState()).toEqual(account.exportState());
    expect(
      restored.marketOrder(test, { symbol: 'TEST', side: 'sell', amount: 2, clientOrderId: 'c-1' }, quote(50), T + 3),
    ).toEqual(account.processedOrder('c-1'));
    expect(restored.marketOrder(test, { symbol: 'TEST', side: 'sell', amount: 1 }, quote(100), T).orderId).toBe(
      'paper-3',
    );

    const before = restored.exportState();
    for (const broken of [
      null,
      { ...saved, version: 99 },
      { ...saved, walletBalance: 'lots' },
      { ...saved, positions: [{ ...saved.positions[0], side: 'Up' }] },
      { ...saved, positions: [saved.positions[0], saved.positions[0]] },
      { ...saved, positions: [{ ...saved.positions[0], symbol: 'NOPE' }] },
      { ...saved, closedTrades: [{ ...saved.closedTrades[0], reason: 'BECAUSE' }] },
    ]) {
      expect(() => restored.importState(broken, (s) => s === 'TEST')).toThrow(/invalid paper account state/);
    }
    expect(restored.exportState()).toEqual(before);
  });
});
