import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CoinSettingsService } from './coin-settings.service';
import { CopyToAllDto, LearnExitScamDto } from './dto/individual-settings.dto';
import { requireSymbol } from '../common/symbol';
import {
  CoinSettingsRemovedResponseDto,
  CoinSettingsResponseDto,
  CopyToAllResponseDto,
  LearnExitScamAllResponseDto,
  LearnExitScamResponseDto,
  ResetAllSettingsResponseDto,
  ResetExitScamAllResponseDto,
} from './dto/individual-settings-responses.dto';

/**
 * Per-coin overrides of auto-bot keys (docs/api-contract.md §2.3). The literal sub-paths are declared before `:symbol`
 * so that Express matches them first.
 */
@ApiTags('individual-settings')
@Controller('api/bots/individual-settings')
export class IndividualSettingsController {
  constructor(private readonly coins: CoinSettingsService) {}

  @Post('learn-exit-scam-all')
  @HttpCode(200)
  @ApiOperation({ summary: 'Fit the exit-scam thresholds of every listed coin to its own candles' })
  @ApiOkResponse({ type: LearnExitScamAllResponseDto })
  async learnAll(@Body() body: LearnExitScamDto): Promise<LearnExitScamAllResponseDto> {
    return { success: true, ...(await this.coins.learnExitScamAll(body.aggressiveness, body.timeframe)) };
  }

  @Post('reset-exit-scam-all')
  @HttpCode(200)
  @ApiOperation({ summary: 'Remove the exit_scam_* overrides of every coin' })
  @ApiOkResponse({ type: ResetExitScamAllResponseDto })
  async resetExitScamAll(): Promise<ResetExitScamAllResponseDto> {
    const count = await this.coins.resetExitScamAll();
    return { success: true, reset_count: count, message: `Exit-scam overrides removed from ${count} coins` };
  }

  @Delete('reset-all')
  @ApiOperation({ summary: "Remove every coin's overrides" })
  @ApiOkResponse({ type: ResetAllSettingsResponseDto })
  async resetAll(): Promise<ResetAllSettingsResponseDto> {
    const count = await this.coins.resetAll();
    return { success: true, removed_count: count, message: `Individual settings removed for ${count} coins` };
  }

  @Get(':symbol')
  @ApiOperation({ summary: "The coin's overrides (404 when it has none)" })
  @ApiOkResponse({ type: CoinSettingsResponseDto })
  get(@Param('symbol') raw: string): CoinSettingsResponseDto {
    const symbol = requireSymbol(raw);
    return { success: true, symbol, settings: this.coins.get(symbol) };
  }

  @Post(':symbol')
  @HttpCode(200)
  @ApiBody({ schema: { type: 'object', additionalProperties: true } })
  @ApiOperation({ summary: "Replace the coin's overrides (any auto-bot key; null values dropped)" })
  @ApiOkResponse({ type: CoinSettingsResponseDto })
  async set(@Param('symbol') raw: string, @Body() body: Record<string, unknown>): Promise<CoinSettingsResponseDto> {
    const symbol = requireSymbol(raw);
    return { success: true, symbol, settings: await this.coins.set(symbol, body) };
  }

  @Delete(':symbol')
  @ApiOperation({ summary: "Remove the coin's overrides" })
  @ApiOkResponse({ type: CoinSettingsRemovedResponseDto })
  async remove(@Param('symbol') raw: string): Promise<CoinSettingsRemovedResponseDto> {
    const symbol = requireSymbol(raw);
    await this.coins.remove(symbol);
    return { success: true, symbol, removed: true };
  }

  @Post(':symbol/copy-to-all')
  @HttpCode(200)
  @ApiOperation({ summary: "Copy the coin's overrides to `targets` or to every listed coin" })
  @ApiOkResponse({ type: CopyToAllResponseDto })
  async copyToAll(@Param('symbol') raw: string, @Body() body: CopyToAllDto): Promise<CopyToAllResponseDto> {
    const symbol = requireSymbol(raw);
    return { success: true, symbol, ...(await this.coins.copyToAll(symbol, body.targets)) };
  }

  @Post(':symbol/learn-exit-scam')
  @HttpCode(200)
  @ApiOperation({ summary: "Fit the coin's exit-scam thresholds to its candles (percentile of its own moves)" })
  @ApiOkResponse({ type: LearnExitScamResponseDto })
  async learn(@Param('symbol') raw: string, @Body() body: LearnExitScamDto): Promise<LearnExitScamResponseDto> {
    const symbol = requireSymbol(raw);
    return { success: true, ...(await this.coins.learnExitScam(symbol, body.aggressiveness, body.timeframe)) };
  }
}
