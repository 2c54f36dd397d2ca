import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Clock, isoLocal } from '../../common/clock';
import { JsonStore } from '../../persistence/json-store.service';
import { PersistenceError } from '../../persistence/persistence.error';
import { StateRegistry } from '../../persistence/state-registry.service';
import type { ClosedTradeInfo } from '../../filters/rules/loss-reentry';
import type { TradeHistoryPort } from '../../filters/trade-history.port';
import type { TradeRecord } from '../engine/bot.types';
import { periodStart } from './history-stats';
import {
  ACTION_NAMES,
  MAX_HISTORY_ENTRIES,
  MAX_TRADES,
  type ActionEntry,
  type ActionType,
  type HistoryFile,
  type Period,
  type StoredTrade,
} from './history.types';

export const HISTORY_FILE = 'bot_history.json';
const NOTE = 'Action log and closed trades of the bots service';

/**
 * One position's identity: the bot, when it was entered, and the fill (direction, price, size). Two records
 * with the same key are the same position closed twice.
 */
export function tradeKey(
  trade: Pick<TradeRecord, 'bot_id' | 'entry_timestamp' | 'direction' | 'entry_price' | 'size'>,
): string {
  return `${trade.bot_id}|${trade.entry_timestamp}|${trade.direction}|${trade.entry_price}|${trade.size}`;
}

export function validateHistoryFile(value: unknown): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'expected a JSON object';
  const v = value as Record<string, unknown>;
  if (!Array.isArray(v.history)) return 'history must be an array';
  if (v.trades !== undefined && !Array.isArray(v.trades)) return 'trades must be an array';
  return null;
}

export interface ActionQuery {
  symbol?: string | null;
  limit?: number;
  period?: Period;
  actionType?: string | null;
}

export interface TradeQuery {
  symbol?: string | null;
  direction?: 'LONG' | 'SHORT' | null;
  limit?: number;
  period?: Period;
}

/**
 * data/bot_history.json: the action log (newest last in the file, at most 1000) and every closed trade
 * (at most 5000). Trades are saved at once; plain actions ride on the auto-save.
 */
@Injectable()
export class BotHistoryService implements OnModuleInit, TradeHistoryPort {
  private readonly logger = new Logger('BotHistory');
  private history: ActionEntry[] = [];
  private trades: StoredTrade[] = [];
  private lastUpdate: string | null = null;
  private dirty = false;
  private sequence = 0;

  constructor(
    private readonly store: JsonStore,
    private readonly registry: StateRegistry,
    private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.load();
    this.registry.register('bot history', () => this.flush());
  }

  async load(): Promise<void> {
    const file = await this.store.load<HistoryFile>(HISTORY_FILE, {
      defaults: () => ({ history: [], trades: [], last_update: null, note: NOTE }),
      validate: validateHistoryFile,
    });
    this.history = file.history.filter((e) => e && typeof e === 'object');
    for (const e of this.history) if (typeof e.time_ms !== 'number') e.time_ms = Date.parse(e.timestamp) || 0;
    this.trades = (file.trades ?? []).filter((t) => t && typeof t === 'object');
    for (const t of this.trades) {
      if (typeof t.close_time_ms !== 'number') t.close_time_ms = Date.parse(t.close_timestamp) || 0;
    }
    this.lastUpdate = file.last_update ?? null;
    this.dirty = false;
  }

  async flush(): Promise<void> {
    if (!this.dirty) return;
    await this.save();
  }

  async save(): Promise<void> {
    this.dirty = false;
    const file: HistoryFile = { history: this.history, trades: this.trades, last_update: this.lastUpdate, note: NOTE };
    try {
      await this.store.save(HISTORY_FILE, file);
    } catch (error) {
      this.dirty = true;
      throw error;
    }
  }

  private nextId(nowMs: number): string {
    this.sequence = (this.sequence + 1) % 1_000_000;
    return `${nowMs}_${this.sequence}`;
  }

  /** Appends an action to the log (docs/api-contract.md §2.8 action types; extras per type). */
  log(
    type: ActionType,
    symbol: string,
    botId: string | null,
    details: string,
    extras: Record<string, unknown> = {},
  ): ActionEntry {
    const now = this.clock.now();
    const entry: ActionEntry = {
      ...extras,
      id: this.nextId(now),
      timestamp: isoLocal(now),
      time_ms: now,
      action_type: type,
      action_name: ACTION_NAMES[type],
      bot_id: botId,
      symbol,
      details,
    };
    this.history.push(entry);
    if (this.history.length > MAX_HISTORY_ENTRIES) this.history.splice(0, this.history.length - MAX_HISTORY_ENTRIES);
    this.lastUpdate = entry.timestamp;
    this.dirty = true;
    return entry;
  }

  /**
   * Records a closed trade and its POSITION_CLOSED action, and saves at once. A trade is recorded once per
   * position (tradeKey): whichever path closes it second (a manual close and a close seen on the exchange) is
   * not counted again, and false is answered. A failed save throws a PersistenceError; the trade stays in
   * memory and the auto-save retries it (docs/reliability.md).
   */
  async recordTrade(trade: TradeRecord): Promise<boolean> {
    const key = tradeKey(trade);
    if (this.trades.some((t) => tradeKey(t) === key)) return false;
    this.trades.push(trade);
    if (this.trades.length > MAX_TRADES) this.trades.splice(0, this.trades.length - MAX_TRADES);
    this.log(
      'POSITION_CLOSED',
      trade.symbol,
      trade.bot_id,
      `${trade.direction} closed at ${trade.exit_price} (${trade.close_reason}), PnL ${trade.pnl.toFixed(4)} USDT`,
      {
        direction: trade.direction,
        exit_price: trade.exit_price,
        pnl: trade.pnl,
        roi: trade.roi,
        reason: trade.close_reason,
        is_successful: trade.is_successful,
      },
    );
    try {
      await this.save();
    } catch (error) {
      this.logger.error(
        `Saving ${HISTORY_FILE} failed: ${(error as Error).message}; kept in memory, retried by the auto-save`,
      );
      throw PersistenceError.wrap(HISTORY_FILE, error);
    }
    return true;
  }

  actions(q: ActionQuery = {}): ActionEntry[] {
    const since = periodStart(q.period, this.clock.now());
    const type = q.actionType ? q.actionType.toUpperCase() : null;
    const out: ActionEntry[] = [];
    for (let i = this.history.length - 1; i >= 0; i--) {
      const e = this.history[i];
      if (q.symbol && e.symbol !== q.symbol) continue;
      if (type && e.action_type !== type) continue;
      if (since !== null && e.time_ms < since) continue;
      out.push(e);
      if (q.limit !== undefined && out.length >= q.limit) break;
    }
    return out;
  }

  /** Closed trades, newest first. */
  closedTrades(q: TradeQuery = {}): StoredTrade[] {
    const since = periodStart(q.period, this.clock.now());
    const out: StoredTrade[] = [];
    for (let i = this.trades.length - 1; i >= 0; i--) {
      const t = this.trades[i];
      if (q.symbol && t.symbol !== q.symbol) continue;
      if (q.direction && t.direction !== q.direction) continue;
      if (since !== null && t.close_time_ms < since) continue;
      out.push(t);
      if (q.limit !== undefined && out.length >= q.limit) break;
    }
    return out;
  }

  /** Real (non-demo) closed trades of a symbol, newest first: the loss re-entry rule's input. */
  realTradesOf(symbol: string): StoredTrade[] {
    return this.closedTrades({ symbol }).filter((t) => !t.is_demo);
  }

  /** The loss re-entry filter's view of the symbol's real trades (TradeHistoryPort). */
  closedTradesOf(symbol: string): ClosedTradeInfo[] {
    return this.realTradesOf(symbol).map((t) => ({ pnl: t.pnl, exitTime: t.close_time_ms }));
  }

  /** When the symbol's last real position closed, or null. */
  lastCloseTime(symbol: string): number | null {
    return this.realTradesOf(symbol)[0]?.close_time_ms ?? null;
  }

  /** Clears the log and trades of one symbol, or everything. Returns how many entries went. */
  async clear(symbol: string | null): Promise<{ actions: number; trades: number }> {
    const beforeActions = this.history.length;
    const beforeTrades = this.trades.length;
    const history = symbol ? this.history.filter((e) => e.symbol !== symbol) : [];
    const trades = symbol ? this.trades.filter((t) => t.symbol !== symbol) : [];
    const lastUpdate = isoLocal(this.clock.now());
    // Saved first, applied after: a failed save leaves memory as the disk has it.
    await this.store.save(
      HISTORY_FILE,
      { history, trades, last_update: lastUpdate, note: NOTE } satisfies HistoryFile,
      { onFailure: 'refused' },
    );
    this.history = history;
    this.trades = trades;
    this.lastUpdate = lastUpdate;
    return { actions: beforeActions - this.history.length, trades: beforeTrades - this.trades.length };
  }

  /**
   * Demo entries for trying the UI: a few bots with a start, an opened and a closed position each.
   * They are flagged is_demo and never count for loss re-entry or cooldowns.
   */
  async addDemo(): Promise<{ actions: number; trades: number }> {
    const now = this.clock.now();
    const history = [...this.history];
    const trades = [...this.trades];
    const samples = [
      {
        symbol: 'BTC',
        direction: 'LONG' as const,
        entry: 60_000,
        exit: 61_800,
        size: 0.01,
        reason: 'RSI_EXIT' as const,
      },
      { symbol: 'ETH', direction: 'SHORT' as const, entry: 3000, exit: 3090, size: 0.2, reason: 'STOP_LOSS' as const },
      { symbol: 'SOL', direction: 'LONG' as const, entry: 150, exit: 157.5, size: 2, reason: 'TAKE_PROFIT' as const },
    ];
    let actions = 0;
    samples.forEach((s, i) => {
      const opened = now - (i + 2) * 3_600_000;
      const closed = opened + 3_600_000;
      const botId = `${s.symbol}_demo`;
      const pnl = (s.direction === 'LONG' ? s.exit - s.entry : s.entry - s.exit) * s.size;
      const margin = (s.entry * s.size) / 10;
      const trade: StoredTrade = {
        id: `${botId}_${closed}`,
        timestamp: isoLocal(opened),
        bot_id: botId,
        symbol: s.symbol,
        direction: s.direction,
        size: s.size,
        entry_price: s.entry,
        exit_price: s.exit,
        pnl: Math.round(pnl * 1e8) / 1e8,
        fees: 0,
        net_pnl: Math.round(pnl * 1e8) / 1e8,
        roi: Math.round((pnl / margin) * 100 * 1e4) / 1e4,
        pnl_percent: Math.round((((s.direction === 'LONG' ? 1 : -1) * (s.exit - s.entry)) / s.entry) * 100 * 1e4) / 1e4,
        leverage: 10,
        status: 'CLOSED',
        decision_source: 'SCRIPT',
        rsi: s.direction === 'LONG' ? 27 : 73,
        trend: 'NEUTRAL',
        exit_rsi: null,
        entry_timeframe: '6h',
        entry_time: isoLocal(opened),
        entry_timestamp: opened,
        close_timestamp: isoLocal(closed),
        close_time_ms: closed,
        close_reason: s.reason,
        is_successful: pnl > 0,
        is_simulated: true,
        is_demo: true,
      };
      history.push(
        {
          id: this.nextId(opened),
          timestamp: isoLocal(opened),
          time_ms: opened,
          action_type: 'BOT_START',
          action_name: ACTION_NAMES.BOT_START,
          bot_id: botId,
          symbol: s.symbol,
          details: 'Demo bot started',
          direction: s.direction,
          config: {},
          is_demo: true,
        },
        {
          id: this.nextId(opened),
          timestamp: isoLocal(opened),
          time_ms: opened,
          action_type: 'POSITION_OPENED',
          action_name: ACTION_NAMES.POSITION_OPENED,
          bot_id: botId,
          symbol: s.symbol,
          details: `Demo ${s.direction} opened at ${s.entry}`,
          direction: s.direction,
          size: s.size,
          entry_price: s.entry,
          stop_loss: null,
          take_profit: null,
          decision_source: 'SCRIPT',
          rsi: trade.rsi,
          trend: 'NEUTRAL',
          is_simulated: true,
          is_demo: true,
        },
        {
          id: this.nextId(closed),
          timestamp: isoLocal(closed),
          time_ms: closed,
          action_type: 'POSITION_CLOSED',
          action_name: ACTION_NAMES.POSITION_CLOSED,
          bot_id: botId,
          symbol: s.symbol,
          details: `Demo ${s.direction} closed at ${s.exit}`,
          direction: s.direction,
          exit_price: s.exit,
          pnl: trade.pnl,
          roi: trade.roi,
          reason: s.reason,
          is_successful: trade.is_successful,
          is_demo: true,
        },
      );
      actions += 3;
      trades.push(trade);
    });
    history.sort((a, b) => a.time_ms - b.time_ms);
    trades.sort((a, b) => a.close_time_ms - b.close_time_ms);
    if (history.length > MAX_HISTORY_ENTRIES) history.splice(0, history.length - MAX_HISTORY_ENTRIES);
    const lastUpdate = isoLocal(now);
    await this.store.save(
      HISTORY_FILE,
      { history, trades, last_update: lastUpdate, note: NOTE } satisfies HistoryFile,
      { onFailure: 'refused' },
    );
    this.history = history;
    this.trades = trades;
    this.lastUpdate = lastUpdate;
    return { actions, trades: samples.length };
  }
}
