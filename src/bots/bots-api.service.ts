import { Injectable } from '@nestjs/common';
import { Clock, isoLocal } from '../common/clock';
import { NotFoundError, OperationFailedError } from '../common/errors';
import type { MessageResponseDto } from '../common/dto/envelope.dto';
import { firstGiven, requireSymbol } from '../common/symbol';
import { AutoBotConfigService } from '../config/auto-bot-config.service';
import { ExchangeService } from '../exchange/exchange.service';
import { RsiService } from '../rsi/rsi.service';
import { BotManager } from './bot-manager.service';
import { BotMonitorService } from './bot-monitor.service';
import type { CreateBotDto } from './dto/create-bot.dto';
import type { ControlDto, ExchangeInfoQueryDto } from './dto/maintenance.dto';
import type { SymbolActionDto, SymbolQueryDto } from './dto/symbol.dto';
import type {
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
} from './dto/bots-responses.dto';
import { decorateBot, detailedBot, NEVER } from './engine/bot-view';
import { PositionSyncService } from './position-sync.service';

/**
 * The bots endpoints' answers (docs/api-contract.md §2.2, §2.7): reads the bots, runs their commands through
 * BotManager and maps the results to the original response shapes. BotsController only routes.
 */
@Injectable()
export class BotsApiService {
  constructor(
    private readonly manager: BotManager,
    private readonly sync: PositionSyncService,
    private readonly monitor: BotMonitorService,
    private readonly autoBotConfig: AutoBotConfigService,
    private readonly exchange: ExchangeService,
    private readonly rsi: RsiService,
    private readonly clock: Clock,
  ) {}

  list(): BotListResponseDto {
    const now = this.clock.now();
    const bots = this.manager.all().map((b) => decorateBot(b.record, now, this.rsi.getCoin(b.symbol)));
    const latest = this.manager
      .all()
      .map((b) => b.record.last_update)
      .sort()
      .at(-1);
    return {
      success: true,
      bots,
      count: bots.length,
      auto_bot_enabled: this.autoBotConfig.get().enabled,
      last_update: latest ?? this.manager.lastSavedAt ?? NEVER,
      stats: { active_bots: this.manager.all().filter((b) => b.status !== 'paused').length, total_bots: bots.length },
    };
  }

  activeDetailed(): ActiveDetailedResponseDto {
    const bots = this.manager
      .all()
      .filter((b) => b.inPosition)
      .map((b) => {
        const config = this.manager.effectiveConfig(b);
        const price = this.rsi.getCoin(b.symbol)?.price;
        return detailedBot(
          b.record,
          typeof price === 'number' ? price : null,
          config.max_loss_percent,
          config.max_position_hours,
        );
      });
    return { success: true, bots, total: bots.length };
  }

  async create(body: CreateBotDto): Promise<CreateBotResponseDto> {
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
      message: result.existing_position
        ? `Bot for ${symbol} created on the existing exchange position`
        : `Bot for ${symbol} created`,
      bot: result.bot,
      existing_position: result.existing_position,
    };
  }

  async start(body: SymbolActionDto): Promise<BotActionResponseDto> {
    const symbol = requireSymbol(body.symbol);
    const bot = await this.manager.start(symbol);
    return { success: true, message: `Bot ${symbol} is ${bot.status}`, bot };
  }

  async stop(body: SymbolActionDto, query: SymbolQueryDto): Promise<MessageResponseDto> {
    const symbol = requireSymbol(firstGiven(body.symbol, query.symbol));
    const reason = body.reason ?? query.reason ?? 'Stopped by user';
    await this.manager.pause(symbol, reason);
    return { success: true, message: `Bot ${symbol} stopped (paused); the position, if any, stays open` };
  }

  async pause(body: SymbolActionDto): Promise<MessageResponseDto> {
    const symbol = requireSymbol(body.symbol);
    await this.manager.pause(symbol, 'Paused by user');
    return { success: true, message: `Bot ${symbol} paused` };
  }

  async delete(body: SymbolActionDto, query: SymbolQueryDto): Promise<MessageResponseDto> {
    const symbol = requireSymbol(firstGiven(body.symbol, query.symbol));
    await this.manager.delete(symbol, body.reason ?? query.reason ?? 'Deleted by user');
    return { success: true, message: `Bot ${symbol} deleted` };
  }

  async closePosition(body: SymbolActionDto, query: SymbolQueryDto): Promise<ClosePositionResponseDto> {
    const symbol = requireSymbol(firstGiven(body.symbol, query.symbol));
    if (!this.exchange.isReady) {
      throw new OperationFailedError('Exchange not initialized', { message: 'Exchange not initialized' });
    }
    const result = await this.manager.closePositionManually(symbol);
    if (!result) {
      throw new NotFoundError(`No open position for ${symbol}`, { message: `No open position for ${symbol}` });
    }
    if (result.closed.length === 0) {
      throw new OperationFailedError(`Closing ${symbol} failed`, {
        message: `Closing ${symbol} failed`,
        errors: result.errors,
      });
    }
    return {
      success: true,
      message: `Closed ${result.closed.length} position(s) of ${symbol}`,
      closed_positions: result.closed,
      errors: result.errors.length ? result.errors : null,
    };
  }

  async syncPositions(): Promise<SyncPositionsResponseDto> {
    const report = await this.sync.sync();
    return {
      success: true,
      message: report.synced ? 'Bots synchronised with the exchange' : 'Bots already match the exchange',
      ...report,
      manual_positions: report.manual_positions.map((p) => p.symbol),
    };
  }

  async refreshManualPositions(): Promise<ManualPositionsResponseDto> {
    if (!this.exchange.isReady) return { success: true, count: 0, positions: [], details: [] };
    const positions = await this.sync.refreshManualPositions();
    return { success: true, count: positions.length, positions: positions.map((p) => p.symbol), details: positions };
  }

  /** A failed balance read is answered with success false and the bot counts (the original's shape), not thrown. */
  async accountInfo(): Promise<AccountInfoResponseDto> {
    if (!this.exchange.isReady) throw new OperationFailedError('Exchange not initialized');
    const counts = {
      bots_count: this.manager.countBots().total,
      active_bots: this.manager.all().filter((b) => b.status !== 'paused').length,
    };
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
      return {
        success: false,
        error: 'Failed to get account info from exchange',
        details: (error as Error).message,
        ...counts,
        insufficient_funds: this.manager.hasInsufficientFunds,
      };
    }
  }

  /** Unreadable positions remove nothing and answer success false (the original's shape). */
  async cleanupInactive(): Promise<CleanupInactiveResponseDto> {
    try {
      const r = await this.sync.cleanupInactive();
      return {
        success: true,
        message: r.cleaned ? `Removed ${r.removed.length} inactive bots` : 'No inactive bots',
        cleaned: r.cleaned,
        removed: r.removed,
      };
    } catch (error) {
      return {
        success: false,
        error: `Positions unavailable: ${(error as Error).message}`,
        message: 'Nothing removed',
        cleaned: false,
      };
    }
  }

  async processTradingSignals(): Promise<ProcessTradingSignalsResponseDto> {
    const report = await this.monitor.tick();
    return {
      success: true,
      message: `Checked ${report.checked} positions: ${report.closed.length} closed, ${report.stops_moved.length} stops moved, ${report.entered.length} entries`,
      active_bots_count: this.manager.countBots().active,
      ...report,
    };
  }

  async control(body: ControlDto): Promise<ControlResponseDto> {
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

  botStatus(raw: string): BotStatusResponseDto {
    const symbol = requireSymbol(raw);
    const bot = this.manager.find(symbol);
    if (!bot) throw new NotFoundError('Bot not found');
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

  exchangeInfo(query: ExchangeInfoQueryDto): ExchangeInfoResponseDto {
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
      calls: Object.fromEntries(
        [...this.exchange.stats.entries()].map(([m, s]) => [
          m,
          { calls: s.calls, errors: s.errors, avg_ms: s.calls ? Math.round((s.totalMs / s.calls) * 10) / 10 : 0 },
        ]),
      ),
    };
    if (!query.symbol) return base;
    const symbol = requireSymbol(query.symbol);
    const market = this.exchange.market(symbol);
    if (!market) throw new NotFoundError(`Unknown symbol ${symbol}`);
    return { ...base, market };
  }
}
