import { Global, Module } from '@nestjs/common';
import { TRADE_HISTORY } from '../filters/trade-history.port';
import { BOT_COUNTS } from '../health/bot-counts.port';
import { BotsModule } from './bots.module';
import { BotHistoryService } from './history/bot-history.service';
import { BotRegistry } from './registry/bot-registry.service';

/**
 * The ports the bots module fills for the modules below it (filters: closed trades; health: bot counts). Global so
 * those modules inject the tokens they declare without importing bots; the dependency still points downwards.
 */
@Global()
@Module({
  imports: [BotsModule],
  providers: [
    { provide: TRADE_HISTORY, useExisting: BotHistoryService },
    { provide: BOT_COUNTS, useExisting: BotRegistry },
  ],
  exports: [TRADE_HISTORY, BOT_COUNTS],
})
export class BotsPortsModule {}
