import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { BacktestModule } from '../backtest/backtest.module';
import { CandlesModule } from '../candles/candles.module';
import { optimizerConfig } from './optimizer.config';
import { OptimizerController } from './optimizer.controller';
import { OptimizerService } from './optimizer.service';

/**
 * Strategy optimization (docs/optimizer.md): seeded search, walk-forward validation, a worker-thread pool or
 * Redis workers; the backtest replay is the evaluator. Needs the global settings, persistence, exchange and clock
 * modules.
 */
@Module({
  imports: [ConfigModule.forFeature(optimizerConfig), BacktestModule, CandlesModule],
  controllers: [OptimizerController],
  providers: [OptimizerService],
  exports: [OptimizerService],
})
export class OptimizerModule {}
