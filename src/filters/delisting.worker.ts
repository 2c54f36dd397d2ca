import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Clock } from '../common/clock';
import { appConfig } from '../config/app.config';
import { SystemConfigService } from '../config/system-config.service';
import { JobOrder, WorkerScheduler } from '../scheduling/worker-scheduler';
import { DelistingService } from './delisting.service';

const JOB = 'delisting-scan';

/** Hourly delisting scan (system config delisting_scan_interval); the first one right after start-up if due. */
@Injectable()
export class DelistingWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DelistingWorker');
  private scans = 0;
  private lastError: string | null = null;
  private running = false;

  constructor(
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
    private readonly delisting: DelistingService,
    private readonly systemConfig: SystemConfigService,
    private readonly scheduler: WorkerScheduler,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.app.workersEnabled) return;
    this.arm();
    this.systemConfig.onChange((_c, changes) => {
      if (changes.some((c) => c.key === 'delisting_scan_interval')) this.arm();
    });
    const interval = this.intervalMs();
    const last = this.delisting.lastScanTime;
    if (last === null || this.clock.now() - last >= interval) this.scheduler.soon(JOB, () => this.tick());
  }

  onApplicationShutdown(): void {
    this.scheduler.cancel(JOB);
  }

  state() {
    return {
      active: this.scheduler.has(JOB),
      scans: this.scans,
      last_scan: this.delisting.snapshot().last_scan,
      last_error: this.lastError,
    };
  }

  private intervalMs(): number {
    return this.systemConfig.get().delisting_scan_interval * 1000;
  }

  private arm(): void {
    // tick() logs and records scan failures itself; the scheduler logs a bug in that.
    this.scheduler.every(JOB, this.intervalMs(), () => this.tick(), { order: JobOrder.housekeeping });
  }

  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.delisting.scan();
      this.scans++;
      this.lastError = null;
    } catch (error) {
      this.lastError = (error as Error).message;
      this.logger.warn(`Delisting scan failed: ${this.lastError}`);
    } finally {
      this.running = false;
    }
  }
}
