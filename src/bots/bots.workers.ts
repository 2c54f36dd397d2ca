import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleInit,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Clock, isoLocal } from '../common/clock';
import { appConfig } from '../config/app.config';
import { AutoBotConfigService } from '../config/auto-bot-config.service';
import { SystemConfigService } from '../config/system-config.service';
import { ExchangeService } from '../exchange/exchange.service';
import { AutoBotService } from './auto-bot.service';
import { BotMonitorService } from './bot-monitor.service';
import { JobOrder, WorkerScheduler } from '../scheduling/worker-scheduler';
import { PositionSyncService } from './position-sync.service';

export type WorkerName = 'auto_bot_worker' | 'bot_status_worker' | 'position_sync_worker' | 'inactive_cleanup_worker';
export const WORKER_NAMES: readonly WorkerName[] = [
  'auto_bot_worker',
  'bot_status_worker',
  'position_sync_worker',
  'inactive_cleanup_worker',
];

/** Where each worker runs among jobs due at the same time (docs/backtest-engine.md §Parity with live). */
const WORKER_ORDER: Record<WorkerName, number> = {
  auto_bot_worker: JobOrder.autoBot,
  bot_status_worker: JobOrder.monitor,
  position_sync_worker: JobOrder.positionSync,
  inactive_cleanup_worker: JobOrder.housekeeping,
};

export interface WorkerState {
  name: WorkerName;
  active: boolean;
  interval_seconds: number;
  running: boolean;
  runs: number;
  failures: number;
  skipped: number;
  last_run: string | null;
  last_success: string | null;
  last_error: string | null;
  last_duration_ms: number | null;
  last_result: unknown;
}

/**
 * Schedules the bots' workers on the WorkerScheduler (clock time) with intervals from the configs (re-armed when they
 * change): auto-bot (check_interval), bot status / protections (bot_status_update_interval), position sync
 * (position_sync_interval) and inactive cleanup (inactive_bot_cleanup_interval). A tick still running is never
 * started twice; each worker records its state for process_state.json and /api/bots/process-state.
 */
@Injectable()
export class BotsWorkers implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('BotsWorkers');
  private readonly states = new Map<WorkerName, WorkerState>();
  private started = false;
  private readonly inFlight = new Map<WorkerName, Promise<void>>();

  constructor(
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
    private readonly scheduler: WorkerScheduler,
    private readonly systemConfig: SystemConfigService,
    private readonly autoBotConfig: AutoBotConfigService,
    private readonly exchange: ExchangeService,
    private readonly autoBot: AutoBotService,
    private readonly monitor: BotMonitorService,
    private readonly positionSync: PositionSyncService,
    private readonly clock: Clock,
  ) {
    for (const name of WORKER_NAMES) {
      this.states.set(name, {
        name,
        active: false,
        interval_seconds: 0,
        running: false,
        runs: 0,
        failures: 0,
        skipped: 0,
        last_run: null,
        last_success: null,
        last_error: null,
        last_duration_ms: null,
        last_result: null,
      });
    }
  }

  onModuleInit(): void {
    this.systemConfig.onChange((_c, changes) => {
      if (
        this.started &&
        changes.some((c) =>
          ['bot_status_update_interval', 'position_sync_interval', 'inactive_bot_cleanup_interval'].includes(c.key),
        )
      ) {
        this.armAll();
      }
    });
    this.autoBotConfig.onChange((_c, changes) => {
      if (this.started && changes.some((c) => c.key === 'check_interval')) this.arm('auto_bot_worker');
      // Switching the auto-bot on runs a pass now instead of waiting up to check_interval (180 s) for the first one.
      if (this.started && changes.some((c) => c.key === 'enabled' && c.to === true)) {
        this.runDetached('auto_bot_worker');
      }
    });
  }

  onApplicationBootstrap(): void {
    if (!this.app.workersEnabled) return;
    this.start();
    // Re-sync restored positions with the exchange right away instead of after the first interval.
    this.runDetached('position_sync_worker');
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  get isRunning(): boolean {
    return this.started;
  }

  start(): void {
    this.started = true;
    this.armAll();
    this.logger.log(
      `Workers started: ${WORKER_NAMES.map((n) => `${n} every ${this.intervalSeconds(n)} s`).join(', ')}`,
    );
  }

  /** Clears every interval and waits for ticks in progress to finish. */
  async stop(): Promise<void> {
    this.started = false;
    for (const name of WORKER_NAMES) {
      this.scheduler.cancel(name);
      this.states.get(name)!.active = false;
    }
    await Promise.allSettled([...this.inFlight.values()]);
  }

  async restart(): Promise<void> {
    await this.stop();
    this.start();
  }

  private armAll(): void {
    for (const name of WORKER_NAMES) this.arm(name);
  }

  private intervalSeconds(name: WorkerName): number {
    const system = this.systemConfig.get();
    switch (name) {
      case 'auto_bot_worker':
        return this.autoBotConfig.get().check_interval;
      case 'bot_status_worker':
        return system.bot_status_update_interval;
      case 'position_sync_worker':
        return system.position_sync_interval;
      case 'inactive_cleanup_worker':
        return system.inactive_bot_cleanup_interval;
    }
  }

  private arm(name: WorkerName): void {
    const seconds = this.intervalSeconds(name);
    this.scheduler.every(name, seconds * 1000, () => this.runNow(name), { order: WORKER_ORDER[name] });
    const state = this.states.get(name)!;
    state.active = true;
    state.interval_seconds = seconds;
  }

  /** Runs one tick now (also used by the manual endpoints); a tick already in progress is joined, not repeated. */
  runNow(name: WorkerName): Promise<void> {
    const current = this.inFlight.get(name);
    if (current) {
      this.states.get(name)!.skipped++;
      return current;
    }
    const run = this.execute(name).finally(() => this.inFlight.delete(name));
    this.inFlight.set(name, run);
    return run;
  }

  /** Starts a tick nobody waits for (config switch, startup); the scheduler logs a bug in execute's bookkeeping. */
  private runDetached(name: WorkerName): void {
    this.scheduler.soon(name, () => this.runNow(name));
  }

  private async execute(name: WorkerName): Promise<void> {
    const state = this.states.get(name)!;
    const started = performance.now();
    state.running = true;
    state.last_run = isoLocal(this.clock.now());
    try {
      if (!this.exchange.isReady) throw new Error('exchange not initialized');
      state.last_result = await this.work(name);
      state.last_success = isoLocal(this.clock.now());
      state.last_error = null;
    } catch (error) {
      state.failures++;
      state.last_error = (error as Error).message;
      this.logger.warn(`${name} failed: ${state.last_error}`);
    } finally {
      state.runs++;
      state.running = false;
      state.last_duration_ms = Math.round((performance.now() - started) * 10) / 10;
    }
  }

  private async work(name: WorkerName): Promise<unknown> {
    switch (name) {
      case 'auto_bot_worker': {
        const round = await this.autoBot.tick();
        return {
          enabled: round.enabled,
          note: round.note,
          candidates: round.candidates,
          created: round.created.length,
          skipped: round.decisions.filter((d) => d.action === 'skipped').length,
        };
      }
      case 'bot_status_worker': {
        const r = await this.monitor.tick();
        return {
          checked: r.checked,
          closed: r.closed.length,
          stops_moved: r.stops_moved.length,
          entered: r.entered.length,
          errors: r.errors.length,
        };
      }
      case 'position_sync_worker': {
        const r = await this.positionSync.sync();
        return {
          synced: r.synced,
          closed: r.closed,
          adopted: r.adopted,
          stops_restored: r.stops_restored,
          manual_positions: r.manual_positions.length,
        };
      }
      case 'inactive_cleanup_worker':
        return this.positionSync.cleanupInactive();
    }
  }

  state(name: WorkerName): WorkerState {
    return { ...this.states.get(name)! };
  }

  allStates(): Record<WorkerName, WorkerState> {
    return Object.fromEntries(WORKER_NAMES.map((n) => [n, this.state(n)])) as Record<WorkerName, WorkerState>;
  }
}
