import { Test } from '@nestjs/testing';
import { MemoryJsonStore } from '../../../test/support/bot-manager-fixture';
import { Clock, ManualClock } from '../../common/clock';
import { JsonStore } from '../../persistence/json-store.service';
import { StateRegistry } from '../../persistence/state-registry.service';
import type { Direction, TradeRecord } from '../engine/bot.types';
import { TradingBot } from '../engine/trading-bot';
import { BotHistoryService, HISTORY_FILE } from './bot-history.service';
import { statistics } from './history-stats';
import { MAX_HISTORY_ENTRIES, type HistoryFile } from './history.types';

const HOUR = 3600_000;

/** BotHistoryService on files in memory and a manual clock (noon, 1 Jan 2026 UTC). */
async function buildModule(file?: HistoryFile) {
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
  const store = new MemoryJsonStore();
  if (file) store.files.set(HISTORY_FILE, file);
  const moduleRef = await Test.createTestingModule({
    providers: [
      BotHistoryService,
      StateRegistry,
      { provide: Clock, useValue: clock },
      { provide: JsonStore, useValue: store },
    ],
  }).compile();
  // Failure branches log errors on purpose; the assertions say what happened.
  moduleRef.useLogger(false);
  await moduleRef.init();
  return { moduleRef, clock, store, history: moduleRef.get(BotHistoryService) };
}

/** A real closed trade: a bot enters `size` coins at `entry` and closes at `exit` one hour later (no fees). */
function trade(
  clock: ManualClock,
  symbol: string,
  direction: Direction,
  size: number,
  entry: number,
  exit: number,
): TradeRecord {
  const bot = TradingBot.create({
    symbol,
    nowMs: clock.now(),
    volumeMode: 'usdt',
    volumeValue: 50,
    leverage: 10,
    autoManaged: true,
  });
  bot.openPosition({
    direction,
    entryPrice: entry,
    quantity: size,
    leverage: 10,
    orderId: 'o',
    stopLoss: null,
    takeProfit: null,
    entryTrend: 'NEUTRAL',
    entryTimeframe: '6h',
    entryRsi: 25,
    nowMs: clock.now(),
  });
  clock.advance(HOUR);
  return bot.closePosition({
    exitPrice: exit,
    nowMs: clock.now(),
    reason: exit > entry === (direction === 'LONG') ? 'TAKE_PROFIT' : 'STOP_LOSS',
    exitRsi: 50,
    simulated: true,
  });
}

describe('BotHistoryService', () => {
  let t: Awaited<ReturnType<typeof buildModule>>;

  afterEach(async () => t.moduleRef.close());

  describe('with three closed trades', () => {
    beforeEach(async () => {
      t = await buildModule();
      await t.history.recordTrade(trade(t.clock, 'BTC', 'LONG', 1, 100, 110));
      await t.history.recordTrade(trade(t.clock, 'ETH', 'SHORT', 2, 50, 55));
      await t.history.recordTrade(trade(t.clock, 'BTC', 'LONG', 1, 100, 95));
    });

    it('records each trade with its POSITION_CLOSED action and saves at once', async () => {
      expect(t.store.saves).toBe(3);
      const saved = t.store.files.get(HISTORY_FILE) as HistoryFile;
      expect(saved.trades!.map((x) => [x.symbol, x.pnl])).toEqual([
        ['BTC', 10],
        ['ETH', -10],
        ['BTC', -5],
      ]);
      expect(t.history.actions({ actionType: 'position_closed' }).map((a) => [a.symbol, a.pnl, a.reason])).toEqual([
        ['BTC', -5, 'STOP_LOSS'],
        ['ETH', -10, 'STOP_LOSS'],
        ['BTC', 10, 'TAKE_PROFIT'],
      ]);
    });

    it('statistics over the trades: counts, win rate, PnL, best/worst, per symbol and per reason', () => {
      const stats = statistics({
        actions: t.history.actions(),
        trades: t.history.closedTrades(),
        openTrades: 1,
        symbol: null,
      });
      expect(stats).toMatchObject({
        total_actions: 3,
        total_trades: 3,
        total_trades_overall: 4,
        open_trades: 1,
        profitable_trades: 1,
        losing_trades: 2,
        win_rate: 33.33,
        total_pnl: -5,
        avg_pnl: -1.66666667,
        best_trade: 10,
        worst_trade: -10,
        symbols: ['BTC', 'ETH'],
        symbol: 'ALL',
      });
      expect(stats.by_symbol).toEqual({
        BTC: { trades: 2, wins: 1, losses: 1, win_rate: 50, total_pnl: 5 },
        ETH: { trades: 1, wins: 0, losses: 1, win_rate: 0, total_pnl: -10 },
      });
      expect(stats.by_close_reason).toEqual({
        TAKE_PROFIT: { trades: 1, total_pnl: 10 },
        STOP_LOSS: { trades: 2, total_pnl: -15 },
      });
    });

    it('queries trades newest first by symbol, direction, limit and period', () => {
      expect(t.history.closedTrades({ symbol: 'BTC' }).map((x) => x.exit_price)).toEqual([95, 110]);
      expect(t.history.closedTrades({ direction: 'SHORT' }).map((x) => x.symbol)).toEqual(['ETH']);
      expect(t.history.closedTrades({ limit: 1 }).map((x) => x.exit_price)).toEqual([95]);
      t.clock.advance(7 * 24 * HOUR - 90 * 60_000);
      // Closed at +1 h, +2 h, +3 h; a week after the start only the last two are within the week.
      expect(t.history.closedTrades({ period: 'week' }).map((x) => x.symbol)).toEqual(['BTC', 'ETH']);
      expect(t.history.lastCloseTime('BTC')).toBe(Date.UTC(2026, 0, 1, 15));
    });

    it('demo trades never count as real ones (loss re-entry, cooldown)', async () => {
      await t.history.addDemo();
      expect(t.history.closedTrades({ symbol: 'SOL' })).toHaveLength(1);
      expect(t.history.realTradesOf('SOL')).toEqual([]);
      expect(t.history.lastCloseTime('SOL')).toBeNull();
      expect(t.history.realTradesOf('BTC')).toHaveLength(2);
    });

    it('clears one symbol', async () => {
      expect(await t.history.clear('BTC')).toEqual({ actions: 2, trades: 2 });
      expect(t.history.closedTrades().map((x) => x.symbol)).toEqual(['ETH']);
    });
  });

  it('a failed save reaches the caller naming the file and cause, keeps the trade in memory; flush writes it later', async () => {
    t = await buildModule();
    t.store.failSaves = true;
    // docs/reliability.md: the caller gets a PersistenceError (507 for a full disk); the trade stays for the auto-save.
    await expect(t.history.recordTrade(trade(t.clock, 'BTC', 'LONG', 1, 100, 101))).rejects.toMatchObject({
      name: 'PersistenceError',
      file: HISTORY_FILE,
      status: 507,
      message: expect.stringContaining('no space left on device'),
    });
    expect(t.history.closedTrades()).toHaveLength(1);
    expect(t.store.files.has(HISTORY_FILE)).toBe(false);
    t.store.failSaves = false;
    await t.history.flush();
    expect((t.store.files.get(HISTORY_FILE) as HistoryFile).trades).toHaveLength(1);
  });

  it('keeps at most MAX_HISTORY_ENTRIES actions, dropping the oldest', async () => {
    t = await buildModule();
    for (let i = 0; i < MAX_HISTORY_ENTRIES + 5; i++) t.history.log('SIGNAL', 'BTC', null, `signal ${i}`);
    const actions = t.history.actions();
    expect(actions).toHaveLength(MAX_HISTORY_ENTRIES);
    expect(actions.at(-1)!.details).toBe('signal 5');
    expect(actions[0].details).toBe(`signal ${MAX_HISTORY_ENTRIES + 4}`);
  });

  it('loads an older file whose entries carry no epoch times (parsed from their timestamps)', async () => {
    const file = {
      history: [
        {
          id: '1',
          timestamp: '2025-12-31T10:00:00.000',
          action_type: 'BOT_START',
          action_name: 'x',
          bot_id: null,
          symbol: 'BTC',
          details: 'started',
        },
      ],
      trades: [],
      last_update: null,
    } as unknown as HistoryFile;
    t = await buildModule(file);
    expect(t.history.actions()[0].time_ms).toBe(new Date(2025, 11, 31, 10).getTime());
  });
});
