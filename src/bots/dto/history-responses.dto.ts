import { EntryDecisionDto } from './entry-decision.dto';
import { ApiExtraModels, ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { MessageResponseDto, SuccessResponseDto } from '../../common/dto/envelope.dto';
import { AllowsExtraFields } from '../../common/dto/open-schema';
import type { Timeframe } from '../../exchange/exchange.types';
import type { Trend } from '../../rsi/rsi.types';
import type { CloseReason, Direction } from '../engine/bot.types';
import type { ActionType } from '../history/history.types';

/** Answers of the history controller (docs/api-contract.md §2.8). */

const FREE_FORM = { type: 'object', additionalProperties: true } as const;

/** One entry of the action log; the optional fields depend on action_type (others may ride along). */
@AllowsExtraFields()
export class ActionEntryDto {
  /** @example 'BTC_1764871202000_1' */
  id: string;
  /** @example '2026-12-04T18:00:02' */
  timestamp: string;
  /** Epoch ms of timestamp. @example 1764871202000 */
  time_ms: number;
  /** @example 'POSITION_OPENED' */
  action_type: ActionType;
  /** @example 'Position opened' */
  action_name: string;
  /** @example 'BTC_1764876000' */
  bot_id: string | null;
  /** @example 'BTC' */
  symbol: string;
  /** @example 'LONG opened at 64097.1' */
  details: string;
  /** Demo entries (POST history/demo) carry true. @example false */
  is_demo?: boolean;
  /** BOT_START (null while the bot waits for a signal), POSITION_OPENED, POSITION_CLOSED, ERROR. @example 'LONG' */
  direction?: Direction | null;
  /** BOT_START: the bot's overrides. */
  @ApiProperty({ ...FREE_FORM, selfRequired: false })
  config?: Record<string, unknown>;
  /** BOT_STOP, POSITION_CLOSED. @example 'TAKE_PROFIT' */
  reason?: string;
  /** BOT_STOP, POSITION_CLOSED: USDT. @example 3.2 */
  pnl?: number;
  /** SIGNAL. @example 'ENTER_LONG' */
  signal_type?: string;
  /** SIGNAL, POSITION_OPENED. @example 27.4 */
  rsi?: number | null;
  /** SIGNAL. @example 64097.1 */
  price?: number;
  /** SIGNAL. */
  @ApiProperty({ ...FREE_FORM, selfRequired: false })
  details_data?: Record<string, unknown>;
  /** POSITION_OPENED: coins. @example 0.012 */
  size?: number;
  /** POSITION_OPENED. @example 64097.1 */
  entry_price?: number;
  /** POSITION_OPENED, STOP_LOSS_SET, STOP_LOSS_UPDATED. @example 54482.5 */
  stop_loss?: number | null;
  /** STOP_LOSS_UPDATED: the stop before the move. @example 54100 */
  previous_stop_loss?: number | null;
  /** STOP_LOSS_UPDATED: true when the trailing stop moved it. @example false */
  trailing?: boolean;
  /** POSITION_OPENED, TAKE_PROFIT_SET. @example 67302 */
  take_profit?: number | null;
  /** POSITION_OPENED. @example 'SCRIPT' */
  decision_source?: string;
  /** POSITION_OPENED. @example 'NEUTRAL' */
  trend?: Trend | null;
  /** POSITION_OPENED. @example false */
  is_simulated?: boolean;
  /** POSITION_CLOSED and the stop / take-profit hits. @example 67302 */
  exit_price?: number;
  /** POSITION_CLOSED: % of margin. @example 50 */
  roi?: number;
  /** POSITION_CLOSED. @example true */
  is_successful?: boolean;
}

export class HistoryResponseDto extends SuccessResponseDto {
  history: ActionEntryDto[];
  /** @example 1 */
  count: number;
}

/** A closed trade. */
export class TradeDto {
  /** @example 'BTC_1764871202000' */
  id: string;
  /** Entry time. @example '2026-12-04T18:00:02' */
  timestamp: string;
  /** @example 'BTC_1764876000' */
  bot_id: string;
  /** @example 'BTC' */
  symbol: string;
  /** @example 'LONG' */
  direction: Direction;
  /** Coins. @example 0.012 */
  size: number;
  /** @example 64097.1 */
  entry_price: number;
  /** @example 67302 */
  exit_price: number;
  /** Gross PnL, USDT. @example 38.46 */
  pnl: number;
  /** Entry and exit fees, USDT. @example 0.86 */
  fees: number;
  /** pnl − fees. @example 37.6 */
  net_pnl: number;
  /** PnL in % of the margin. @example 50 */
  roi: number;
  /** Price move in the trade's favour, %. @example 5 */
  pnl_percent: number;
  /** @example 10 */
  leverage: number;
  /** @example 'CLOSED' */
  status: 'CLOSED';
  /** @example 'SCRIPT' */
  decision_source: 'SCRIPT' | 'MANUAL' | 'EXCHANGE_IMPORT';
  /** RSI at entry. @example 27.4 */
  rsi: number | null;
  /** Trend at entry. @example 'NEUTRAL' */
  trend: Trend | null;
  /** RSI at exit. @example 66.1 */
  exit_rsi: number | null;
  /** @example '6h' */
  entry_timeframe: Timeframe | null;
  /** @example '2026-12-04T18:00:02' */
  entry_time: string;
  /** Epoch ms. @example 1764871202000 */
  entry_timestamp: number;
  /** @example '2026-12-05T06:00:01' */
  close_timestamp: string;
  /** @example 1764914401000 */
  close_time_ms: number;
  /** @example 'TAKE_PROFIT' */
  close_reason: CloseReason;
  /** @example true */
  is_successful: boolean;
  /** True on the paper exchange. @example true */
  is_simulated: boolean;
  /** Demo trades (POST history/demo). @example false */
  is_demo?: boolean;
  /** What the entry was decided on (absent on trades recorded before it existed). */
  decision?: EntryDecisionDto | null;
}

export class TradesResponseDto extends SuccessResponseDto {
  trades: TradeDto[];
  /** @example 1 */
  count: number;
}

export class SymbolTotalsDto {
  /** @example 3 */
  trades: number;
  /** @example 2 */
  wins: number;
  /** @example 1 */
  losses: number;
  /** @example 66.67 */
  win_rate: number;
  /** @example 12.5 */
  total_pnl: number;
}

export class ReasonTotalsDto {
  /** @example 2 */
  trades: number;
  /** @example 20.1 */
  total_pnl: number;
}

@ApiExtraModels(SymbolTotalsDto, ReasonTotalsDto)
export class StatisticsDto {
  /** @example 12 */
  total_actions: number;
  /** Closed trades. @example 3 */
  total_trades: number;
  /** Closed plus open. @example 4 */
  total_trades_overall: number;
  /** @example 1 */
  open_trades: number;
  /** @example 2 */
  signals_count: number;
  /** @example 2 */
  profitable_trades: number;
  /** @example 1 */
  losing_trades: number;
  /** % of closed trades with pnl > 0. @example 66.67 */
  win_rate: number;
  /** Same as win_rate. @example 66.67 */
  success_rate: number;
  /** USDT. @example 12.5 */
  total_pnl: number;
  /** @example 4.17 */
  avg_pnl: number;
  /** @example 38.46 */
  best_trade: number;
  /** @example -30.1 */
  worst_trade: number;
  /** Coins seen in the actions and trades, sorted (fills the UI's coin filter). @example ['BTC', 'ETH'] */
  symbols: string[];
  /** @example 2 */
  symbols_count: number;
  /** @example false */
  symbols_filtered: boolean;
  /** "ALL" or the requested coin. @example 'ALL' */
  symbol: string;
  /** Totals per coin. */
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(SymbolTotalsDto) } })
  by_symbol: Record<string, SymbolTotalsDto>;
  /** Totals per close reason. */
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(ReasonTotalsDto) } })
  by_close_reason: Record<string, ReasonTotalsDto>;
}

export class StatisticsResponseDto extends SuccessResponseDto {
  statistics: StatisticsDto;
}

export class HistoryCountsResponseDto extends MessageResponseDto {
  /** Action-log entries removed or added. @example 6 */
  actions: number;
  /** Trades removed or added. @example 2 */
  trades: number;
}

@ApiExtraModels(ReasonTotalsDto)
export class WorstTradeAnalysisDto {
  /** USDT. @example -30.1 */
  total_pnl: number;
  /** @example -15.05 */
  avg_pnl: number;
  /** @example -30.1 */
  worst_trade: number;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(ReasonTotalsDto) } })
  by_reason: Record<string, ReasonTotalsDto>;
}

export class StopsResponseDto extends MessageResponseDto {
  trades: TradeDto[];
  /** @example 2 */
  count: number;
  /** Null when no trade ended on a stop. */
  analysis: WorstTradeAnalysisDto | null;
  /** @example true */
  premium: boolean;
}

/** The analytics report; the blocks are rendered by the UI's analytics tab. */
export class AnalyticsReportDto {
  /** @example 3 */
  bot_trades_count: number;
  /** @example 0 */
  exchange_trades_count: number;
  /** @example 0 */
  reconciliation_matched: number;
  /** @example 0 */
  reconciliation_only_exchange: number;
  /** @example 0 */
  reconciliation_only_bot: number;
  /** @example 66.67 */
  bot_win_rate_pct: number;
  /** @example 12.5 */
  bot_total_pnl_usdt: number;
  /** @example 0 */
  exchange_total_pnl_usdt: number;
  /** Totals, streaks, drawdown, close reasons, coin and RSI-range / trend verdicts, by symbol and direction. */
  @ApiProperty({
    ...FREE_FORM,
    example: { total_trades: 3, total_pnl_usdt: 12.5, win_rate_pct: 66.67, win_count: 2, loss_count: 1 },
  })
  bot_analytics: Record<string, unknown>;
  /** `{included:false}` unless include_exchange was set. */
  @ApiProperty({ ...FREE_FORM, example: { included: false } })
  exchange_analytics: Record<string, unknown>;
  /** Matched and unmatched trades, or `{included:false}`. */
  @ApiProperty({ ...FREE_FORM, example: { included: false } })
  reconciliation: Record<string, unknown>;
  /** The counts above plus trade totals (the UI reads these). */
  @ApiProperty({
    ...FREE_FORM,
    example: { bot_trades_count: 3, exchange_trades_count: 0, reconciliation_only_bots: 0, bot_win_rate_pct: 66.67 },
  })
  summary: Record<string, unknown>;
  /** @example '2026-12-05T08:00:00' */
  generated_at: string;
}

export class AnalyticsResponseDto extends SuccessResponseDto {
  report: AnalyticsReportDto;
}

export class AuditedTradeDto {
  /** @example 'BTC_1764871202000' */
  id: string;
  /** @example 'BTC' */
  symbol: string;
  /** @example 'LONG' */
  direction: Direction;
  /** @example '2026-12-05T06:00:01' */
  close_timestamp: string;
  /** @example 'RSI_EXIT' */
  close_reason: string;
  /** @example 12.3 */
  pnl: number;
  /** @example 27.4 */
  entry_rsi: number | null;
  /** @example 29 */
  entry_threshold: number;
  /** @example 'ok' */
  entry_status: 'ok' | 'error' | 'no_rsi';
  /** @example 66.1 */
  exit_rsi: number | null;
  /** @example 65 */
  exit_threshold: number | null;
  /** @example 'ok' */
  exit_status: 'ok' | 'error' | 'no_rsi' | 'not_rsi_exit';
}

export class RsiAuditSummaryDto {
  /** @example 3 */
  total: number;
  /** @example 3 */
  entry_ok: number;
  /** @example 0 */
  entry_error: number;
  /** @example 0 */
  entry_no_rsi: number;
  /** @example 1 */
  exit_ok: number;
  /** @example 0 */
  exit_error: number;
  /** @example 0 */
  exit_no_rsi: number;
}

export class RsiAuditReportDto {
  /** The global RSI entry and exit levels. */
  @ApiProperty({
    ...FREE_FORM,
    example: { rsi_long_threshold: 29, rsi_short_threshold: 71, rsi_exit_long_with_trend: 65 },
  })
  config: Record<string, unknown>;
  /** @example '6h' */
  timeframe: string;
  trades: AuditedTradeDto[];
  summary: RsiAuditSummaryDto;
  /** @example '2026-12-05T08:00:00' */
  generated_at: string;
}

export class RsiAuditResponseDto extends SuccessResponseDto {
  report: RsiAuditReportDto;
}
