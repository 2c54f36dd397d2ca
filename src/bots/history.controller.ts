import { Body, Controller, Get, HttpCode, Post, Query, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Clock, isoLocal } from '../common/clock';
import { AutoBotConfigService } from '../config/auto-bot-config.service';
import { IndividualSettingsService } from '../config/individual-settings.service';
import { ExchangeService } from '../exchange/exchange.service';
import { RsiService } from '../rsi/rsi.service';
import { BotManager } from './bot-manager.service';
import { AnalyticsQueryDto, HistoryClearDto, HistoryQueryDto, LimitQueryDto, RsiAuditQueryDto, StatisticsQueryDto, TradesQueryDto } from './dto/history-query.dto';
import { analyticsReport, statistics, totalsByReason, tradeTotals } from './history/history-stats';
import type { Period } from './history/history.types';
import { BotHistoryService } from './history/bot-history.service';
import { rsiAuditReport } from './history/rsi-audit';
import { optionalSymbol } from './symbol-param';
import { AnalyticsResponseDto, HistoryCountsResponseDto, HistoryResponseDto, RsiAuditResponseDto, StatisticsResponseDto, StopsResponseDto, TradesResponseDto } from './dto/history-responses.dto';

/** Action log, closed trades, statistics, stops and analytics (docs/api-contract.md §2.8). */
@ApiTags('history')
@Controller('api/bots')
export class HistoryController {
  constructor(
    private readonly history: BotHistoryService,
    private readonly manager: BotManager,
    private readonly exchange: ExchangeService,
    private readonly individualSettings: IndividualSettingsService,
    private readonly autoBotConfig: AutoBotConfigService,
    private readonly rsi: RsiService,
    private readonly clock: Clock,
  ) {}

  @Get('history')
  @ApiOperation({ summary: 'The action log, newest first' })
  @ApiOkResponse({ type: HistoryResponseDto })
  actions(@Query() q: HistoryQueryDto): HistoryResponseDto {
    const history = this.history.actions({
      symbol: optionalSymbol(q.symbol),
      limit: q.limit ?? 100,
      period: q.period as Period | undefined,
      actionType: q.action_type === 'ALL' ? null : q.action_type,
    });
    return { success: true, history, count: history.length };
  }

  @Get('trades')
  @ApiOperation({ summary: 'Closed trades, newest first (pnl in USDT, roi in % of margin, direction)' })
  @ApiOkResponse({ type: TradesResponseDto })
  trades(@Query() q: TradesQueryDto): TradesResponseDto {
    // An action type as trade_type (the UI's shared filter) matches no trade direction.
    if (q.trade_type && !['LONG', 'SHORT', 'ALL'].includes(q.trade_type)) return { success: true, trades: [], count: 0 };
    const trades = this.history.closedTrades({
      symbol: optionalSymbol(q.symbol),
      direction: q.trade_type === 'LONG' || q.trade_type === 'SHORT' ? q.trade_type : null,
      limit: q.limit ?? 100,
      period: q.period as Period | undefined,
    });
    return { success: true, trades, count: trades.length };
  }

  @Get('statistics')
  @ApiOperation({ summary: 'Win rate, PnL, best / worst trade, by symbol and by close reason' })
  @ApiOkResponse({ type: StatisticsResponseDto })
  statistics(@Query() q: StatisticsQueryDto): StatisticsResponseDto {
    const symbol = optionalSymbol(q.symbol);
    const period = q.period as Period | undefined;
    const open = this.manager.all().filter((b) => b.holdsPosition && (!symbol || b.symbol === symbol)).length;
    return {
      success: true,
      statistics: statistics({ actions: this.history.actions({ symbol, period }), trades: this.history.closedTrades({ symbol, period }), openTrades: open, symbol }),
    };
  }

  @Post('history/clear')
  @HttpCode(200)
  @ApiOperation({ summary: 'Clear the action log and trades of one coin or of all' })
  @ApiOkResponse({ type: HistoryCountsResponseDto })
  async clear(@Body() body: HistoryClearDto): Promise<HistoryCountsResponseDto> {
    const symbol = optionalSymbol(body.symbol);
    const r = await this.history.clear(symbol);
    return { success: true, message: `History cleared${symbol ? ` for ${symbol}` : ''}: ${r.actions} actions, ${r.trades} trades`, ...r };
  }

  @Post('history/demo')
  @HttpCode(200)
  @ApiOperation({ summary: 'Add demo entries (flagged is_demo; never used for trading decisions)' })
  @ApiOkResponse({ type: HistoryCountsResponseDto })
  async demo(): Promise<HistoryCountsResponseDto> {
    const r = await this.history.addDemo();
    return { success: true, message: `Demo history added: ${r.actions} actions, ${r.trades} trades`, ...r };
  }

  @Get('stops')
  @ApiOperation({ summary: 'Closed trades that ended on a stop (stop-loss, trailing stop), with a summary' })
  @ApiOkResponse({ type: StopsResponseDto })
  stops(@Query() q: LimitQueryDto): StopsResponseDto {
    const trades = this.history.closedTrades().filter((t) => t.close_reason.includes('STOP')).slice(0, q.limit ?? 100);
    const totals = tradeTotals(trades);
    return {
      success: true,
      trades,
      count: trades.length,
      analysis: trades.length ? { total_pnl: totals.totalPnl, avg_pnl: totals.avgPnl, worst_trade: totals.worst, by_reason: totalsByReason(trades) } : null,
      premium: true,
      message: `${trades.length} trades closed by a stop`,
    };
  }

  @Get('analytics')
  @ApiOperation({ summary: 'Trading analytics; include_exchange=1 reconciles with the exchange\'s own closed trades' })
  @ApiOkResponse({ type: AnalyticsResponseDto })
  async analytics(@Query() q: AnalyticsQueryDto): Promise<AnalyticsResponseDto> {
    const include = ['1', 'true', 'yes'].includes((q.include_exchange ?? '').toLowerCase());
    const botTrades = this.history.closedTrades({ limit: q.limit ?? 10_000 });
    let exchangeTrades = null;
    if (include && this.exchange.isReady) {
      const closed = await this.exchange.fetchClosedTrades(0);
      exchangeTrades = closed.slice(-(q.limit ?? 10_000)).map((t) => ({
        symbol: t.symbol, direction: t.side === 'Long' ? ('LONG' as const) : ('SHORT' as const), size: t.size, entry_price: t.entryPrice,
        exit_price: t.exitPrice, pnl: t.pnl, reason: t.reason, close_time_ms: t.closedAt,
      }));
    }
    return { success: true, report: analyticsReport({ botTrades, exchangeTrades, generatedAt: isoLocal(this.clock.now()) }) };
  }

  @Get('analytics/rsi-audit')
  @ApiOperation({ summary: 'Were entries and RSI exits at the configured RSI levels?' })
  @ApiOkResponse({ type: RsiAuditResponseDto })
  rsiAudit(@Query() q: RsiAuditQueryDto): RsiAuditResponseDto {
    if (!this.exchange.isReady) throw new ServiceUnavailableException('Exchange not initialized');
    const limit = Math.min(2000, Math.max(1, q.limit ?? 500));
    const trades = this.history.closedTrades({ limit });
    const report = rsiAuditReport(trades, (s) => this.individualSettings.effectiveConfig(s), this.autoBotConfig.get(), this.rsi.timeframe, isoLocal(this.clock.now()));
    return { success: true, report };
  }
}
