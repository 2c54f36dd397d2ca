import { Test } from '@nestjs/testing';
import { botManagerFixture } from '../../test/support/bot-manager-fixture';
import { ExchangeUnavailableError } from '../exchange/exchange.errors';
import { BotManager } from './bot-manager.service';
import { BotMonitorService } from './bot-monitor.service';
import { TradingBot } from './engine/trading-bot';
import { BotHistoryService } from './history/bot-history.service';

/**
 * BotMonitorService over a real BotManager and the trading stub exchange: 5 % stop-loss, 10 % take-profit,
 * break-even at +5 %, trailing off, RSI exit of a LONG at 65; a LONG of 0.5 coin entered at 100.
 */
async function buildModule() {
  const fixture = botManagerFixture({
    max_loss_percent: 5,
    take_profit_percent: 10,
    close_at_profit_enabled: true,
    break_even_protection: true,
    break_even_trigger_percent: 5,
    break_even_trigger: 5,
    trailing_stop_distance: 0,
    rsi_exit_long_with_trend: 65,
    rsi_exit_long_against_trend: 65,
  });
  const moduleRef = await Test.createTestingModule({ providers: [...fixture.providers, BotMonitorService] }).compile();
  // Failure branches log errors on purpose; the assertions say what happened.
  moduleRef.useLogger(false);
  await moduleRef.init();
  const manager = moduleRef.get(BotManager);
  const addBot = (symbol = 'BTC', autoManaged = false) => {
    const bot = TradingBot.create({
      symbol,
      nowMs: fixture.clock.now(),
      volumeMode: 'usdt',
      volumeValue: 50,
      leverage: 5,
      autoManaged,
    });
    manager.registerLocked(bot);
    return bot;
  };
  const enterLong = async (symbol = 'BTC') => {
    const bot = addBot(symbol);
    const outcome = await manager.withLock(symbol, () => manager.enterPosition(bot, 'LONG', 'manual'));
    if (!outcome.ok) throw new Error(outcome.reason);
    return bot;
  };
  return {
    ...fixture,
    moduleRef,
    manager,
    monitor: moduleRef.get(BotMonitorService),
    history: moduleRef.get(BotHistoryService),
    addBot,
    enterLong,
  };
}

describe('BotMonitorService', () => {
  let t: Awaited<ReturnType<typeof buildModule>>;

  beforeEach(async () => {
    t = await buildModule();
    // RSI in neither exit zone unless a test says otherwise.
    t.coins.set('BTC', { symbol: 'BTC', rsi: 50, trend: 'NEUTRAL' });
  });
  afterEach(async () => t.moduleRef.close());

  it('holds a position between its stop and take-profit (nothing closed, nothing moved)', async () => {
    const bot = await t.enterLong();
    t.exchange.prices.set('BTC', 102);
    const report = await t.monitor.tick();
    expect(report).toEqual({ checked: 1, closed: [], stops_moved: [], entered: [], errors: [] });
    expect(bot.status).toBe('in_position_long');
    expect(t.exchange.closeCalls).toBe(0);
  });

  it('closes on the stop-loss (price 5 % below entry) and records the trade', async () => {
    const bot = await t.enterLong();
    t.exchange.prices.set('BTC', 95);
    const report = await t.monitor.tick();
    expect(report.closed).toEqual([{ symbol: 'BTC', reason: 'STOP_LOSS' }]);
    expect(bot.status).toBe('idle');
    expect(t.history.closedTrades()[0]).toMatchObject({ exit_price: 95, pnl: -2.5, close_reason: 'STOP_LOSS' });
  });

  it('closes on the take-profit (price 10 % above entry)', async () => {
    await t.enterLong();
    t.exchange.prices.set('BTC', 110);
    expect((await t.monitor.tick()).closed).toEqual([{ symbol: 'BTC', reason: 'TAKE_PROFIT' }]);
    expect(t.history.closedTrades()[0]).toMatchObject({ exit_price: 110, pnl: 5, close_reason: 'TAKE_PROFIT' });
  });

  it('closes a LONG on the RSI exit (RSI 70 >= 65) with the exit RSI on the trade', async () => {
    await t.enterLong();
    t.exchange.prices.set('BTC', 101);
    t.coins.set('BTC', { symbol: 'BTC', rsi: 70, trend: 'NEUTRAL' });
    expect((await t.monitor.tick()).closed).toEqual([{ symbol: 'BTC', reason: 'RSI_EXIT' }]);
    expect(t.history.closedTrades()[0]).toMatchObject({ exit_price: 101, close_reason: 'RSI_EXIT', exit_rsi: 70 });
  });

  it('RSI 64 (below the exit level) keeps the position', async () => {
    const bot = await t.enterLong();
    t.exchange.prices.set('BTC', 101);
    t.coins.set('BTC', { symbol: 'BTC', rsi: 64, trend: 'NEUTRAL' });
    expect((await t.monitor.tick()).closed).toEqual([]);
    expect(bot.status).toBe('in_position_long');
  });

  it('moves the exchange stop to break-even once the profit reaches the trigger, and only once', async () => {
    const bot = await t.enterLong();
    t.exchange.prices.set('BTC', 106);
    const report = await t.monitor.tick();
    expect(report.stops_moved).toEqual([{ symbol: 'BTC', stop: 100 }]);
    expect(t.exchange.stops).toEqual([{ symbol: 'BTC', stopLoss: 100 }]);
    expect(bot.record.stop_loss_price).toBe(100);
    expect(t.history.actions({ symbol: 'BTC', actionType: 'STOP_LOSS_UPDATED' })).toHaveLength(1);
    expect((await t.monitor.tick()).stops_moved).toEqual([]);
  });

  it('closes a coin being delisted at once', async () => {
    await t.enterLong();
    t.delisted.add('BTC');
    expect((await t.monitor.tick()).closed).toEqual([{ symbol: 'BTC', reason: 'DELISTING_EMERGENCY' }]);
  });

  it('an exchange error while closing is reported; the bot keeps its position and no trade is recorded', async () => {
    const bot = await t.enterLong();
    t.exchange.prices.set('BTC', 94);
    t.exchange.failNext('closePosition', new ExchangeUnavailableError('connection reset', 'closePosition'));
    const report = await t.monitor.tick();
    expect(report.closed).toEqual([]);
    expect(report.errors).toEqual([{ symbol: 'BTC', error: 'connection reset' }]);
    expect(bot.status).toBe('in_position_long');
    expect(t.history.closedTrades()).toEqual([]);
    // The next pass closes it.
    expect((await t.monitor.tick()).closed).toEqual([{ symbol: 'BTC', reason: 'STOP_LOSS' }]);
    expect(t.history.closedTrades()).toHaveLength(1);
  });

  it('a waiting manual bot enters when RSI reaches its zone (RSI 25 <= 29: LONG)', async () => {
    const bot = t.addBot('BTC');
    expect((await t.monitor.tick()).entered).toEqual([]);
    t.coins.set('BTC', { symbol: 'BTC', rsi: 25, trend: 'NEUTRAL' });
    expect((await t.monitor.tick()).entered).toEqual(['BTC']);
    expect(bot.status).toBe('in_position_long');
    expect(t.exchange.orders).toHaveLength(1);
  });
});
