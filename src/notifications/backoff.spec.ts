import { retryDelayMs } from './backoff';

describe('retryDelayMs', () => {
  const policy = { baseMs: 1_000, maxMs: 60_000 };

  it('doubles from the base and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => retryDelayMs(n, policy))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000,
    ]);
    expect(retryDelayMs(0, policy)).toBe(1_000);
    expect(retryDelayMs(1_000, policy)).toBe(60_000);
  });

  it("waits at least the server's retry_after", () => {
    expect(retryDelayMs(1, policy, 7_000)).toBe(7_000);
    expect(retryDelayMs(4, policy, 3_000)).toBe(8_000);
  });

  it('spreads by up to 20 % with jitter', () => {
    expect(retryDelayMs(2, policy, null, 0.5)).toBe(2_200);
    expect(retryDelayMs(2, policy, null, 0.999)).toBe(2_400);
  });
});
