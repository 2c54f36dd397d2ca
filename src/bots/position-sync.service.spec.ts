import { Test } from '@nestjs/testing';
import { botManagerFixture } from '../../test/support/bot-manager-fixture';
import { ExchangeUnavailableError } from '../exchange/exchange.errors';
import { BotManager } from './bot-manager.service';
import { TradingBot } from './engine/trading-bot';
import { BotHistoryService } from './history/bot-history.service';
import { PositionSyncService } from './position-sync.service';

/** PositionSyncService over a real BotManager and the trading stub exchange; 5 % stop-loss, 10 % take-profit. */
async function buildModule() {
  const fixture = botManagerFixture({ max_loss_percent: 5, take_profit_percent: 10, close_at_profit_enabled: true });
  const moduleRef = await Test.createTestingModule({
    providers: [...fixture.providers, PositionSyncService],
  }).compile();
  // Failure branches log errors on purpose; the assertions say what happened.
  moduleRef.useLogger(false);
  await moduleRef.init();
  const manager = moduleRef.get(BotManager);
  const addBot = (symbol = 'BTC', status: 'running' | 'paused' = 'running') => {
    const bot = TradingBot.create({
      symbol,
      nowMs: fixture.clock.now(),
      volumeMode: 'usdt',
      volumeValue: 50,
      leverage: 5,
      autoManaged: false,
    });
    if (status === 'paused') bot.pause(fixture.clock.now(), 'test');
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
    sync: moduleRef.get(PositionSyncService),
    history: moduleRef.get(BotHistoryService),
    addBot,
    enterLong,
  };
}

describe('PositionSyncService', () => {
  let t: Awaited<ReturnType<typeof buildModule>>;

  beforeEach(async () => {
    t = await buildModule();
  });
  afterEach(async () => t.moduleRef.close());

  it('a position closed on the exchange is recorded once, with the exchange exit price', async () => {
    const bot = await t.enterLong();
    t.clock.advance(3600_000);
    t.exchange.positions.length = 0;
    t.exchange.closedTrades.push({
      symbol: 'BTC',
      side: 'Long',
      size: 0.5,
      entryPrice: 100,
      exitPrice: 110,
      pnl: 4.97,
      reason: 'TAKE_PROFIT',
      closedAt: t.clock.now() - 60_000,
    });
    t.exchange.prices.set('BTC', 108);

    const first = await t.sync.sync();
    expect(first).toMatchObject({ synced: true, closed: ['BTC'], updated: [], adopted: [] });
    expect(bot.status).toBe('idle');
    const second = await t.sync.sync();
    expect(second).toMatchObject({ synced: false, closed: [] });

    const trades = t.history.closedTrades();
    expect(trades).toHaveLength(1);
    expect(trades[0]).toMatchObject({
      symbol: 'BTC',
      exit_price: 110,
      pnl: 5,
      net_pnl: 4.97,
      close_reason: 'TAKE_PROFIT',
    });
    expect(t.history.actions({ actionType: 'POSITION_CLOSED' })).toHaveLength(1);
  });

  it('a stop-loss missing on the exchange is placed again at the bot stop', async () => {
    const bot = await t.enterLong();
    t.exchange.positions[0].stopLoss = null;
    const report = await t.sync.sync();
    expect(report.stops_restored).toEqual(['BTC']);
    expect(report.updated).toEqual(['BTC']);
    expect(t.exchange.stops).toEqual([{ symbol: 'BTC', stopLoss: 95, takeProfit: undefined }]);
    expect(t.exchange.positions[0].stopLoss).toBe(95);
    expect(bot.record.stop_loss_price).toBe(95);
    expect(t.history.actions({ symbol: 'BTC', actionType: 'STOP_LOSS_SET' }).map((a) => a.details)).toContain(
      'Stop-loss placed again at 95 (missing on the exchange)',
    );
    // Present now: nothing to restore on the next round.
    expect((await t.sync.sync()).stops_restored).toEqual([]);
  });

  it('a failed stop placement is logged as an error; the bot keeps its position', async () => {
    const bot = await t.enterLong();
    t.exchange.positions[0].stopLoss = null;
    t.exchange.failNext('setTradingStop', new ExchangeUnavailableError('timeout', 'setTradingStop'));
    const report = await t.sync.sync();
    expect(report.stops_restored).toEqual([]);
    expect(bot.status).toBe('in_position_long');
    expect(t.history.actions({ symbol: 'BTC', actionType: 'ERROR' }).map((a) => a.details)).toEqual([
      'Stop-loss restore failed: timeout',
    ]);
  });

  it('a running bot adopts the exchange position of its coin and protects it', async () => {
    const bot = t.addBot('ETH');
    t.exchange.addPosition({ symbol: 'ETH', side: 'Long', size: 3, entryPrice: 100, markPrice: 101 });
    const report = await t.sync.sync();
    expect(report.adopted).toEqual(['ETH']);
    expect(report.stops_restored).toEqual(['ETH']);
    expect(bot.status).toBe('in_position_long');
    expect(bot.record).toMatchObject({ entry_price: 100, position_size: 3 });
    expect(t.exchange.stops).toEqual([{ symbol: 'ETH', stopLoss: 95, takeProfit: undefined }]);
    expect(t.history.actions({ symbol: 'ETH', actionType: 'POSITION_OPENED' })[0]).toMatchObject({
      decision_source: 'EXCHANGE_IMPORT',
      size: 3,
    });
  });

  it('a paused bot only shows the exchange position; a position without a bot is reported as manual', async () => {
    const paused = t.addBot('ETH', 'paused');
    t.exchange.addPosition({ symbol: 'ETH', side: 'Short', size: 1, entryPrice: 100 });
    t.exchange.addPosition({ symbol: 'SOL', side: 'Long', size: 2, entryPrice: 300 });
    const report = await t.sync.sync();
    expect(report.adopted).toEqual([]);
    expect(paused.status).toBe('paused');
    expect(paused.record.exchange_position).toMatchObject({ side: 'Short', size: 1 });
    expect(report.manual_positions.map((p) => p.symbol).sort()).toEqual(['ETH', 'SOL']);
    expect(t.exchange.stops).toEqual([]);
  });

  it('a failed positions fetch throws and changes nothing (never read as "no positions")', async () => {
    const bot = await t.enterLong();
    t.exchange.failNext('fetchPositions', new ExchangeUnavailableError('bad gateway', 'fetchPositions'));
    await expect(t.sync.sync()).rejects.toThrow('bad gateway');
    expect(bot.status).toBe('in_position_long');
    expect(t.history.closedTrades()).toEqual([]);
  });

  it('cleanup removes idle bots after inactive_bot_timeout and keeps paused ones', async () => {
    const idle = t.addBot('BTC');
    idle.markIdle(t.clock.now());
    t.addBot('ETH', 'paused');
    t.clock.advance(59_000);
    expect(await t.sync.cleanupInactive()).toEqual({ cleaned: false, removed: [] });
    t.clock.advance(1000);
    expect(await t.sync.cleanupInactive()).toEqual({ cleaned: true, removed: ['BTC'] });
    expect(t.manager.symbols()).toEqual(['ETH']);
  });
});
