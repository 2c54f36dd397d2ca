import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { CHANNEL_IDS, NOTIFICATION_KINDS, type ChannelId, type NotificationKind } from '../notification-kinds';
import { NOTIFY_MODES, type NotifyMode } from '../notification-settings';
import { MAX_TARGET_URL_LENGTH } from '../url-validation';

class ChannelUpdateDto {
  @ApiPropertyOptional({ nullable: true, description: 'true / false; null = on when the channel has its secrets' })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsBoolean()
  enabled?: boolean | null;

  @ApiPropertyOptional({ isArray: true, enum: NOTIFICATION_KINDS })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(NOTIFICATION_KINDS.length)
  @IsIn(NOTIFICATION_KINDS, { each: true })
  events?: NotificationKind[];
}

export class TelegramUpdateDto extends ChannelUpdateDto {
  @ApiPropertyOptional({ description: 'chat id (number or @channel); "" clears it', nullable: true })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null && v !== '')
  @IsString()
  @Matches(/^(-?\d{1,20}|@[A-Za-z0-9_]{5,64})$/, { message: 'chat_id must be a numeric chat id or @channelname' })
  chat_id?: string | null;

  @ApiPropertyOptional({
    description: 'bot token (write-only, never returned); "" clears it',
    writeOnly: true,
    nullable: true,
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null && v !== '')
  @IsString()
  @Matches(/^\d{1,20}:[A-Za-z0-9_-]{10,100}$/, { message: 'bot_token must look like 123456:ABC-def…' })
  bot_token?: string | null;
}

export class WebhookUpdateDto extends ChannelUpdateDto {
  @ApiPropertyOptional({ description: 'http(s) URL (write-only); "" clears it', writeOnly: true, nullable: true })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null && v !== '')
  @IsString()
  @MaxLength(MAX_TARGET_URL_LENGTH)
  url?: string | null;

  @ApiPropertyOptional({
    description: 'HMAC-SHA256 secret (write-only); "" clears it',
    writeOnly: true,
    nullable: true,
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null && v !== '')
  @IsString()
  @MaxLength(256)
  secret?: string | null;
}

export class DiscordUpdateDto extends ChannelUpdateDto {
  @ApiPropertyOptional({
    description: 'Discord webhook URL (write-only); "" clears it',
    writeOnly: true,
    nullable: true,
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null && v !== '')
  @IsString()
  @MaxLength(MAX_TARGET_URL_LENGTH)
  url?: string | null;
}

class ChannelsUpdateDto {
  @ApiPropertyOptional({ type: TelegramUpdateDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => TelegramUpdateDto)
  telegram?: TelegramUpdateDto;

  @ApiPropertyOptional({ type: WebhookUpdateDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => WebhookUpdateDto)
  webhook?: WebhookUpdateDto;

  @ApiPropertyOptional({ type: DiscordUpdateDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => DiscordUpdateDto)
  discord?: DiscordUpdateDto;
}

/** POST /api/bots/notifications: every field optional; what is sent is changed, the rest kept. */
export class UpdateNotificationSettingsDto {
  @ApiPropertyOptional({ enum: NOTIFY_MODES, description: 'on; off (nothing queued); quiet (sent without sound)' })
  @IsOptional()
  @IsIn(NOTIFY_MODES)
  mode?: NotifyMode;

  @ApiPropertyOptional({
    nullable: true,
    minimum: 0,
    maximum: 23,
    description: 'UTC hour of the daily summary; null = none',
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsInt()
  @Min(0)
  @Max(23)
  daily_summary_hour?: number | null;

  @ApiPropertyOptional({ minimum: 1, maximum: 1440 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1440)
  exchange_down_minutes?: number;

  @ApiPropertyOptional({ type: ChannelsUpdateDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ChannelsUpdateDto)
  channels?: ChannelsUpdateDto;
}

/** POST /api/bots/notifications/test */
export class TestNotificationDto {
  @ApiPropertyOptional({ enum: CHANNEL_IDS, description: 'one channel; every enabled channel when omitted' })
  @IsOptional()
  @IsIn(CHANNEL_IDS)
  channel?: ChannelId;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  text?: string;
}
