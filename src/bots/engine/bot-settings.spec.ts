import { DEFAULT_AUTO_BOT_CONFIG } from '../../config/defaults';
import { botLeverage, protectionSettings, stopLossPercent } from './bot-settings';
import { entryLevels } from './entry-levels';

describe('botLeverage', () => {
  it('takes the bot’s own leverage over the configured one', () => {
    expect(botLeverage(5, 10, 50)).toBe(5);
  });

  it('falls back to the configured leverage when the bot has none', () => {
    expect(botLeverage(0, 10, 50)).toBe(10);
    expect(botLeverage(null, 10, 50)).toBe(10);
  });

  it('is whole, at least 1x, and within the instrument’s cap (125x when it names none)', () => {
    expect(botLeverage(7.6, 10, 50)).toBe(8);
    expect(botLeverage(null, 0.2, 50)).toBe(1);
    expect(botLeverage(null, 100, 50)).toBe(50);
    expect(botLeverage(null, 200, 0)).toBe(125);
  });
});

describe('the stop-loss distance at a leverage', () => {
  const config = { ...DEFAULT_AUTO_BOT_CONFIG, leverage: 10, max_loss_percent: 15, close_at_profit_enabled: false };

  it('keeps 15 % at 5x (liquidation ~20 % away) and cuts it to 8 % at 10x', () => {
    expect(stopLossPercent(config, 5)).toBe(15);
    expect(stopLossPercent(config, 10)).toBe(8);
  });

  it('the protection engine’s max loss is measured at the leverage given, not config.leverage', () => {
    expect(protectionSettings(config, 5).maxLossPercent).toBe(15);
    expect(protectionSettings(config, 10).maxLossPercent).toBe(8);
  });

  it('the entry stop sits at the protection engine’s max loss for the same leverage', () => {
    for (const leverage of [1, 5, 10, 25]) {
      const percent = protectionSettings(config, leverage).maxLossPercent;
      expect(entryLevels('LONG', 100, config, leverage, 0.0001).stopLoss).toBeCloseTo(100 - percent, 8);
    }
  });
});
