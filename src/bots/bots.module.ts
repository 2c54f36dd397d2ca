import { Module } from '@nestjs/common';
import { FiltersModule } from '../filters/filters.module';
import { TRADE_HISTORY_VIEW, type TradeHistoryView } from '../filters/ports';
import { MaturityModule } from '../maturity/maturity.module';
import { POSITIONS_VIEW, type PositionsView } from '../rsi/ports';
import { RsiModule } from '../rsi/rsi.module';
import { AutoBotService } from './auto-bot.service';
import { BotManager } from './bot-manager.service';
import { BotMonitorService } from './bot-monitor.service';
import { BotsConfigController } from './bots-config.controller';
import { BotsConfigService } from './bots-config.service';
import { BotsController } from './bots.controller';
import { BotsWorkers } from './bots.workers';
import { CoinSettingsService } from './coin-settings.service';
import { HistoryController } from './history.controller';
import { BotHistoryService } from './history/bot-history.service';
import { IndividualSettingsController } from './individual-settings.controller';
import { MaintenanceController } from './maintenance.controller';
import { MaintenanceService } from './maintenance.service';
import { PositionSyncService } from './position-sync.service';

/**
 * The bots: BotManager (registry, per-symbol locks, bots_state.json, entry / close), the trading monitor,
 * position sync, the auto-bot, history, their workers and the HTTP API around them.
 */
@Module({
  imports: [RsiModule, FiltersModule, MaturityModule],
  controllers: [BotsController, BotsConfigController, IndividualSettingsController, HistoryController, MaintenanceController],
  providers: [
    BotHistoryService,
    BotManager,
    BotMonitorService,
    PositionSyncService,
    AutoBotService,
    BotsWorkers,
    BotsConfigService,
    CoinSettingsService,
    MaintenanceService,
    // Ports declared below us (src/rsi/ports.ts, src/filters/ports.ts), looked up by RsiService and FilterService.
    {
      provide: POSITIONS_VIEW,
      useFactory: (bots: BotManager): PositionsView => ({
        openPositionSymbols: () => bots.openPositionSymbols(),
        manualPositionSymbols: () => bots.manualPositions().map((p) => p.symbol),
      }),
      inject: [BotManager],
    },
    {
      provide: TRADE_HISTORY_VIEW,
      useFactory: (history: BotHistoryService): TradeHistoryView => ({
        closedTradesOf: (symbol) => history.realTradesOf(symbol).map((t) => ({ pnl: t.pnl, exitTime: t.close_time_ms })),
      }),
      inject: [BotHistoryService],
    },
  ],
  exports: [BotManager, BotHistoryService],
})
export class BotsModule {}
