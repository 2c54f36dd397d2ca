import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { SYMBOL_INPUT_MAX_LENGTH } from '../../common/symbol';
import { ToNumber } from './transforms';

/**
 * Shared optional query/body fields. Each applies its decorators exactly as if they were stacked on the property in
 * this order (TypeScript applies stacked decorators bottom-up), so validation constraints — and the first error a
 * caller sees — stay in the same order. The swagger plugin's class-validator shim only sees decorators written on
 * the property itself, so the limits it would have read (maxLength, minimum, maximum, enum) are restated for the docs;
 * type, description and `required` still come from the plugin.
 */
function stacked(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, key) => {
    for (let i = decorators.length - 1; i >= 0; i--) decorators[i](target, key);
  };
}

/** Optional coin ("BTC"; "BTCUSDT" and lower case are accepted and normalised later), src/common/symbol.ts bounds. */
export const OptionalSymbol = (): PropertyDecorator =>
  stacked(
    ApiProperty({ required: false, maxLength: SYMBOL_INPUT_MAX_LENGTH }),
    IsOptional(),
    IsString(),
    MaxLength(SYMBOL_INPUT_MAX_LENGTH),
  );

/** Optional free-text reason, at most 500 characters. */
export const OptionalReason = (): PropertyDecorator =>
  stacked(ApiProperty({ required: false, maxLength: 500 }), IsOptional(), IsString(), MaxLength(500));

/** Optional positive integer count from a query string, capped at `max`. */
export const OptionalLimit = (max = 10_000): PropertyDecorator =>
  stacked(
    ApiProperty({ required: false, minimum: 1, maximum: max }),
    IsOptional(),
    ToNumber(),
    IsInt(),
    Min(1),
    Max(max),
  );

export const HISTORY_PERIODS = ['today', 'week', 'month', 'all'];

/** Optional history period: today / week / month / all. */
export const OptionalPeriod = (): PropertyDecorator =>
  stacked(ApiProperty({ required: false, enum: HISTORY_PERIODS }), IsOptional(), IsIn(HISTORY_PERIODS));
