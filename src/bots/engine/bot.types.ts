import type { Timeframe } from '../../exchange/exchange.types';
import type { Trend } from '../../rsi/rsi.types';

/** Persisted bot statuses (docs/trading-logic.md §0). "Active" means neither idle nor paused. */
export type BotStatus = 'running' | 'in_position_long' | 'in_position_short' | 'idle' | 'paused';
export const BOT_STATUSES: readonly BotStatus[] = [
  'running',
  'in_position_long',
  'in_position_short',
  'idle',
  'paused',
];

export type Direction = 'LONG' | 'SHORT';
/** The web UI's volume select offers usdt / qty / percent; the rest are legacy modes found in stored bots. */
export const VOLUME_MODES = ['usdt', 'percent', 'qty', 'fixed_usdt', 'percent_balance', 'fixed_qty'] as const;
export type VolumeMode = (typeof VOLUME_MODES)[number];

/** Why a position was closed; kept as the trade's `close_reason`. */
export type CloseReason =
  | 'STOP_LOSS'
  | 'TAKE_PROFIT'
  | 'TRAILING_STOP'
  | 'BREAK_EVEN'
  | 'MAX_POSITION_HOURS'
  | 'RSI_EXIT'
  | 'BREAKEVEN_WAIT_EXIT'
  | 'MANUAL_CLOSE'
  | 'DELISTING_EMERGENCY'
  | 'CLOSED_ON_EXCHANGE'
  | 'LIQUIDATION';

/** Exchange position snapshot copied onto the record by the sync worker (docs/api-contract.md §3). */
export interface ExchangePositionView {
  size: number;
  side: 'Long' | 'Short';
  unrealized_pnl: number;
  mark_price: number;
  entry_price: number;
  leverage: number;
  stop_loss: string;
  take_profit: string;
  roi: number;
  realized_pnl: number;
  margin_usdt: number;
}

/**
 * A bot as stored in bots_state.json and returned by /api/bots/list (docs/api-contract.md §3).
 * The whole record is persisted, so a restart resumes the bot exactly where it was.
 */
export interface BotRecord {
  id: string;
  symbol: string;
  status: BotStatus;
  auto_managed: boolean;
  opened_by_autobot: boolean;
  volume_mode: VolumeMode;
  volume_value: number;
  leverage: number;
  margin_usdt: number | null;
  /** Per-bot overrides of auto-bot keys (e.g. relaxed filters for a manual entry). */
  config: Record<string, unknown>;

  position_side: Direction | null;
  entry_price: number | null;
  entry_time: string | null;
  entry_timestamp: number | null;
  position_start_time: string | null;
  entry_trend: Trend | null;
  entry_timeframe: Timeframe | null;
  entry_rsi: number | null;
  position_size: number | null;
  position_size_coins: number | null;
  order_id: string | null;
  /** Fee paid on the entry fill, USDT. */
  entry_fee: number;

  /** USDT (the original mixed % and USDT here; the exchange loop's USDT won most of the time). */
  unrealized_pnl: number;
  unrealized_pnl_usdt: number;
  /** Price move in the position's favour, %. */
  unrealized_pnl_percent: number;
  /** Realised PnL of all the bot's closed trades, USDT. */
  realized_pnl: number;
  roi: number;
  current_price: number | null;
  mark_price: number | null;

  max_profit_achieved: number;
  trailing_active: boolean;
  trailing_stop_price: number | null;
  trailing_reference_price: number | null;
  trailing_activation_threshold: number;
  trailing_activation_profit: number;
  trailing_steps: number;
  trailing_last_update_ts: number;
  break_even_activated: boolean;
  break_even_stop_set: boolean;
  break_even_stop_price: number | null;
  stop_loss: number | null;
  take_profit: number | null;
  stop_loss_price: number | null;
  take_profit_price: number | null;
  exit_waiting_breakeven: boolean;

  liquidation_price: number | null;
  distance_to_liquidation: number | null;
  exchange_position: ExchangePositionView | null;
  needs_exchange_sync: boolean;

  created_at: string;
  last_update: string;
  last_signal_time: string | null;
  last_price: number | null;
  last_rsi: number | null;
  last_trend: Trend | null;
  last_position_close_timestamp: number | null;
  pause_reason: string | null;

  // legacy fields the UI tolerates; kept with neutral values
  position: null;
  limit_orders: unknown[];
  /** What the open position's entry was decided on (copied onto its trade). */
  entry_decision?: EntryDecisionAudit | null;
}

/**
 * What an entry was decided on, so a trade can be re-derived from the API alone (docs/backtest-engine.md,
 * "Auditable trades"). Live and backtested trades carry the same fields.
 */
export interface EntryDecisionAudit {
  /** When the decision was taken (the replay clock in a backtest). */
  decision_time: string;
  decision_time_ms: number;
  /** The price the decision and the sizing used: the quote (ask for a LONG, bid for a SHORT). */
  decision_price: number | null;
  /** RSI on the system timeframe the signal used. */
  decision_rsi: number | null;
  /** Open time (epoch ms) of the candle whose RSI gave the signal; null when not known. */
  decision_candle_time: number | null;
  decision_trend: Trend | null;
  /** The entry filters that ran and passed, in their order (empty for a manual entry). */
  filters_passed: string[];
  /** Stop-loss and take-profit set at entry, both measured from the fill price (null = none). */
  stop_loss_set: number | null;
  take_profit_set: number | null;
}

/** A closed trade as /api/bots/trades serves it (docs/api-contract.md §2.8). */
export interface TradeRecord {
  id: string;
  timestamp: string;
  bot_id: string;
  symbol: string;
  direction: Direction;
  size: number;
  entry_price: number;
  exit_price: number;
  /** Gross PnL in USDT: (exit − entry) × size, negated for SHORT. */
  pnl: number;
  /** Entry and exit fees, USDT. */
  fees: number;
  /** pnl − fees. */
  net_pnl: number;
  /** PnL in % of the margin used. */
  roi: number;
  /** Price move in % in the trade's favour. */
  pnl_percent: number;
  leverage: number;
  status: 'CLOSED';
  decision_source: 'SCRIPT' | 'MANUAL' | 'EXCHANGE_IMPORT';
  rsi: number | null;
  trend: Trend | null;
  exit_rsi: number | null;
  entry_timeframe: Timeframe | null;
  entry_time: string;
  entry_timestamp: number;
  close_timestamp: string;
  close_time_ms: number;
  close_reason: CloseReason;
  is_successful: boolean;
  is_simulated: boolean;
  /** What the entry was decided on; absent on trades recorded before it existed and on adopted positions. */
  decision?: EntryDecisionAudit | null;
}
