import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Clock, isoLocal } from '../common/clock';
import { AutoBotConfigService } from '../config/auto-bot-config.service';
import { ExchangeService } from '../exchange/exchange.service';
import { MaturityService } from '../maturity/maturity.service';
import { BotManager } from './bot-manager.service';
import { BotsWorkers, WORKER_NAMES } from './bots.workers';
import { AsyncControlDto, ReloadModulesDto } from './dto/maintenance.dto';
import { MaintenanceService } from './maintenance.service';
import { MessageResponseDto } from '../common/dto/envelope.dto';
import { ActivateTradingRulesResponseDto, AsyncStatusResponseDto, DebugInitResponseDto, ProcessStateResponseDto, ReloadModulesResponseDto, RestartServiceResponseDto, SystemReloadResponseDto } from './dto/maintenance-responses.dto';

/** Process state, worker control, reloads and restarts (docs/api-contract.md §2.1, §2.5, §2.10). */
@ApiTags('maintenance')
@Controller()
export class MaintenanceController {
  constructor(
    private readonly maintenance: MaintenanceService,
    private readonly workers: BotsWorkers,
    private readonly manager: BotManager,
    private readonly exchange: ExchangeService,
    private readonly maturity: MaturityService,
    private readonly autoBotConfig: AutoBotConfigService,
    private readonly clock: Clock,
  ) {}

  @Get('api/bots/process-state')
  @ApiOperation({ summary: 'Every worker\'s state (last run, runs, failures, last error, duration) and the last auto-bot round' })
  @ApiOkResponse({ type: ProcessStateResponseDto })
  processState(): ProcessStateResponseDto {
    return { success: true, process_state: this.maintenance.processState(), system_info: this.maintenance.systemInfo() };
  }

  @Get('api/bots/debug-init')
  @ApiOperation({ summary: 'Initialisation flags' })
  @ApiOkResponse({ type: DebugInitResponseDto })
  debugInit(): DebugInitResponseDto {
    return {
      success: true,
      init_bot_service_called: true,
      continuous_loader_running: this.maintenance.systemInfo().continuous_loader_running,
      exchange_exists: this.exchange.isReady,
      workers_running: this.workers.isRunning,
      bots_data_keys: this.manager.symbols(),
    };
  }

  @Get('api/bots/async-status')
  @ApiOperation({ summary: 'The bots\' background workers' })
  @ApiOkResponse({ type: AsyncStatusResponseDto })
  asyncStatus(): AsyncStatusResponseDto {
    const states = this.workers.allStates();
    const lastRuns = WORKER_NAMES.map((n) => states[n].last_run).filter((x): x is string => x !== null).sort();
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

  @Post('api/bots/async-control')
  @HttpCode(200)
  @ApiOperation({ summary: 'start / stop / restart the bots\' workers' })
  @ApiOkResponse({ type: MessageResponseDto })
  async asyncControl(@Body() body: AsyncControlDto): Promise<MessageResponseDto> {
    const running = this.workers.isRunning;
    switch (body.action) {
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

  @Post('api/bots/reload-modules')
  @HttpCode(200)
  @ApiOperation({ summary: 'Re-read the settings files from disk' })
  @ApiOkResponse({ type: ReloadModulesResponseDto })
  async reloadModules(): Promise<ReloadModulesResponseDto> {
    const reloaded = await this.maintenance.reloadConfigs();
    return { success: true, message: `Reloaded ${reloaded.length} settings files`, reloaded_modules: reloaded.length, reloaded };
  }

  @Post('api/system/reload-modules')
  @HttpCode(200)
  @ApiOperation({ summary: 'Soft restart: settings re-read from disk and the workers restarted' })
  @ApiOkResponse({ type: SystemReloadResponseDto })
  async systemReloadModules(@Body() body: ReloadModulesDto): Promise<SystemReloadResponseDto> {
    const reloaded: string[] = [];
    const failed: Array<{ module: string; error: string }> = [];
    try {
      reloaded.push(...(await this.maintenance.reloadConfigs()));
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
      restart_requested: Boolean(body.force_flask_restart),
      soft_restart_performed: !softError,
      message: `Reloaded: ${reloaded.join(', ') || 'nothing'}`,
      ...(softError ? { soft_restart_error: softError } : {}),
    };
  }

  @Post('api/bots/restart-service')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reload configs and bots from disk and restart the workers (positions untouched)' })
  @ApiOkResponse({ type: RestartServiceResponseDto })
  async restartService(): Promise<RestartServiceResponseDto> {
    await this.maintenance.restartService();
    return { success: true, message: 'Service restarted: configs and bots reloaded from disk, workers restarted', timestamp: isoLocal(this.clock.now()) };
  }

  @Post('api/bots/activate-trading-rules')
  @HttpCode(200)
  @ApiOperation({ summary: 'With the auto-bot on: re-verify mature coins not checked for 5 minutes' })
  @ApiOkResponse({ type: ActivateTradingRulesResponseDto })
  async activateTradingRules(): Promise<ActivateTradingRulesResponseDto> {
    if (!this.autoBotConfig.get().enabled) return { success: true, message: 'Auto-bot is disabled; nothing to activate', activated: false };
    const touched = await this.maturity.touchVerified(300_000);
    return { success: true, message: `Trading rules active; ${touched} mature coins re-verified`, activated: true, verified_count: touched };
  }
}
