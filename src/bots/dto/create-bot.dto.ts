import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { SYMBOL_INPUT_MAX_LENGTH } from '../../common/symbol';
import { VOLUME_MODES } from '../engine/bot.types';
import { ToBoolean, ToNumber } from './transforms';

export class CreateBotConfigDto {
  /**
   * usdt = notional in USDT; percent = % of the wallet balance; the UI's "qty" and the legacy modes are kept as sent.
   */
  @IsOptional()
  @IsIn(VOLUME_MODES)
  volume_mode?: string;

  @IsOptional()
  @ToNumber()
  @IsNumber()
  @Min(0)
  @Max(1_000_000_000)
  volume_value?: number;

  @IsOptional()
  @ToNumber()
  @IsInt()
  @Min(1)
  @Max(125)
  leverage?: number;

  /** "paused" creates the bot paused. */
  @IsOptional()
  @IsIn(['running', 'paused'])
  status?: string;

  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  auto_managed?: boolean;

  @IsOptional()
  @ToNumber()
  @IsNumber()
  @Min(0)
  margin_usdt?: number;
}

/** POST /api/bots/create, as the web UI sends it. */
export class CreateBotDto {
  @IsDefined({ message: 'symbol is required' })
  @IsString()
  @MaxLength(SYMBOL_INPUT_MAX_LENGTH)
  symbol: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => CreateBotConfigDto)
  config?: CreateBotConfigDto;

  /**
   * ENTER_LONG / ENTER_SHORT / WAIT (any text containing LONG or SHORT picks the direction with force_manual_entry).
   */
  @IsOptional()
  @IsString()
  @MaxLength(40)
  signal?: string;

  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  skip_maturity_check?: boolean;

  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  force_manual_entry?: boolean;

  /** Alias of force_manual_entry. */
  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  ignore_filters?: boolean;
}
