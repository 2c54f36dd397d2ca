import { mirrorBreakEvenTrigger } from './break-even-trigger';

function mirrored(values: Record<string, unknown>, current?: Parameters<typeof mirrorBreakEvenTrigger>[1]) {
  mirrorBreakEvenTrigger(values, current);
  return values;
}

describe('mirrorBreakEvenTrigger', () => {
  it('either spelling alone sets both', () => {
    expect(mirrored({ break_even_trigger_percent: 7 })).toEqual({
      break_even_trigger_percent: 7,
      break_even_trigger: 7,
    });
    expect(mirrored({ break_even_trigger: 12 })).toEqual({ break_even_trigger_percent: 12, break_even_trigger: 12 });
  });

  it('with both given and nothing current, the percent spelling wins', () => {
    expect(mirrored({ break_even_trigger: 3, break_even_trigger_percent: 7 })).toEqual({
      break_even_trigger_percent: 7,
      break_even_trigger: 7,
    });
  });

  it('against the current config the changed spelling wins (percent when both change)', () => {
    const current = { break_even_trigger_percent: 5, break_even_trigger: 5 };
    // A client echoing the whole config with only the old key edited.
    expect(mirrored({ break_even_trigger_percent: 5, break_even_trigger: 9 }, current)).toEqual({
      break_even_trigger_percent: 9,
      break_even_trigger: 9,
    });
    expect(mirrored({ break_even_trigger_percent: 8, break_even_trigger: 5 }, current)).toEqual({
      break_even_trigger_percent: 8,
      break_even_trigger: 8,
    });
    expect(mirrored({ break_even_trigger_percent: 8, break_even_trigger: 9 }, current)).toEqual({
      break_even_trigger_percent: 8,
      break_even_trigger: 8,
    });
  });

  it('leaves values without either key, or repeating the current ones, as they are', () => {
    expect(mirrored({ leverage: 3 })).toEqual({ leverage: 3 });
    const current = { break_even_trigger_percent: 5, break_even_trigger: 5 };
    expect(mirrored({ break_even_trigger_percent: 5 }, current)).toEqual({ break_even_trigger_percent: 5 });
  });
});
