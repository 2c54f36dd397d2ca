import { ApiProperty } from '@nestjs/swagger';
import { CHANNEL_IDS, NOTIFICATION_KINDS, type ChannelId, type NotificationKind } from '../notification-kinds';
import { NOTIFY_MODES, type NotifyMode } from '../notification-settings';

type SecretSource = 'file' | 'env' | null;

/** A channel as the API shows it: whether it sends, its events, and where each secret comes from (never the secret). */
class ChannelViewBaseDto {
  /** Whether the channel sends now (its switch, or on when its secrets are set). @example true */
  enabled: boolean;
  /** The stored switch; null = on when its secrets are set. @example null */
  enabled_setting: boolean | null;
  @ApiProperty({ enum: NOTIFICATION_KINDS, isArray: true, example: ['entry', 'exit'] })
  events: NotificationKind[];
}

export class TelegramChannelViewDto extends ChannelViewBaseDto {
  @ApiProperty({ enum: ['file', 'env'], nullable: true, example: 'env' })
  chat_id_set: SecretSource;
  @ApiProperty({ enum: ['file', 'env'], nullable: true, example: 'env' })
  bot_token_set: SecretSource;
}

export class WebhookChannelViewDto extends ChannelViewBaseDto {
  @ApiProperty({ enum: ['file', 'env'], nullable: true, example: 'file' })
  url_set: SecretSource;
  @ApiProperty({ enum: ['file', 'env'], nullable: true, example: null })
  secret_set: SecretSource;
}

export class DiscordChannelViewDto extends ChannelViewBaseDto {
  @ApiProperty({ enum: ['file', 'env'], nullable: true, example: null })
  url_set: SecretSource;
}

export class NotificationChannelsViewDto {
  telegram: TelegramChannelViewDto;
  webhook: WebhookChannelViewDto;
  discord: DiscordChannelViewDto;
}

export class NotificationSettingsResponseDto {
  /** @example true */
  success: boolean;
  @ApiProperty({ enum: NOTIFY_MODES, example: 'on' })
  mode: NotifyMode;
  /** UTC hour of the daily summary; null = none. @example 8 */
  daily_summary_hour: number | null;
  /** Minutes of failing exchange calls before "exchange failing" is sent. @example 5 */
  exchange_down_minutes: number;
  @ApiProperty({ enum: NOTIFICATION_KINDS, isArray: true })
  available_events: string[];
  channels: NotificationChannelsViewDto;
}

export class QueuedNotificationDto {
  @ApiProperty({ enum: CHANNEL_IDS, example: 'telegram' })
  channel: ChannelId;
  /** Outbox entry id. @example 42 */
  id: number;
  /** Idempotency key (sent as Idempotency-Key to webhooks). @example 'test:3f1c…:telegram' */
  key: string;
}

export class NotificationTestResponseDto {
  /** @example true */
  success: boolean;
  queued: QueuedNotificationDto[];
}

export class OutboxEntryViewDto {
  /** @example 42 */
  id: number;
  /** @example 'exit:BTC-1733300000000:webhook' */
  key: string;
  @ApiProperty({ enum: CHANNEL_IDS, example: 'webhook' })
  channel: ChannelId;
  /** @example 'exit' */
  event: string;
  /** @example '2026-12-04T18:10:03.000Z' */
  created_at: string;
  /** @example 2 */
  attempts: number;
  /** @example '2026-12-04T18:10:08.000Z' */
  next_attempt_at: string | null;
  /** @example 'HTTP 503' */
  last_error: string | null;
  /** @example 'BTC LONG closed (TAKE_PROFIT): +12.40 USDT' */
  text: string;
}

export class OutboxCountersDto {
  /** @example 120 */
  delivered: number;
  /** @example 1 */
  failed: number;
  /** @example 0 */
  dropped: number;
  /** @example 0 */
  duplicatesSkipped: number;
  /** @example 2 */
  resentInDoubt: number;
}

export class NotificationOutboxResponseDto {
  /** @example true */
  success: boolean;
  pending: OutboxEntryViewDto[];
  failed: OutboxEntryViewDto[];
  counters: OutboxCountersDto;
}
