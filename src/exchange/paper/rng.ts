/**
 * Counter-based randomness for the paper market: every random number is a pure function of
 * its coordinates (seed, symbol, stream, index), never of how many numbers were drawn before.
 * That is what makes prices independent of call order and of when the process started.
 */

/** Math captured once: global lookups are very slow inside jest's vm sandbox, and this code is hot. */
const math = Math;

/** A 32-bit avalanche finaliser (Wellons' "lowbias32"); bijective on uint32. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Folds any JS number (including non-integers, negatives or values above 2^32) into a uint32. */
export function toUint32(value: number): number {
  if (!Number.isFinite(value)) return 0;
  const int = math.trunc(value);
  const low = int % 0x1_0000_0000;
  const high = math.trunc(int / 0x1_0000_0000);
  return mix32((low >>> 0) ^ mix32(high >>> 0));
}

/** Derives a sub-key: a new independent stream from a parent key and a label. */
export function deriveKey(key: number, label: number): number {
  return mix32((key ^ mix32((label + 0x632be5ab) >>> 0)) >>> 0);
}

/** FNV-1a of a string, for turning names into keys. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The uint32 hash of position `index` in the stream `key`. */
export function hashAt(key: number, index: number): number {
  return mix32((key ^ mix32((index + 0x9e3779b9) >>> 0)) >>> 0);
}

const TWO_POW_MINUS_32 = 1 / 0x1_0000_0000;

/** Uniform in the open interval (0, 1). */
export function uniformAt(key: number, index: number): number {
  return (hashAt(key, index) + 0.5) * TWO_POW_MINUS_32;
}

/** Acklam's rational approximation of the standard normal quantile (relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [
    -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
    2.506628277459239,
  ];
  const b = [
    -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1,
  ];
  const c = [
    -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  if (p < low) {
    const q = math.sqrt(-2 * math.log(p));
    return (
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    );
  }
  if (p > 1 - low) {
    const q = math.sqrt(-2 * math.log(1 - p));
    return (
      -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    );
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

/**
 * Normal deviates come from a tabulated quantile function with linear interpolation: one hash and
 * a few flops each, which matters because the market draws millions of them. Tails are cut near
 * ±3.9 sigma; the simulator adds explicit jumps where it wants fat tails.
 */
const GAUSS_BITS = 12;
const GAUSS_SIZE = 1 << GAUSS_BITS;
const GAUSS_TABLE = (() => {
  const table = new Float64Array(GAUSS_SIZE + 1);
  const edge = 0.2 / GAUSS_SIZE;
  for (let i = 0; i <= GAUSS_SIZE; i++) {
    const p = math.min(math.max(i / GAUSS_SIZE, edge), 1 - edge);
    table[i] = normalQuantile(p);
  }
  return table;
})();
const FRACTION_SCALE = 1 / (1 << (32 - GAUSS_BITS));

/** Standard normal deviate from a uint32 hash. */
export function gaussFromHash(h: number): number {
  const index = h >>> (32 - GAUSS_BITS);
  const fraction = (h & ((1 << (32 - GAUSS_BITS)) - 1)) * FRACTION_SCALE;
  const lo = GAUSS_TABLE[index];
  return lo + (GAUSS_TABLE[index + 1] - lo) * fraction;
}

/** Standard normal deviate at position `index` of stream `key`. */
export function gaussAt(key: number, index: number): number {
  return gaussFromHash(hashAt(key, index));
}
