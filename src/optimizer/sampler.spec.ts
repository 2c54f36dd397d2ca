import { DEFAULT_SAMPLER_OPTIONS, drawGeneration, initialSamplerState, refit } from './sampler';

describe('sampler', () => {
  it('draws generation 0 uniformly inside the cube, reproducibly from the seed', () => {
    const a = drawGeneration(initialSamplerState(7, 3), 50);
    const b = drawGeneration(initialSamplerState(7, 3), 50);
    expect(b).toEqual(a);
    expect(a.units.flat().every((v) => v >= 0 && v < 1)).toBe(true);
    expect(drawGeneration(initialSamplerState(8, 3), 50).units).not.toEqual(a.units);
  });

  it('refits on the elites whatever order the results arrived in; invalid candidates are never elites', () => {
    const state = drawGeneration(initialSamplerState(1, 2), 10).state;
    const history = [
      { index: 0, unit: [0.1, 0.1], score: 1 },
      { index: 1, unit: [0.9, 0.9], score: 5 },
      { index: 2, unit: [0.8, 0.7], score: 5 },
      { index: 3, unit: [0.5, 0.5], score: null },
      { index: 4, unit: [0.2, 0.9], score: 2 },
    ];
    const options = { ...DEFAULT_SAMPLER_OPTIONS, batchSize: 10, eliteFraction: 0.2, smoothing: 1, minSigma: 0.01 };
    const forward = refit(state, history, options);
    expect(refit(state, [...history].reverse(), options)).toEqual(forward);
    // Two elites (ceil(10 × 0.2)): indices 1 and 2 → mean (0.85, 0.8), spread (0.05, 0.1).
    expect(forward.mean[0]).toBeCloseTo(0.85, 12);
    expect(forward.mean[1]).toBeCloseTo(0.8, 12);
    expect(forward.sigma[0]).toBeCloseTo(0.05, 12);
    expect(forward.sigma[1]).toBeCloseTo(0.1, 12);
    expect(forward.generation).toBe(state.generation + 1);
  });

  it('keeps later generations inside the cube (reflection at the edges)', () => {
    const state = {
      ...drawGeneration(initialSamplerState(3, 2), 1).state,
      generation: 1,
      mean: [0.99, 0.01],
      sigma: [0.3, 0.3],
    };
    const units = drawGeneration(state, 200).units.flat();
    expect(units.every((v) => v >= 0 && v <= 1)).toBe(true);
  });
});
