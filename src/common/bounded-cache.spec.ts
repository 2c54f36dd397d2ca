import { BoundedCache } from './bounded-cache';

describe('BoundedCache', () => {
  let now = 0;
  const cache = () => new BoundedCache<string, number>({ maxEntries: 3, maxAgeMs: 1000, now: () => now });
  beforeEach(() => (now = 0));

  it('never holds more than maxEntries: the least recently used goes first', () => {
    const c = cache();
    for (const [i, key] of ['a', 'b', 'c'].entries()) c.set(key, i);
    expect(c.get('a')).toBe(0); // a is now the most recently used
    c.set('d', 3);
    expect(c.size).toBe(3);
    expect(c.get('b')).toBeUndefined();
    expect([c.get('a'), c.get('c'), c.get('d')]).toEqual([0, 2, 3]);
    for (let i = 0; i < 1000; i++) c.set(`k${i}`, i);
    expect(c.size).toBe(3);
    expect(c.get('k999')).toBe(999);
  });

  it('forgets an entry older than maxAgeMs', () => {
    const c = cache();
    c.set('a', 1);
    now = 1000;
    expect(c.get('a')).toBe(1);
    now = 1001;
    expect(c.get('a')).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('drops expired entries on a write even if they are never read again', () => {
    const c = cache();
    c.set('a', 1);
    c.set('b', 2);
    now = 5000;
    c.set('c', 3);
    expect(c.size).toBe(1);
  });
});
