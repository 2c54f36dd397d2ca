import { ConfigValidationError } from './config-validation.error';
import { AUTO_BOT_SPECS, DEFAULT_AUTO_BOT_CONFIG, DEFAULT_SYSTEM_CONFIG, SYSTEM_SPECS } from './defaults';
import { coerceSetting, coerceSettings } from './setting-spec';

describe('setting specs', () => {
  it('every default is valid under its own spec', () => {
    for (const [specs, defaults] of [
      [AUTO_BOT_SPECS, DEFAULT_AUTO_BOT_CONFIG],
      [SYSTEM_SPECS, DEFAULT_SYSTEM_CONFIG],
    ] as const) {
      const { values, ignored } = coerceSettings(specs, { ...defaults });
      expect(ignored).toEqual([]);
      expect(values).toEqual(defaults);
    }
  });

  it('uses the seed defaults for the auto-bot and the intervals', () => {
    expect(DEFAULT_AUTO_BOT_CONFIG).toMatchObject({
      enabled: false,
      max_concurrent: 5,
      rsi_long_threshold: 29,
      rsi_short_threshold: 71,
      rsi_exit_long_with_trend: 65,
      rsi_exit_short_with_trend: 35,
    });
    expect(DEFAULT_SYSTEM_CONFIG).toMatchObject({
      bot_status_update_interval: 30,
      position_sync_interval: 30,
      rsi_update_interval: 300,
    });
  });

  it('coerces the forms clients send', () => {
    expect(coerceSetting('leverage', AUTO_BOT_SPECS.leverage, '20')).toBe(20);
    expect(coerceSetting('enabled', AUTO_BOT_SPECS.enabled, 'true')).toBe(true);
    expect(coerceSetting('enabled', AUTO_BOT_SPECS.enabled, 0)).toBe(false);
    expect(coerceSetting('whitelist', AUTO_BOT_SPECS.whitelist, ['btcusdt', 'ETH', 'ETH'])).toEqual(['BTC', 'ETH']);
  });

  it.each([
    ['leverage', 0],
    ['leverage', 126],
    ['leverage', 2.5],
    ['rsi_long_threshold', 101],
    ['rsi_long_threshold', 'abc'],
    ['scope', 'some'],
    ['enabled', 'maybe'],
    ['whitelist', ['../etc']],
    ['whitelist', 'BTC'],
  ])('rejects %s = %j with a message naming the key and the range', (key, value) => {
    const spec = AUTO_BOT_SPECS[key as keyof typeof AUTO_BOT_SPECS];
    expect(() => coerceSetting(key, spec, value)).toThrow(ConfigValidationError);
    expect(() => coerceSetting(key, spec, value)).toThrow(new RegExp(`^${key} must be`));
  });

  it('names the allowed range', () => {
    expect(() => coerceSetting('leverage', AUTO_BOT_SPECS.leverage, 500)).toThrow(
      'leverage must be an integer from 1 to 125 (got 500)',
    );
  });

  it('drops unknown keys and null values, validating the rest', () => {
    const { values, ignored } = coerceSettings(AUTO_BOT_SPECS, {
      enabled: true,
      exit_scam_timeframe: '6h',
      max_concurrent: null,
    });
    expect(values).toEqual({ enabled: true });
    expect(ignored).toEqual(['exit_scam_timeframe']);
  });
});
