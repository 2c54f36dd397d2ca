import { Test } from '@nestjs/testing';
import { botManagerFixture } from '../../test/support/bot-manager-fixture';
import { BotManager } from './bot-manager.service';
import { BotMonitorService } from './bot-monitor.service';
import { TradingBot } from './engine/trading-bot';
import { PositionSyncService } from './position-sync.service';

/**
 * A bot at 5x while the config says 10x, max_loss_percent 15: at 5x the liquidation lies ~20 % away, so the stop keeps
 * its full 15 % (85 for a LONG from 100); at the configured 10x it would be cut to 8 % (92). The entry stop, the
 * monitor's max-loss check and a stop placed again by position sync must all use the position's 5x.
 */
async function buildModule() {
  const fixture = botManagerFixture({
    leverage: 10,
    max_loss_percent: 15,
    close_at_profit_enabled: false,
    break_even_protection: false,
    trailing_stop_distance: 0,
  });
  const moduleRef = await Test.createTestingModule({
    providers: [...fixture.providers, BotMonitorService, PositionSyncService],
  }).compile();
  moduleRef.useLogger(false);
  await moduleRef.init();
  const manager = moduleRef.get(BotManager);
  const addBot = (symbol: string) => {
    const bot = TradingBot.create({
      symbol,
      nowMs: fixture.clock.now(),
      volumeMode: 'usdt',
      volumeValue: 50,
      leverage: 5,
      autoManaged: false,
    });
    manager.registerLocked(bot);
    return bot;
  };
  return {
    ...fixture,
    moduleRef,
    manager,
    addBot,
    monitor: moduleRef.get(BotMonitorService),
    sync: moduleRef.get(PositionSyncService),
  };
}

describe('stop-loss at the bot’s own leverage (5x, config 10x)', () => {
  let t: Awaited<ReturnType<typeof buildModule>>;

  beforeEach(async () => {
    t = await buildModule();
    t.coins.set('BTC', { symbol: 'BTC', rsi: 50, trend: 'NEUTRAL' });
    t.coins.set('ETH', { symbol: 'ETH', rsi: 50, trend: 'NEUTRAL' });
  });
  afterEach(async () => t.moduleRef.close());

  it('the entry stop and the monitor’s max-loss check are both 15 % (85), not 8 % (92)', async () => {
    const bot = t.addBot('BTC');
    const outcome = await t.manager.withLock('BTC', () => t.manager.enterPosition(bot, 'LONG', 'manual'));
    expect(outcome.ok).toBe(true);
    expect(t.exchange.leverages).toEqual([{ symbol: 'BTC', leverage: 5 }]);
    expect(t.exchange.orders[0].stopLoss).toBe(85);
    expect(bot.record).toMatchObject({ leverage: 5, stop_loss: 85 });

    // 14.5 % down: inside the 15 % stop, so the monitor keeps the position and leaves the stop at 85.
    t.exchange.prices.set('BTC', 85.5);
    const holding = await t.monitor.tick();
    expect(holding).toMatchObject({ closed: [], stops_moved: [], errors: [] });
    expect(t.exchange.positions[0].stopLoss).toBe(85);

    // At the exchange stop the monitor closes too, on the same level.
    t.exchange.prices.set('BTC', 85);
    expect((await t.monitor.tick()).closed).toEqual([{ symbol: 'BTC', reason: 'STOP_LOSS' }]);
  });

  it('position sync places a missing stop at 15 % (85) for a 5x position', async () => {
    const bot = t.addBot('ETH');
    t.exchange.addPosition({ symbol: 'ETH', side: 'Long', size: 1, entryPrice: 100, markPrice: 100, leverage: 5 });
    const report = await t.sync.sync();
    expect(report.adopted).toEqual(['ETH']);
    expect(report.stops_restored).toEqual(['ETH']);
    expect(bot.record.leverage).toBe(5);
    expect(t.exchange.stops).toEqual([{ symbol: 'ETH', stopLoss: 85, takeProfit: undefined }]);
  });
});
