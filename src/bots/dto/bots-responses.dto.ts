import { ApiExtraModels, ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { MessageResponseDto, SuccessResponseDto } from '../../common/dto/envelope.dto';
import type { InstrumentStatus } from '../../exchange/exchange.types';
import { CoinDto } from '../../rsi/dto/rsi-responses.dto';
import type { BotStatus, CloseReason } from '../engine/bot.types';
import { BotListEntryDto, BotRecordDto, ExchangePositionDto } from './bot-record.dto';

/** Answers of the bots controller (docs/api-contract.md §2.2, §2.7). */

export class BotListStatsDto {
  /** Bots not paused. @example 3 */
  active_bots: number;
  /** @example 4 */
  total_bots: number;
}

export class BotListResponseDto extends SuccessResponseDto {
  bots: BotListEntryDto[];
  /** @example 4 */
  count: number;
  /** @example true */
  auto_bot_enabled: boolean;
  /** Newest last_update of any bot, else the last save, else "Никогда". @example '2026-12-04T18:10:00' */
  last_update: string;
  stats: BotListStatsDto;
}

/** A bot in a position as the positions panel shows it. */
export class ActiveBotDto {
  /** @example 'BTC' */
  symbol: string;
  /** @example 'in_position_long' */
  status: BotStatus;
  /** Coins. @example 0.012 */
  position_size: number;
  /** Unrealised PnL, USDT. @example 1.84 */
  pnl: number;
  /** @example 1.84 */
  unrealized_pnl_usdt: number;
  /** @example 0.24 */
  unrealized_pnl_percent: number;
  /** @example 2.39 */
  roi: number;
  /** @example 64250.5 */
  current_price: number | null;
  /** @example 'Long' */
  position_side: 'Long' | 'Short' | null;
  /** @example 64097.1 */
  entry_price: number | null;
  /** @example false */
  trailing_stop_active: boolean;
  /** @example null */
  trailing_stop_price: number | null;
  /** @example false */
  break_even_activated: boolean;
  /** @example 54482.5 */
  stop_loss_price: number | null;
  /** @example 67302 */
  take_profit_price: number | null;
  /** Price move to the stop, % (negative while the stop is below entry for a LONG). @example -15 */
  stop_loss_pnl: number;
  /** @example '2026-12-04T18:00:02' */
  position_start_time: string | null;
  /** 0 = no limit. @example 48 */
  max_position_hours: number;
  /** @example 10 */
  leverage: number;
  /** @example '2026-12-04T17:59:58' */
  created_at: string;
  /** @example '2026-12-04T18:10:00' */
  last_update: string;
}

export class ActiveDetailedResponseDto extends SuccessResponseDto {
  bots: ActiveBotDto[];
  /** @example 1 */
  total: number;
}

export class CreateBotResponseDto extends MessageResponseDto {
  bot: BotRecordDto;
  /** True when the exchange already held a position on the coin and the bot took it over. @example false */
  existing_position: boolean;
}

export class BotActionResponseDto extends MessageResponseDto {
  bot: BotRecordDto;
}

export class ClosedPositionDto {
  /** @example 'Long' */
  side: string;
  /** @example 0.012 */
  size: number;
  /** @example 'paper-000043' */
  order_id: string;
}

export class ClosePositionResponseDto extends MessageResponseDto {
  closed_positions: ClosedPositionDto[];
  /** Closes that failed, or null when none did. @example null */
  errors: string[] | null;
}

export class SyncPositionsResponseDto extends MessageResponseDto {
  /** True when any bot changed. @example true */
  synced: boolean;
  /** Bots whose side, entry or PnL was corrected. @example ['ETH'] */
  updated: string[];
  /** Bots closed because their position vanished on the exchange. @example [] */
  closed: string[];
  /** Exchange positions taken over by a waiting bot of the coin. @example [] */
  adopted: string[];
  /** Bots whose missing stop-loss was placed again. @example [] */
  stops_restored: string[];
  /** Coins with an exchange position and no bot. @example ['XRP'] */
  manual_positions: string[];
}

export class ManualPositionDto {
  /** @example 'XRP' */
  symbol: string;
  /** @example 'Short' */
  side: 'Long' | 'Short';
  /** @example 120 */
  size: number;
  /** @example 2.31 */
  entry_price: number;
  /** @example 2.28 */
  mark_price: number;
  /** @example 3.6 */
  unrealized_pnl: number;
  /** @example 5 */
  leverage: number;
  /** @example null */
  stop_loss: number | null;
  /** @example null */
  take_profit: number | null;
}

export class ManualPositionsResponseDto extends SuccessResponseDto {
  /** @example 1 */
  count: number;
  /** @example ['XRP'] */
  positions: string[];
  details: ManualPositionDto[];
}

/** On an exchange error the answer is 200 with success false, `error`, `details` and the bot counts only. */
export class AccountInfoResponseDto extends SuccessResponseDto {
  /** @example 1012.4 */
  total_equity?: number;
  /** @example 1000 */
  total_wallet_balance?: number;
  /** @example 923.1 */
  total_available_balance?: number;
  /** @example 12.4 */
  total_unrealized_pnl?: number;
  /** @example 1012.4 */
  total_margin_balance?: number;
  /** @example 'UNIFIED' */
  account_type?: 'UNIFIED';
  /** Open positions on the exchange. @example 2 */
  active_positions?: number;
  /** @example 769.3 */
  total_position_value?: number;
  /** @example 4 */
  bots_count: number;
  /** Bots not paused. @example 3 */
  active_bots: number;
  /** Set when an entry failed for lack of funds; clears once more than 5 USDT is available. @example false */
  insufficient_funds: boolean;
  /** @example 'Failed to get account info from exchange' */
  error?: string;
  /** The exchange's error text. @example 'request timed out' */
  details?: string;
}

/** When positions cannot be read nothing is removed: success false, `error`, `cleaned:false`. */
export class CleanupInactiveResponseDto extends MessageResponseDto {
  /** @example true */
  cleaned: boolean;
  /** @example ['DOGE'] */
  removed?: string[];
  /** @example 'Positions unavailable: request timed out' */
  error?: string;
}

export class MonitorClosedDto {
  /** @example 'ETH' */
  symbol: string;
  /** @example 'TAKE_PROFIT' */
  reason: CloseReason;
}

export class StopMovedDto {
  /** @example 'BTC' */
  symbol: string;
  /** New stop price. @example 63900 */
  stop: number;
}

export class SymbolErrorDto {
  /** @example 'SOL' */
  symbol: string;
  /** @example 'order rejected' */
  error: string;
}

export class ProcessTradingSignalsResponseDto extends MessageResponseDto {
  /** Bots neither idle nor paused. @example 3 */
  active_bots_count: number;
  /** Positions checked. @example 2 */
  checked: number;
  closed: MonitorClosedDto[];
  stops_moved: StopMovedDto[];
  /** Waiting bots that entered. @example [] */
  entered: string[];
  errors: SymbolErrorDto[];
}

export class TestStopResponseDto extends MessageResponseDto {
  /** The JSON body, or null when the request was not JSON. */
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, example: { symbol: 'BTC' } })
  json_data: unknown;
  /** The form body, or null when the request was not a form. */
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, example: null })
  form_data: unknown;
  /** The query string. */
  @ApiProperty({ type: 'object', additionalProperties: true, example: {} })
  args_data: unknown;
}

/** The answer of the action run, plus `action`; fields beyond success/message depend on the action. */
export class ControlResponseDto extends MessageResponseDto {
  /** @example 'stop' */
  action: string;
  /** start / resume. */
  bot?: BotRecordDto;
  /** close. */
  closed_positions?: ClosedPositionDto[];
  /** close: failed closes, or null. @example null */
  errors?: string[] | null;
}

export class BotStatusResponseDto extends SuccessResponseDto {
  /** @example 'BTC' */
  symbol: string;
  /** @example 'in_position_long' */
  status: BotStatus;
  bot: BotListEntryDto;
  /** The exchange position as last synced, or null. */
  position: ExchangePositionDto | null;
  /** The coin's row of the coin table, or null. */
  coin: CoinDto | null;
  /** @example '2026-12-04T18:10:03' */
  timestamp: string;
}

export class ExchangeCallStatsDto {
  /** @example 42 */
  calls: number;
  /** @example 0 */
  errors: number;
  /** @example 18.5 */
  avg_ms: number;
}

export class MarketDto {
  /** @example 'BTC' */
  symbol: string;
  /** @example 'BTCUSDT' */
  exchangeSymbol: string;
  /** @example 'Trading' */
  status: InstrumentStatus;
  /** @example 0.1 */
  tickSize: number;
  /** @example 0.001 */
  qtyStep: number;
  /** @example 0.001 */
  minOrderQty: number;
  /** Smallest order value, USDT. @example 5 */
  minNotional: number;
  /** @example 100 */
  maxLeverage: number;
  /** Epoch ms the contract was listed, when known. @example 1585526400000 */
  launchTime?: number;
}

@ApiExtraModels(ExchangeCallStatsDto)
export class ExchangeInfoResponseDto extends SuccessResponseDto {
  /** @example 'paper' */
  exchange: string;
  /** Same as exchange (read by the AI candles loader). @example 'paper' */
  exchange_type: string;
  /** @example true */
  is_paper: boolean;
  /** Where the paper account's prices come from (docs/dry-run.md); null on a real account. @example 'sim' */
  paper_market: 'sim' | 'bybit' | 'binance' | null;
  /** True when the paper account trades on live exchange prices (no real orders). @example false */
  dry_run: boolean;
  /** @example 'paper account on simulated prices' */
  mode: string;
  /** @example true */
  initialized: boolean;
  /** @example null */
  init_error: string | null;
  /** @example 583 */
  markets_count: number;
  /** @example 580 */
  tradable_count: number;
  /** @example '6h' */
  timeframe: string;
  /** Call statistics keyed by exchange method. */
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(ExchangeCallStatsDto) },
    example: { fetchCandles: { calls: 583, errors: 0, avg_ms: 12.4 } },
  })
  calls: Record<string, ExchangeCallStatsDto>;
  /** Only with ?symbol=. */
  market?: MarketDto;
}
