import { deriveKey, gaussAt, hashAt, mix32, normalQuantile, toUint32, uniformAt } from './rng';

describe('paper rng', () => {
  it('mix32 is the lowbias32 finaliser (checked against a BigInt implementation)', () => {
    const reference = (input: number): number => {
      const mask = 0xffffffffn;
      let x = BigInt(input);
      x ^= x >> 16n;
      x = (x * 0x7feb352dn) & mask;
      x ^= x >> 15n;
      x = (x * 0x846ca68bn) & mask;
      x ^= x >> 16n;
      return Number(x);
    };
    for (const input of [0, 1, 2, 0x12345678, 0xdeadbeef, 0xffffffff]) expect(mix32(input)).toBe(reference(input));
    // A bijection on uint32: no collisions over a range.
    const seen = new Set<number>();
    for (let i = 0; i < 100_000; i++) seen.add(mix32(i));
    expect(seen.size).toBe(100_000);
  });

  it('is a pure function of (key, index)', () => {
    expect(hashAt(7, 123)).toBe(hashAt(7, 123));
    expect(hashAt(7, 123)).not.toBe(hashAt(8, 123));
    expect(deriveKey(5, 1)).not.toBe(deriveKey(5, 2));
    expect(toUint32(42)).toBe(toUint32(42));
    expect(toUint32(42)).not.toBe(toUint32(43));
    expect(toUint32(2 ** 40 + 1)).not.toBe(toUint32(1));
  });

  it('normalQuantile matches known quantiles', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
  });

  it('uniforms are in (0,1) with mean 1/2; gaussians have mean 0 and variance 1', () => {
    const n = 200_000;
    let su = 0;
    let sg = 0;
    let sg2 = 0;
    let beyond2 = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = uniformAt(99, i);
      if (!(u > 0 && u < 1)) outside++;
      su += u;
      const g = gaussAt(99, i);
      sg += g;
      sg2 += g * g;
      if (g > 1.959964 || g < -1.959964) beyond2++;
    }
    expect(outside).toBe(0);
    expect(su / n).toBeCloseTo(0.5, 2);
    expect(Math.abs(sg / n)).toBeLessThan(0.008); // 3.5 standard errors
    expect(sg2 / n).toBeGreaterThan(0.98);
    expect(sg2 / n).toBeLessThan(1.02);
    // Two-sided 5 % tail.
    expect(beyond2 / n).toBeGreaterThan(0.045);
    expect(beyond2 / n).toBeLessThan(0.055);
  });
});
