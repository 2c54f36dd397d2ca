import { stopRatchet, type StopRatchetInput } from './stop-ratchet';

const T = Date.UTC(2026, 0, 1);
const base: StopRatchetInput = {
  side: 'LONG',
  desired: 95.004,
  price: 100,
  tickSize: 0.01,
  currentStop: 90,
  trailingActive: false,
  trailingStop: null,
  lastTrailingUpdateSec: 0,
  nowMs: T,
  spacingSec: 3,
};

describe('stopRatchet', () => {
  it('moves a LONG stop up to the desired level, rounded to the tick', () => {
    expect(stopRatchet(base)).toEqual({ stop: 95, trailing: false });
  });

  it('interleaved coins (other ticks, other levels) each get their own rounding, as roundToTick gives it', () => {
    const btc = { ...base, desired: 95.004, tickSize: 0.01 };
    const pepe = { ...base, price: 0.0012, currentStop: 0.001, desired: 0.00114449, tickSize: 0.0000001 };
    const eth = { ...base, desired: 95.004, tickSize: 0.5 };
    for (let round = 0; round < 2; round++) {
      expect(stopRatchet(btc)?.stop).toBe(95);
      expect(stopRatchet(pepe)?.stop).toBe(0.0011445);
      expect(stopRatchet(eth)?.stop).toBe(95);
      expect(stopRatchet({ ...eth, desired: 95.3 })?.stop).toBe(95.5);
      expect(stopRatchet(btc)?.stop).toBe(95);
    }
  });

  it('never loosens the stop nor puts it at or through the price', () => {
    expect(stopRatchet({ ...base, desired: 89 })).toBeNull();
    expect(stopRatchet({ ...base, desired: 100 })).toBeNull();
    expect(stopRatchet({ ...base, desired: null })).toBeNull();
    // SHORT mirrors: a lower stop is tighter, and it must stay above the price.
    expect(stopRatchet({ ...base, side: 'SHORT', desired: 104, currentStop: 110 })).toEqual({
      stop: 104,
      trailing: false,
    });
    expect(stopRatchet({ ...base, side: 'SHORT', desired: 112, currentStop: 110 })).toBeNull();
    expect(stopRatchet({ ...base, side: 'SHORT', desired: 99, currentStop: 110 })).toBeNull();
  });

  it('spaces trailing moves by trailing_update_interval', () => {
    const trailing = { ...base, trailingActive: true, trailingStop: 95.004 };
    expect(stopRatchet({ ...trailing, lastTrailingUpdateSec: T / 1000 - 2 })).toBeNull();
    expect(stopRatchet({ ...trailing, lastTrailingUpdateSec: T / 1000 - 3 })).toEqual({ stop: 95, trailing: true });
    // A break-even stop (not the trailing one) is not spaced.
    expect(stopRatchet({ ...trailing, trailingStop: 96, lastTrailingUpdateSec: T / 1000 })).toEqual({
      stop: 95,
      trailing: false,
    });
  });
});
