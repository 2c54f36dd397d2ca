import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';
import { MessageResponseDto, SuccessResponseDto } from '../../common/dto/envelope.dto';
import { DEFAULT_AUTO_BOT_CONFIG, DEFAULT_SYSTEM_CONFIG } from '../../config/defaults';
import type { Timeframe } from '../../exchange/exchange.types';

/** Answers of the config controller (docs/api-contract.md §2.3, §2.10, §4). */

/**
 * A settings block described from its defaults: one property per key, typed and exemplified by its default value.
 * The defaults are the single list of keys, so a key added there shows up in the document on regeneration.
 */
function settingsSchema(
  defaults: Readonly<Record<string, unknown>>,
  extra: Record<string, ApiPropertyOptions>,
  description: string,
): ApiPropertyOptions {
  const typeOf = (value: unknown): ApiPropertyOptions => {
    if (Array.isArray(value)) {
      return { type: 'array', items: { type: typeof value[0] === 'number' ? 'number' : 'string' } };
    }
    if (typeof value === 'boolean') return { type: 'boolean' };
    if (typeof value === 'number') return { type: 'number' };
    return { type: 'string' };
  };
  const properties: Record<string, ApiPropertyOptions> = {};
  for (const key of Object.keys(defaults).sort()) {
    properties[key] = { ...typeOf(defaults[key]), example: defaults[key] };
  }
  return {
    type: 'object',
    description,
    properties: { ...properties, ...extra },
    required: [...Object.keys(defaults), ...Object.keys(extra)].sort(),
  };
}

const AUTO_BOT_COMPUTED: Record<string, ApiPropertyOptions> = {
  exit_scam_timeframe: { type: 'string', description: 'The current system timeframe (computed).', example: '6h' },
  exit_scam_effective_single_pct: {
    type: 'number',
    description: 'Equal to exit_scam_single_candle_percent (computed).',
    example: 15,
  },
  exit_scam_effective_multi_pct: {
    type: 'number',
    description: 'Equal to exit_scam_multi_candle_percent (computed).',
    example: 50,
  },
};

const AUTO_BOT_SCHEMA = settingsSchema(
  DEFAULT_AUTO_BOT_CONFIG,
  AUTO_BOT_COMPUTED,
  'Every auto-bot key (docs/api-contract.md §4.1) plus the computed exit_scam_* keys.',
);
const AUTO_BOT_DEFAULTS_SCHEMA = settingsSchema(
  DEFAULT_AUTO_BOT_CONFIG,
  {},
  'The auto-bot defaults (docs/api-contract.md §4.1).',
);

const SYSTEM_VIEW_EXTRA: Record<string, ApiPropertyOptions> = {
  mini_chart_update_interval: { type: 'number', description: 'Equal to position_sync_interval.', example: 2 },
  auto_refresh_ui: { type: 'boolean', example: true },
};
const SYSTEM_SCHEMA = settingsSchema(
  DEFAULT_SYSTEM_CONFIG,
  { ...SYSTEM_VIEW_EXTRA, timeframe: { type: 'string', description: 'The current system timeframe.', example: '6h' } },
  'System settings (docs/api-contract.md §4.2) plus mini_chart_update_interval, auto_refresh_ui and timeframe.',
);
/** POST system-config answers without system_timeframe and timeframe. */
const SYSTEM_UPDATE_SCHEMA = (() => {
  const { system_timeframe: _t, ...defaults } = DEFAULT_SYSTEM_CONFIG;
  return settingsSchema(defaults, SYSTEM_VIEW_EXTRA, 'System settings after the update (no timeframe keys).');
})();

export class AutoBotDecisionDto {
  /** @example 'SOL' */
  symbol: string;
  /** @example 'LONG' */
  direction: 'LONG' | 'SHORT';
  /** @example 27.9 */
  rsi: number | null;
  /** @example 'skipped' */
  action: 'created' | 'skipped';
  /** The rule that refused (filter name, max_concurrent, cooldown, ...). @example 'rsi_time_filter' */
  filter?: string;
  /** @example 'RSI left the zone 3 candles ago (needs 7)' */
  reason: string;
}

export class AutoBotRoundDto {
  /** @example '2026-12-04T18:00:10' */
  started_at: string;
  /** @example '2026-12-04T18:00:11' */
  finished_at: string | null;
  /** @example true */
  enabled: boolean;
  /** Why the round did nothing, when it did not run the pipeline. @example null */
  note: string | null;
  /** @example 3 */
  active_bots: number;
  /** @example 5 */
  max_concurrent: number;
  /** @example 583 */
  coins_checked: number;
  /** @example 4 */
  candidates: number;
  /** @example ['SOL'] */
  created: string[];
  decisions: AutoBotDecisionDto[];
}

export class AutoBotConfigResponseDto extends SuccessResponseDto {
  @ApiProperty(AUTO_BOT_SCHEMA)
  config: Record<string, unknown>;
  /** The last auto-bot round, or null before the first one. */
  last_round: AutoBotRoundDto | null;
}

export class AutoBotUpdateResponseDto extends MessageResponseDto {
  @ApiProperty(AUTO_BOT_SCHEMA)
  config: Record<string, unknown>;
  /** @example true */
  saved_to_file: boolean;
  /** 0 means the body changed nothing. @example 1 */
  changes_count: number;
  /** "key: old → new" per change. @example ['enabled: false → true'] */
  changed_params: string[];
}

export class RestoreDefaultsResponseDto extends MessageResponseDto {
  @ApiProperty(AUTO_BOT_SCHEMA)
  config: Record<string, unknown>;
  /** @example true */
  restored_to_defaults: boolean;
}

export class TestSignalsResponseDto extends MessageResponseDto {
  signals: AutoBotDecisionDto[];
}

export class DefaultConfigResponseDto extends MessageResponseDto {
  @ApiProperty(AUTO_BOT_DEFAULTS_SCHEMA)
  default_config: Record<string, unknown>;
}

export class SystemConfigResponseDto extends SuccessResponseDto {
  @ApiProperty(SYSTEM_SCHEMA)
  config: Record<string, unknown>;
}

export class SystemConfigUpdateResponseDto extends MessageResponseDto {
  @ApiProperty(SYSTEM_UPDATE_SCHEMA)
  config: Record<string, unknown>;
  /** @example true */
  saved_to_file: boolean;
  /** Keys that changed. @example ['position_sync_interval'] */
  changed: string[];
}

export class FullConfigResponseDto extends SuccessResponseDto {
  @ApiProperty(AUTO_BOT_SCHEMA)
  config: Record<string, unknown>;
  @ApiProperty(SYSTEM_SCHEMA)
  system_config: Record<string, unknown>;
}

export class ExportedConfigDto {
  @ApiProperty(AUTO_BOT_SCHEMA)
  autoBot: Record<string, unknown>;
  @ApiProperty(SYSTEM_SCHEMA)
  system: Record<string, unknown>;
  /** The AI pass-through keys (ai_enabled, anomaly_*, lstm_*, ...), kept opaque. */
  @ApiProperty({ type: 'object', additionalProperties: true, example: { ai_enabled: true, ai_min_confidence: 0.7 } })
  ai: Record<string, unknown>;
}

export class ExportConfigResponseDto extends SuccessResponseDto {
  /** @example '6h' */
  timeframe: Timeframe;
  config: ExportedConfigDto;
}

export class AppliedBlocksDto {
  /** @example true */
  autoBot: boolean;
  /** @example true */
  system: boolean;
  /** @example false */
  ai: boolean;
}

export class ImportConfigResponseDto extends MessageResponseDto {
  applied: AppliedBlocksDto;
}
