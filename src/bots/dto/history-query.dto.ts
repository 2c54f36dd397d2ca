import { IsIn, IsInt, IsOptional, IsString, MaxLength } from 'class-validator';
import { ACTION_TYPES } from '../history/history.types';
import { OptionalLimit, OptionalPeriod, OptionalSymbol } from './fields';
import { ToNumber, ToUpper } from './transforms';

export class HistoryQueryDto {
  /** A coin, or "all". */
  @OptionalSymbol()
  symbol?: string;

  @OptionalLimit()
  limit?: number;

  @OptionalPeriod()
  period?: string;

  /** BOT_START, POSITION_CLOSED, ... (case-insensitive). */
  @IsOptional()
  @ToUpper()
  @IsIn([...ACTION_TYPES, 'ALL'])
  action_type?: string;
}

export class TradesQueryDto {
  @OptionalSymbol()
  symbol?: string;

  /**
   * LONG / SHORT. The web UI shares one filter between actions and trades, so an action type (BOT_START, ...)
   * arrives here too: accepted, and no trade has such a direction.
   */
  @IsOptional()
  @ToUpper()
  @IsIn(['LONG', 'SHORT', 'ALL', ...ACTION_TYPES])
  trade_type?: string;

  @OptionalLimit()
  limit?: number;

  @OptionalPeriod()
  period?: string;
}

export class StatisticsQueryDto {
  @OptionalSymbol()
  symbol?: string;

  @OptionalPeriod()
  period?: string;
}

export class HistoryClearDto {
  /** Clear one coin only; omit (or "all") for everything. */
  @OptionalSymbol()
  symbol?: string;
}

export class LimitQueryDto {
  @OptionalLimit()
  limit?: number;
}

export class AnalyticsQueryDto {
  /** 1 / true / yes includes the exchange's own closed trades. */
  @IsOptional()
  @IsString()
  @MaxLength(10)
  include_exchange?: string;

  @OptionalLimit(100_000)
  limit?: number;
}

export class RsiAuditQueryDto {
  /** Clamped to 1–2000. */
  @IsOptional()
  @ToNumber()
  @IsInt()
  limit?: number;
}
