import { Module } from '@nestjs/common';
import { FiltersModule } from '../filters/filters.module';
import { MaturityModule } from '../maturity/maturity.module';
import { POSITIONS_VIEW, type PositionsView } from '../rsi/ports';
import { RsiModule } from '../rsi/rsi.module';
import { AutoBotService } from './auto-bot.service';
import { BotManager } from './bot-manager.service';
import { BotMonitorService } from './bot-monitor.service';
import { BotsApiService } from './bots-api.service';
import { BotsConfigController } from './bots-config.controller';
import { BotsConfigService } from './bots-config.service';
import { BotsController } from './bots.controller';
import { BotsWorkers } from './bots.workers';
import { BotCommands } from './commands/bot-commands.service';
import { CoinSettingsService } from './coin-settings.service';
import { PositionExecution } from './execution/position-execution.service';
import { HistoryController } from './history.controller';
import { BotHistoryService } from './history/bot-history.service';
import { HistoryReportService } from './history/history-report.service';
import { IndividualSettingsController } from './individual-settings.controller';
import { MaintenanceController } from './maintenance.controller';
import { MaintenanceService } from './maintenance.service';
import { PositionSyncService } from './position-sync.service';
import { BotMarketData } from './registry/bot-market-data.service';
import { BotRegistry } from './registry/bot-registry.service';

/**
 * The bots: BotManager (the facade over BotRegistry, BotMarketData, PositionExecution and BotCommands), the trading
 * monitor, position sync, the auto-bot, history, their workers and the HTTP API around them.
 */
@Module({
  imports: [RsiModule, FiltersModule, MaturityModule],
  controllers: [
    BotsController,
    BotsConfigController,
    IndividualSettingsController,
    HistoryController,
    MaintenanceController,
  ],
  providers: [
    BotHistoryService,
    HistoryReportService,
    BotRegistry,
    BotMarketData,
    PositionExecution,
    BotCommands,
    BotManager,
    BotMonitorService,
    PositionSyncService,
    AutoBotService,
    BotsWorkers,
    BotsApiService,
    BotsConfigService,
    CoinSettingsService,
    MaintenanceService,
    // Ports declared in src/rsi/ports.ts, looked up by RsiService (TRADE_HISTORY and BOT_COUNTS: BotsPortsModule).
    {
      provide: POSITIONS_VIEW,
      useFactory: (bots: BotManager): PositionsView => ({
        openPositionSymbols: () => bots.openPositionSymbols(),
        manualPositionSymbols: () => bots.manualPositions().map((p) => p.symbol),
      }),
      inject: [BotManager],
    },
  ],
  exports: [BotManager, BotHistoryService, BotRegistry],
})
export class BotsModule {}
