import { ceilToStep, floorToStep, orderQuantity, positionNotionalUsdt, roundToTick, stepDecimals } from './sizing';

describe('position notional', () => {
  it('percent mode takes that share of the wallet balance', () => {
    expect(positionNotionalUsdt('percent', 5, 1000)).toBe(50);
    expect(positionNotionalUsdt('percent', 5, -10)).toBe(0);
  });

  it('usdt mode uses the value as the notional', () => {
    expect(positionNotionalUsdt('usdt', 25, 1000)).toBe(25);
    expect(positionNotionalUsdt('fixed_usdt', 25, 0)).toBe(25);
    expect(positionNotionalUsdt('usdt', 0, 1000)).toBe(0);
  });
});

describe('step rounding', () => {
  it('counts decimals of steps', () => {
    expect(stepDecimals(0.001)).toBe(3);
    expect(stepDecimals(1)).toBe(0);
    expect(stepDecimals(1e-7)).toBe(7);
  });

  it('rounds up / down to the step without float noise', () => {
    expect(ceilToStep(0.0016667, 0.001)).toBe(0.002);
    expect(ceilToStep(0.1 + 0.2, 0.1)).toBe(0.3);
    expect(floorToStep(0.0029, 0.001)).toBe(0.002);
    expect(floorToStep(0.3, 0.1)).toBe(0.3);
    expect(roundToTick(104.4999999, 0.01)).toBe(104.5);
  });
});

describe('order quantity', () => {
  const btc = { qtyStep: 0.001, minOrderQty: 0.001, minNotional: 5, availableBalance: 1000, leverage: 10 };

  it('rounds notional/price up to qtyStep: 50 USDT at 30000 → 0.002 BTC (60 USDT, margin 6)', () => {
    const r = orderQuantity({ ...btc, notionalUsdt: 50, price: 30000 });
    expect(r).toEqual({ ok: true, quantity: 0.002, notionalUsdt: 60, marginUsdt: 6, raisedToMinimum: false });
  });

  it('raises to minOrderQty: 10 USDT at 100 with minimum 1 coin → 1 coin', () => {
    const r = orderQuantity({
      notionalUsdt: 10,
      price: 100,
      qtyStep: 0.1,
      minOrderQty: 1,
      minNotional: 5,
      availableBalance: 100,
      leverage: 10,
    });
    expect(r.ok && r.quantity).toBe(1);
  });

  it('raises a below-minimum order to 1.02×minNotional when the balance carries it: 3 USDT at 1 → 6 coins', () => {
    const r = orderQuantity({
      notionalUsdt: 3,
      price: 1,
      qtyStep: 1,
      minOrderQty: 1,
      minNotional: 5,
      availableBalance: 100,
      leverage: 10,
    });
    expect(r).toEqual({ ok: true, quantity: 6, notionalUsdt: 6, marginUsdt: 0.6, raisedToMinimum: true });
  });

  it('fails MIN_NOTIONAL when the request is below the minimum and the balance cannot carry its margin', () => {
    const r = orderQuantity({
      notionalUsdt: 3,
      price: 1,
      qtyStep: 1,
      minOrderQty: 1,
      minNotional: 5,
      availableBalance: 0.3,
      leverage: 10,
    });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toBe('MIN_NOTIONAL');
  });

  it('refuses a zero volume or a missing price', () => {
    expect(orderQuantity({ ...btc, notionalUsdt: 0, price: 30000 })).toMatchObject({ ok: false, error: 'ZERO_VOLUME' });
    expect(orderQuantity({ ...btc, notionalUsdt: 50, price: 0 })).toMatchObject({ ok: false, error: 'INVALID_PRICE' });
  });
});
