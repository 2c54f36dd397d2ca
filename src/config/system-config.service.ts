import { Injectable, OnModuleInit } from '@nestjs/common';
import { isTimeframe, type Timeframe } from '../exchange/exchange.types';
import { JsonStore } from '../persistence/json-store.service';
import { ConfigValidationError } from './config-validation.error';
import { DEFAULT_SYSTEM_CONFIG, SYSTEM_SPECS, type SystemConfig } from './defaults';
import { SettingsFile, type SettingChange } from './settings-file';

export const SYSTEM_CONFIG_FILE = 'system_config.json';

/** data/system_config.json merged over the defaults: worker intervals, enhanced RSI, trend, timeframe. */
@Injectable()
export class SystemConfigService implements OnModuleInit {
  private readonly settings: SettingsFile<SystemConfig>;

  constructor(store: JsonStore) {
    this.settings = new SettingsFile(store, SYSTEM_CONFIG_FILE, SYSTEM_SPECS, DEFAULT_SYSTEM_CONFIG);
  }

  async onModuleInit(): Promise<void> {
    await this.settings.load();
  }

  get(): SystemConfig {
    return this.settings.get();
  }

  get timeframe(): Timeframe {
    return this.settings.get().system_timeframe;
  }

  async setTimeframe(timeframe: string): Promise<void> {
    if (!isTimeframe(timeframe)) {
      throw new ConfigValidationError('timeframe', `timeframe must be one of the supported timeframes`);
    }
    await this.settings.update({ system_timeframe: timeframe });
  }

  /** Partial update; the timeframe is changed only through setTimeframe (the /timeframe endpoint). */
  async update(
    partial: Record<string, unknown>,
  ): Promise<{ config: SystemConfig; changed: string[]; changes: SettingChange[]; ignored: string[] }> {
    const { system_timeframe: _ignored, ...rest } = partial;
    const { config, changes, ignored } = await this.settings.update(rest);
    return { config, changed: changes.map((c) => c.key), changes, ignored };
  }

  reload(): Promise<void> {
    return this.settings.load();
  }

  onChange(listener: (config: SystemConfig, changes: SettingChange[]) => void): void {
    this.settings.onChange(listener);
  }
}
