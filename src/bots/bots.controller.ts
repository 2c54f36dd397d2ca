import { Body, Controller, Get, HttpCode, InternalServerErrorException, NotFoundException, Param, Post, Query, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Clock, isoLocal } from '../common/clock';
import { AutoBotConfigService } from '../config/auto-bot-config.service';
import { ExchangeService } from '../exchange/exchange.service';
import { RsiService } from '../rsi/rsi.service';
import { BotManager } from './bot-manager.service';
import { BotMonitorService } from './bot-monitor.service';
import { CreateBotDto } from './dto/create-bot.dto';
import { ControlDto, ExchangeInfoQueryDto } from './dto/maintenance.dto';
import { SymbolActionDto, SymbolQueryDto } from './dto/symbol.dto';
import { decorateBot, detailedBot, NEVER } from './engine/bot-view';
import { PositionSyncService } from './position-sync.service';
import { firstGiven, requireSymbol } from '../common/symbol';
import { MessageResponseDto } from '../common/dto/envelope.dto';
import { AccountInfoResponseDto, ActiveDetailedResponseDto, BotActionResponseDto, BotListResponseDto, BotStatusResponseDto, CleanupInactiveResponseDto, ClosePositionResponseDto, ControlResponseDto, CreateBotResponseDto, ExchangeInfoResponseDto, ManualPositionsResponseDto, ProcessTradingSignalsResponseDto, SyncPositionsResponseDto, TestStopResponseDto } from './dto/bots-responses.dto';

/** Bot lifecycle, positions and account (docs/api-contract.md §2.2, §2.7). */
@ApiTags('bots')
@Controller('api/bots')
export class BotsController {
  constructor(
    private readonly manager: BotManager,
    private readonly sync: PositionSyncService,
    private readonly monitor: BotMonitorService,
    private readonly autoBotConfig: AutoBotConfigService,
    private readonly exchange: ExchangeService,
    private readonly rsi: RsiService,
    private readonly clock: Clock,
  ) {}

  @Get('list')
  @ApiOperation({ summary: 'All bots as an array, with work_time, last_update and bot_status decorations' })
  @ApiOkResponse({ type: BotListResponseDto })
  list(): BotListResponseDto {
    const now = this.clock.now();
    const bots = this.manager.all().map((b) => decorateBot(b.record, now, this.rsi.getCoin(b.symbol)));
    const latest = this.manager.all().map((b) => b.record.last_update).sort().at(-1);
    return {
      success: true,
      bots,
      count: bots.length,
      auto_bot_enabled: this.autoBotConfig.get().enabled,
      last_update: latest ?? this.manager.lastSavedAt ?? NEVER,
      stats: { active_bots: this.manager.all().filter((b) => b.status !== 'paused').length, total_bots: bots.length },
    };
  }

  @Get('active-detailed')
  @ApiOperation({ summary: 'Bots in a position: side (Long/Short), entry, PnL, stop-loss' })
  @ApiOkResponse({ type: ActiveDetailedResponseDto })
  activeDetailed(): ActiveDetailedResponseDto {
    const bots = this.manager
      .all()
      .filter((b) => b.inPosition)
      .map((b) => {
        const config = this.manager.effectiveConfig(b);
        const price = this.rsi.getCoin(b.symbol)?.price;
        return detailedBot(b.record, typeof price === 'number' ? price : null, config.max_loss_percent, config.max_position_hours);
      });
    return { success: true, bots, total: bots.length };
  }

  @Post('create')
  @HttpCode(200)
  @ApiOperation({ summary: 'Create a bot; it enters in the forced or RSI direction in the background, or waits' })
  @ApiOkResponse({ type: CreateBotResponseDto })
  async create(@Body() body: CreateBotDto): Promise<CreateBotResponseDto> {
    const symbol = requireSymbol(body.symbol);
    const force = Boolean(body.force_manual_entry || body.ignore_filters);
    const result = await this.manager.create({
      symbol,
      config: body.config,
      signal: body.signal ?? null,
      skipMaturityCheck: Boolean(body.skip_maturity_check),
      forceManualEntry: force,
    });
    return {
      success: true,
      message: result.existing_position ? `Bot for ${symbol} created on the existing exchange position` : `Bot for ${symbol} created`,
      bot: result.bot,
      existing_position: result.existing_position,
    };
  }

  @Post('start')
  @HttpCode(200)
  @ApiOperation({ summary: 'Start a paused or idle bot' })
  @ApiOkResponse({ type: BotActionResponseDto })
  async start(@Body() body: SymbolActionDto): Promise<BotActionResponseDto> {
    const symbol = requireSymbol(body.symbol);
    const bot = await this.manager.start(symbol);
    return { success: true, message: `Bot ${symbol} is ${bot.status}`, bot };
  }

  @Post('resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Alias of start' })
  @ApiOkResponse({ type: BotActionResponseDto })
  resume(@Body() body: SymbolActionDto): Promise<BotActionResponseDto> {
    return this.start(body);
  }

  @Post('stop')
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause a bot; its position and exchange stops stay open (symbol from body, form or query)' })
  @ApiOkResponse({ type: MessageResponseDto })
  async stop(@Body() body: SymbolActionDto, @Query() query: SymbolQueryDto): Promise<MessageResponseDto> {
    const symbol = requireSymbol(firstGiven(body.symbol, query.symbol));
    const reason = body.reason ?? query.reason ?? 'Stopped by user';
    await this.manager.pause(symbol, reason);
    return { success: true, message: `Bot ${symbol} stopped (paused); the position, if any, stays open` };
  }

  @Post('pause')
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause a bot (same as stop)' })
  @ApiOkResponse({ type: MessageResponseDto })
  async pause(@Body() body: SymbolActionDto): Promise<MessageResponseDto> {
    const symbol = requireSymbol(body.symbol);
    await this.manager.pause(symbol, 'Paused by user');
    return { success: true, message: `Bot ${symbol} paused` };
  }

  @Post('delete')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete a bot; nothing happens on the exchange (symbol from body, form or query)' })
  @ApiOkResponse({ type: MessageResponseDto })
  async delete(@Body() body: SymbolActionDto, @Query() query: SymbolQueryDto): Promise<MessageResponseDto> {
    const symbol = requireSymbol(firstGiven(body.symbol, query.symbol));
    await this.manager.delete(symbol, body.reason ?? query.reason ?? 'Deleted by user');
    return { success: true, message: `Bot ${symbol} deleted` };
  }

  @Post('close-position')
  @HttpCode(200)
  @ApiOperation({ summary: 'Market-close the symbol\'s position; the bot goes idle and the trade is recorded' })
  @ApiOkResponse({ type: ClosePositionResponseDto })
  async closePosition(@Body() body: SymbolActionDto, @Query() query: SymbolQueryDto): Promise<ClosePositionResponseDto> {
    const symbol = requireSymbol(firstGiven(body.symbol, query.symbol));
    if (!this.exchange.isReady) throw new InternalServerErrorException({ success: false, message: 'Exchange not initialized', error: 'Exchange not initialized' });
    const result = await this.manager.closePositionManually(symbol);
    if (!result) throw new NotFoundException({ success: false, message: `No open position for ${symbol}`, error: `No open position for ${symbol}` });
    if (result.closed.length === 0) {
      throw new InternalServerErrorException({ success: false, message: `Closing ${symbol} failed`, error: `Closing ${symbol} failed`, errors: result.errors });
    }
    return {
      success: true,
      message: `Closed ${result.closed.length} position(s) of ${symbol}`,
      closed_positions: result.closed,
      errors: result.errors.length ? result.errors : null,
    };
  }

  @Get('sync-positions')
  @ApiOperation({ summary: 'Reconcile bots with the exchange positions' })
  @ApiOkResponse({ type: SyncPositionsResponseDto })
  syncGet(): Promise<SyncPositionsResponseDto> {
    return this.syncPositions();
  }

  @Post('sync-positions')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reconcile bots with the exchange positions (the UI calls it on page load)' })
  @ApiOkResponse({ type: SyncPositionsResponseDto })
  async syncPositions(): Promise<SyncPositionsResponseDto> {
    const report = await this.sync.sync();
    return {
      success: true,
      message: report.synced ? 'Bots synchronised with the exchange' : 'Bots already match the exchange',
      ...report,
      manual_positions: report.manual_positions.map((p) => p.symbol),
    };
  }

  @Post('manual-positions/refresh')
  @HttpCode(200)
  @ApiOperation({ summary: 'Coins with an exchange position and no bot' })
  @ApiOkResponse({ type: ManualPositionsResponseDto })
  async refreshManualPositions(): Promise<ManualPositionsResponseDto> {
    if (!this.exchange.isReady) return { success: true, count: 0, positions: [], details: [] };
    const positions = await this.sync.refreshManualPositions();
    return { success: true, count: positions.length, positions: positions.map((p) => p.symbol), details: positions };
  }

  @Get('account-info')
  @ApiOperation({ summary: 'Wallet balance, equity and bot counts' })
  @ApiOkResponse({ type: AccountInfoResponseDto })
  async accountInfo(): Promise<AccountInfoResponseDto> {
    if (!this.exchange.isReady) throw new InternalServerErrorException('Exchange not initialized');
    const counts = { bots_count: this.manager.countBots().total, active_bots: this.manager.all().filter((b) => b.status !== 'paused').length };
    try {
      const b = await this.exchange.fetchBalance();
      this.manager.noteAvailableBalance(b.availableBalance);
      return {
        success: true,
        total_equity: b.totalEquity,
        total_wallet_balance: b.walletBalance,
        total_available_balance: b.availableBalance,
        total_unrealized_pnl: b.unrealizedPnl,
        total_margin_balance: b.marginBalance,
        account_type: 'UNIFIED',
        active_positions: b.activePositions,
        total_position_value: b.positionValue,
        ...counts,
        insufficient_funds: this.manager.hasInsufficientFunds,
      };
    } catch (error) {
      return { success: false, error: 'Failed to get account info from exchange', details: (error as Error).message, ...counts, insufficient_funds: this.manager.hasInsufficientFunds };
    }
  }

  @Post('cleanup-inactive')
  @HttpCode(200)
  @ApiOperation({ summary: 'Remove idle bots without a position (nothing happens when positions cannot be read)' })
  @ApiOkResponse({ type: CleanupInactiveResponseDto })
  async cleanupInactive(): Promise<CleanupInactiveResponseDto> {
    try {
      const r = await this.sync.cleanupInactive();
      return { success: true, message: r.cleaned ? `Removed ${r.removed.length} inactive bots` : 'No inactive bots', cleaned: r.cleaned, removed: r.removed };
    } catch (error) {
      return { success: false, error: `Positions unavailable: ${(error as Error).message}`, message: 'Nothing removed', cleaned: false };
    }
  }

  @Post('process-trading-signals')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run one trading pass now (protections, RSI exits, waiting entries)' })
  @ApiOkResponse({ type: ProcessTradingSignalsResponseDto })
  async processTradingSignals(): Promise<ProcessTradingSignalsResponseDto> {
    const report = await this.monitor.tick();
    return {
      success: true,
      message: `Checked ${report.checked} positions: ${report.closed.length} closed, ${report.stops_moved.length} stops moved, ${report.entered.length} entries`,
      active_bots_count: this.manager.countBots().active,
      ...report,
    };
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
  @ApiOperation({ summary: 'One action on one bot ({action, symbol}) or on the auto-bot (enable_auto_bot / disable_auto_bot)' })
  @ApiOkResponse({ type: ControlResponseDto })
  async control(@Body() body: ControlDto): Promise<ControlResponseDto> {
    switch (body.action) {
      case 'enable_auto_bot':
      case 'disable_auto_bot': {
        const enabled = body.action === 'enable_auto_bot';
        await this.autoBotConfig.update({ enabled });
        return { success: true, message: `Auto-bot ${enabled ? 'enabled' : 'disabled'}`, action: body.action };
      }
      case 'start':
      case 'resume':
        return { ...(await this.start({ symbol: body.symbol })), action: body.action };
      case 'stop':
      case 'pause':
        return { ...(await this.stop({ symbol: body.symbol, reason: body.reason }, {})), action: body.action };
      case 'delete':
        return { ...(await this.delete({ symbol: body.symbol, reason: body.reason }, {})), action: body.action };
      default:
        return { ...(await this.closePosition({ symbol: body.symbol }, {})), action: body.action };
    }
  }

  @Get('status/:symbol')
  @ApiOperation({ summary: 'One bot with its coin data and exchange position' })
  @ApiOkResponse({ type: BotStatusResponseDto })
  botStatus(@Param('symbol') raw: string): BotStatusResponseDto {
    const symbol = requireSymbol(raw);
    const bot = this.manager.find(symbol);
    if (!bot) throw new NotFoundException('Bot not found');
    const coin = this.rsi.getCoin(symbol);
    return {
      success: true,
      symbol,
      status: bot.status,
      bot: decorateBot(bot.record, this.clock.now(), coin),
      position: bot.record.exchange_position,
      coin: coin ?? null,
      timestamp: isoLocal(this.clock.now()),
    };
  }

  @Get('exchange-info')
  @ApiOperation({ summary: 'The exchange in use: readiness, markets, call statistics; ?symbol= for one market' })
  @ApiOkResponse({ type: ExchangeInfoResponseDto })
  exchangeInfo(@Query() query: ExchangeInfoQueryDto): ExchangeInfoResponseDto {
    const markets = this.exchange.markets();
    const base = {
      success: true,
      exchange: this.exchange.name,
      // The AI candles loader reads exchange_type.
      exchange_type: this.exchange.name,
      is_paper: this.exchange.isPaper,
      // Where the paper account's prices come from; dry_run = live exchange prices, no real orders (docs/dry-run.md).
      paper_market: this.exchange.mode.paper_market,
      dry_run: this.exchange.mode.dry_run,
      mode: this.exchange.mode.description,
      initialized: this.exchange.isReady,
      init_error: this.exchange.lastInitError,
      markets_count: markets.length,
      tradable_count: markets.filter((m) => m.status === 'Trading').length,
      timeframe: this.rsi.timeframe,
      calls: Object.fromEntries([...this.exchange.stats.entries()].map(([m, s]) => [m, { calls: s.calls, errors: s.errors, avg_ms: s.calls ? Math.round((s.totalMs / s.calls) * 10) / 10 : 0 }])),
    };
    if (!query.symbol) return base;
    const symbol = requireSymbol(query.symbol);
    const market = this.exchange.market(symbol);
    if (!market) throw new NotFoundException(`Unknown symbol ${symbol}`);
    return { ...base, market };
  }
}
