import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { JsonStore } from '../persistence/json-store.service';
import { mirrorBreakEvenTrigger } from './break-even-trigger';
import { AUTO_BOT_SPECS, DEFAULT_AUTO_BOT_CONFIG, type AutoBotConfig } from './defaults';
import { refuseUnsupportedSettings } from './unsupported-settings';
import { coerceSettings } from './setting-spec';
import { SettingsFile, type SettingChange } from './settings-file';

export const AUTO_BOT_CONFIG_FILE = 'auto_bot_config.json';

/** The auto-bot settings (data/auto_bot_config.json, a flat dict of the docs/api-contract.md §4.1 keys). */
@Injectable()
export class AutoBotConfigService implements OnModuleInit {
  private readonly logger = new Logger('AutoBotConfig');
  private readonly settings: SettingsFile<AutoBotConfig>;

  constructor(store: JsonStore) {
    this.settings = new SettingsFile(store, AUTO_BOT_CONFIG_FILE, AUTO_BOT_SPECS, DEFAULT_AUTO_BOT_CONFIG);
  }

  async onModuleInit(): Promise<void> {
    await this.load();
  }

  /** Loads the file; a limit-order entry switched on by an older version is switched off (docs/settings.md). */
  private async load(): Promise<void> {
    await this.settings.load();
    if (this.settings.get().limit_orders_entry_enabled) {
      this.logger.warn(
        'limit_orders_entry_enabled was on in the file: limit-order entry is not supported, switched off (every entry is a market order)',
      );
      await this.settings.replace({ ...this.settings.get(), limit_orders_entry_enabled: false });
    }
  }

  /** Throws ConfigValidationError (a 400 naming the key) for a value this update would refuse; applies nothing. */
  validate(partial: Record<string, unknown>): void {
    refuseUnsupportedSettings(coerceSettings(AUTO_BOT_SPECS, partial).values);
  }

  get(): AutoBotConfig {
    return this.settings.get();
  }

  /**
   * Partial update. Known keys are validated (a bad one throws ConfigValidationError and nothing is saved);
   * unknown and computed keys (echoed back by the UI) are dropped. The two break-even trigger keys are kept mirrored.
   */
  async update(
    partial: Record<string, unknown>,
  ): Promise<{ config: AutoBotConfig; changes: SettingChange[]; ignored: string[] }> {
    return this.settings.update(partial, (values, current) => {
      refuseUnsupportedSettings(values);
      mirrorBreakEvenTrigger(values, current);
    });
  }

  /** Back to defaults, keeping `enabled` and `trading_enabled` as they are. */
  async restoreDefaults(): Promise<AutoBotConfig> {
    const current = this.settings.get();
    await this.settings.replace({
      ...structuredClone(DEFAULT_AUTO_BOT_CONFIG),
      enabled: current.enabled,
      trading_enabled: current.trading_enabled,
    });
    return this.settings.get();
  }

  reload(): Promise<void> {
    return this.load();
  }

  onChange(listener: (config: AutoBotConfig, changes: SettingChange[]) => void): void {
    this.settings.onChange(listener);
  }
}
