import { boundedIntervalMs, MAX_INTERVAL_MS, MIN_INTERVAL_MS } from './setting-interval';

describe('setting intervals', () => {
  it('bounds the delay to [500 ms, 2^31-1 ms]', () => {
    expect(boundedIntervalMs(10)).toBe(MIN_INTERVAL_MS);
    expect(boundedIntervalMs(60_000)).toBe(60_000);
    expect(boundedIntervalMs(1e12)).toBe(MAX_INTERVAL_MS);
    expect(boundedIntervalMs(Number.NaN)).toBe(MAX_INTERVAL_MS);
  });
});
