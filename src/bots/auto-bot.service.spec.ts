import { Test } from '@nestjs/testing';
import { botManagerFixture } from '../../test/support/bot-manager-fixture';
import { ExchangeUnavailableError } from '../exchange/exchange.errors';
import { AutoBotService } from './auto-bot.service';
import { BotManager } from './bot-manager.service';
import { TradingBot } from './engine/trading-bot';
import { BotHistoryService } from './history/bot-history.service';

const SIX_HOURS = 6 * 3600_000;

/**
 * AutoBotService over a real BotManager and the trading stub exchange (BTC, ETH, SOL at 100): auto-bot on,
 * max_concurrent 2, bots of 50 USDT at 5x; the filters let every entry through.
 */
async function buildModule() {
  const fixture = botManagerFixture({
    enabled: true,
    max_concurrent: 2,
    default_position_mode: 'usdt',
    default_position_size: 50,
    leverage: 5,
    max_loss_percent: 5,
  });
  const moduleRef = await Test.createTestingModule({ providers: [...fixture.providers, AutoBotService] }).compile();
  // Failure branches log errors on purpose; the assertions say what happened.
  moduleRef.useLogger(false);
  await moduleRef.init();
  const signal = (symbol: string, rsi: number) =>
    fixture.coins.set(symbol, {
      symbol,
      rsi,
      trend: 'NEUTRAL',
      signal: rsi <= 29 ? 'ENTER_LONG' : rsi >= 71 ? 'ENTER_SHORT' : 'WAIT',
    });
  return {
    ...fixture,
    moduleRef,
    manager: moduleRef.get(BotManager),
    autoBot: moduleRef.get(AutoBotService),
    history: moduleRef.get(BotHistoryService),
    signal,
  };
}

describe('AutoBotService', () => {
  let t: Awaited<ReturnType<typeof buildModule>>;

  beforeEach(async () => {
    t = await buildModule();
  });
  afterEach(async () => t.moduleRef.close());

  it('creates bots for entry signals up to max_concurrent and records why the rest were skipped', async () => {
    t.signal('BTC', 20);
    t.signal('ETH', 80);
    t.signal('SOL', 25);
    const round = await t.autoBot.tick();
    expect(round.created).toEqual(['BTC', 'ETH']);
    expect(round).toMatchObject({ enabled: true, coins_checked: 3, candidates: 3, max_concurrent: 2, active_bots: 0 });
    expect(round.decisions.find((d) => d.symbol === 'SOL')).toMatchObject({
      action: 'skipped',
      filter: 'max_concurrent',
      reason: 'max_concurrent reached (2/2)',
    });
    expect(t.manager.find('BTC')!.status).toBe('in_position_long');
    expect(t.manager.find('ETH')!.status).toBe('in_position_short');
    expect(t.manager.find('SOL')).toBeUndefined();
    expect(t.exchange.orders.map((o) => [o.symbol, o.side, o.amount])).toEqual([
      ['BTC', 'buy', 0.5],
      ['ETH', 'sell', 0.5],
    ]);
    expect(t.manager.find('BTC')!.record).toMatchObject({ auto_managed: true, opened_by_autobot: true });
    // The entry records the filters it passed, in the order checkEntry ran them (docs/backtest-engine.md, auditable
    // trades).
    expect(t.manager.find('BTC')!.record.entry_decision).toMatchObject({
      decision_price: 100,
      decision_rsi: 20,
      filters_passed: ['maturity', 'rsi_time_filter', 'exit_scam', 'scope', 'delisted'],
      stop_loss_set: 95,
    });
    expect(t.autoBot.lastRound()).toBe(round);
  });

  it('counts bots already active toward max_concurrent; at the limit the round stops before reading positions', async () => {
    const running = TradingBot.create({
      symbol: 'SOL',
      nowMs: t.clock.now(),
      volumeMode: 'usdt',
      volumeValue: 50,
      leverage: 5,
      autoManaged: false,
    });
    t.manager.registerLocked(running);
    t.signal('BTC', 20);
    t.signal('ETH', 20);
    expect((await t.autoBot.tick()).created).toEqual(['BTC']);

    const fetchPositions = jest.spyOn(t.exchange, 'fetchPositions');
    const round = await t.autoBot.tick();
    expect(round.note).toBe('max_concurrent reached (2/2)');
    expect(round.created).toEqual([]);
    expect(fetchPositions).not.toHaveBeenCalled();
  });

  it('does nothing when disabled', async () => {
    t.autoBotConfig.enabled = false;
    t.signal('BTC', 20);
    const round = await t.autoBot.tick();
    expect(round).toMatchObject({ enabled: false, note: 'auto-bot disabled', created: [] });
    expect(t.exchange.orders).toEqual([]);
  });

  it('skips a coin the exchange already holds (a manual position)', async () => {
    t.exchange.addPosition({ symbol: 'BTC', side: 'Long', size: 1, entryPrice: 100 });
    t.signal('BTC', 20);
    const round = await t.autoBot.tick();
    expect(round.decisions).toEqual([
      expect.objectContaining({ symbol: 'BTC', action: 'skipped', filter: 'exchange_position' }),
    ]);
    expect(t.exchange.orders).toEqual([]);
  });

  it('waits one candle after a close on the coin (cooldown), then enters again', async () => {
    t.signal('BTC', 20);
    await t.autoBot.tick();
    const bot = t.manager.find('BTC')!;
    await t.manager.withLock('BTC', () => t.manager.closeBotLocked(bot, 'MANUAL_CLOSE', null));
    t.clock.advance(SIX_HOURS - 60_000);
    const round = await t.autoBot.tick();
    expect(round.decisions).toEqual([
      expect.objectContaining({
        symbol: 'BTC',
        filter: 'cooldown',
        reason: 'closed less than one 6h candle ago (1 min left)',
      }),
    ]);
    t.clock.advance(60_000);
    expect((await t.autoBot.tick()).created).toEqual(['BTC']);
    expect(bot.status).toBe('in_position_long');
  });

  it('a failed entry leaves no bot behind and is recorded as skipped with the reason', async () => {
    t.signal('BTC', 20);
    t.exchange.failNext('createMarketOrder', new ExchangeUnavailableError('gateway timeout', 'createMarketOrder'));
    const round = await t.autoBot.tick();
    expect(round.created).toEqual([]);
    expect(round.decisions).toEqual([
      expect.objectContaining({
        symbol: 'BTC',
        action: 'skipped',
        filter: 'entry',
        reason: 'exchange_error: gateway timeout',
      }),
    ]);
    expect(t.manager.find('BTC')).toBeUndefined();
  });

  it('dryRun lists what it would do without ordering, enabled or not', async () => {
    t.autoBotConfig.enabled = false;
    t.signal('BTC', 20);
    t.signal('ETH', 20);
    t.signal('SOL', 20);
    const decisions = await t.autoBot.dryRun();
    expect(decisions.map((d) => [d.symbol, d.action, d.filter])).toEqual([
      ['BTC', 'created', undefined],
      ['ETH', 'created', undefined],
      ['SOL', 'skipped', 'max_concurrent'],
    ]);
    expect(t.exchange.orders).toEqual([]);
  });
});
