import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Clock } from '../common/clock';
import { appConfig } from '../config/app.config';
import { SystemConfigService } from '../config/system-config.service';
import { TIMEFRAME_MS } from '../exchange/exchange.types';
import { JobOrder, WorkerScheduler } from '../scheduling/worker-scheduler';
import { RsiService } from './rsi.service';

const INTERVAL_JOB = 'smart-rsi';
const CLOSE_JOB = 'smart-rsi-candle-close';
const RETRY_JOB = 'smart-rsi-retry';
/** Real time given to the exchange to publish the new candle after a close (real timers only: on simulated time the
 * paper exchange has the candle at the close). */
const CLOSE_GRACE_MS = 2000;
/** On real timers the RSI jobs never run sooner than this (real time), whatever the clock's speed. */
const MIN_REAL_INTERVAL_MS = 1000;
/** Retry a failed first load sooner than the normal interval (clock time). */
const FIRST_LOAD_RETRY_MS = 30_000;

/**
 * The smart RSI manager: every rsi_update_interval (300 s) one cycle (forming candles from one tickers request, or a
 * full load while there is no live data), plus a cycle right after each candle close of the current timeframe, where
 * only the new candles are fetched. The first load starts right after start-up without holding it up.
 */
@Injectable()
export class SmartRsiWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SmartRsi');
  private stopped = false;

  constructor(
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
    private readonly rsi: RsiService,
    private readonly systemConfig: SystemConfigService,
    private readonly scheduler: WorkerScheduler,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.app.workersEnabled) return;
    this.armInterval();
    this.armCloseTimer();
    this.systemConfig.onChange((_config, changes) => {
      if (changes.some((c) => c.key === 'rsi_update_interval')) this.armInterval();
    });
    this.rsi.onTimeframeChange(() => this.armCloseTimer());
    // Not awaited: HTTP must answer while the first load runs.
    this.scheduler.soon('smart-rsi-start-up', () => this.tickLogged('start-up'));
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    for (const name of [INTERVAL_JOB, CLOSE_JOB, RETRY_JOB]) this.scheduler.cancel(name);
  }

  state() {
    return { active: this.scheduler.has(INTERVAL_JOB), ...this.rsi.loaderState() };
  }

  /** A scheduled tick: the scheduler does not report it, so a failed load is logged here. */
  private tickLogged(reason: string): Promise<void> {
    return this.tick(reason).catch((error: Error) => this.logger.warn(`RSI load (${reason}) failed: ${error.message}`));
  }

  async tick(reason: string): Promise<void> {
    if (this.stopped) return;
    const summary = await this.rsi.runCycle(reason);
    if (!this.rsi.firstRoundComplete && summary && !this.stopped && !this.scheduler.has(RETRY_JOB)) {
      // The first load failed (exchange down?): try again soon instead of waiting a whole interval.
      this.scheduler.at(RETRY_JOB, this.clock.now() + FIRST_LOAD_RETRY_MS, () => this.tickLogged('retry'), {
        order: JobOrder.marketData,
        minRealMs: MIN_REAL_INTERVAL_MS,
      });
    }
  }

  private armInterval(): void {
    const seconds = this.systemConfig.get().rsi_update_interval;
    this.scheduler.every(INTERVAL_JOB, seconds * 1000, () => this.tickLogged('interval'), {
      order: JobOrder.marketData,
      minRealMs: MIN_REAL_INTERVAL_MS,
    });
  }

  /** One job at the next close of the current timeframe (00/06/12/18 UTC for 6h), re-armed after it ran. */
  private armCloseTimer(): void {
    if (this.stopped) return;
    const step = TIMEFRAME_MS[this.rsi.timeframe];
    const nextClose = (Math.floor(this.clock.now() / step) + 1) * step;
    this.scheduler.at(CLOSE_JOB, nextClose, () => this.tickLogged('candle close').finally(() => this.armCloseTimer()), {
      order: JobOrder.marketData,
      realGraceMs: CLOSE_GRACE_MS,
      minRealMs: MIN_REAL_INTERVAL_MS,
    });
  }
}
