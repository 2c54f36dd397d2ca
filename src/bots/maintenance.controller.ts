import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MessageResponseDto } from '../common/dto/envelope.dto';
import { AsyncControlDto, ReloadModulesDto } from './dto/maintenance.dto';
import {
  ActivateTradingRulesResponseDto,
  AsyncStatusResponseDto,
  DebugInitResponseDto,
  ProcessStateResponseDto,
  ReloadModulesResponseDto,
  RestartServiceResponseDto,
  SystemReloadResponseDto,
} from './dto/maintenance-responses.dto';
import { MaintenanceService } from './maintenance.service';

/**
 * Process state, worker control, reloads and restarts (docs/api-contract.md §2.1, §2.5, §2.10); the answers come from
 * MaintenanceService.
 */
@ApiTags('maintenance')
@Controller()
export class MaintenanceController {
  constructor(private readonly maintenance: MaintenanceService) {}

  @Get('api/bots/process-state')
  @ApiOperation({
    summary: "Every worker's state (last run, runs, failures, last error, duration) and the last auto-bot round",
  })
  @ApiOkResponse({ type: ProcessStateResponseDto })
  processState(): ProcessStateResponseDto {
    return this.maintenance.processStateResponse();
  }

  @Get('api/bots/debug-init')
  @ApiOperation({ summary: 'Initialisation flags' })
  @ApiOkResponse({ type: DebugInitResponseDto })
  debugInit(): DebugInitResponseDto {
    return this.maintenance.debugInit();
  }

  @Get('api/bots/async-status')
  @ApiOperation({ summary: "The bots' background workers" })
  @ApiOkResponse({ type: AsyncStatusResponseDto })
  asyncStatus(): AsyncStatusResponseDto {
    return this.maintenance.asyncStatus();
  }

  @Post('api/bots/async-control')
  @HttpCode(200)
  @ApiOperation({ summary: "start / stop / restart the bots' workers" })
  @ApiOkResponse({ type: MessageResponseDto })
  asyncControl(@Body() body: AsyncControlDto): Promise<MessageResponseDto> {
    return this.maintenance.asyncControl(body.action);
  }

  @Post('api/bots/reload-modules')
  @HttpCode(200)
  @ApiOperation({ summary: 'Re-read the settings files from disk' })
  @ApiOkResponse({ type: ReloadModulesResponseDto })
  reloadModules(): Promise<ReloadModulesResponseDto> {
    return this.maintenance.reloadModules();
  }

  @Post('api/system/reload-modules')
  @HttpCode(200)
  @ApiOperation({ summary: 'Soft restart: settings re-read from disk and the workers restarted' })
  @ApiOkResponse({ type: SystemReloadResponseDto })
  systemReloadModules(@Body() body: ReloadModulesDto): Promise<SystemReloadResponseDto> {
    return this.maintenance.systemReloadModules(Boolean(body.force_flask_restart));
  }

  @Post('api/bots/restart-service')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reload configs and bots from disk and restart the workers (positions untouched)' })
  @ApiOkResponse({ type: RestartServiceResponseDto })
  restartService(): Promise<RestartServiceResponseDto> {
    return this.maintenance.restartServiceResponse();
  }

  @Post('api/bots/activate-trading-rules')
  @HttpCode(200)
  @ApiOperation({ summary: 'With the auto-bot on: re-verify mature coins not checked for 5 minutes' })
  @ApiOkResponse({ type: ActivateTradingRulesResponseDto })
  activateTradingRules(): Promise<ActivateTradingRulesResponseDto> {
    return this.maintenance.activateTradingRules();
  }
}
