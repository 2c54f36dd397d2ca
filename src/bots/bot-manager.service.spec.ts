import { Test } from '@nestjs/testing';
import { botManagerFixture } from '../../test/support/bot-manager-fixture';
import { ExchangeUnavailableError, InvalidOrderError } from '../exchange/exchange.errors';
import { BOTS_STATE_FILE, BotManager } from './bot-manager.service';
import { TradingBot } from './engine/trading-bot';
import { BotHistoryService } from './history/bot-history.service';

/** BotManager over the trading stub exchange: 5 % stop-loss, 10 % take-profit; bots of 50 USDT at 5x, price 100. */
async function buildModule() {
  const fixture = botManagerFixture({ max_loss_percent: 5, take_profit_percent: 10, close_at_profit_enabled: true });
  const moduleRef = await Test.createTestingModule({ providers: fixture.providers }).compile();
  // Failure branches log errors on purpose; the assertions say what happened.
  moduleRef.useLogger(false);
  await moduleRef.init();
  const manager = moduleRef.get(BotManager);
  const addBot = (symbol = 'BTC') => {
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
  return { ...fixture, moduleRef, manager, history: moduleRef.get(BotHistoryService), addBot };
}

type Built = Awaited<ReturnType<typeof buildModule>>;

const enter = (t: Built, bot: TradingBot, direction: 'LONG' | 'SHORT' = 'LONG') =>
  t.manager.withLock(bot.symbol, () => t.manager.enterPosition(bot, direction, 'manual'));

describe('BotManager', () => {
  let t: Built;

  beforeEach(async () => {
    t = await buildModule();
  });
  afterEach(async () => t.moduleRef.close());

  it('enters at market with the stop-loss and take-profit attached, and saves the bot', async () => {
    const bot = t.addBot();
    const outcome = await enter(t, bot);
    expect(outcome).toEqual({ ok: true, direction: 'LONG', entryPrice: 100, quantity: 0.5 });
    expect(t.exchange.leverages).toEqual([{ symbol: 'BTC', leverage: 5 }]);
    expect(t.exchange.orders).toHaveLength(1);
    expect(t.exchange.orders[0]).toMatchObject({
      symbol: 'BTC',
      side: 'buy',
      amount: 0.5,
      stopLoss: 95,
      takeProfit: 110,
    });
    expect(bot.status).toBe('in_position_long');
    expect(bot.record).toMatchObject({
      entry_price: 100,
      position_size: 0.5,
      margin_usdt: 10,
      stop_loss: 95,
      take_profit: 110,
    });
    expect(
      t.history
        .actions({ symbol: 'BTC' })
        .map((a) => a.action_type)
        .sort(),
    ).toEqual(['POSITION_OPENED', 'STOP_LOSS_SET', 'TAKE_PROFIT_SET']);
    const saved = t.store.files.get(BOTS_STATE_FILE) as { bots: Record<string, { status: string }> };
    expect(saved.bots.BTC.status).toBe('in_position_long');
  });

  it('a SHORT entry sells with the stop above and the take-profit below the price', async () => {
    const bot = t.addBot();
    expect((await enter(t, bot, 'SHORT')).ok).toBe(true);
    expect(t.exchange.orders[0]).toMatchObject({ side: 'sell', amount: 0.5, stopLoss: 105, takeProfit: 90 });
    expect(bot.status).toBe('in_position_short');
  });

  it('a fill away from the quote moves both stops to the same distances from the fill, and the decision says so', async () => {
    const bot = t.addBot();
    t.exchange.fillSlippage = 0.01; // quote 100, the buy fills at 101
    expect(await enter(t, bot)).toEqual({ ok: true, direction: 'LONG', entryPrice: 101, quantity: 0.5 });
    // Sent with the order from the quote, then re-anchored once on the fill (docs/backtest-engine.md, "Stops from the
    // fill").
    expect(t.exchange.orders[0]).toMatchObject({ stopLoss: 95, takeProfit: 110 });
    expect(t.exchange.stops).toEqual([{ symbol: 'BTC', stopLoss: 95.95, takeProfit: 111.1 }]);
    expect(bot.record).toMatchObject({ entry_price: 101, stop_loss: 95.95, take_profit: 111.1 });
    expect(bot.record.entry_decision).toMatchObject({
      decision_price: 100,
      stop_loss_set: 95.95,
      take_profit_set: 111.1,
    });
  });

  it('a refused stop move after the fill keeps the quoted levels the exchange holds, on the record and the decision', async () => {
    const bot = t.addBot();
    t.exchange.fillSlippage = 0.01;
    t.exchange.failNext('setTradingStop', new InvalidOrderError('stop-loss price invalid'));
    expect((await enter(t, bot)).ok).toBe(true);
    expect(t.exchange.stops).toEqual([]);
    expect(bot.record).toMatchObject({ entry_price: 101, stop_loss: 95, take_profit: 110 });
    expect(bot.record.entry_decision).toMatchObject({ stop_loss_set: 95, take_profit_set: 110 });
  });

  it('a lost order answer on entry: the position is looked up and adopted under the client order id', async () => {
    const bot = t.addBot();
    t.exchange.failNext('createMarketOrder', new ExchangeUnavailableError('socket hang up', 'createMarketOrder'));
    t.exchange.fillDespiteFailure = true;
    const outcome = await enter(t, bot);
    expect(outcome).toEqual({ ok: true, direction: 'LONG', entryPrice: 100, quantity: 0.5 });
    expect(t.exchange.orders).toHaveLength(1);
    expect(bot.status).toBe('in_position_long');
    expect(bot.record.order_id).toBe(t.exchange.orders[0].clientOrderId);
    expect(bot.record.order_id).toBe(`${bot.record.id}-${t.clock.now()}`);
  });

  it('a lost order answer with no position on the exchange: the entry fails and the bot keeps waiting', async () => {
    const bot = t.addBot();
    t.exchange.failNext('createMarketOrder', new ExchangeUnavailableError('socket hang up', 'createMarketOrder'));
    const outcome = await enter(t, bot);
    expect(outcome).toEqual({ ok: false, reason: 'exchange_error: socket hang up' });
    expect(bot.status).toBe('running');
    expect(bot.holdsPosition).toBe(false);
    expect(t.history.actions({ symbol: 'BTC', actionType: 'ERROR' })).toHaveLength(1);
  });

  it('a refused order (not retryable) is not looked up: one positions read for the gate only', async () => {
    const bot = t.addBot();
    t.exchange.failNext('createMarketOrder', new InvalidOrderError('qty invalid', 'createMarketOrder'));
    t.exchange.fillDespiteFailure = true;
    const fetchPositions = jest.spyOn(t.exchange, 'fetchPositions');
    expect(await enter(t, bot)).toEqual({ ok: false, reason: 'exchange_error: qty invalid' });
    expect(fetchPositions).toHaveBeenCalledTimes(1);
    expect(bot.holdsPosition).toBe(false);
  });

  it('a partial fill: the bot holds the filled quantity, and its margin follows', async () => {
    const bot = t.addBot();
    t.exchange.fillRatio = 0.4;
    const outcome = await enter(t, bot);
    expect(outcome).toEqual({ ok: true, direction: 'LONG', entryPrice: 100, quantity: 0.2 });
    expect(bot.record.position_size).toBe(0.2);
    expect(bot.record.margin_usdt).toBe(4);
  });

  it('refuses an entry when the exchange already holds a position on the coin (no order sent)', async () => {
    const bot = t.addBot();
    t.exchange.addPosition({ symbol: 'BTC', side: 'Short', size: 1, entryPrice: 100 });
    expect(await enter(t, bot)).toEqual({ ok: false, reason: 'exchange_position_exists' });
    expect(t.exchange.orders).toEqual([]);
  });

  it('refuses an entry whose margin exceeds the available balance and raises the funds flag', async () => {
    const bot = t.addBot();
    t.exchange.balance = { ...t.exchange.balance, availableBalance: 8 };
    const outcome = await enter(t, bot);
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.reason).toMatch(/^insufficient_funds: margin 10\.00 USDT > available 8\.00 USDT/);
    expect(t.manager.hasInsufficientFunds).toBe(true);
    t.manager.noteAvailableBalance(6);
    expect(t.manager.hasInsufficientFunds).toBe(false);
  });

  it('closes at market and records the trade with the exit price and PnL', async () => {
    const bot = t.addBot();
    await enter(t, bot);
    t.exchange.prices.set('BTC', 104);
    t.clock.advance(3600_000);
    await t.manager.withLock('BTC', () => t.manager.closeBotLocked(bot, 'MANUAL_CLOSE', 55));
    expect(bot.status).toBe('idle');
    const trades = t.history.closedTrades();
    expect(trades).toHaveLength(1);
    expect(trades[0]).toMatchObject({
      symbol: 'BTC',
      direction: 'LONG',
      entry_price: 100,
      exit_price: 104,
      pnl: 2,
      close_reason: 'MANUAL_CLOSE',
      exit_rsi: 55,
    });
    expect(t.exchange.positions).toEqual([]);
  });

  it('an exchange error mid-close: the bot keeps its position and no trade is recorded', async () => {
    const bot = t.addBot();
    await enter(t, bot);
    t.exchange.failNext('closePosition', new ExchangeUnavailableError('request timed out', 'closePosition'));
    await expect(t.manager.withLock('BTC', () => t.manager.closeBotLocked(bot, 'MANUAL_CLOSE', null))).rejects.toThrow(
      'request timed out',
    );
    expect(bot.status).toBe('in_position_long');
    expect(bot.record.entry_price).toBe(100);
    expect(t.history.closedTrades()).toEqual([]);
    expect(t.exchange.positions).toHaveLength(1);
    // The next attempt goes through.
    await t.manager.withLock('BTC', () => t.manager.closeBotLocked(bot, 'MANUAL_CLOSE', null));
    expect(t.history.closedTrades()).toHaveLength(1);
  });

  it('a position closed by the exchange is recorded with the exchange exit price, PnL and reason', async () => {
    const bot = t.addBot();
    await enter(t, bot);
    const closedAt = t.clock.now() + 600_000;
    t.exchange.positions.length = 0;
    t.exchange.closedTrades.push({
      symbol: 'BTC',
      side: 'Long',
      size: 0.5,
      entryPrice: 100,
      exitPrice: 95,
      pnl: -2.56,
      reason: 'STOP_LOSS',
      closedAt,
    });
    t.exchange.prices.set('BTC', 90);
    t.clock.set(closedAt + 60_000);
    await t.manager.withLock('BTC', () => t.manager.closeBotLocked(bot, 'MANUAL_CLOSE', null));
    const trades = t.history.closedTrades();
    expect(trades).toHaveLength(1);
    expect(trades[0]).toMatchObject({
      exit_price: 95,
      pnl: -2.5,
      net_pnl: -2.56,
      close_reason: 'STOP_LOSS',
      close_time_ms: closedAt,
    });
    expect(bot.status).toBe('idle');
  });

  it('closePositionManually closes a manual position (no bot) and answers nothing to close with null', async () => {
    t.exchange.addPosition({ symbol: 'ETH', side: 'Long', size: 2, entryPrice: 100 });
    expect(t.manager.manualPositions(await t.manager.fetchPositions()).map((p) => p.symbol)).toEqual(['ETH']);
    const result = await t.manager.closePositionManually('ETH');
    expect(result).toEqual({
      closed: [{ side: 'Long', size: 2, order_id: expect.stringMatching(/^close-/) }],
      errors: [],
    });
    expect(await t.manager.closePositionManually('ETH')).toBeNull();
    expect(t.history.closedTrades()).toEqual([]);
  });

  it('create refuses a coin that fails the maturity check, unless the check is skipped', async () => {
    t.immature.add('SOL');
    await expect(t.manager.create({ symbol: 'SOL' })).rejects.toThrow('Coin SOL did not pass the maturity check (6h)');
    expect(t.manager.find('SOL')).toBeUndefined();
    const created = await t.manager.create({ symbol: 'SOL', skipMaturityCheck: true, config: { status: 'paused' } });
    expect(created).toMatchObject({ existing_position: false, bot: { symbol: 'SOL', status: 'paused' } });
    expect(t.manager.find('SOL')!.record.config).toMatchObject({ enable_maturity_check: false });
  });

  it('create on a coin the exchange already holds adopts the position (no order)', async () => {
    t.exchange.addPosition({ symbol: 'ETH', side: 'Short', size: 3, entryPrice: 120 });
    const created = await t.manager.create({ symbol: 'ETH' });
    expect(created.existing_position).toBe(true);
    expect(created.bot).toMatchObject({ status: 'in_position_short', entry_price: 120, position_size: 3 });
    expect(t.exchange.orders).toEqual([]);
  });

  it('create with a forced LONG answers first and enters in the background', async () => {
    const created = await t.manager.create({
      symbol: 'BTC',
      forceManualEntry: true,
      signal: 'ENTER_LONG',
      config: { volume_mode: 'usdt', volume_value: 50, leverage: 5 },
    });
    expect(created.bot.symbol).toBe('BTC');
    // The entry runs after the answer, under the symbol's lock: taking the lock waits for it.
    await t.manager.withLock('BTC', () => undefined);
    expect(t.manager.find('BTC')!.status).toBe('in_position_long');
    expect(t.exchange.orders[0]).toMatchObject({ symbol: 'BTC', side: 'buy', amount: 0.5 });
  });

  it('a failed state save after a fill: the caller gets the cause, the bot stays in memory, flush retries', async () => {
    const bot = t.addBot();
    t.store.failSaves = true;
    // The order filled, so the entry cannot be undone: it is kept in memory and the error says so
    // (docs/reliability.md).
    await expect(enter(t, bot)).rejects.toMatchObject({
      name: 'PersistenceError',
      file: BOTS_STATE_FILE,
      keptInMemory: true,
      status: 507,
      message: expect.stringContaining('no space left on device'),
    });
    expect(t.exchange.orders).toHaveLength(1);
    expect(t.manager.find('BTC')!.status).toBe('in_position_long');
    expect(t.store.files.has(BOTS_STATE_FILE)).toBe(false);
    t.store.failSaves = false;
    await t.manager.flush();
    expect((t.store.files.get(BOTS_STATE_FILE) as { bots: Record<string, { status: string }> }).bots.BTC.status).toBe(
      'in_position_long',
    );
  });
});
