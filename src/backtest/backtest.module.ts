import { Module } from '@nestjs/common';
import { BotsModule } from '../bots/bots.module';
import { CandlesModule } from '../candles/candles.module';
import { BacktestRunner } from './backtest-runner.service';
import { BacktestController } from './backtest.controller';
import { BacktestService } from './backtest.service';
import { LiveComparisonController } from './compare/live-comparison.controller';
import { LiveComparisonService } from './compare/live-comparison.service';

/**
 * Backtest jobs over the API (docs/backtest.md); the replay itself runs in worker threads. Bots (below) supplies the
 * recorded trades a finished backtest is compared with.
 */
@Module({
  imports: [CandlesModule, BotsModule],
  controllers: [BacktestController, LiveComparisonController],
  providers: [BacktestRunner, BacktestService, LiveComparisonService],
  exports: [BacktestRunner, BacktestService],
})
export class BacktestModule {}
