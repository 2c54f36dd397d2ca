import { checkExitScam, DEFAULT_EXIT_SCAM_PARAMS } from './exit-scam';

/** Candles given as [open, close] pairs, preceded by `calm` quiet candles. */
function candles(pairs: Array<[number, number]>, calm = 10) {
  const all: Array<[number, number]> = [
    ...Array.from({ length: calm }, (): [number, number] => [100, 100.5]),
    ...pairs,
  ];
  return { open: all.map((p) => p[0]), close: all.map((p) => p[1]) };
}

describe('exit-scam / anti-pump filter (8 candles, 15 %, 4 candles, 50 %)', () => {
  it('allows a single candle body of exactly 15 %, blocks 15.01 %', () => {
    expect(checkExitScam(candles([[100, 115]]), DEFAULT_EXIT_SCAM_PARAMS).allowed).toBe(true);
    const blocked = checkExitScam(candles([[100, 115.01]]), DEFAULT_EXIT_SCAM_PARAMS);
    expect(blocked.allowed).toBe(false);
    expect(blocked.filter).toBe('exit_scam');
  });

  it('dumps count like pumps', () => {
    expect(checkExitScam(candles([[100, 84.99]]), DEFAULT_EXIT_SCAM_PARAMS).allowed).toBe(false);
    expect(checkExitScam(candles([[100, 85]]), DEFAULT_EXIT_SCAM_PARAMS).allowed).toBe(true);
  });

  it('looks at the last 8 candles only (the forming one included)', () => {
    const big: [number, number] = [100, 130];
    const ninthBack = candles([big, ...Array.from({ length: 8 }, (): [number, number] => [100, 101])]);
    expect(checkExitScam(ninthBack, DEFAULT_EXIT_SCAM_PARAMS).allowed).toBe(true);
    const eighthBack = candles([big, ...Array.from({ length: 7 }, (): [number, number] => [100, 101])]);
    expect(checkExitScam(eighthBack, DEFAULT_EXIT_SCAM_PARAMS).allowed).toBe(false);
  });

  it('blocks a 4-candle move above 50 % made of candles under 15 % each', () => {
    const under: Array<[number, number]> = [
      [100, 112],
      [112, 125],
      [125, 137.5],
      [137.5, 150.01],
    ];
    const blocked = checkExitScam(candles(under), DEFAULT_EXIT_SCAM_PARAMS);
    expect(blocked.allowed).toBe(false);
    expect(blocked.reason).toMatch(/4 candles/);
    const exactly50: Array<[number, number]> = [
      [100, 112],
      [112, 125],
      [125, 137.5],
      [137.5, 150],
    ];
    expect(checkExitScam(candles(exactly50), DEFAULT_EXIT_SCAM_PARAMS).allowed).toBe(true);
  });

  it('blocks with fewer than 8 candles and skips candles with a non-positive open', () => {
    expect(checkExitScam(candles([], 7), DEFAULT_EXIT_SCAM_PARAMS).allowed).toBe(false);
    expect(checkExitScam(candles([], 8), DEFAULT_EXIT_SCAM_PARAMS).allowed).toBe(true);
    expect(checkExitScam(candles([[0, 50]]), DEFAULT_EXIT_SCAM_PARAMS).allowed).toBe(true);
  });
});
