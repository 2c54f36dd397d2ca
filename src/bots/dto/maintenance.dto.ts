import { IsBoolean, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { ToBoolean } from './transforms';

export class AsyncControlDto {
  @IsIn(['start', 'stop', 'restart'])
  action: string;
}

export class ReloadModulesDto {
  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  force_flask_restart?: boolean;
}

/** POST /api/bots/control: one action on one bot, or on the auto-bot. */
export class ControlDto {
  @IsIn(['start', 'stop', 'pause', 'resume', 'delete', 'close', 'close_position', 'close-position', 'enable_auto_bot', 'disable_auto_bot'])
  action: string;

  @IsOptional()
  @IsString()
  @MaxLength(40)
  symbol?: string;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class ExchangeInfoQueryDto {
  @IsOptional()
  @IsString()
  @MaxLength(40)
  symbol?: string;
}
