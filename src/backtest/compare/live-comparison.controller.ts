import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { LiveComparisonQueryDto, LiveComparisonResponseDto } from '../dto/live-comparison.dto';
import { toLiveComparisonResponse } from './live-comparison.mapper';
import { LiveComparisonService } from './live-comparison.service';

/** A finished backtest compared trade by trade with the trades this service recorded (docs/backtest.md). */
@ApiTags('backtest')
@Controller()
export class LiveComparisonController {
  constructor(private readonly comparisons: LiveComparisonService) {}

  @Get('api/bots/backtest/:id/live-comparison')
  @ApiOperation({
    summary:
      "Pair a finished backtest's trades with the recorded trades of its coins and range: differences per pair, " +
      'unmatched trades of each side, totals (409 while the job is not done)',
  })
  @ApiOkResponse({ type: LiveComparisonResponseDto })
  async compare(@Param('id') id: string, @Query() q: LiveComparisonQueryDto): Promise<LiveComparisonResponseDto> {
    return toLiveComparisonResponse(await this.comparisons.compare(id, q.tolerance_minutes));
  }
}
