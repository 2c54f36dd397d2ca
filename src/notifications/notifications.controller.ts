import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { TestNotificationDto, UpdateNotificationSettingsDto } from './dto/notification-settings.dto';
import { NotificationsService } from './notifications.service';

/** Notification settings, a test message and the outbox (docs/notifications.md). Secrets are write-only. */
@ApiTags('notifications')
@Controller('api/bots/notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @ApiOperation({ summary: 'Notification settings: mode, channels and their events; secrets show only whether they are set' })
  get() {
    return { success: true, ...this.notifications.view() };
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Change notification settings (only the fields sent); answered once saved' })
  async update(@Body() body: UpdateNotificationSettingsDto) {
    return { success: true, ...(await this.notifications.update(body)) };
  }

  @Post('test')
  @HttpCode(200)
  @ApiOperation({ summary: 'Queue a test message to every enabled channel (or one); answered once it is in the outbox' })
  async test(@Body() body: TestNotificationDto) {
    return { success: true, queued: await this.notifications.sendTest(body) };
  }

  @Get('outbox')
  @ApiOperation({ summary: 'Messages waiting to be delivered and messages given up, with their last error' })
  outbox() {
    return { success: true, ...this.notifications.outboxView() };
  }
}
