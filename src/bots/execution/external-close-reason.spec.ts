import { TradingBot } from '../engine/trading-bot';
import { externalCloseReason } from './position-execution.service';

const T0 = Date.UTC(2026, 0, 1);

function longBot(): TradingBot {
  const bot = TradingBot.create({
    symbol: 'BTC',
    nowMs: T0,
    volumeMode: 'usdt',
    volumeValue: 100,
    leverage: 10,
    autoManaged: true,
  });
  bot.openPosition({
    direction: 'LONG',
    entryPrice: 100,
    quantity: 1,
    leverage: 10,
    orderId: 'o',
    stopLoss: 90,
    takeProfit: null,
    entryTrend: 'UP',
    entryTimeframe: '6h',
    entryRsi: 25,
    nowMs: T0,
  });
  return bot;
}

describe("externalCloseReason (a close the exchange made, named after the bot's stop at that moment)", () => {
  it('a stop hit is a trailing stop while trailing, a break-even once that stop is placed, else a stop-loss', () => {
    const bot = longBot();
    expect(externalCloseReason(bot, { reason: 'STOP_LOSS' })).toBe('STOP_LOSS');
    bot.record.break_even_activated = true;
    expect(externalCloseReason(bot, { reason: 'STOP_LOSS' })).toBe('STOP_LOSS');
    bot.record.break_even_stop_set = true;
    expect(externalCloseReason(bot, { reason: 'STOP_LOSS' })).toBe('BREAK_EVEN');
    bot.record.trailing_active = true;
    expect(externalCloseReason(bot, { reason: 'STOP_LOSS' })).toBe('TRAILING_STOP');
  });

  it('take-profit and liquidation keep their names; anything else is a close on the exchange', () => {
    const bot = longBot();
    expect(externalCloseReason(bot, { reason: 'TAKE_PROFIT' })).toBe('TAKE_PROFIT');
    expect(externalCloseReason(bot, { reason: 'LIQUIDATION' })).toBe('LIQUIDATION');
    expect(externalCloseReason(bot, undefined)).toBe('CLOSED_ON_EXCHANGE');
  });
});
