import {
  entryTakeProfitPercent,
  exitThresholds,
  protectionSettings,
  waitBreakevenWhenLoss,
} from '../bots/engine/bot-settings';
import { DEFAULT_AUTO_BOT_CONFIG } from './defaults';
import { effectiveBotConfig } from './effective-bot-config';

describe('effectiveBotConfig: global → bot → coin, typed', () => {
  const global = DEFAULT_AUTO_BOT_CONFIG;

  it('with no overrides is the global config itself, and the engine reads the documented defaults from it', () => {
    const config = effectiveBotConfig(global, {}, undefined);
    expect(config).toBe(global);
    const protection = protectionSettings(config, config.leverage);
    // bot-settings.ts used to restate 20 and false here; the defaults table says 5 and true.
    expect(protection.breakEvenTrigger).toBe(5);
    expect(waitBreakevenWhenLoss(config)).toBe(true);
    expect(protection.takeProfitPercent).toBe(5);
    // 15 % stop at 10x lies beyond liquidation (~10 %): 80 % of that distance.
    expect(protection.maxLossPercent).toBe(8);
    expect(exitThresholds(config)).toEqual({
      longWithTrend: 65,
      longAgainstTrend: 65,
      shortWithTrend: 35,
      shortAgainstTrend: 35,
    });
  });

  it('the coin beats the bot, the bot beats the global config', () => {
    expect(effectiveBotConfig(global, { leverage: 5 }, { leverage: 3 }).leverage).toBe(3);
    expect(effectiveBotConfig(global, { leverage: 5 }, { take_profit_percent: 20 })).toMatchObject({
      leverage: 5,
      take_profit_percent: 20,
    });
    expect(effectiveBotConfig(global, null, { avoid_down_trend: true }).avoid_down_trend).toBe(true);
    expect(effectiveBotConfig(global, { enable_maturity_check: false }, null).enable_maturity_check).toBe(false);
  });

  it('a coin with take_profit_percent 20 gets its take-profit at +20 %, not the global 5 %; 0 when close-at-profit is off', () => {
    expect(entryTakeProfitPercent(effectiveBotConfig(global, {}, { take_profit_percent: 20 }))).toBe(20);
    expect(entryTakeProfitPercent(effectiveBotConfig(global, {}, {}))).toBe(5);
    expect(
      entryTakeProfitPercent(
        effectiveBotConfig(global, {}, { take_profit_percent: 20, close_at_profit_enabled: false }),
      ),
    ).toBe(0);
  });

  it('values from files are coerced by the setting specs: numeric strings become numbers, out-of-range and null values do not override', () => {
    const config = effectiveBotConfig(
      global,
      { leverage: '7' },
      { max_loss_percent: '12.5', trailing_stop_distance: null, take_profit_percent: -3 },
    );
    expect(config.leverage).toBe(7);
    expect(config.max_loss_percent).toBe(12.5);
    expect(config.trailing_stop_distance).toBe(5);
    expect(config.take_profit_percent).toBe(5);
    expect(effectiveBotConfig(global, { leverage: 500 }, {}).leverage).toBe(10);
  });

  it('unknown keys, updated_at and system-owned keys are not part of a bot config', () => {
    const config = effectiveBotConfig(
      global,
      {},
      { updated_at: '2026-01-05 03:00:00', foo: 1, position_sync_interval: 5, leverage: 4 },
    ) as unknown as Record<string, unknown>;
    expect(config.leverage).toBe(4);
    expect(config).not.toHaveProperty('updated_at');
    expect(config).not.toHaveProperty('foo');
    expect(config).not.toHaveProperty('position_sync_interval');
  });

  it('the break-even trigger keys are one setting: a layer that sets either sets both', () => {
    const legacy = effectiveBotConfig(global, {}, { break_even_trigger: 12 });
    expect(legacy).toMatchObject({ break_even_trigger: 12, break_even_trigger_percent: 12 });
    expect(protectionSettings(legacy, legacy.leverage).breakEvenTrigger).toBe(12);
    expect(effectiveBotConfig(global, { break_even_trigger_percent: 7 }, {})).toMatchObject({
      break_even_trigger: 7,
      break_even_trigger_percent: 7,
    });
  });

  it('the manual volume saved with a coin is typed; absent otherwise', () => {
    expect(effectiveBotConfig(global, null, { volume_mode: 'usdt', volume_value: '25' })).toMatchObject({
      volume_mode: 'usdt',
      volume_value: 25,
    });
    expect(effectiveBotConfig(global, null, { volume_mode: 'bogus' }).volume_mode).toBeUndefined();
  });
});
