import type { BotRecord } from './bot.types';
import { profitPercent } from './profit';

/** Shapes of bot records as the web UI reads them (docs/api-contract.md §2.2). Pure. */

/** Russian status labels the UI shows verbatim. */
export function botStatusLabel(status: string): string {
  if (status === 'in_position_long' || status === 'in_position_short') return 'Активен';
  if (status === 'idle') return 'Ожидает';
  if (status === 'paused') return 'Приостановлен';
  return 'Неизвестно';
}

/** Total minutes and seconds since creation, e.g. "12м 5с". */
export function workTime(createdAtMs: number, nowMs: number): string {
  const seconds = Math.max(0, Math.floor((nowMs - createdAtMs) / 1000));
  return `${Math.floor(seconds / 60)}м ${seconds % 60}с`;
}

export const NEVER = 'Никогда';

/** A list entry: the record plus work_time, last_update (or "never") and bot_status. */
/** A /list entry: the record plus the UI's decorations. */
export type DecoratedBot = BotRecord & { rsi_data: Record<string, unknown>; work_time: string; bot_status: string };

export function decorateBot(record: BotRecord, nowMs: number, coin: Record<string, unknown> | undefined): DecoratedBot {
  const created = Date.parse(record.created_at);
  return {
    ...record,
    rsi_data: coin ?? { rsi: 'N/A', signal: 'N/A' },
    work_time: Number.isFinite(created) ? workTime(created, nowMs) : '0м 0с',
    last_update: record.last_update || NEVER,
    bot_status: botStatusLabel(record.status),
  };
}

/** An active-detailed entry (bots in a position). */
export function detailedBot(
  record: BotRecord,
  coinPrice: number | null,
  maxLossPercent: number,
  maxPositionHours: number,
) {
  const side = record.position_side;
  const stop = record.stop_loss_price;
  const stopLossPnl =
    side && record.entry_price && stop ? profitPercent(side, record.entry_price, stop) : -Math.abs(maxLossPercent);
  return {
    symbol: record.symbol,
    status: record.status,
    position_size: record.position_size_coins ?? record.position_size ?? 0,
    pnl: record.unrealized_pnl_usdt,
    unrealized_pnl_usdt: record.unrealized_pnl_usdt,
    unrealized_pnl_percent: record.unrealized_pnl_percent,
    roi: record.roi,
    current_price: record.current_price ?? coinPrice,
    position_side: side === 'LONG' ? ('Long' as const) : side === 'SHORT' ? ('Short' as const) : null,
    entry_price: record.entry_price,
    trailing_stop_active: record.trailing_active,
    trailing_stop_price: record.trailing_stop_price,
    break_even_activated: record.break_even_activated,
    stop_loss_price: stop,
    take_profit_price: record.take_profit_price,
    stop_loss_pnl: Math.round(stopLossPnl * 100) / 100,
    position_start_time: record.position_start_time,
    max_position_hours: maxPositionHours,
    leverage: record.leverage,
    created_at: record.created_at,
    last_update: record.last_update,
  };
}
