import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { Clock } from '../common/clock';
import { appConfig, exchangeConfig } from '../config/app.config';
import { SystemConfigService } from '../config/system-config.service';
import { DomainEvent } from '../events/domain-events';
import { publishEvent } from '../events/publish';
import { JsonStore } from '../persistence/json-store.service';
import { StateRegistry } from '../persistence/state-registry.service';
import { JobOrder, WorkerScheduler } from '../scheduling/worker-scheduler';

const AUTO_SAVE = 'auto-save';

/**
 * Start-up order is config → exchange → stored state (each module's onModuleInit) → workers
 * (onApplicationBootstrap). This service owns the auto-save worker and the final save at shutdown.
 */
@Injectable()
export class LifecycleService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Lifecycle');
  private saves = 0;
  private lastSave: number | null = null;
  private lastError: string | null = null;
  private shutdownFailures: string[] = [];

  constructor(
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
    private readonly systemConfig: SystemConfigService,
    private readonly registry: StateRegistry,
    private readonly store: JsonStore,
    private readonly scheduler: WorkerScheduler,
    private readonly events: EventEmitter2,
    private readonly clock: Clock,
    @Inject(exchangeConfig.KEY) private readonly exchange: ConfigType<typeof exchangeConfig>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await publishEvent(
      this.events,
      DomainEvent.ServiceStarted,
      { at: this.clock.now(), mode: this.exchange.name },
      this.logger,
    );
    if (!this.app.workersEnabled) return;
    this.armAutoSave();
    this.systemConfig.onChange((_config, changes) => {
      if (changes.some((c) => c.key === 'auto_save_interval')) this.armAutoSave();
    });
  }

  private armAutoSave(): void {
    // Counted in real seconds on real timers (the paper clock's speed does not apply to saving); on simulated time
    // (a ManualClock) in clock seconds, after every other job due at that time.
    this.scheduler.every(
      AUTO_SAVE,
      this.systemConfig.get().auto_save_interval * 1000,
      () => this.autoSave().catch((error: Error) => this.logger.error(`Auto-save failed: ${error.message}`)),
      { realTime: true, order: JobOrder.housekeeping + 10 },
    );
  }

  async autoSave(): Promise<void> {
    const results = await this.registry.flushAll();
    this.saves++;
    this.lastSave = Date.now();
    const failed = results.filter((r) => !r.ok);
    this.lastError = failed.length ? failed.map((f) => `${f.name}: ${f.error}`).join('; ') : null;
  }

  state() {
    return {
      active: this.scheduler.has(AUTO_SAVE),
      saves: this.saves,
      last_save: this.lastSave,
      last_error: this.lastError,
    };
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    await publishEvent(
      this.events,
      DomainEvent.ServiceStopping,
      { at: this.clock.now(), mode: signal ?? this.exchange.name },
      this.logger,
    );
    this.scheduler.cancel(AUTO_SAVE);
    const results = await this.registry.flushAll();
    await this.store.drain();
    const failed = results.filter((r) => !r.ok);
    const unsaved = this.store.unsavedFiles();
    this.shutdownFailures = [
      ...failed.map((f) => `${f.name}: ${f.error}`),
      ...unsaved.filter((u) => !failed.some((f) => f.error === u.error)).map((u) => u.error),
    ];
    const summary = `State saved before exit${signal ? ` (${signal})` : ''}: ${results.length - failed.length}/${results.length} stores`;
    if (this.shutdownFailures.length === 0) this.logger.log(summary);
    else this.logger.error(`${summary}; NOT saved: ${this.shutdownFailures.join('; ')}`);
  }

  /** What the final save could not write (empty when everything is on disk): main.ts exits non-zero then. */
  get unsavedAtShutdown(): readonly string[] {
    return this.shutdownFailures;
  }
}
