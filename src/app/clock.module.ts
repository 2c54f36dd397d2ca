import { Global, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { exchangeConfig } from '../config/app.config';
import { Clock, SystemClock } from '../common/clock';
import { schedulerFor, WorkerScheduler } from '../scheduling/worker-scheduler';

/**
 * The service-wide clock; the paper exchange may run it faster than real time (PAPER_TIME_SCALE). In the app layer
 * (src/app) because it reads the exchange settings; the Clock class itself stays in src/common. The workers'
 * scheduler follows the clock: real timers on the system clock, simulated time on a ManualClock (tests override
 * Clock with one, docs/backtest-engine.md §Parity with live).
 */
@Global()
@Module({
  providers: [
    {
      provide: Clock,
      inject: [exchangeConfig.KEY],
      useFactory: (exchange: ConfigType<typeof exchangeConfig>) =>
        new SystemClock(exchange.name === 'paper' ? exchange.paper.timeScale : 1),
    },
    { provide: WorkerScheduler, inject: [Clock], useFactory: (clock: Clock) => schedulerFor(clock) },
  ],
  exports: [Clock, WorkerScheduler],
})
export class ClockModule {}
