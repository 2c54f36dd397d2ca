import type { TradeRecord } from '../engine/bot.types';

export const ACTION_TYPES = [
  'BOT_START',
  'BOT_STOP',
  'SIGNAL',
  'POSITION_OPENED',
  'POSITION_CLOSED',
  'LIMIT_ORDER_PLACED',
  'STOP_LOSS_SET',
  'STOP_LOSS_UPDATED',
  'TAKE_PROFIT_SET',
  'TAKE_PROFIT_UPDATED',
  'STOP_LOSS',
  'TAKE_PROFIT',
  'TRAILING_STOP',
  'ERROR',
] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export const ACTION_NAMES: Record<ActionType, string> = {
  BOT_START: 'Bot started',
  BOT_STOP: 'Bot stopped',
  SIGNAL: 'Signal',
  POSITION_OPENED: 'Position opened',
  POSITION_CLOSED: 'Position closed',
  LIMIT_ORDER_PLACED: 'Limit order placed',
  STOP_LOSS_SET: 'Stop-loss set',
  STOP_LOSS_UPDATED: 'Stop-loss moved',
  TAKE_PROFIT_SET: 'Take-profit set',
  TAKE_PROFIT_UPDATED: 'Take-profit moved',
  STOP_LOSS: 'Stop-loss hit',
  TAKE_PROFIT: 'Take-profit hit',
  TRAILING_STOP: 'Trailing stop hit',
  ERROR: 'Error',
};

/** One entry of the action log (docs/api-contract.md §2.8); type-specific fields ride along. */
export interface ActionEntry {
  id: string;
  timestamp: string;
  /** Epoch ms of `timestamp`, for period filters. */
  time_ms: number;
  action_type: ActionType;
  action_name: string;
  bot_id: string | null;
  symbol: string;
  details: string;
  is_demo?: boolean;
  [extra: string]: unknown;
}

export type StoredTrade = TradeRecord & { is_demo?: boolean };

/** data/bot_history.json. */
export interface HistoryFile {
  history: ActionEntry[];
  trades: StoredTrade[];
  last_update: string | null;
  note: string;
}

export const MAX_HISTORY_ENTRIES = 1000;
export const MAX_TRADES = 5000;
export type Period = 'today' | 'week' | 'month' | 'all';
