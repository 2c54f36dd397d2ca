import { isoLocal } from '../../common/clock';
import type { BotRecord, VolumeMode } from './bot.types';

export interface NewBotParams {
  symbol: string;
  nowMs: number;
  volumeMode: VolumeMode;
  volumeValue: number;
  leverage: number;
  autoManaged: boolean;
  /** Margin the user asked for (create request), shown until the first entry sets the real one. */
  marginUsdt?: number;
  config?: Record<string, unknown>;
}

/** The record of a new bot: running, no position, every protection field reset (docs/trading-logic.md §7.1). */
export function newBotRecord(p: NewBotParams): BotRecord {
  const iso = isoLocal(p.nowMs);
  return {
    id: `${p.symbol}_${Math.floor(p.nowMs / 1000)}`,
    symbol: p.symbol,
    status: 'running',
    auto_managed: p.autoManaged,
    opened_by_autobot: p.autoManaged,
    volume_mode: p.volumeMode,
    volume_value: p.volumeValue,
    leverage: p.leverage,
    margin_usdt: p.marginUsdt ?? null,
    config: { ...(p.config ?? {}) },
    position_side: null,
    entry_price: null,
    entry_time: null,
    entry_timestamp: null,
    position_start_time: null,
    entry_trend: null,
    entry_timeframe: null,
    entry_rsi: null,
    position_size: null,
    position_size_coins: null,
    order_id: null,
    entry_fee: 0,
    unrealized_pnl: 0,
    unrealized_pnl_usdt: 0,
    unrealized_pnl_percent: 0,
    realized_pnl: 0,
    roi: 0,
    current_price: null,
    mark_price: null,
    max_profit_achieved: 0,
    trailing_active: false,
    trailing_stop_price: null,
    trailing_reference_price: null,
    trailing_activation_threshold: 0,
    trailing_activation_profit: 0,
    trailing_steps: 0,
    trailing_last_update_ts: 0,
    break_even_activated: false,
    break_even_stop_set: false,
    break_even_stop_price: null,
    stop_loss: null,
    take_profit: null,
    stop_loss_price: null,
    take_profit_price: null,
    exit_waiting_breakeven: false,
    liquidation_price: null,
    distance_to_liquidation: null,
    exchange_position: null,
    needs_exchange_sync: false,
    created_at: iso,
    last_update: iso,
    last_signal_time: null,
    last_price: null,
    last_rsi: null,
    last_trend: null,
    last_position_close_timestamp: null,
    pause_reason: null,
    position: null,
    limit_orders: [],
  };
}
