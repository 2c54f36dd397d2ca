import { EntryDecisionDto } from './entry-decision.dto';
import { ApiProperty } from '@nestjs/swagger';
import type { Timeframe } from '../../exchange/exchange.types';
import type { Trend } from '../../rsi/rsi.types';
import type { BotStatus, Direction, VolumeMode } from '../engine/bot.types';

/** The exchange's view of a bot's position, copied onto the record by the sync worker (docs/api-contract.md §3). */
export class ExchangePositionDto {
  /** @example 0.012 */
  size: number;
  /** @example 'Long' */
  side: 'Long' | 'Short';
  /** USDT. @example 1.84 */
  unrealized_pnl: number;
  /** @example 64250.5 */
  mark_price: number;
  /** @example 64097.1 */
  entry_price: number;
  /** @example 10 */
  leverage: number;
  /** Stop-loss price as the exchange reports it (a string, as in the original). @example '54482.5' */
  stop_loss: string;
  /** Take-profit price as the exchange reports it; empty when none. @example '67302' */
  take_profit: string;
  /** PnL in % of the margin. @example 23.9 */
  roi: number;
  /** @example 0 */
  realized_pnl: number;
  /** @example 76.9 */
  margin_usdt: number;
}

/** A bot as stored in data/bots_state.json (docs/api-contract.md §3). */
export class BotRecordDto {
  /** "<SYMBOL>_<unix seconds>". @example 'BTC_1764876000' */
  id: string;
  /** Bare coin, one bot per coin. @example 'BTC' */
  symbol: string;
  /** @example 'in_position_long' */
  status: BotStatus;
  /** @example true */
  auto_managed: boolean;
  /** @example true */
  opened_by_autobot: boolean;
  /** @example 'usdt' */
  volume_mode: VolumeMode;
  /** USDT, coins or % of the balance, by volume_mode. @example 10 */
  volume_value: number;
  /** @example 10 */
  leverage: number;
  /** @example 76.9 */
  margin_usdt: number | null;
  /** Per-bot overrides of auto-bot keys (e.g. filters a manual entry turned off). */
  @ApiProperty({ type: 'object', additionalProperties: true, example: { avoid_down_trend: false } })
  config: Record<string, unknown>;
  /** @example 'LONG' */
  position_side: Direction | null;
  /** @example 64097.1 */
  entry_price: number | null;
  /** ISO local time. @example '2026-12-04T18:00:02' */
  entry_time: string | null;
  /** Epoch ms. @example 1764871202000 */
  entry_timestamp: number | null;
  /** @example '2026-12-04T18:00:02' */
  position_start_time: string | null;
  /** @example 'NEUTRAL' */
  entry_trend: Trend | null;
  /** @example '6h' */
  entry_timeframe: Timeframe | null;
  /** @example 27.4 */
  entry_rsi: number | null;
  /** What the open position's entry was decided on; null when idle. */
  entry_decision?: EntryDecisionDto | null;
  /** @example 0.012 */
  position_size: number | null;
  /** @example 0.012 */
  position_size_coins: number | null;
  /** @example 'paper-000042' */
  order_id: string | null;
  /** Fee of the entry fill, USDT. @example 0.42 */
  entry_fee: number;
  /** USDT. @example 1.84 */
  unrealized_pnl: number;
  /** @example 1.84 */
  unrealized_pnl_usdt: number;
  /** Price move in the position's favour, %. @example 0.24 */
  unrealized_pnl_percent: number;
  /** Realised PnL of the bot's closed trades, USDT. @example 0 */
  realized_pnl: number;
  /** @example 2.39 */
  roi: number;
  /** @example 64250.5 */
  current_price: number | null;
  /** @example 64250.5 */
  mark_price: number | null;
  /** Peak profit, %. @example 1.1 */
  max_profit_achieved: number;
  /** @example false */
  trailing_active: boolean;
  /** @example null */
  trailing_stop_price: number | null;
  /** @example null */
  trailing_reference_price: number | null;
  /** @example 10 */
  trailing_activation_threshold: number;
  /** @example 0 */
  trailing_activation_profit: number;
  /** @example 0 */
  trailing_steps: number;
  /** Epoch seconds. @example 0 */
  trailing_last_update_ts: number;
  /** @example false */
  break_even_activated: boolean;
  /** @example false */
  break_even_stop_set: boolean;
  /** @example null */
  break_even_stop_price: number | null;
  /** @example 54482.5 */
  stop_loss: number | null;
  /** @example 67302 */
  take_profit: number | null;
  /** @example 54482.5 */
  stop_loss_price: number | null;
  /** @example 67302 */
  take_profit_price: number | null;
  /** @example false */
  exit_waiting_breakeven: boolean;
  /** @example 57990.2 */
  liquidation_price: number | null;
  /** @example 9.7 */
  distance_to_liquidation: number | null;
  exchange_position: ExchangePositionDto | null;
  /** @example false */
  needs_exchange_sync: boolean;
  /** @example '2026-12-04T17:59:58' */
  created_at: string;
  /** @example '2026-12-04T18:10:00' */
  last_update: string;
  /** @example '2026-12-04T18:00:00' */
  last_signal_time: string | null;
  /** @example 64250.5 */
  last_price: number | null;
  /** @example 31.2 */
  last_rsi: number | null;
  /** @example 'NEUTRAL' */
  last_trend: Trend | null;
  /** Epoch ms of the last close. @example null */
  last_position_close_timestamp: number | null;
  /** @example null */
  pause_reason: string | null;
  /** Legacy; always null. */
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, example: null })
  position: null;
  /** Legacy; always empty. */
  @ApiProperty({ type: 'array', items: { type: 'object' }, example: [] })
  limit_orders: unknown[];
}

/** A /list entry: the record plus the three decorations the web UI shows (docs/api-contract.md §2.2). */
export class BotListEntryDto extends BotRecordDto {
  /** The coin's row of the coin table, or {rsi:"N/A", signal:"N/A"} when the coin has none. */
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { symbol: 'BTC', rsi6h: 31.2, trend6h: 'NEUTRAL', signal: 'WAIT' },
  })
  rsi_data: Record<string, unknown>;
  /** Minutes and seconds since creation (Russian units, shown verbatim). @example '12м 5с' */
  work_time: string;
  /** Russian status label: Активен, Ожидает, Приостановлен or Неизвестно. @example 'Активен' */
  bot_status: string;
}
