import { Injectable } from '@nestjs/common';
import { ValidationError } from '../common/errors';
import { AutoBotConfigService } from '../config/auto-bot-config.service';
import { ConfigValidationError } from '../config/config-validation.error';
import {
  AUTO_BOT_SPECS,
  DEFAULT_AUTO_BOT_CONFIG,
  DEFAULT_SYSTEM_CONFIG,
  SYSTEM_SPECS,
  type AutoBotConfig,
} from '../config/defaults';
import { splitAutoBotBody, systemOwnedValues } from '../config/setting-owners';
import { coerceSettings } from '../config/setting-spec';
import { SystemConfigService } from '../config/system-config.service';
import type { SettingChange } from '../config/settings-file';
import { isFetchable, RsiService, TimeframeError } from '../rsi/rsi.service';
import { AutoBotService } from './auto-bot.service';
import type { AutoBotConfigResponseDto, TestSignalsResponseDto } from './dto/config-responses.dto';
import { FETCHABLE_TIMEFRAMES } from '../exchange/exchange.types';

/** AI keys passed through opaquely by export / import (docs/api-contract.md §2.10). */
export const AI_KEYS = [
  'ai_enabled',
  'ai_min_confidence',
  'ai_override_original',
  'ai_optimal_entry_enabled',
  'anomaly_detection_enabled',
  'anomaly_block_threshold',
  'anomaly_log_enabled',
  'auto_train_enabled',
  'retrain_interval',
  'retrain_hour',
  'lstm_enabled',
  'lstm_min_confidence',
  'lstm_weight',
  'pattern_enabled',
  'pattern_min_confidence',
  'pattern_weight',
  'log_predictions',
  'log_anomalies',
  'log_patterns',
  'risk_management_enabled',
  'self_learning_enabled',
  'smc_enabled',
  'auto_update_data',
  'auto_retrain',
  'data_update_interval',
  'risk_update_interval',
] as const;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describeChange(c: SettingChange): string {
  const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  return `${c.key}: ${show(c.from)} → ${show(c.to)}`;
}

export interface ImportResult {
  applied: { autoBot: boolean; system: boolean; ai: boolean };
}

/** The auto-bot / system settings as the config endpoints show and change them (docs/api-contract.md §2.3, §2.10). */
@Injectable()
export class BotsConfigService {
  constructor(
    private readonly autoBot: AutoBotConfigService,
    private readonly system: SystemConfigService,
    private readonly rsi: RsiService,
    private readonly autoBotRounds: AutoBotService,
  ) {}

  /** GET auto-bot: the config view and the last auto-bot round. */
  autoBotAnswer(): AutoBotConfigResponseDto {
    return { success: true, config: this.autoBotView(), last_round: this.autoBotRounds.lastRound() };
  }

  /** Dry run of the entry pipeline: which coins would get a bot now and why the others would not. */
  async testSignals(): Promise<TestSignalsResponseDto> {
    const decisions = await this.autoBotRounds.dryRun();
    const wouldEnter = decisions.filter((d) => d.action === 'created');
    return {
      success: true,
      message: `${wouldEnter.length} of ${decisions.length} candidates would enter`,
      signals: decisions,
    };
  }

  /**
   * The auto-bot config plus the keys the original computed for the UI. The system-owned keys the auto-bot page shows
   * carry the system config's values (docs/settings.md), also over stale copies an old auto_bot_config.json still
   * holds.
   */
  autoBotView(config: AutoBotConfig = this.autoBot.get()): Record<string, unknown> {
    return {
      ...config,
      ...systemOwnedValues(this.system.get()),
      avoid_down_trend: Boolean(config.avoid_down_trend),
      avoid_up_trend: Boolean(config.avoid_up_trend),
      exit_scam_timeframe: this.rsi.timeframe,
      exit_scam_effective_single_pct: config.exit_scam_single_candle_percent,
      exit_scam_effective_multi_pct: config.exit_scam_multi_candle_percent,
    };
  }

  /** Partial update; unknown and computed keys are dropped, a bad value is a 400 and nothing is saved. */
  async updateAutoBot(body: unknown) {
    if (body === undefined || body === null || (isPlainObject(body) && Object.keys(body).length === 0)) {
      return { config: this.autoBotView(), changes: [] as SettingChange[], changed_params: [] as string[] };
    }
    if (!isPlainObject(body)) {
      throw new ValidationError(null, 'Request body must be a JSON object of auto-bot settings');
    }
    const changes = await this.applyAutoBotBlock(body, {});
    return { config: this.autoBotView(), changes, changed_params: changes.map(describeChange) };
  }

  /**
   * An auto-bot body: its own keys to the auto-bot config, the system-owned ones (the original's copies) to the system
   * config, unless `systemBlock` (the same request's system settings) names the key too: the owner's spelling wins.
   * Both parts are validated before either is applied.
   */
  private async applyAutoBotBlock(
    body: Record<string, unknown>,
    systemBlock: Record<string, unknown>,
  ): Promise<SettingChange[]> {
    const { autoBot, system } = splitAutoBotBody(body);
    // The timeframe changes only through /timeframe (and the system block of an import).
    const { system_timeframe: _timeframe, ...systemKeys } = system;
    for (const key of Object.keys(systemBlock)) delete systemKeys[key];
    coerceSettings(SYSTEM_SPECS, systemKeys);
    this.autoBot.validate(autoBot);
    const systemBefore = structuredClone(this.system.get());
    const systemChanges = Object.keys(systemKeys).length ? (await this.system.update(systemKeys)).changes : [];
    try {
      const { changes } = await this.autoBot.update(autoBot);
      return [...changes, ...systemChanges];
    } catch (error) {
      // All or nothing (docs/reliability.md): the system half saved first is put back.
      if (systemChanges.length > 0) {
        await this.system.update(systemBefore).catch((restoreError: Error) => {
          if (error instanceof Error) {
            error.message += ` (and restoring the system settings failed too: ${restoreError.message})`;
          }
        });
      }
      throw error;
    }
  }

  /** The auto-bot defaults; the system-owned keys the page shows carry the system defaults. */
  defaults(): Record<string, unknown> {
    return { ...structuredClone(DEFAULT_AUTO_BOT_CONFIG), ...systemOwnedValues(DEFAULT_SYSTEM_CONFIG) };
  }

  async restoreDefaults(): Promise<Record<string, unknown>> {
    return this.autoBotView(await this.autoBot.restoreDefaults());
  }

  systemView(): Record<string, unknown> {
    const config = this.system.get();
    return {
      ...config,
      mini_chart_update_interval: config.position_sync_interval,
      auto_refresh_ui: true,
      timeframe: this.rsi.timeframe,
    };
  }

  async updateSystem(body: unknown) {
    if (!isPlainObject(body) || Object.keys(body).length === 0) throw new ValidationError(null, 'No data provided');
    const { config, changed } = await this.system.update(body);
    const { system_timeframe: _t, ...rest } = config;
    return {
      config: { ...rest, mini_chart_update_interval: config.position_sync_interval, auto_refresh_ui: true },
      changed,
    };
  }

  exportConfig() {
    const autoBot = this.autoBot.get();
    const ai = Object.fromEntries(AI_KEYS.map((k) => [k, (autoBot as Record<string, unknown>)[k]]));
    return {
      timeframe: this.rsi.timeframe,
      config: { autoBot: this.autoBotView(autoBot), system: this.systemView(), ai },
    };
  }

  /**
   * `{config:{autoBot?, system?, ai?}}` or the blocks at the top level. autoBot keys merge into the current config,
   * system keys likewise, ai keys (any case) are auto-bot keys here. All or nothing (docs/reliability.md): every
   * block is validated before anything is saved, and when a later save fails the earlier ones are restored.
   */
  async importConfig(body: unknown): Promise<ImportResult> {
    const root = isPlainObject(body) && isPlainObject(body.config) ? body.config : body;
    if (!isPlainObject(root)) {
      throw new ValidationError(null, 'No configuration provided (expected {config:{autoBot, system, ai}})');
    }
    const blocks = { autoBot: root.autoBot, system: root.system, ai: root.ai };
    if (blocks.autoBot === undefined && blocks.system === undefined && blocks.ai === undefined) {
      throw new ValidationError(null, 'Nothing to import: the body has none of the blocks autoBot, system, ai');
    }
    for (const [name, value] of Object.entries(blocks)) {
      if (value !== undefined && !isPlainObject(value)) throw new ValidationError(null, `${name} must be an object`);
    }
    const ai = isPlainObject(blocks.ai)
      ? Object.fromEntries(
          Object.entries(blocks.ai)
            .map(([k, v]): [string, unknown] => [k.toLowerCase(), v])
            .filter(([k]) => k in AUTO_BOT_SPECS),
        )
      : undefined;
    // ai keys win over the same keys in autoBot (they were applied last). System-owned keys sent in the autoBot block
    // go to the system config, unless the system block names them too: the owner's block wins (docs/settings.md).
    const autoBotBody =
      isPlainObject(blocks.autoBot) || ai
        ? { ...(isPlainObject(blocks.autoBot) ? blocks.autoBot : {}), ...(ai ?? {}) }
        : null;
    const split = autoBotBody ? splitAutoBotBody(autoBotBody) : null;
    const autoBotChange = split ? split.autoBot : null;
    const { system_timeframe: _ignored, ...systemFromAutoBot } = split?.system ?? {};
    let systemChange: Record<string, unknown> | null = Object.keys(systemFromAutoBot).length ? systemFromAutoBot : null;
    let timeframe: string | null = null;
    if (isPlainObject(blocks.system)) {
      // The exported timeframe travels in `system`.
      const { timeframe: tf, system_timeframe, ...rest } = blocks.system;
      systemChange = { ...systemFromAutoBot, ...rest };
      const wanted = system_timeframe ?? tf;
      if (typeof wanted === 'string' && wanted !== this.rsi.timeframe) timeframe = wanted;
    }
    const result: ImportResult = { applied: { autoBot: false, system: false, ai: false } };

    // 1. Validate the whole import: one bad value refuses all of it.
    try {
      if (autoBotChange) this.autoBot.validate(autoBotChange);
      if (systemChange) coerceSettings(SYSTEM_SPECS, systemChange);
      if (timeframe !== null && !isFetchable(timeframe)) {
        throw new TimeframeError(`Unsupported timeframe: ${timeframe}. Supported: ${FETCHABLE_TIMEFRAMES.join(', ')}`);
      }
    } catch (error) {
      // Nothing was applied: the refusal names the field and says so.
      if (error instanceof ConfigValidationError) {
        throw new ValidationError(error.key, error.message, { applied: result.applied });
      }
      if (error instanceof TimeframeError) {
        throw new ValidationError('timeframe', error.message, { applied: result.applied });
      }
      throw error;
    }

    // 2. Save part by part; a failure restores the parts already saved, so the files stay as they were.
    const autoBotBefore = structuredClone(this.autoBot.get());
    const systemBefore = structuredClone(this.system.get());
    const undo: Array<{ name: string; run: () => Promise<unknown> }> = [];
    try {
      if (autoBotChange) {
        await this.autoBot.update(autoBotChange);
        undo.push({ name: 'autoBot', run: () => this.autoBot.update(autoBotBefore) });
      }
      if (systemChange) {
        await this.system.update(systemChange);
        undo.push({ name: 'system', run: () => this.system.update(systemBefore) });
      }
      if (timeframe !== null) await this.rsi.setTimeframe(timeframe);
    } catch (error) {
      const notRestored: string[] = [];
      for (const step of undo.reverse()) {
        await step.run().catch(() => notRestored.push(step.name));
      }
      if (notRestored.length > 0 && error instanceof Error) {
        error.message += ` (and restoring the already saved ${notRestored.join(', ')} settings failed too: they stay imported)`;
      }
      throw error;
    }
    result.applied = { autoBot: isPlainObject(blocks.autoBot), system: systemChange !== null, ai: ai !== undefined };
    return result;
  }
}
