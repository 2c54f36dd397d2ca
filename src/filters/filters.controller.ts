import { Controller, Get, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SymbolParamDto } from '../rsi/dto/symbol-param.dto';
import { RsiService } from '../rsi/rsi.service';
import { requireSymbol } from '../common/symbol';
import { DelistingService } from './delisting.service';
import { FilterService } from './filter.service';
import {
  DelistedCoinsResponseDto,
  ExitScamTestResponseDto,
  ForceScanResponseDto,
  RsiTimeFilterTestResponseDto,
} from './dto/filter-responses.dto';

@ApiTags('filters')
@Controller('api/bots')
export class FiltersController {
  constructor(
    private readonly filters: FilterService,
    private readonly delisting: DelistingService,
    private readonly rsi: RsiService,
  ) {}

  @Get('test-exit-scam/:symbol')
  @ApiOperation({ summary: 'Run the exit-scam filter on the cached candles of a coin' })
  @ApiOkResponse({ type: ExitScamTestResponseDto })
  testExitScam(@Param() params: SymbolParamDto): ExitScamTestResponseDto {
    return this.exitScam(params.symbol);
  }

  @Get('test-anti-pump/:symbol')
  @ApiOperation({ summary: 'Alias of test-exit-scam (the anti-pump filter is the exit-scam filter)' })
  @ApiOkResponse({ type: ExitScamTestResponseDto })
  testAntiPump(@Param() params: SymbolParamDto): ExitScamTestResponseDto {
    return this.exitScam(params.symbol);
  }

  @Get('test-rsi-time-filter/:symbol')
  @ApiOperation({ summary: 'Run the RSI time filter on a coin (direction from its RSI; both directions reported)' })
  @ApiOkResponse({ type: RsiTimeFilterTestResponseDto })
  testRsiTimeFilter(@Param() params: SymbolParamDto): RsiTimeFilterTestResponseDto {
    const symbol = this.knownSymbol(params.symbol);
    const result = this.filters.testRsiTimeFilter(symbol);
    const verdict = result.decision.allowed ? 'allowed' : 'blocked';
    return {
      success: true,
      message: `RSI time filter for ${symbol} (${result.direction}): ${verdict}: ${result.decision.reason}`,
      symbol,
      direction: result.direction,
      allowed: result.decision.allowed,
      decision: result.decision,
      decisions: result.decisions,
    };
  }

  @Get('delisted-coins')
  @ApiOperation({ summary: 'Coins being delisted, with the last scan time' })
  @ApiOkResponse({ type: DelistedCoinsResponseDto })
  delistedCoins(): DelistedCoinsResponseDto {
    const data = this.delisting.snapshot();
    return { success: true, ...data, scan_enabled: true, total_count: Object.keys(data.delisted_coins).length };
  }

  @Post('delisted-coins/force-scan')
  @HttpCode(200)
  @ApiOperation({ summary: 'Scan the exchange for delisting coins now' })
  @ApiOkResponse({ type: ForceScanResponseDto })
  async forceScan(): Promise<ForceScanResponseDto> {
    const { added, removed } = await this.delisting.scan();
    const data = this.delisting.snapshot();
    const total = Object.keys(data.delisted_coins).length;
    return {
      success: true,
      message: `Scan finished: ${total} delisted coins (${added.length} new, ${removed.length} listed again)`,
      delisted_coins: data.delisted_coins,
      last_scan: data.last_scan,
      total_count: total,
      new_coins: added,
    };
  }

  private exitScam(raw: string) {
    const symbol = this.knownSymbol(raw);
    const decision = this.filters.testExitScam(symbol);
    return {
      success: true,
      message: `Exit-scam filter for ${symbol}: ${decision.allowed ? 'allowed' : 'blocked'}: ${decision.reason}`,
      symbol,
      allowed: decision.allowed,
      decision,
    };
  }

  private knownSymbol(raw: string): string {
    const symbol = requireSymbol(raw);
    if (!this.rsi.isKnownSymbol(symbol)) throw new NotFoundException(`Unknown symbol: ${symbol}`);
    return symbol;
  }
}
