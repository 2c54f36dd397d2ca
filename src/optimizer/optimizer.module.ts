import { Module } from '@nestjs/common';
import { ConditionalModule, ConfigModule } from '@nestjs/config';
import { BacktestModule } from '../backtest/backtest.module';
import { CandlesModule } from '../candles/candles.module';
import { optimizerConfig } from './optimizer.config';
import { OptimizerQueueModule, optimizerQueueWanted } from './optimizer-queue.module';
import { OptimizerController } from './optimizer.controller';
import { OptimizerService } from './optimizer.service';

/**
 * Strategy optimization (docs/optimizer.md): seeded search, walk-forward validation, a worker-thread pool or
 * Redis workers (the BullMQ queue module only when OPTIMIZER_REDIS_URL is set); the backtest replay is the
 * evaluator. Needs the global settings, persistence, exchange and clock modules.
 */
@Module({
  imports: [
    ConfigModule.forFeature(optimizerConfig),
    ConditionalModule.registerWhen(OptimizerQueueModule, optimizerQueueWanted, { debug: false }),
    BacktestModule,
    CandlesModule,
  ],
  controllers: [OptimizerController],
  providers: [OptimizerService],
  exports: [OptimizerService],
})
export class OptimizerModule {}
