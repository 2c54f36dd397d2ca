import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AnalyticsQueryDto,
  HistoryClearDto,
  HistoryQueryDto,
  LimitQueryDto,
  RsiAuditQueryDto,
  StatisticsQueryDto,
  TradesQueryDto,
} from './dto/history-query.dto';
import {
  AnalyticsResponseDto,
  HistoryCountsResponseDto,
  HistoryResponseDto,
  RsiAuditResponseDto,
  StatisticsResponseDto,
  StopsResponseDto,
  TradesResponseDto,
} from './dto/history-responses.dto';
import { HistoryReportService } from './history/history-report.service';

/**
 * Action log, closed trades, statistics, stops and analytics (docs/api-contract.md §2.8); answers from
 * HistoryReportService.
 */
@ApiTags('history')
@Controller('api/bots')
export class HistoryController {
  constructor(private readonly reports: HistoryReportService) {}

  @Get('history')
  @ApiOperation({ summary: 'The action log, newest first' })
  @ApiOkResponse({ type: HistoryResponseDto })
  actions(@Query() q: HistoryQueryDto): HistoryResponseDto {
    return this.reports.actions(q);
  }

  @Get('trades')
  @ApiOperation({ summary: 'Closed trades, newest first (pnl in USDT, roi in % of margin, direction)' })
  @ApiOkResponse({ type: TradesResponseDto })
  trades(@Query() q: TradesQueryDto): TradesResponseDto {
    return this.reports.trades(q);
  }

  @Get('statistics')
  @ApiOperation({ summary: 'Win rate, PnL, best / worst trade, by symbol and by close reason' })
  @ApiOkResponse({ type: StatisticsResponseDto })
  statistics(@Query() q: StatisticsQueryDto): StatisticsResponseDto {
    return this.reports.statistics(q);
  }

  @Post('history/clear')
  @HttpCode(200)
  @ApiOperation({ summary: 'Clear the action log and trades of one coin or of all' })
  @ApiOkResponse({ type: HistoryCountsResponseDto })
  clear(@Body() body: HistoryClearDto): Promise<HistoryCountsResponseDto> {
    return this.reports.clear(body);
  }

  @Post('history/demo')
  @HttpCode(200)
  @ApiOperation({ summary: 'Add demo entries (flagged is_demo; never used for trading decisions)' })
  @ApiOkResponse({ type: HistoryCountsResponseDto })
  demo(): Promise<HistoryCountsResponseDto> {
    return this.reports.demo();
  }

  @Get('stops')
  @ApiOperation({ summary: 'Closed trades that ended on a stop (stop-loss, trailing stop), with a summary' })
  @ApiOkResponse({ type: StopsResponseDto })
  stops(@Query() q: LimitQueryDto): StopsResponseDto {
    return this.reports.stops(q);
  }

  @Get('analytics')
  @ApiOperation({ summary: "Trading analytics; include_exchange=1 reconciles with the exchange's own closed trades" })
  @ApiOkResponse({ type: AnalyticsResponseDto })
  analytics(@Query() q: AnalyticsQueryDto): Promise<AnalyticsResponseDto> {
    return this.reports.analytics(q);
  }

  @Get('analytics/rsi-audit')
  @ApiOperation({ summary: 'Were entries and RSI exits at the configured RSI levels?' })
  @ApiOkResponse({ type: RsiAuditResponseDto })
  rsiAudit(@Query() q: RsiAuditQueryDto): RsiAuditResponseDto {
    return this.reports.rsiAudit(q);
  }
}
