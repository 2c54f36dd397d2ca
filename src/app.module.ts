import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ScheduleModule } from '@nestjs/schedule';
import { BacktestModule } from './backtest/backtest.module';
import { BotsModule } from './bots/bots.module';
import { BotsPortsModule } from './bots/bots-ports.module';
import { ClockModule } from './app/clock.module';
import { appConfig, exchangeConfig } from './config/app.config';
import { parseAppSettings, parseExchangeSettings } from './config/env';
import { SettingsModule } from './config/settings.module';
import { ExchangeModule } from './exchange/exchange.module';
import { FiltersModule } from './filters/filters.module';
import { HealthModule } from './health/health.module';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { MaturityModule } from './maturity/maturity.module';
import { MetricsModule } from './metrics/metrics.module';
import { NotificationsModule } from './notifications/notifications.module';
import { OptimizerModule } from './optimizer/optimizer.module';
import { PersistenceModule } from './persistence/persistence.module';
import { ProtectionsModule } from './protections/protections.module';
import { RsiModule } from './rsi/rsi.module';
import { SecurityModule } from './security/security.module';

/** Modules in start-up order: config → persistence → exchange → market data → bots. */
@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      cache: true,
      load: [appConfig, exchangeConfig],
      // Parse everything once up front so a bad variable stops start-up with one clear line.
      validate: (env) => {
        parseAppSettings(env as Record<string, string>);
        parseExchangeSettings(env as Record<string, string>);
        return env;
      },
    }),
    ScheduleModule.forRoot(),
    // Typed domain events (src/events/domain-events.ts); listeners run after the emitter's own work.
    EventEmitterModule.forRoot({ wildcard: false, maxListeners: 20 }),
    SecurityModule,
    ClockModule,
    PersistenceModule,
    SettingsModule,
    ExchangeModule,
    HealthModule,
    MetricsModule,
    LifecycleModule,
    RsiModule,
    MaturityModule,
    FiltersModule,
    BotsModule,
    BotsPortsModule,
    ProtectionsModule,
    NotificationsModule,
    BacktestModule,
    OptimizerModule,
  ],
})
export class AppModule {}
