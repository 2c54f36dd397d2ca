import { ApiProperty } from '@nestjs/swagger';
import { Allow, IsOptional } from 'class-validator';

/**
 * POST /api/bots/backtest. Every field is checked by BacktestRunner.prepare, which answers 400 naming the field
 * (`overrides.<key>` for a setting), with the same setting specs as any settings change (docs/backtest.md).
 */
export class CreateBacktestDto {
  /** First decision time: `2026-01-01`, `2026-01-01T06:00` (UTC) or epoch ms. */
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'number' }], example: '2026-01-01' })
  @Allow()
  from: string | number;

  /** End of the range (exclusive; clipped to now). */
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'number' }], example: '2026-06-01' })
  @Allow()
  to: string | number;

  /** Coins to replay (`BTC`, `BTCUSDT`); every tradable coin of the exchange when absent. */
  @ApiProperty({ required: false, type: [String], example: ['BTC', 'ETH'] })
  @IsOptional()
  symbols?: string[];

  /** The auto-bot's scope for this run (`all`, `whitelist`, `blacklist`); same as overrides.scope. */
  @ApiProperty({ required: false, enum: ['all', 'whitelist', 'blacklist'] })
  @IsOptional()
  scope?: string;

  /** Auto-bot settings on top of the current auto-bot and per-coin settings (keys and ranges of /api/bots/auto-bot). */
  @ApiProperty({
    required: false,
    type: Object,
    additionalProperties: true,
    example: { rsi_long_threshold: 25, max_concurrent: 5 },
  })
  @IsOptional()
  overrides?: Record<string, unknown>;

  /** Walk 1m candles while a position is open (fetched on demand and cached in the candle store). @example false */
  @IsOptional()
  detail?: boolean;

  /** USDT; the paper account's starting balance (PAPER_BALANCE) when absent. @example 10000 */
  @IsOptional()
  starting_balance?: number;
}
