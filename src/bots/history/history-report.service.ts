import { Injectable } from '@nestjs/common';
import { Clock, isoLocal } from '../../common/clock';
import { UnavailableError } from '../../common/errors';
import { AutoBotConfigService } from '../../config/auto-bot-config.service';
import { IndividualSettingsService } from '../../config/individual-settings.service';
import { ExchangeService } from '../../exchange/exchange.service';
import { RsiService } from '../../rsi/rsi.service';
import type {
  AnalyticsQueryDto,
  HistoryClearDto,
  HistoryQueryDto,
  LimitQueryDto,
  RsiAuditQueryDto,
  StatisticsQueryDto,
  TradesQueryDto,
} from '../dto/history-query.dto';
import type {
  AnalyticsResponseDto,
  HistoryCountsResponseDto,
  HistoryResponseDto,
  RsiAuditResponseDto,
  StatisticsResponseDto,
  StopsResponseDto,
  TradesResponseDto,
} from '../dto/history-responses.dto';
import { BotRegistry } from '../registry/bot-registry.service';
import { optionalSymbol } from '../symbol-param';
import { BotHistoryService } from './bot-history.service';
import { analyticsReport, statistics, totalsByReason, tradeTotals } from './history-stats';
import type { Period } from './history.types';
import { rsiAuditReport } from './rsi-audit';

/**
 * The history endpoints' answers (docs/api-contract.md §2.8): the action log, trades, statistics, stops and analytics.
 */
@Injectable()
export class HistoryReportService {
  constructor(
    private readonly history: BotHistoryService,
    private readonly registry: BotRegistry,
    private readonly exchange: ExchangeService,
    private readonly individualSettings: IndividualSettingsService,
    private readonly autoBotConfig: AutoBotConfigService,
    private readonly rsi: RsiService,
    private readonly clock: Clock,
  ) {}

  actions(q: HistoryQueryDto): HistoryResponseDto {
    const history = this.history.actions({
      symbol: optionalSymbol(q.symbol),
      limit: q.limit ?? 100,
      period: q.period as Period | undefined,
      actionType: q.action_type === 'ALL' ? null : q.action_type,
    });
    return { success: true, history, count: history.length };
  }

  trades(q: TradesQueryDto): TradesResponseDto {
    // An action type as trade_type (the UI's shared filter) matches no trade direction.
    if (q.trade_type && !['LONG', 'SHORT', 'ALL'].includes(q.trade_type)) {
      return { success: true, trades: [], count: 0 };
    }
    const trades = this.history.closedTrades({
      symbol: optionalSymbol(q.symbol),
      direction: q.trade_type === 'LONG' || q.trade_type === 'SHORT' ? q.trade_type : null,
      limit: q.limit ?? 100,
      period: q.period as Period | undefined,
    });
    return { success: true, trades, count: trades.length };
  }

  statistics(q: StatisticsQueryDto): StatisticsResponseDto {
    const symbol = optionalSymbol(q.symbol);
    const period = q.period as Period | undefined;
    const open = this.registry.all().filter((b) => b.holdsPosition && (!symbol || b.symbol === symbol)).length;
    return {
      success: true,
      statistics: statistics({
        actions: this.history.actions({ symbol, period }),
        trades: this.history.closedTrades({ symbol, period }),
        openTrades: open,
        symbol,
      }),
    };
  }

  async clear(body: HistoryClearDto): Promise<HistoryCountsResponseDto> {
    const symbol = optionalSymbol(body.symbol);
    const r = await this.history.clear(symbol);
    return {
      success: true,
      message: `History cleared${symbol ? ` for ${symbol}` : ''}: ${r.actions} actions, ${r.trades} trades`,
      ...r,
    };
  }

  async demo(): Promise<HistoryCountsResponseDto> {
    const r = await this.history.addDemo();
    return { success: true, message: `Demo history added: ${r.actions} actions, ${r.trades} trades`, ...r };
  }

  stops(q: LimitQueryDto): StopsResponseDto {
    const trades = this.history
      .closedTrades()
      .filter((t) => t.close_reason.includes('STOP'))
      .slice(0, q.limit ?? 100);
    const totals = tradeTotals(trades);
    return {
      success: true,
      trades,
      count: trades.length,
      analysis: trades.length
        ? {
            total_pnl: totals.totalPnl,
            avg_pnl: totals.avgPnl,
            worst_trade: totals.worst,
            by_reason: totalsByReason(trades),
          }
        : null,
      premium: true,
      message: `${trades.length} trades closed by a stop`,
    };
  }

  async analytics(q: AnalyticsQueryDto): Promise<AnalyticsResponseDto> {
    const include = ['1', 'true', 'yes'].includes((q.include_exchange ?? '').toLowerCase());
    const botTrades = this.history.closedTrades({ limit: q.limit ?? 10_000 });
    let exchangeTrades = null;
    if (include && this.exchange.isReady) {
      const closed = await this.exchange.fetchClosedTrades(0);
      exchangeTrades = closed.slice(-(q.limit ?? 10_000)).map((t) => ({
        symbol: t.symbol,
        direction: t.side === 'Long' ? ('LONG' as const) : ('SHORT' as const),
        size: t.size,
        entry_price: t.entryPrice,
        exit_price: t.exitPrice,
        pnl: t.pnl,
        reason: t.reason,
        close_time_ms: t.closedAt,
      }));
    }
    return {
      success: true,
      report: analyticsReport({ botTrades, exchangeTrades, generatedAt: isoLocal(this.clock.now()) }),
    };
  }

  rsiAudit(q: RsiAuditQueryDto): RsiAuditResponseDto {
    if (!this.exchange.isReady) throw new UnavailableError('Exchange not initialized');
    const limit = Math.min(2000, Math.max(1, q.limit ?? 500));
    const trades = this.history.closedTrades({ limit });
    const report = rsiAuditReport(
      trades,
      (s) => this.individualSettings.effectiveConfig(s),
      this.autoBotConfig.get(),
      this.rsi.timeframe,
      isoLocal(this.clock.now()),
    );
    return { success: true, report };
  }
}
