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
import { BotsWorkers } from './bots.workers';

export const PROCESS_STATE_FILE = 'process_state.json';

/**
 * Process state (data/process_state.json and /api/bots/process-state), and the maintenance actions:
 * reload configs from disk, restart the workers.
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
    const exchangeCalls = Object.fromEntries([...this.exchange.stats.entries()].map(([method, s]) => [method, { calls: s.calls, errors: s.errors, last_error: s.lastError }]));
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
}
