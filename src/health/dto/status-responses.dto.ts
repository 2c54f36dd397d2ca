import { ApiProperty } from '@nestjs/swagger';
import { SuccessResponseDto } from '../../common/dto/envelope.dto';

/** Answers of the status and probe controllers (docs/api-contract.md §2.1). */

/** The web UI's ping; no `success` field, as in the original. */
export class PingResponseDto {
  /** @example 'online' */
  status: 'online';
  /** @example 'bots' */
  service: 'bots';
  /** @example '2026-12-04T18:10:03' */
  timestamp: string;
  /** @example 'simple_endpoint' */
  test: 'simple_endpoint';
}

export class HealthResponseDto {
  /** @example 'ok' */
  status: 'ok';
  /** @example 'bots' */
  service: 'bots';
  /** @example '2026-12-04T18:10:03' */
  timestamp: string;
  /** @example true */
  exchange_connected: boolean;
  /** @example 'paper' */
  exchange: string;
  /** Where the paper account's prices come from (docs/dry-run.md); null on a real account. @example 'sim' */
  paper_market: 'sim' | 'bybit' | 'binance' | null;
  /** True when the paper account trades on live exchange prices (no real orders). @example false */
  dry_run: boolean;
  /** @example 'paper account on simulated prices' */
  exchange_mode: string;
  /** Coins in the coin table. @example 583 */
  coins_loaded: number;
  /** @example 3 */
  bots_active: number;
}

export class HealthComponentsDto {
  /** @example true */
  exchange: boolean;
  /** @example true */
  coins_loaded: boolean;
  /** @example 3 */
  bots_active: number;
}

export class BotsHealthResponseDto {
  /** @example 'healthy' */
  status: 'healthy';
  /** @example 'bots' */
  service: 'bots';
  /** @example '2026-12-04T18:10:03' */
  timestamp: string;
  /** Seconds since start. @example 3600.5 */
  uptime: number;
  components: HealthComponentsDto;
}

export class StatusProgressDto {
  /** @example 583 */
  total: number;
  /** @example 583 */
  done: number;
  /** @example 3 */
  failed: number;
  /** @example false */
  inProgress: boolean;
  /** Epoch ms. @example 1764871205000 */
  lastUpdate: number | null;
  /** @example 8210 */
  durationMs: number;
  /** @example '2026-12-04T18:00:05' */
  last_update: string | null;
}

export class BotCountsDto {
  /** @example 4 */
  total: number;
  /** Neither paused nor idle. @example 3 */
  active: number;
}

export class BotsStatusResponseDto extends SuccessResponseDto {
  /** @example 'running' */
  status: 'running';
  /** @example 'bots' */
  service: 'bots';
  /** @example '2026-12-04T18:10:03' */
  timestamp: string;
  /** @example '2026-12-04T18:00:05' */
  last_update: string | null;
  /** @example false */
  update_in_progress: boolean;
  /** @example 583 */
  coins_loaded: number;
  /** @example 583 */
  total_coins: number;
  /** @example 580 */
  successful_coins: number;
  /** @example 3 */
  failed_coins: number;
  load_progress: StatusProgressDto;
  bots: BotCountsDto;
}

/** A terminus health check: status plus one entry per indicator. */
export class ProbeResponseDto extends SuccessResponseDto {
  /** @example 'ok' */
  status: string;
  /** Indicator results keyed by name (process, state, exchange), each with `status`. */
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'object', additionalProperties: true },
    example: { state: { status: 'up' }, exchange: { status: 'up' } },
  })
  details: unknown;
  /** When not ready. @example 'Not ready: exchange not initialised' */
  error?: string;
}
