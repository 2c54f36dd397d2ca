import { buildSearchSpace, decodeCandidate, defaultRange, SearchSpaceError } from './search-space';

describe('search space', () => {
  it('centres default ranges on the current value, clipped to the setting range', () => {
    expect(defaultRange('rsi_long_threshold', 29)).toEqual({
      key: 'rsi_long_threshold',
      type: 'number',
      min: 19,
      max: 39,
    });
    expect(defaultRange('rsi_long_threshold', 5)).toEqual({
      key: 'rsi_long_threshold',
      type: 'number',
      min: 0,
      max: 15,
    });
    expect(defaultRange('max_loss_percent', 15)).toEqual({
      key: 'max_loss_percent',
      type: 'number',
      min: 7.5,
      max: 30,
    });
    expect(defaultRange('max_loss_percent', 80)).toEqual({
      key: 'max_loss_percent',
      type: 'number',
      min: 40,
      max: 100,
    });
    expect(defaultRange('leverage', 3)).toEqual({ key: 'leverage', type: 'int', min: 1, max: 8 });
    expect(defaultRange('max_position_hours', 0)).toEqual({
      key: 'max_position_hours',
      type: 'number',
      min: 0,
      max: 168,
    });
    expect(defaultRange('exit_scam_enabled')).toEqual({ key: 'exit_scam_enabled', type: 'bool' });
  });

  it('validates requests, naming the field', () => {
    const fail = (request: Parameters<typeof buildSearchSpace>[0]) => {
      try {
        buildSearchSpace(request);
      } catch (error) {
        return [(error as SearchSpaceError).field, (error as Error).message];
      }
      return null;
    };
    expect(fail([{ key: 'api_key' }])?.[0]).toBe('space[0].key');
    expect(fail([{ key: 'leverage' }, { key: 'leverage' }])?.[0]).toBe('space[1].key');
    expect(fail([{ key: 'leverage', min: 0 }])).toEqual([
      'space[0].min',
      'space[0].min must be an integer from 1 to 125',
    ]);
    expect(fail([{ key: 'rsi_long_threshold', max: 101 }])?.[0]).toBe('space[0].max');
    expect(fail([{ key: 'rsi_long_threshold', min: 40, max: 30 }])?.[0]).toBe('space[0].min');
    expect(buildSearchSpace([{ key: 'rsi_long_threshold', min: 20 }])).toEqual([
      { key: 'rsi_long_threshold', type: 'number', min: 20, max: 39 },
    ]);
    expect(buildSearchSpace(undefined).length).toBeGreaterThan(5);
  });

  it('decodes the unit cube to typed values inside the ranges', () => {
    const space = buildSearchSpace([
      { key: 'leverage', min: 1, max: 10 },
      { key: 'take_profit_percent', min: 2, max: 4 },
      { key: 'exit_scam_enabled' },
    ]);
    expect(decodeCandidate(space, [0.5, 0.25, 0.7])).toEqual({
      leverage: 6,
      take_profit_percent: 2.5,
      exit_scam_enabled: true,
    });
    expect(decodeCandidate(space, [-1, 2, 0.2])).toEqual({
      leverage: 1,
      take_profit_percent: 4,
      exit_scam_enabled: false,
    });
  });
});
