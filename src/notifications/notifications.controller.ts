import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TestNotificationDto, UpdateNotificationSettingsDto } from './dto/notification-settings.dto';
import {
  NotificationOutboxResponseDto,
  NotificationSettingsResponseDto,
  NotificationTestResponseDto,
} from './dto/notification-responses.dto';
import { NotificationsService } from './notifications.service';

/** Notification settings, a test message and the outbox (docs/notifications.md). Secrets are write-only. */
@ApiTags('notifications')
@Controller('api/bots/notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @ApiOperation({
    summary: 'Notification settings: mode, channels and their events; secrets show only whether they are set',
  })
  @ApiOkResponse({ type: NotificationSettingsResponseDto })
  get(): NotificationSettingsResponseDto {
    return { success: true, ...this.notifications.view() };
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Change notification settings (only the fields sent); answered once saved' })
  @ApiOkResponse({ type: NotificationSettingsResponseDto })
  async update(@Body() body: UpdateNotificationSettingsDto): Promise<NotificationSettingsResponseDto> {
    return { success: true, ...(await this.notifications.update(body)) };
  }

  @Post('test')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Queue a test message to every enabled channel (or one); answered once it is in the outbox',
  })
  @ApiOkResponse({ type: NotificationTestResponseDto })
  async test(@Body() body: TestNotificationDto): Promise<NotificationTestResponseDto> {
    return { success: true, queued: await this.notifications.sendTest(body) };
  }

  @Get('outbox')
  @ApiOperation({ summary: 'Messages waiting to be delivered and messages given up, with their last error' })
  @ApiOkResponse({ type: NotificationOutboxResponseDto })
  outbox(): NotificationOutboxResponseDto {
    return { success: true, ...this.notifications.outboxView() };
  }
}
