import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '../common/clock';
import { appConfig } from '../config/app.config';
import { SystemConfigService } from '../config/system-config.service';
import { TIMEFRAME_MS } from '../exchange/exchange.types';
import { RsiService } from './rsi.service';

const INTERVAL_JOB = 'smart-rsi';
const CLOSE_JOB = 'smart-rsi-candle-close';
/** setTimeout's longest delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Real time given to the exchange to publish the new candle after a close. */
const CLOSE_GRACE_MS = 2000;
/** Retry a failed first load sooner than the normal interval. */
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
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
    private readonly rsi: RsiService,
    private readonly systemConfig: SystemConfigService,
    private readonly scheduler: SchedulerRegistry,
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
    setTimeout(() => this.tickDetached('start-up'), 0).unref?.();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    for (const [type, name] of [
      ['interval', INTERVAL_JOB],
      ['timeout', CLOSE_JOB],
    ] as const) {
      if (this.scheduler.doesExist(type, name)) {
        if (type === 'interval') this.scheduler.deleteInterval(name);
        else this.scheduler.deleteTimeout(name);
      }
    }
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  state() {
    return { active: this.scheduler.doesExist('interval', INTERVAL_JOB), ...this.rsi.loaderState() };
  }

  /** A timer's tick: nobody awaits it, so a failed load is logged here. */
  private tickDetached(reason: string): void {
    void this.tick(reason).catch((error: Error) => this.logger.warn(`RSI load (${reason}) failed: ${error.message}`));
  }

  async tick(reason: string): Promise<void> {
    if (this.stopped) return;
    const summary = await this.rsi.runCycle(reason);
    if (!this.rsi.firstRoundComplete && summary && !this.stopped && !this.retryTimer) {
      // The first load failed (exchange down?): try again soon instead of waiting a whole interval.
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this.tickDetached('retry');
      }, FIRST_LOAD_RETRY_MS);
      this.retryTimer.unref?.();
    }
  }

  private armInterval(): void {
    if (this.scheduler.doesExist('interval', INTERVAL_JOB)) this.scheduler.deleteInterval(INTERVAL_JOB);
    const seconds = this.systemConfig.get().rsi_update_interval;
    const ms = Math.max(1000, Math.min(MAX_TIMER_MS, this.clock.realDelay(seconds * 1000)));
    const handle = setInterval(() => this.tickDetached('interval'), ms);
    handle.unref?.();
    this.scheduler.addInterval(INTERVAL_JOB, handle);
  }

  /** One timer to the next close of the current timeframe (00/06/12/18 UTC for 6h), re-armed after it fires. */
  private armCloseTimer(): void {
    if (this.stopped) return;
    if (this.scheduler.doesExist('timeout', CLOSE_JOB)) this.scheduler.deleteTimeout(CLOSE_JOB);
    const step = TIMEFRAME_MS[this.rsi.timeframe];
    const now = this.clock.now();
    const nextClose = (Math.floor(now / step) + 1) * step;
    const delay = Math.min(MAX_TIMER_MS, Math.max(1000, this.clock.realDelay(nextClose - now) + CLOSE_GRACE_MS));
    const handle = setTimeout(() => {
      if (this.scheduler.doesExist('timeout', CLOSE_JOB)) this.scheduler.deleteTimeout(CLOSE_JOB);
      void this.tick('candle close')
        .finally(() => this.armCloseTimer())
        .catch((error: Error) => this.logger.warn(`RSI load (candle close) failed: ${error.message}`));
    }, delay);
    handle.unref?.();
    this.scheduler.addTimeout(CLOSE_JOB, handle);
  }
}
