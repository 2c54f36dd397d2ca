import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { normalizeSymbol } from '../common/symbol';
import { SymbolParamDto } from '../rsi/dto/symbol-param.dto';
import { requireSymbol } from '../common/symbol';
import { RemoveMatureCoinsDto } from './dto/remove-mature-coins.dto';
import { MaturityService } from './maturity.service';
import { MessageResponseDto } from '../common/dto/envelope.dto';
import {
  MatureCoinsClearResponseDto,
  MatureCoinsListResponseDto,
  MatureCoinsReloadResponseDto,
  MatureCoinsResponseDto,
  RemoveMatureCoinsResponseDto,
} from './dto/maturity-responses.dto';

@ApiTags('maturity')
@Controller('api/bots')
export class MaturityController {
  constructor(private readonly maturity: MaturityService) {}

  @Get('mature-coins-list')
  @ApiOperation({ summary: 'Symbols of the mature-coin store (what the web UI lists)' })
  @ApiOkResponse({ type: MatureCoinsListResponseDto })
  list(): MatureCoinsListResponseDto {
    const coins = this.maturity.matureSymbols();
    return { success: true, mature_coins: coins, total_count: coins.length };
  }

  @Get('mature-coins')
  @ApiOperation({ summary: 'Mature coins with their stored verdicts (data/mature_coins.json)' })
  @ApiOkResponse({ type: MatureCoinsResponseDto })
  details(): MatureCoinsResponseDto {
    const coins = this.maturity.matureSymbols();
    return {
      success: true,
      data: { mature_coins: coins, count: coins.length, storage_details: this.maturity.storageDetails() },
    };
  }

  @Post('mature-coins/reload')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reload the mature-coin store from its file' })
  @ApiOkResponse({ type: MatureCoinsReloadResponseDto })
  async reload(): Promise<MatureCoinsReloadResponseDto> {
    await this.maturity.reload();
    const coins = this.maturity.matureSymbols();
    return {
      success: true,
      message: `Reloaded ${coins.length} mature coins`,
      data: { mature_coins: coins, count: coins.length },
    };
  }

  @Post('mature-coins/clear')
  @HttpCode(200)
  @ApiOperation({ summary: 'Empty the mature-coin store (coins are re-checked on the next round)' })
  @ApiOkResponse({ type: MatureCoinsClearResponseDto })
  async clear(): Promise<MatureCoinsClearResponseDto> {
    const count = await this.maturity.clear();
    return { success: true, message: `Cleared ${count} mature coins`, cleared_count: count };
  }

  @Delete('mature-coins/:symbol')
  @ApiOperation({ summary: 'Remove one coin from the mature-coin store' })
  @ApiOkResponse({ type: MessageResponseDto })
  async removeOne(@Param() params: SymbolParamDto): Promise<MessageResponseDto> {
    const symbol = requireSymbol(params.symbol);
    const { removed } = await this.maturity.remove([symbol]);
    if (removed.length === 0) throw new NotFoundException(`${symbol} is not in the mature-coin store`);
    return { success: true, message: `${symbol} removed from the mature coins` };
  }

  @Post('remove-mature-coins')
  @HttpCode(200)
  @ApiOperation({ summary: 'Remove several coins from the mature-coin store' })
  @ApiOkResponse({ type: RemoveMatureCoinsResponseDto })
  async removeMany(@Body() body: RemoveMatureCoinsDto): Promise<RemoveMatureCoinsResponseDto> {
    const symbols: string[] = [];
    const invalid: string[] = [];
    for (const raw of body.coins) {
      const symbol = normalizeSymbol(raw);
      if (symbol) symbols.push(symbol);
      else invalid.push(raw);
    }
    const { removed, notFound } = await this.maturity.remove([...new Set(symbols)]);
    return {
      success: true,
      message: `Removed ${removed.length} of ${body.coins.length} coins`,
      removed_count: removed.length,
      removed_coins: removed,
      not_found: [...notFound, ...invalid],
    };
  }
}
