import { Logger } from '@nestjs/common';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ManualClock } from '../../common/clock';
import { JsonStore } from '../../persistence/json-store.service';
import { PersistenceError } from '../../persistence/persistence.error';
import { StateRegistry } from '../../persistence/state-registry.service';
import type { TradeRecord } from '../engine/bot.types';
import { BotHistoryService, HISTORY_FILE, tradeKey } from './bot-history.service';

function trade(over: Partial<TradeRecord> = {}): TradeRecord {
  return {
    id: 'BTC_1_2',
    timestamp: '',
    bot_id: 'BTC_1767600000',
    symbol: 'BTC',
    direction: 'LONG',
    size: 0.01,
    entry_price: 60000,
    exit_price: 61000,
    pnl: 10,
    fees: 0,
    net_pnl: 10,
    roi: 5,
    pnl_percent: 1.6667,
    leverage: 2,
    status: 'CLOSED',
    decision_source: 'MANUAL',
    rsi: 25,
    trend: 'NEUTRAL',
    exit_rsi: null,
    entry_timeframe: '6h',
    entry_time: '',
    entry_timestamp: 1_767_600_000_000,
    close_timestamp: '',
    close_time_ms: 1_767_603_600_000,
    close_reason: 'MANUAL_CLOSE',
    is_successful: true,
    is_simulated: true,
    ...over,
  };
}

describe('BotHistoryService.recordTrade', () => {
  let dir: string;
  let store: JsonStore;
  let history: BotHistoryService;

  beforeEach(async () => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    dir = mkdtempSync(path.join(tmpdir(), 'history-'));
    store = new JsonStore({ dataDir: dir } as never);
    history = new BotHistoryService(store, new StateRegistry(), new ManualClock(1_767_603_600_000));
    await history.load();
  });
  afterEach(() => jest.restoreAllMocks());

  it('records one position once: a second close of it (another path, another reason) is not counted', async () => {
    expect(await history.recordTrade(trade())).toBe(true);
    expect(
      await history.recordTrade(
        trade({ id: 'BTC_1_3', close_reason: 'CLOSED_ON_EXCHANGE', exit_price: 61010, pnl: 10.1 }),
      ),
    ).toBe(false);
    expect(history.closedTrades().map((t) => t.close_reason)).toEqual(['MANUAL_CLOSE']);
    expect(history.actions({ actionType: 'POSITION_CLOSED' })).toHaveLength(1);
    expect(JSON.parse(readFileSync(path.join(dir, HISTORY_FILE), 'utf8')).trades).toHaveLength(1);
  });

  it('counts a later position of the same bot (another entry) as a new trade', async () => {
    await history.recordTrade(trade());
    expect(await history.recordTrade(trade({ entry_timestamp: 1_767_601_000_000 }))).toBe(true);
    expect(history.closedTrades()).toHaveLength(2);
  });

  it('throws a PersistenceError when the save fails, keeping the trade in memory for the retry', async () => {
    store.writer = () => Promise.reject(Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' }));
    await expect(history.recordTrade(trade())).rejects.toThrow(
      new PersistenceError(HISTORY_FILE, { code: 'ENOSPC' }).message,
    );
    expect(history.closedTrades()).toHaveLength(1);
    store.writer = jest.requireActual('../../persistence/atomic-write').atomicWrite;
    await history.flush();
    expect(JSON.parse(readFileSync(path.join(dir, HISTORY_FILE), 'utf8')).trades).toHaveLength(1);
  });

  it('tradeKey is the bot, the entry time and the fill', () => {
    expect(tradeKey(trade())).toBe('BTC_1767600000|1767600000000|LONG|60000|0.01');
  });
});
