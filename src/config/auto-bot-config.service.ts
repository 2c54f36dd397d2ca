import { Injectable, OnModuleInit } from '@nestjs/common';
import { JsonStore } from '../persistence/json-store.service';
import { AUTO_BOT_SPECS, DEFAULT_AUTO_BOT_CONFIG, type AutoBotConfig } from './defaults';
import { SettingsFile, type SettingChange } from './settings-file';

export const AUTO_BOT_CONFIG_FILE = 'auto_bot_config.json';

/** The auto-bot settings (data/auto_bot_config.json, a flat dict of the docs/api-contract.md §4.1 keys). */
@Injectable()
export class AutoBotConfigService implements OnModuleInit {
  private readonly settings: SettingsFile<AutoBotConfig>;

  constructor(store: JsonStore) {
    this.settings = new SettingsFile(store, AUTO_BOT_CONFIG_FILE, AUTO_BOT_SPECS, DEFAULT_AUTO_BOT_CONFIG);
  }

  async onModuleInit(): Promise<void> {
    await this.settings.load();
  }

  get(): AutoBotConfig {
    return this.settings.get();
  }

  /**
   * Partial update. Known keys are validated (a bad one throws ConfigValidationError and nothing is saved);
   * unknown and computed keys (echoed back by the UI) are dropped. The two break-even trigger keys are kept mirrored.
   */
  async update(partial: Record<string, unknown>): Promise<{ config: AutoBotConfig; changes: SettingChange[]; ignored: string[] }> {
    return this.settings.update(partial, (values, current) => {
      const a = values.break_even_trigger_percent;
      const b = values.break_even_trigger;
      if (a !== undefined && a !== current.break_even_trigger_percent) values.break_even_trigger = a;
      else if (b !== undefined && b !== current.break_even_trigger) values.break_even_trigger_percent = b;
    });
  }

  /** Back to defaults, keeping `enabled` and `trading_enabled` as they are. */
  async restoreDefaults(): Promise<AutoBotConfig> {
    const current = this.settings.get();
    await this.settings.replace({ ...structuredClone(DEFAULT_AUTO_BOT_CONFIG), enabled: current.enabled, trading_enabled: current.trading_enabled });
    return this.settings.get();
  }

  reload(): Promise<void> {
    return this.settings.load();
  }

  onChange(listener: (config: AutoBotConfig, changes: SettingChange[]) => void): void {
    this.settings.onChange(listener);
  }
}
