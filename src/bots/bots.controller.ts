import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { MessageResponseDto } from '../common/dto/envelope.dto';
import { BotsApiService } from './bots-api.service';
import { CreateBotDto } from './dto/create-bot.dto';
import { ControlDto, ExchangeInfoQueryDto } from './dto/maintenance.dto';
import { SymbolActionDto, SymbolQueryDto } from './dto/symbol.dto';
import {
  AccountInfoResponseDto,
  ActiveDetailedResponseDto,
  BotActionResponseDto,
  BotListResponseDto,
  BotStatusResponseDto,
  CleanupInactiveResponseDto,
  ClosePositionResponseDto,
  ControlResponseDto,
  CreateBotResponseDto,
  ExchangeInfoResponseDto,
  ManualPositionsResponseDto,
  ProcessTradingSignalsResponseDto,
  SyncPositionsResponseDto,
  TestStopResponseDto,
} from './dto/bots-responses.dto';

/** Bot lifecycle, positions and account (docs/api-contract.md §2.2, §2.7); the answers come from BotsApiService. */
@ApiTags('bots')
@Controller('api/bots')
export class BotsController {
  constructor(private readonly api: BotsApiService) {}

  @Get('list')
  @ApiOperation({ summary: 'All bots as an array, with work_time, last_update and bot_status decorations' })
  @ApiOkResponse({ type: BotListResponseDto })
  list(): BotListResponseDto {
    return this.api.list();
  }

  @Get('active-detailed')
  @ApiOperation({ summary: 'Bots in a position: side (Long/Short), entry, PnL, stop-loss' })
  @ApiOkResponse({ type: ActiveDetailedResponseDto })
  activeDetailed(): ActiveDetailedResponseDto {
    return this.api.activeDetailed();
  }

  @Post('create')
  @HttpCode(200)
  @ApiOperation({ summary: 'Create a bot; it enters in the forced or RSI direction in the background, or waits' })
  @ApiOkResponse({ type: CreateBotResponseDto })
  create(@Body() body: CreateBotDto): Promise<CreateBotResponseDto> {
    return this.api.create(body);
  }

  @Post('start')
  @HttpCode(200)
  @ApiOperation({ summary: 'Start a paused or idle bot' })
  @ApiOkResponse({ type: BotActionResponseDto })
  start(@Body() body: SymbolActionDto): Promise<BotActionResponseDto> {
    return this.api.start(body);
  }

  @Post('resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Alias of start' })
  @ApiOkResponse({ type: BotActionResponseDto })
  resume(@Body() body: SymbolActionDto): Promise<BotActionResponseDto> {
    return this.api.start(body);
  }

  @Post('stop')
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause a bot; its position and exchange stops stay open (symbol from body, form or query)' })
  @ApiOkResponse({ type: MessageResponseDto })
  stop(@Body() body: SymbolActionDto, @Query() query: SymbolQueryDto): Promise<MessageResponseDto> {
    return this.api.stop(body, query);
  }

  @Post('pause')
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause a bot (same as stop)' })
  @ApiOkResponse({ type: MessageResponseDto })
  pause(@Body() body: SymbolActionDto): Promise<MessageResponseDto> {
    return this.api.pause(body);
  }

  @Post('delete')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete a bot; nothing happens on the exchange (symbol from body, form or query)' })
  @ApiOkResponse({ type: MessageResponseDto })
  delete(@Body() body: SymbolActionDto, @Query() query: SymbolQueryDto): Promise<MessageResponseDto> {
    return this.api.delete(body, query);
  }

  @Post('close-position')
  @HttpCode(200)
  @ApiOperation({ summary: "Market-close the symbol's position; the bot goes idle and the trade is recorded" })
  @ApiOkResponse({ type: ClosePositionResponseDto })
  closePosition(@Body() body: SymbolActionDto, @Query() query: SymbolQueryDto): Promise<ClosePositionResponseDto> {
    return this.api.closePosition(body, query);
  }

  @Get('sync-positions')
  @ApiOperation({ summary: 'Reconcile bots with the exchange positions' })
  @ApiOkResponse({ type: SyncPositionsResponseDto })
  syncGet(): Promise<SyncPositionsResponseDto> {
    return this.api.syncPositions();
  }

  @Post('sync-positions')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reconcile bots with the exchange positions (the UI calls it on page load)' })
  @ApiOkResponse({ type: SyncPositionsResponseDto })
  syncPositions(): Promise<SyncPositionsResponseDto> {
    return this.api.syncPositions();
  }

  @Post('manual-positions/refresh')
  @HttpCode(200)
  @ApiOperation({ summary: 'Coins with an exchange position and no bot' })
  @ApiOkResponse({ type: ManualPositionsResponseDto })
  refreshManualPositions(): Promise<ManualPositionsResponseDto> {
    return this.api.refreshManualPositions();
  }

  @Get('account-info')
  @ApiOperation({ summary: 'Wallet balance, equity and bot counts' })
  @ApiOkResponse({ type: AccountInfoResponseDto })
  accountInfo(): Promise<AccountInfoResponseDto> {
    return this.api.accountInfo();
  }

  @Post('cleanup-inactive')
  @HttpCode(200)
  @ApiOperation({ summary: 'Remove idle bots without a position (nothing happens when positions cannot be read)' })
  @ApiOkResponse({ type: CleanupInactiveResponseDto })
  cleanupInactive(): Promise<CleanupInactiveResponseDto> {
    return this.api.cleanupInactive();
  }

  @Post('process-trading-signals')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run one trading pass now (protections, RSI exits, waiting entries)' })
  @ApiOkResponse({ type: ProcessTradingSignalsResponseDto })
  processTradingSignals(): Promise<ProcessTradingSignalsResponseDto> {
    return this.api.processTradingSignals();
  }

  @Post('test-stop')
  @HttpCode(200)
  @ApiOperation({ summary: 'Debug echo of what the request carried' })
  @ApiOkResponse({ type: TestStopResponseDto })
  testStop(@Req() request: Request): TestStopResponseDto {
    const json = request.is('application/json') ? request.body : null;
    const form = request.is('application/x-www-form-urlencoded') ? request.body : null;
    return { success: true, message: 'test-stop received', json_data: json, form_data: form, args_data: request.query };
  }

  @Post('control')
  @HttpCode(200)
  @ApiOperation({
    summary: 'One action on one bot ({action, symbol}) or on the auto-bot (enable_auto_bot / disable_auto_bot)',
  })
  @ApiOkResponse({ type: ControlResponseDto })
  control(@Body() body: ControlDto): Promise<ControlResponseDto> {
    return this.api.control(body);
  }

  @Get('status/:symbol')
  @ApiOperation({ summary: 'One bot with its coin data and exchange position' })
  @ApiOkResponse({ type: BotStatusResponseDto })
  botStatus(@Param('symbol') raw: string): BotStatusResponseDto {
    return this.api.botStatus(raw);
  }

  @Get('exchange-info')
  @ApiOperation({ summary: 'The exchange in use: readiness, markets, call statistics; ?symbol= for one market' })
  @ApiOkResponse({ type: ExchangeInfoResponseDto })
  exchangeInfo(@Query() query: ExchangeInfoQueryDto): ExchangeInfoResponseDto {
    return this.api.exchangeInfo(query);
  }
}
