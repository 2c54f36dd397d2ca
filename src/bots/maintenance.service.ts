import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Clock, isoLocal } from '../common/clock';
import { AutoBotConfigService } from '../config/auto-bot-config.service';
import { ExchangeService } from '../exchange/exchange.service';
import { LifecycleService } from '../lifecycle/lifecycle.service';
import { MaturityService } from '../maturity/maturity.service';
import { JsonStore } from '../persistence/json-store.service';
import { StateRegistry } from '../persistence/state-registry.service';
import { RsiService } from '../rsi/rsi.service';
import { AutoBotService } from './auto-bot.service';
import { BotManager } from './bot-manager.service';
import { BotsWorkers, WORKER_NAMES } from './bots.workers';
import type { MessageResponseDto } from '../common/dto/envelope.dto';
import type {
  ActivateTradingRulesResponseDto,
  AsyncStatusResponseDto,
  DebugInitResponseDto,
  ProcessStateResponseDto,
  ReloadModulesResponseDto,
  RestartServiceResponseDto,
  SystemReloadResponseDto,
} from './dto/maintenance-responses.dto';

export const PROCESS_STATE_FILE = 'process_state.json';

/**
 * Process state (data/process_state.json and /api/bots/process-state), and the maintenance actions:
 * reload configs from disk, restart the workers. Also builds the maintenance endpoints' answers
 * (MaintenanceController only routes; docs/api-contract.md §2.1, §2.5, §2.10).
 */
@Injectable()
export class MaintenanceService implements OnModuleInit {
  private readonly logger = new Logger('Maintenance');
  private lastWritten = '';
  private restarts = 0;
  private lastRestart: string | null = null;

  constructor(
    private readonly store: JsonStore,
    private readonly registry: StateRegistry,
    private readonly clock: Clock,
    private readonly workers: BotsWorkers,
    private readonly autoBot: AutoBotService,
    private readonly manager: BotManager,
    private readonly autoBotConfig: AutoBotConfigService,
    private readonly exchange: ExchangeService,
    private readonly rsi: RsiService,
    private readonly maturity: MaturityService,
    private readonly lifecycle: LifecycleService,
  ) {}

  onModuleInit(): void {
    this.registry.register('process state', () => this.saveProcessState());
  }

  processState(): Record<string, unknown> {
    const workers = this.workers.allStates();
    const loader = this.rsi.loaderState();
    const round = this.autoBot.lastRound();
    const exchangeCalls = Object.fromEntries(
      [...this.exchange.stats.entries()].map(([method, s]) => [
        method,
        { calls: s.calls, errors: s.errors, last_error: s.lastError },
      ]),
    );
    return {
      smart_rsi_manager: {
        active: true,
        service: 'Continuous Data Loader',
        ...loader,
        last_update: loader.last_update ? isoLocal(loader.last_update) : null,
      },
      ...workers,
      auto_bot_worker: { ...workers.auto_bot_worker, enabled: this.autoBotConfig.get().enabled },
      auto_save_worker: this.lifecycle.state(),
      exchange_connection: {
        initialized: this.exchange.isReady,
        exchange: this.exchange.name,
        paper: this.exchange.isPaper,
        last_error: this.exchange.lastInitError,
        calls: exchangeCalls,
      },
      auto_bot_signals: round
        ? {
            last_round: round.started_at,
            finished_at: round.finished_at,
            enabled: round.enabled,
            note: round.note,
            candidates: round.candidates,
            created: round.created,
            skipped: round.decisions.filter((d) => d.action === 'skipped').length,
            decisions: round.decisions,
          }
        : { last_round: null, decisions: [] },
      bots_state: { last_saved: this.manager.lastSavedAt, ...this.manager.countBots() },
      service_restarts: { count: this.restarts, last_restart: this.lastRestart },
    };
  }

  systemInfo() {
    const loader = this.rsi.loaderState();
    return {
      continuous_loader_running: Boolean(loader.is_running || loader.first_round_complete),
      exchange_initialized: this.exchange.isReady,
      total_bots: this.manager.countBots().total,
      auto_bot_enabled: this.autoBotConfig.get().enabled,
      mature_coins_storage_size: this.maturity.count(),
      workers_running: this.workers.isRunning,
    };
  }

  /** Written by the auto-save only when something changed. */
  async saveProcessState(): Promise<void> {
    const state = this.processState();
    const text = JSON.stringify(state);
    if (text === this.lastWritten) return;
    await this.store.save(PROCESS_STATE_FILE, { process_state: state, last_saved: isoLocal(this.clock.now()) });
    this.lastWritten = text;
  }

  /** restart-service: configs and bots re-read from disk, workers restarted. Positions are not touched. */
  async restartService(): Promise<void> {
    const wasRunning = this.workers.isRunning;
    await this.workers.stop();
    try {
      // Bots, history and configs re-read alone: no bot action runs meanwhile (docs/reliability.md).
      await this.manager.reloadFromDisk();
    } finally {
      if (wasRunning) this.workers.start();
    }
    this.restarts++;
    this.lastRestart = isoLocal(this.clock.now());
    this.logger.log('Service restarted: configs and bots reloaded from disk, workers restarted');
  }

  /** reload-modules: re-read the config files (auto-bot, system, individual settings). */
  async reloadConfigs(): Promise<string[]> {
    await this.manager.reloadConfigs();
    return ['auto_bot_config', 'system_config', 'individual_coin_settings'];
  }

  // ---- the maintenance endpoints' answers ----

  processStateResponse(): ProcessStateResponseDto {
    return { success: true, process_state: this.processState(), system_info: this.systemInfo() };
  }

  debugInit(): DebugInitResponseDto {
    return {
      success: true,
      init_bot_service_called: true,
      continuous_loader_running: this.systemInfo().continuous_loader_running,
      exchange_exists: this.exchange.isReady,
      workers_running: this.workers.isRunning,
      bots_data_keys: this.manager.symbols(),
    };
  }

  asyncStatus(): AsyncStatusResponseDto {
    const states = this.workers.allStates();
    const lastRuns = WORKER_NAMES.map((n) => states[n].last_run)
      .filter((x): x is string => x !== null)
      .sort();
    return {
      success: true,
      async_status: {
        available: true,
        running: this.workers.isRunning,
        task_active: WORKER_NAMES.some((n) => states[n].running),
        last_update: lastRuns.at(-1) ?? null,
        active_tasks: WORKER_NAMES.filter((n) => states[n].active),
        workers: states,
      },
    };
  }

  /**
   * async-control: start / stop / restart the workers; starting running workers (or stopping stopped ones) answers
   * success false.
   */
  async asyncControl(action: string): Promise<MessageResponseDto> {
    const running = this.workers.isRunning;
    switch (action) {
      case 'start':
        if (running) return { success: false, message: 'Workers are already running' };
        this.workers.start();
        return { success: true, message: 'Workers started' };
      case 'stop':
        if (!running) return { success: false, message: 'Workers are not running' };
        await this.workers.stop();
        return { success: true, message: 'Workers stopped' };
      default:
        await this.workers.restart();
        return { success: true, message: 'Workers restarted' };
    }
  }

  async reloadModules(): Promise<ReloadModulesResponseDto> {
    const reloaded = await this.reloadConfigs();
    return {
      success: true,
      message: `Reloaded ${reloaded.length} settings files`,
      reloaded_modules: reloaded.length,
      reloaded,
    };
  }

  /**
   * system/reload-modules: a soft restart; each part's failure is reported in the answer (the original's shape), not
   * thrown.
   */
  async systemReloadModules(forceRestart: boolean): Promise<SystemReloadResponseDto> {
    const reloaded: string[] = [];
    const failed: Array<{ module: string; error: string }> = [];
    try {
      reloaded.push(...(await this.reloadConfigs()));
    } catch (error) {
      failed.push({ module: 'settings', error: (error as Error).message });
    }
    let softError: string | undefined;
    try {
      await this.workers.restart();
      reloaded.push('workers');
    } catch (error) {
      softError = (error as Error).message;
    }
    return {
      success: failed.length === 0 && !softError,
      reloaded,
      failed,
      flask_restart_required: false,
      restart_requested: forceRestart,
      soft_restart_performed: !softError,
      message: `Reloaded: ${reloaded.join(', ') || 'nothing'}`,
      ...(softError ? { soft_restart_error: softError } : {}),
    };
  }

  async restartServiceResponse(): Promise<RestartServiceResponseDto> {
    await this.restartService();
    return {
      success: true,
      message: 'Service restarted: configs and bots reloaded from disk, workers restarted',
      timestamp: isoLocal(this.clock.now()),
    };
  }

  /** With the auto-bot on: mature coins not verified for 5 minutes are re-verified. */
  async activateTradingRules(): Promise<ActivateTradingRulesResponseDto> {
    if (!this.autoBotConfig.get().enabled) {
      return { success: true, message: 'Auto-bot is disabled; nothing to activate', activated: false };
    }
    const touched = this.maturity.touchVerified(300_000);
    return {
      success: true,
      message: `Trading rules active; ${touched} mature coins re-verified`,
      activated: true,
      verified_count: touched,
    };
  }
}
