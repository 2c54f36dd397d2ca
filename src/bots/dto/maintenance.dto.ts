import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { OptionalReason, OptionalSymbol } from './fields';
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
  @IsIn([
    'start',
    'stop',
    'pause',
    'resume',
    'delete',
    'close',
    'close_position',
    'close-position',
    'enable_auto_bot',
    'disable_auto_bot',
  ])
  action: string;

  @OptionalSymbol()
  symbol?: string;

  @OptionalReason()
  reason?: string;
}

export class ExchangeInfoQueryDto {
  @OptionalSymbol()
  symbol?: string;
}
