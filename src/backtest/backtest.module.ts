import { Module } from '@nestjs/common';
import { CandlesModule } from '../candles/candles.module';
import { BacktestRunner } from './backtest-runner.service';
import { BacktestController } from './backtest.controller';
import { BacktestService } from './backtest.service';

/** Backtest jobs over the API (docs/backtest.md); the replay itself runs in worker threads. */
@Module({
  imports: [CandlesModule],
  controllers: [BacktestController],
  providers: [BacktestRunner, BacktestService],
  exports: [BacktestRunner, BacktestService],
})
export class BacktestModule {}
