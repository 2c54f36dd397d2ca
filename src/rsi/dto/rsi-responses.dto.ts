import { ApiExtraModels, ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { MessageResponseDto, SuccessResponseDto } from '../../common/dto/envelope.dto';
import { AllowsExtraFields } from '../../common/dto/open-schema';
import type { Timeframe } from '../../exchange/exchange.types';
import type { EntrySignal, RsiZone, Trend } from '../rsi.types';

/** Answers of the market-data controller (docs/api-contract.md §2.1, §2.3, §2.4). */

const FREE_FORM = { type: 'object', additionalProperties: true } as const;

/**
 * One coin of the coin table. Besides the fields below it carries per-timeframe keys `rsi<tf>` (number) and
 * `trend<tf>` (UP | DOWN | NEUTRAL), e.g. `rsi6h` and `trend6h`, hence additionalProperties.
 */
@AllowsExtraFields()
export class CoinDto {
  /** @example 'BTC' */
  symbol: string;
  /** RSI(14) on the current timeframe, 2 decimals. @example 31.2 */
  rsi: number | null;
  /** @example 'NEUTRAL' */
  trend: Trend;
  /** @example 'NEUTRAL' */
  rsi_zone: RsiZone;
  /** Raw RSI signal. @example 'WAIT' */
  signal: EntrySignal;
  /** The signal after scope, filters, maturity and trend flags. @example 'WAIT' */
  effective_signal: EntrySignal;
  /** Why effective_signal differs from signal (the blocking rule), empty when it does not. @example '' */
  effective_signal_reason?: string;
  /** @example 64250.5 */
  price: number;
  /** Price change over 24 h, %. @example -1.8 */
  change24h: number;
  /** @example '2026-12-04T18:00:05' */
  last_update: string;
  /** @example 1000 */
  candles_count: number;
  /** @example true */
  is_mature: boolean;
  /** @example false */
  blocked_by_scope: boolean;
  /** @example false */
  blocked_by_exit_scam: boolean;
  /** @example false */
  blocked_by_rsi_time: boolean;
  /** @example false */
  blocked_by_loss_reentry: boolean;
  /** @example false */
  has_existing_position: boolean;
  /** Exchange instrument status. @example 'Trading' */
  trading_status: string;
  /** @example false */
  is_delisting: boolean;
  /** The RSI time filter's verdict, when it ran. */
  @ApiProperty({ ...FREE_FORM, selfRequired: false })
  time_filter_info?: unknown;
  /** The exit-scam filter's verdict, when it ran. */
  @ApiProperty({ ...FREE_FORM, selfRequired: false })
  exit_scam_info?: unknown;
  /** The loss re-entry filter's verdict, when it ran. */
  @ApiProperty({ ...FREE_FORM, selfRequired: false })
  loss_reentry_info?: unknown;
  /** Enhanced RSI: `enabled`, plus confirmations and adaptive levels when on. */
  @ApiProperty({ ...FREE_FORM, selfRequired: false, example: { enabled: false } })
  enhanced_rsi?: Record<string, unknown>;
  /** @example 22.5 */
  stoch_rsi_k?: number | null;
  /** @example 25.1 */
  stoch_rsi_d?: number | null;
  /** How the trend was decided. */
  @ApiProperty({ ...FREE_FORM, selfRequired: false })
  trend_analysis?: unknown;
}

export class CacheInfoDto {
  /** @example true */
  cache_exists: boolean;
  /** @example 3.5 */
  cache_age_minutes: number | null;
  /** "cache" while the coins come from the saved cache, "live" once loaded from the exchange. @example 'live' */
  data_source: string;
}

export class CoinStatsDto {
  /** @example 583 */
  total_coins: number;
  /** @example 580 */
  successful_coins: number;
  /** @example 3 */
  failed_coins: number;
}

@ApiExtraModels(CoinDto)
export class CoinsWithRsiResponseDto extends SuccessResponseDto {
  /** Coins keyed by symbol. */
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(CoinDto) } })
  coins: Record<string, CoinDto>;
  /** @example 583 */
  total: number;
  /** End of the last full load. @example '2026-12-04T18:00:05' */
  last_update: string | null;
  /** @example false */
  update_in_progress: boolean;
  /** Grows whenever any coin changes; the UI skips a redraw when it is unchanged. @example 1712 */
  data_version: number;
  /** Coins with an exchange position and no bot. @example ['XRP'] */
  manual_positions: string[];
  cache_info: CacheInfoDto;
  stats: CoinStatsDto;
  /** @example '6h' */
  timeframe: Timeframe;
}

export class RsiHistoryResponseDto extends SuccessResponseDto {
  /** @example 'BTC' */
  symbol: string;
  /** Up to 56 values, oldest first. @example [44.1, 40.7, 35.2, 31.2] */
  rsi_history: number[];
  /** @example 31.2 */
  current_rsi: number | null;
  /** @example 1000 */
  candles_count: number;
  /** @example '6h' */
  timeframe: Timeframe;
  /** @example 'cache' */
  source: 'cache';
}

/** One cached candle; OHLCV are strings, as in the original. */
export class CandleDto {
  /** Open time, epoch ms. @example 1764849600000 */
  timestamp: number;
  /** Same as timestamp. @example 1764849600000 */
  time: number;
  /** @example '64010.5' */
  open: string;
  /** @example '64420' */
  high: string;
  /** @example '63880.1' */
  low: string;
  /** @example '64250.5' */
  close: string;
  /** @example '1520.331' */
  volume: string;
}

export class CandlesDataDto {
  candles: CandleDto[];
  /** The requested timeframe echoed back, else the current one. @example '6h' */
  timeframe: string;
  /** @example 120 */
  count: number;
}

export class CandlesResponseDto extends SuccessResponseDto {
  /** @example 'BTC' */
  symbol: string;
  data: CandlesDataDto;
  /** @example 'cache' */
  source: 'cache';
}

export class RefreshRsiResponseDto extends MessageResponseDto {
  coin_data: CoinDto;
}

export class RefreshRsiAllResponseDto extends MessageResponseDto {
  /** @example 580 */
  updated_count: number;
  /** @example 3 */
  failed_count: number;
}

export class LoadProgressDto {
  /** @example 583 */
  total: number;
  /** @example 583 */
  done: number;
  /** @example 3 */
  failed: number;
  /** @example false */
  inProgress: boolean;
  /** @example '2026-12-04T18:00:05' */
  last_update: string | null;
  /** Epoch ms of the end of the last load. @example 1764871205000 */
  lastUpdate: number | null;
  /** @example 8210 */
  durationMs: number;
}

export class LoaderStatusDto {
  /** @example true */
  active: boolean;
  /** @example 'Continuous Data Loader' */
  service: string;
  /** @example false */
  is_running: boolean;
  /** @example 12 */
  update_count: number;
  /** @example '2026-12-04T18:00:05' */
  last_update: string | null;
  /** @example 'Candles of 6h; new candles at each close, forming candles from one tickers request in between' */
  note: string;
  /** @example '6h' */
  timeframe: Timeframe;
  /** @example true */
  first_round_complete: boolean;
  /** @example null */
  last_error: string | null;
  progress: LoadProgressDto;
}

export class SmartRsiStatusResponseDto extends SuccessResponseDto {
  status: LoaderStatusDto;
}

export class ResetUpdateFlagResponseDto extends MessageResponseDto {
  /** @example false */
  was_in_progress: boolean;
}

export class PairsResponseDto extends SuccessResponseDto {
  /** @example ['BTCUSDT', 'ETHUSDT'] */
  pairs: string[];
  /** @example 2 */
  total: number;
  /** @example '2026-12-04T18:10:03' */
  timestamp: string;
}

export class TimeframeResponseDto extends SuccessResponseDto {
  /** @example '6h' */
  timeframe: Timeframe;
  /** @example ['1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '3d', '1w', '1M'] */
  supported_timeframes: string[];
}

export class SetTimeframeResponseDto extends MessageResponseDto {
  /** @example '6h' */
  old_timeframe: Timeframe;
  /** @example '1h' */
  new_timeframe: Timeframe;
  /** @example true */
  changed: boolean;
}
