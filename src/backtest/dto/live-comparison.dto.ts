import { ApiProperty } from '@nestjs/swagger';
import { IsNumber, IsOptional, Max, Min } from 'class-validator';
import { ToNumber } from '../../bots/dto/transforms';
import { SuccessResponseDto } from '../../common/dto/envelope.dto';

/** Largest tolerance a caller may ask for: 30 days, one candle of the longest timeframe (1M). */
export const MAX_TOLERANCE_MINUTES = 43_200;

/** GET /api/bots/backtest/{id}/live-comparison query (docs/backtest.md, "Comparing with live trades"). */
export class LiveComparisonQueryDto {
  /**
   * Largest entry-time gap, in minutes, at which a recorded and a backtested trade of the same coin and side are
   * paired; one candle of the backtest's timeframe when absent.
   */
  @ApiProperty({ required: false, minimum: 0, maximum: MAX_TOLERANCE_MINUTES, example: 360 })
  @IsOptional()
  @ToNumber()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(MAX_TOLERANCE_MINUTES)
  tolerance_minutes?: number;
}

export class ComparedBacktestDto {
  /** @example '0b7c7b0e-2a55-4b8e-9a1f-1f0c2d3e4f50' */
  id: string;
  /** @example 1767225600000 */
  from_ms: number;
  /** @example 1780272000000 */
  to_ms: number;
  /** @example '6h' */
  timeframe: string;
  /** @example ['BTC', 'ETH'] */
  symbols: string[];
}

export class LiveTradeSelectionDto {
  /** Entry times read from: the backtest's `from` minus the tolerance. @example 1767204000000 */
  from_ms: number;
  /** Entry times read before: the backtest's `to` plus the tolerance. @example 1780293600000 */
  to_ms: number;
  /** Recorded closed trades of the backtest's coins entered in that window. @example 14 */
  in_window: number;
  /** Of those, demo samples left out. @example 0 */
  excluded_demo: number;
  /** Of those, manual or adopted positions left out (the backtest replays the auto-bot only). @example 1 */
  excluded_not_auto_bot: number;
}

export class TradeComparisonTotalsDto {
  /** Recorded trades compared (after the cap). @example 13 */
  live_trades: number;
  /** Backtested trades compared (after the cap). @example 12 */
  backtest_trades: number;
  /** Recorded trades beyond the cap of `max_trades`, not compared. @example 0 */
  live_not_compared: number;
  /** Backtested trades beyond the cap, not compared. @example 0 */
  backtest_not_compared: number;
  /** @example 11 */
  matched: number;
  /** @example 2 */
  live_only: number;
  /** @example 1 */
  backtest_only: number;
  /** 2 × matched / (live_trades + backtest_trades), %; null when both are 0. */
  @ApiProperty({ nullable: true, type: Number, example: 88 })
  match_rate_pct: number | null;
  /** Matched pairs with the same close reason. @example 10 */
  close_reason_equal: number;
  /** @example 41.2 */
  live_net_pnl_usdt: number;
  /** @example 45.9 */
  backtest_net_pnl_usdt: number;
  /** live − backtest. @example -4.7 */
  net_pnl_diff_usdt: number;
  /** Sum of the matched pairs' net_pnl_diff. @example -1.3 */
  matched_net_pnl_diff_usdt: number;
}

/** A recorded trade and its backtested twin; every `_diff` is live − backtest. */
export class MatchedTradePairDto {
  /** @example 'BTC' */
  symbol: string;
  @ApiProperty({ enum: ['LONG', 'SHORT'], example: 'LONG' })
  direction: string;
  /** @example 'BTC_1767312000000' */
  live_id: string;
  /** @example 'bt-17' */
  backtest_id: string;
  /** @example 1767312002000 */
  live_entry_time_ms: number;
  /** @example 1767315600000 */
  backtest_entry_time_ms: number;
  /** @example -3598000 */
  entry_time_diff_ms: number;
  /** @example 0 */
  exit_time_diff_ms: number;
  /** @example 67010.5 */
  live_entry_price: number;
  /** @example 67002.1 */
  backtest_entry_price: number;
  /** @example 8.4 */
  entry_price_diff: number;
  /** In % of the backtested entry price. @example 0.012537 */
  entry_price_diff_pct: number;
  /** @example 68000 */
  live_exit_price: number;
  /** @example 68000 */
  backtest_exit_price: number;
  /** @example 0 */
  exit_price_diff: number;
  /** In % of the backtested exit price. @example 0 */
  exit_price_diff_pct: number;
  /** @example 'TAKE_PROFIT' */
  live_close_reason: string;
  /** @example 'TAKE_PROFIT' */
  backtest_close_reason: string;
  /** @example true */
  close_reason_equal: boolean;
  /** @example 14.2 */
  live_net_pnl: number;
  /** @example 14.3 */
  backtest_net_pnl: number;
  /** @example -0.1 */
  net_pnl_diff: number;
}

/** A trade with no twin on the other side. */
export class UnmatchedTradeDto {
  /** @example 'ETH_1767333600000' */
  id: string;
  /** @example 'ETH' */
  symbol: string;
  @ApiProperty({ enum: ['LONG', 'SHORT'], example: 'SHORT' })
  direction: string;
  /** @example 1767312000000 */
  entry_time_ms: number;
  /** @example 1767333600000 */
  close_time_ms: number;
  /** @example 3100 */
  entry_price: number;
  /** @example 3162 */
  exit_price: number;
  /** @example 'STOP_LOSS' */
  close_reason: string;
  /** @example -12.6 */
  net_pnl: number;
}

export class LiveComparisonResponseDto extends SuccessResponseDto {
  backtest: ComparedBacktestDto;
  /** The tolerance used, minutes. @example 360 */
  tolerance_minutes: number;
  /** `request` (tolerance_minutes given) or `timeframe` (one candle of the backtest's timeframe). */
  @ApiProperty({ enum: ['request', 'timeframe'], example: 'timeframe' })
  tolerance_source: string;
  /** Cap on the trades compared per side (the earliest by entry). @example 10000 */
  max_trades: number;
  live_selection: LiveTradeSelectionDto;
  /** Positions the backtest still held at its end (not trades there: a live twin shows as live only). @example 1 */
  backtest_open_at_end: number;
  totals: TradeComparisonTotalsDto;
  /** In the backtest's entry order. */
  @ApiProperty({ type: [MatchedTradePairDto] })
  matched: MatchedTradePairDto[];
  /** Recorded trades with no backtested twin, in entry order. */
  @ApiProperty({ type: [UnmatchedTradeDto] })
  live_only: UnmatchedTradeDto[];
  /** Backtested trades with no recorded twin, in entry order. */
  @ApiProperty({ type: [UnmatchedTradeDto] })
  backtest_only: UnmatchedTradeDto[];
}
