import { RepeatSuppressor } from './repeat-suppressor';

describe('RepeatSuppressor (fake clock)', () => {
  let now: number;
  let s: RepeatSuppressor<string>;
  beforeEach(() => {
    now = 1_000_000;
    s = new RepeatSuppressor<string>({ windowMs: 60_000, now: () => now });
  });

  it('prints the first entry, holds back identical ones within the window, then summarises them', () => {
    expect(s.offer('k', 'first')).toBe(true);
    now += 1_000;
    expect(s.offer('k', 'second')).toBe(false);
    now += 58_999; // 59.999 s after the first: still inside
    expect(s.offer('k', 'third')).toBe(false);
    expect(s.flushExpired()).toEqual([]);
    now += 1; // exactly 60 s: the window is over
    expect(s.flushExpired()).toEqual([{ entry: 'first', count: 2 }]);
    // The next one starts a new window and prints again.
    expect(s.offer('k', 'fourth')).toBe(true);
    expect(s.tracked).toBe(1);
  });

  it('a window that held nothing back ends silently', () => {
    expect(s.offer('a', 'x')).toBe(true);
    now += 60_000;
    expect(s.flushExpired()).toEqual([]);
    expect(s.tracked).toBe(0);
  });

  it('keeps different messages apart', () => {
    expect(s.offer('a', 'A')).toBe(true);
    expect(s.offer('b', 'B')).toBe(true);
    expect(s.offer('a', 'A')).toBe(false);
    expect(s.offer('a', 'A')).toBe(false);
    expect(s.offer('b', 'B')).toBe(false);
    now += 60_000;
    expect(s.flushExpired()).toEqual([
      { entry: 'A', count: 2 },
      { entry: 'B', count: 1 },
    ]);
  });

  it('a repeat arriving after the window closes the old window itself (no summary lost without a sweep)', () => {
    s.offer('k', 'first');
    s.offer('k', 'held');
    now += 61_000;
    expect(s.offer('k', 'new window')).toBe(true);
    expect(s.flushExpired()).toEqual([{ entry: 'first', count: 1 }]);
  });

  it('windows end in start order even when keys are re-opened', () => {
    s.offer('a', 'A1');
    now += 30_000;
    s.offer('b', 'B1');
    s.offer('b', 'B1');
    now += 30_000; // a's window over, b's still open
    s.offer('a', 'A2'); // re-opens a (A1 had no repeats)
    s.offer('a', 'A2');
    expect(s.flushExpired()).toEqual([]);
    now += 30_000; // b over
    expect(s.flushExpired()).toEqual([{ entry: 'B1', count: 1 }]);
    now += 30_000; // a over
    expect(s.flushExpired()).toEqual([{ entry: 'A2', count: 1 }]);
  });

  it('flushAll returns open windows too (at exit)', () => {
    s.offer('k', 'x');
    s.offer('k', 'x');
    s.offer('k', 'x');
    expect(s.flushAll()).toEqual([{ entry: 'x', count: 2 }]);
    expect(s.tracked).toBe(0);
  });

  it('tracks a bounded number of keys, closing the oldest window early', () => {
    const small = new RepeatSuppressor<string>({ windowMs: 60_000, now: () => now, maxKeys: 2 });
    small.offer('a', 'A');
    small.offer('a', 'A');
    small.offer('b', 'B');
    small.offer('c', 'C'); // evicts a
    expect(small.tracked).toBe(2);
    expect(small.flushExpired()).toEqual([{ entry: 'A', count: 1 }]);
    expect(small.offer('a', 'A')).toBe(true);
  });
});
