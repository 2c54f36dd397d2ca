import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { BacktestService } from './backtest.service';
import { CreateBacktestDto } from './dto/backtest-request.dto';
import {
  BacktestDetailResponseDto,
  BacktestJobResponseDto,
  BacktestListResponseDto,
} from './dto/backtest-responses.dto';

/** Backtest jobs (docs/backtest.md). */
@ApiTags('backtest')
@Controller()
export class BacktestController {
  constructor(private readonly backtests: BacktestService) {}

  @Post('api/bots/backtest')
  @HttpCode(202)
  @ApiOperation({ summary: 'Start a backtest job; answers at once with its id (429 when BACKTEST_MAX_JOBS run)' })
  @ApiAcceptedResponse({ type: BacktestJobResponseDto })
  @ApiOkResponse({ type: BacktestJobResponseDto })
  async create(@Body() body: CreateBacktestDto): Promise<BacktestJobResponseDto> {
    return { success: true, job: await this.backtests.create(body) };
  }

  @Get('api/bots/backtests')
  @ApiOperation({ summary: 'Every stored backtest job, newest first (no results)' })
  @ApiOkResponse({ type: BacktestListResponseDto })
  list(): BacktestListResponseDto {
    return { success: true, backtests: this.backtests.list() };
  }

  @Get('api/bots/backtest/:id')
  @ApiOperation({ summary: 'A job: status, progress %, and its result once done' })
  @ApiOkResponse({ type: BacktestDetailResponseDto })
  async get(@Param('id') id: string): Promise<BacktestDetailResponseDto> {
    const job = this.backtests.get(id);
    // The stored result is the DTO's shape (src/backtest/result/backtest-result.ts), locks included.
    return { success: true, job, result: await this.backtests.result(id) };
  }

  @Delete('api/bots/backtest/:id')
  @ApiOperation({ summary: 'Cancel a running job or delete a finished one (with its stored result)' })
  @ApiOkResponse({ type: BacktestJobResponseDto })
  async remove(@Param('id') id: string): Promise<BacktestJobResponseDto> {
    return { success: true, job: await this.backtests.remove(id) };
  }

  @Get('api/bots/backtest/:id/report')
  @ApiOperation({ summary: 'The result as a self-contained HTML page (charts, tables, trades)' })
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'HTML page', schema: { type: 'string' } })
  @Header('Cache-Control', 'no-store')
  async report(@Param('id') id: string, @Res() res: Response): Promise<void> {
    const page = await this.backtests.report(id);
    // Replaces the API's `default-src 'none'` set by helmet: the page's own CSP allows its inline scripts by hash.
    res.setHeader('Content-Security-Policy', `${page.contentSecurityPolicy}; frame-ancestors 'none'`);
    res.type('html').send(page.html);
  }
}
