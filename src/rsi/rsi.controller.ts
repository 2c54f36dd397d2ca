import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  Logger,
  NotFoundException,
  Param,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Clock, isoLocal } from '../common/clock';
import { CoinsWithRsiResponder } from './coins-with-rsi.responder';
import { FETCHABLE_TIMEFRAMES, TIMEFRAME_MS } from '../exchange/exchange.types';
import { CandlesQueryDto } from './dto/candles-query.dto';
import { round2 } from './indicators/rsi';
import { CoinsWithRsiQueryDto } from './dto/coins-with-rsi-query.dto';
import { SymbolParamDto } from './dto/symbol-param.dto';
import { SetTimeframeDto } from './dto/timeframe.dto';
import { RsiService, TimeframeError } from './rsi.service';
import { requireSymbol } from '../common/symbol';
import { MessageResponseDto } from '../common/dto/envelope.dto';
import {
  CandlesResponseDto,
  CoinsWithRsiResponseDto,
  PairsResponseDto,
  RefreshRsiAllResponseDto,
  RefreshRsiResponseDto,
  ResetUpdateFlagResponseDto,
  RsiHistoryResponseDto,
  SetTimeframeResponseDto,
  SmartRsiStatusResponseDto,
  TimeframeResponseDto,
} from './dto/rsi-responses.dto';

/** Mini charts show this many RSI values. */
const RSI_HISTORY_POINTS = 56;

@ApiTags('rsi')
@Controller('api/bots')
export class RsiController {
  private readonly logger = new Logger('RsiController');

  constructor(
    private readonly rsi: RsiService,
    private readonly clock: Clock,
    private readonly coinsWithRsiResponder: CoinsWithRsiResponder,
  ) {}

  @Get('coins-with-rsi')
  @ApiOperation({
    summary: 'The coin table: RSI, trend, signals and filter flags of every tradable coin (polled by the UI)',
  })
  @ApiOkResponse({ type: CoinsWithRsiResponseDto })
  async coinsWithRsi(@Query() query: CoinsWithRsiQueryDto, @Res() res: Response): Promise<void> {
    if (query.refresh_symbol !== undefined) {
      const symbol = this.knownSymbol(query.refresh_symbol, 'refresh_symbol');
      await this.rsi.refreshOnRequest(symbol);
    }
    // Pre-serialised (coins-with-rsi.responder.ts): the body is CoinsWithRsiResponseDto.
    res.type('application/json').send(await this.coinsWithRsiResponder.body());
  }

  @Get('rsi-history/:symbol')
  @ApiOperation({ summary: 'The last 56 RSI values of a coin on the current timeframe (mini charts)' })
  @ApiOkResponse({ type: RsiHistoryResponseDto })
  rsiHistory(@Param() params: SymbolParamDto): RsiHistoryResponseDto {
    const symbol = this.knownSymbol(params.symbol);
    const view = this.rsi.getMarketView(symbol);
    const candles = view?.series.length ?? 0;
    if (!view || candles < 15) throw new BadRequestException(`Not enough candles for ${symbol} (${candles} < 15)`);
    const history = Array.from(view.analysis.history.subarray(-RSI_HISTORY_POINTS), round2);
    const current = this.rsi.getCoin(symbol)?.rsi ?? history[history.length - 1] ?? view.analysis.rsi;
    return {
      success: true,
      symbol,
      rsi_history: history,
      current_rsi: current,
      candles_count: candles,
      timeframe: view.timeframe,
      source: 'cache',
    };
  }

  @Get('candles/:symbol')
  @ApiOperation({ summary: 'Cached candles of a coin on the current timeframe (OHLCV as strings)' })
  @ApiOkResponse({ type: CandlesResponseDto })
  candles(@Param() params: SymbolParamDto, @Query() query: CandlesQueryDto): CandlesResponseDto {
    const symbol = this.knownSymbol(params.symbol);
    const view = this.rsi.getMarketView(symbol);
    if (!view || view.series.length === 0) throw new NotFoundException(`No cached candles for ${symbol}`);
    const perDay = Math.max(1, Math.round(86_400_000 / TIMEFRAME_MS[view.timeframe]));
    const count = query.period ? Math.min(view.series.length, query.period * perDay) : view.series.length;
    const candles = view.series.toCandles(count).map((c) => ({
      timestamp: c.time,
      time: c.time,
      open: String(c.open),
      high: String(c.high),
      low: String(c.low),
      close: String(c.close),
      volume: String(c.volume),
    }));
    return {
      success: true,
      symbol,
      data: { candles, timeframe: query.timeframe ?? view.timeframe, count: candles.length },
      source: 'cache',
    };
  }

  @Post('refresh-rsi/:symbol')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reload one coin from the exchange and recompute it' })
  @ApiOkResponse({ type: RefreshRsiResponseDto })
  async refreshOne(@Param() params: SymbolParamDto): Promise<RefreshRsiResponseDto> {
    if (params.symbol.toLowerCase() === 'all') {
      throw new BadRequestException('Use POST /api/bots/refresh-rsi-all to refresh every coin');
    }
    const symbol = this.knownSymbol(params.symbol);
    const record = await this.rsi.refreshOnRequest(symbol);
    return { success: true, message: `RSI of ${symbol} refreshed`, coin_data: record };
  }

  @Post('refresh-rsi-all')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reload every coin from the exchange and wait for it' })
  @ApiOkResponse({ type: RefreshRsiAllResponseDto })
  async refreshAll(): Promise<RefreshRsiAllResponseDto> {
    const summary = await this.rsi.requestFullLoad('refresh-rsi-all');
    return {
      success: true,
      message: `Refreshed ${summary.succeeded} coins in ${(summary.durationMs / 1000).toFixed(1)} s`,
      updated_count: summary.succeeded,
      failed_count: summary.failed,
    };
  }

  @Post('force-rsi-update')
  @HttpCode(200)
  @ApiOperation({ summary: 'Start a full reload in the background' })
  @ApiOkResponse({ type: MessageResponseDto })
  forceUpdate(): MessageResponseDto {
    // Answered before the load ends (the client polls the loader state); a failed load is logged here.
    void this.rsi
      .requestFullLoad('force-rsi-update')
      .catch((error: Error) => this.logger.warn(`Forced RSI reload failed: ${error.message}`));
    return { success: true, message: 'Full RSI reload started in the background' };
  }

  @Get('smart-rsi-status')
  @ApiOperation({ summary: 'State of the market-data loader (legacy name)' })
  @ApiOkResponse({ type: SmartRsiStatusResponseDto })
  smartRsiStatus(): SmartRsiStatusResponseDto {
    const state = this.rsi.loaderState();
    const progress = this.rsi.getLoadProgress();
    return {
      success: true,
      status: {
        active: true,
        service: 'Continuous Data Loader',
        is_running: state.is_running,
        update_count: state.update_count,
        last_update: state.last_update === null ? null : isoLocal(state.last_update),
        note: `Candles of ${this.rsi.timeframe}; new candles at each close, forming candles from one tickers request in between`,
        timeframe: this.rsi.timeframe,
        first_round_complete: state.first_round_complete,
        last_error: state.last_error,
        progress: { ...progress, last_update: progress.lastUpdate === null ? null : isoLocal(progress.lastUpdate) },
      },
    };
  }

  @Post('reset-update-flag')
  @HttpCode(200)
  @ApiOperation({ summary: 'Clear the "update in progress" flag' })
  @ApiOkResponse({ type: ResetUpdateFlagResponseDto })
  resetUpdateFlag(): ResetUpdateFlagResponseDto {
    const was = this.rsi.resetUpdateFlag();
    return { success: true, message: 'Update flag cleared', was_in_progress: was };
  }

  @Get('pairs')
  @ApiOperation({ summary: 'Exchange pairs of every coin with RSI data' })
  @ApiOkResponse({ type: PairsResponseDto })
  pairs(): PairsResponseDto {
    const pairs = this.rsi
      .getCoins()
      .filter((c) => c.rsi !== null && c.rsi !== undefined)
      .map((c) => `${c.symbol}USDT`)
      .sort();
    return { success: true, pairs, total: pairs.length, timestamp: isoLocal(this.clock.now()) };
  }

  @Get('timeframe')
  @ApiOperation({ summary: 'Current system timeframe and the supported ones' })
  @ApiOkResponse({ type: TimeframeResponseDto })
  getTimeframe(): TimeframeResponseDto {
    return { success: true, timeframe: this.rsi.timeframe, supported_timeframes: [...FETCHABLE_TIMEFRAMES] };
  }

  @Post('timeframe')
  @HttpCode(200)
  @ApiOperation({ summary: 'Switch the system timeframe: clears candles and coins, reloads in the background' })
  @ApiOkResponse({ type: SetTimeframeResponseDto })
  async setTimeframe(@Body() body: SetTimeframeDto): Promise<SetTimeframeResponseDto> {
    try {
      const result = await this.rsi.setTimeframe(body.timeframe);
      return {
        success: true,
        message: result.changed
          ? `Timeframe switched from ${result.old_timeframe} to ${result.new_timeframe}; reloading`
          : `Timeframe is already ${result.new_timeframe}`,
        ...result,
      };
    } catch (error) {
      if (error instanceof TimeframeError) throw new BadRequestException(error.message);
      throw error;
    }
  }

  private knownSymbol(raw: unknown, field = 'symbol'): string {
    const symbol = requireSymbol(raw, field);
    if (!this.rsi.isKnownSymbol(symbol)) throw new NotFoundException(`Unknown symbol: ${symbol}`);
    return symbol;
  }
}
