import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import {
  ApplyOptimizationResponseDto,
  CancelOptimizationResponseDto,
  OptimizationListResponseDto,
  OptimizationResponseDto,
  StartOptimizationResponseDto,
} from './dto/optimization-responses.dto';
import { RunIdParamDto } from './dto/run-id-param.dto';
import { ApplyOptimizationDto, StartOptimizationDto } from './dto/start-optimization.dto';
import { OptimizerService } from './optimizer.service';

@ApiTags('optimizer')
@Controller('api/bots')
export class OptimizerController {
  constructor(private readonly optimizer: OptimizerService) {}

  @Post('optimize')
  @HttpCode(202)
  @ApiOperation({ summary: 'Start an optimization (walk-forward, seeded); answers its id at once' })
  @ApiAcceptedResponse({ type: StartOptimizationResponseDto })
  async start(@Body() body: StartOptimizationDto): Promise<StartOptimizationResponseDto> {
    return { success: true, ...(await this.optimizer.start(body)) };
  }

  @Get('optimizations')
  @ApiOperation({ summary: 'Optimizations kept, newest first' })
  @ApiOkResponse({ type: OptimizationListResponseDto })
  list(): OptimizationListResponseDto {
    return { success: true, optimizations: this.optimizer.list() };
  }

  @Get('optimize/:id')
  @ApiOperation({ summary: 'Progress, best so far and the top candidates with in-sample and out-of-sample scores' })
  @ApiOkResponse({ type: OptimizationResponseDto })
  get(@Param() params: RunIdParamDto): OptimizationResponseDto {
    return { success: true, optimization: this.optimizer.get(params.id) };
  }

  @Get('optimize/:id/report')
  @ApiOperation({
    summary: 'The run as a self-contained HTML page: score vs each parameter, in-sample vs out-of-sample',
  })
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'HTML page', schema: { type: 'string' } })
  @Header('Cache-Control', 'no-store')
  report(@Param() params: RunIdParamDto, @Res() res: Response): void {
    const page = this.optimizer.report(params.id);
    // Replaces the API's `default-src 'none'`: the page's own CSP allows its inline scripts by hash.
    res.setHeader('Content-Security-Policy', `${page.contentSecurityPolicy}; frame-ancestors 'none'`);
    res.type('html').send(page.html);
  }

  @Delete('optimize/:id')
  @ApiOperation({ summary: 'Cancel a running optimization, or remove a finished one' })
  @ApiOkResponse({ type: CancelOptimizationResponseDto })
  async cancel(@Param() params: RunIdParamDto): Promise<CancelOptimizationResponseDto> {
    return { success: true, id: params.id, action: await this.optimizer.cancelOrRemove(params.id) };
  }

  @Post('optimize/:id/apply')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Write a candidate to the auto-bot config or the coin settings; refused (409) below the out-of-sample floor',
  })
  @ApiOkResponse({ type: ApplyOptimizationResponseDto })
  async apply(
    @Param() params: RunIdParamDto,
    @Body() body: ApplyOptimizationDto,
  ): Promise<ApplyOptimizationResponseDto> {
    const { target, applied } = await this.optimizer.apply(params.id, body);
    return { success: true, message: `Applied to the ${target}`, target, applied };
  }
}
