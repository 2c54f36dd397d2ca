import { ApiExtraModels, ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { MessageResponseDto, SuccessResponseDto } from '../../common/dto/envelope.dto';
import type { WorkerName } from '../bots.workers';

/** Answers of the maintenance controller (docs/api-contract.md §2.1, §2.5, §2.10). */

export class WorkerStateDto {
  /** @example 'auto_bot_worker' */
  name: WorkerName;
  /** @example true */
  active: boolean;
  /** @example 180 */
  interval_seconds: number;
  /** True while a run is in progress. @example false */
  running: boolean;
  /** @example 12 */
  runs: number;
  /** @example 0 */
  failures: number;
  /** Ticks skipped because the previous run was still going. @example 0 */
  skipped: number;
  /** @example '2026-12-04T18:00:10' */
  last_run: string | null;
  /** @example '2026-12-04T18:00:11' */
  last_success: string | null;
  /** @example null */
  last_error: string | null;
  /** @example 420 */
  last_duration_ms: number | null;
  /** What the last run reported (worker-specific). */
  @ApiProperty({ nullable: true, example: null })
  last_result: unknown;
}

export class SystemInfoDto {
  /** @example true */
  continuous_loader_running: boolean;
  /** @example true */
  exchange_initialized: boolean;
  /** @example 4 */
  total_bots: number;
  /** @example true */
  auto_bot_enabled: boolean;
  /** @example 412 */
  mature_coins_storage_size: number;
  /** @example true */
  workers_running: boolean;
}

export class ProcessStateResponseDto extends SuccessResponseDto {
  /**
   * One block per worker (smart_rsi_manager, auto_bot_worker, bot_status_worker, position_sync_worker,
   * inactive_cleanup_worker, auto_save_worker, exchange_connection, auto_bot_signals, delisting_scan, ...).
   */
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'object', additionalProperties: true },
    example: {
      auto_bot_worker: {
        name: 'auto_bot_worker',
        active: true,
        runs: 12,
        failures: 0,
        last_error: null,
        enabled: true,
      },
    },
  })
  process_state: Record<string, unknown>;
  system_info: SystemInfoDto;
}

export class DebugInitResponseDto extends SuccessResponseDto {
  /** @example true */
  init_bot_service_called: boolean;
  /** @example true */
  continuous_loader_running: boolean;
  /** @example true */
  exchange_exists: boolean;
  /** @example true */
  workers_running: boolean;
  /** Symbols of the bots. @example ['BTC', 'ETH'] */
  bots_data_keys: string[];
}

@ApiExtraModels(WorkerStateDto)
export class AsyncStatusDto {
  /** @example true */
  available: boolean;
  /** @example true */
  running: boolean;
  /** True while any worker is in a run. @example false */
  task_active: boolean;
  /** Latest run of any worker. @example '2026-12-04T18:10:00' */
  last_update: string | null;
  /** @example ['auto_bot_worker', 'bot_status_worker', 'position_sync_worker', 'inactive_cleanup_worker'] */
  active_tasks: WorkerName[];
  /** Workers keyed by name. */
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(WorkerStateDto) } })
  workers: Record<string, WorkerStateDto>;
}

export class AsyncStatusResponseDto extends SuccessResponseDto {
  async_status: AsyncStatusDto;
}

export class ReloadModulesResponseDto extends MessageResponseDto {
  /** @example 3 */
  reloaded_modules: number;
  /** Settings files re-read. @example ['auto_bot_config', 'system_config', 'individual_coin_settings'] */
  reloaded: string[];
}

export class FailedReloadDto {
  /** @example 'settings' */
  module: string;
  /** @example 'auto_bot_config.json: enabled must be a boolean' */
  error: string;
}

export class SystemReloadResponseDto extends MessageResponseDto {
  /** @example ['auto_bot_config', 'system_config', 'individual_coin_settings', 'workers'] */
  reloaded: string[];
  failed: FailedReloadDto[];
  /** @example false */
  flask_restart_required: boolean;
  /** @example false */
  restart_requested: boolean;
  /** @example true */
  soft_restart_performed: boolean;
  /** Only when restarting the workers failed. @example 'timeout' */
  soft_restart_error?: string;
}

export class RestartServiceResponseDto extends MessageResponseDto {
  /** @example '2026-12-04T18:10:03' */
  timestamp: string;
}

export class ActivateTradingRulesResponseDto extends MessageResponseDto {
  /** False when the auto-bot is off. @example true */
  activated: boolean;
  /** Only when activated. @example 12 */
  verified_count?: number;
}
