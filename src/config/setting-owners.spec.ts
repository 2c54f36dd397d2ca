import { DEFAULT_AUTO_BOT_CONFIG, DEFAULT_SYSTEM_CONFIG, SYSTEM_SPECS } from './defaults';
import { splitAutoBotBody, SYSTEM_OWNED_AUTO_BOT_KEYS, systemOwnedValues } from './setting-owners';

describe('setting owners', () => {
  it('the 18 keys the original kept in both tables belong to the system table only', () => {
    expect(SYSTEM_OWNED_AUTO_BOT_KEYS).toHaveLength(18);
    for (const key of SYSTEM_OWNED_AUTO_BOT_KEYS) {
      expect(SYSTEM_SPECS).toHaveProperty(key);
      expect(DEFAULT_AUTO_BOT_CONFIG).not.toHaveProperty(key);
    }
  });

  it('splits an auto-bot body into its own keys and the system-owned ones', () => {
    expect(splitAutoBotBody({ enabled: true, inactive_bot_cleanup_interval: 600, debug_mode: true, foo: 1 })).toEqual({
      autoBot: { enabled: true, foo: 1 },
      system: { inactive_bot_cleanup_interval: 600, debug_mode: true },
    });
  });

  it('shows the system values (inactive_bot_cleanup_interval 60, not the old auto-bot copy 600)', () => {
    const values = systemOwnedValues(DEFAULT_SYSTEM_CONFIG);
    expect(values).toMatchObject({
      inactive_bot_cleanup_interval: 60,
      rsi_update_interval: 300,
      system_timeframe: '6h',
    });
    expect(Object.keys(values).sort()).toEqual([...SYSTEM_OWNED_AUTO_BOT_KEYS].sort());
  });
});
