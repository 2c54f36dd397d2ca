import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { BotsConfigService } from './bots-config.service';
import {
  AutoBotConfigResponseDto,
  AutoBotUpdateResponseDto,
  DefaultConfigResponseDto,
  ExportConfigResponseDto,
  FullConfigResponseDto,
  ImportConfigResponseDto,
  RestoreDefaultsResponseDto,
  SystemConfigResponseDto,
  SystemConfigUpdateResponseDto,
  TestSignalsResponseDto,
} from './dto/config-responses.dto';

const FREE_FORM = { schema: { type: 'object', additionalProperties: true } };

/** Auto-bot and system settings, export / import (docs/api-contract.md §2.3, §2.10). */
@ApiTags('config')
@Controller('api/bots')
export class BotsConfigController {
  constructor(private readonly config: BotsConfigService) {}

  @Get('auto-bot')
  @ApiOperation({ summary: 'The auto-bot config (every §4.1 key plus computed exit_scam_* keys) and the last round' })
  @ApiOkResponse({ type: AutoBotConfigResponseDto })
  getAutoBot(): AutoBotConfigResponseDto {
    return this.config.autoBotAnswer();
  }

  @Post('auto-bot')
  @HttpCode(200)
  @ApiBody(FREE_FORM)
  @ApiOperation({
    summary: 'Partial update: {enabled}, {whitelist, blacklist, scope}, or the whole GET answer echoed back',
  })
  @ApiOkResponse({ type: AutoBotUpdateResponseDto })
  async postAutoBot(@Body() body: Record<string, unknown>): Promise<AutoBotUpdateResponseDto> {
    const r = await this.config.updateAutoBot(body);
    return {
      success: true,
      message: r.changes.length ? `Auto-bot config updated (${r.changes.length} changes)` : 'No changes',
      config: r.config,
      saved_to_file: r.changes.length > 0,
      changes_count: r.changes.length,
      changed_params: r.changed_params,
    };
  }

  @Post('auto-bot/restore-defaults')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reset the auto-bot config to defaults, keeping enabled and trading_enabled' })
  @ApiOkResponse({ type: RestoreDefaultsResponseDto })
  async restoreDefaults(): Promise<RestoreDefaultsResponseDto> {
    return {
      success: true,
      message: 'Auto-bot config restored to defaults',
      config: await this.config.restoreDefaults(),
      restored_to_defaults: true,
    };
  }

  @Post('auto-bot/test-signals')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Dry run of the entry pipeline: which coins would get a bot now and why the others would not',
  })
  @ApiOkResponse({ type: TestSignalsResponseDto })
  testSignals(): Promise<TestSignalsResponseDto> {
    return this.config.testSignals();
  }

  @Get('default-config')
  @ApiOperation({ summary: 'The auto-bot defaults' })
  @ApiOkResponse({ type: DefaultConfigResponseDto })
  defaultConfig(): DefaultConfigResponseDto {
    return { success: true, default_config: this.config.defaults(), message: 'Default auto-bot config' };
  }

  @Get('system-config')
  @ApiOperation({ summary: 'System settings (intervals, enhanced RSI, trend) plus timeframe' })
  @ApiOkResponse({ type: SystemConfigResponseDto })
  getSystemConfig(): SystemConfigResponseDto {
    return { success: true, config: this.config.systemView() };
  }

  @Post('system-config')
  @HttpCode(200)
  @ApiBody(FREE_FORM)
  @ApiOperation({ summary: 'Partial update of system settings (the timeframe changes only through /timeframe)' })
  @ApiOkResponse({ type: SystemConfigUpdateResponseDto })
  async postSystemConfig(@Body() body: Record<string, unknown>): Promise<SystemConfigUpdateResponseDto> {
    const r = await this.config.updateSystem(body);
    return {
      success: true,
      message: r.changed.length ? `System config updated: ${r.changed.join(', ')}` : 'No changes',
      config: r.config,
      saved_to_file: r.changed.length > 0,
      changed: r.changed,
    };
  }

  @Get('config')
  @ApiOperation({ summary: 'Auto-bot and system config together' })
  @ApiOkResponse({ type: FullConfigResponseDto })
  getConfig(): FullConfigResponseDto {
    return { success: true, config: this.config.autoBotView(), system_config: this.config.systemView() };
  }

  @Post('config')
  @HttpCode(200)
  @ApiBody(FREE_FORM)
  @ApiOperation({ summary: 'Same as POST auto-bot' })
  @ApiOkResponse({ type: AutoBotUpdateResponseDto })
  postConfig(@Body() body: Record<string, unknown>): Promise<AutoBotUpdateResponseDto> {
    return this.postAutoBot(body);
  }

  @Get('export-config')
  @ApiOperation({ summary: 'Export {autoBot, system, ai} for config_<tf>.json' })
  @ApiOkResponse({ type: ExportConfigResponseDto })
  exportConfig(): ExportConfigResponseDto {
    return { success: true, ...this.config.exportConfig() };
  }

  @Post('import-config')
  @HttpCode(200)
  @ApiBody(FREE_FORM)
  @ApiOperation({ summary: 'Import {config:{autoBot?, system?, ai?}} (or the blocks at the top level)' })
  @ApiOkResponse({ type: ImportConfigResponseDto })
  async importConfig(@Body() body: Record<string, unknown>): Promise<ImportConfigResponseDto> {
    const r = await this.config.importConfig(body);
    const parts = Object.entries(r.applied)
      .filter(([, v]) => v)
      .map(([k]) => k);
    return { success: true, applied: r.applied, message: `Imported: ${parts.join(', ')}` };
  }
}
