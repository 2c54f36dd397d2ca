import { Module } from '@nestjs/common';
import { BotsModule } from '../bots/bots.module';
import { NotificationsController } from './notifications.controller';
import { NotificationsService } from './notifications.service';

/** Notifications to Telegram, a webhook and Discord through a durable outbox (docs/notifications.md). */
@Module({
  imports: [BotsModule],
  controllers: [NotificationsController],
  providers: [NotificationsService],
  exports: [NotificationsService],
})
export class NotificationsModule {}
