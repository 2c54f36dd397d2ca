import { Injectable, OnModuleInit } from '@nestjs/common';
import { Mutex } from 'async-mutex';
import { Clock, isoLocal } from '../common/clock';
import { GroupCommit } from '../persistence/group-commit';
import { isJsonObject, JsonStore } from '../persistence/json-store.service';
import { AutoBotConfigService } from './auto-bot-config.service';
import {
  effectiveBotConfig,
  OVERRIDE_SPECS,
  type EffectiveBotConfig,
  type OverrideLayer,
} from './effective-bot-config';
import { coerceSettings, type SettingSpec } from './setting-spec';
import { refuseUnsupportedSettings } from './unsupported-settings';

export const INDIVIDUAL_SETTINGS_FILE = 'individual_coin_settings.json';
export type CoinSettings = Record<string, unknown> & { updated_at?: string };

/**
 * Auto-bot keys plus the coin's manual bot volume: the web UI saves its volume_mode / volume_value / leverage fields
 * with the coin's settings and reads them back into the form (and create falls back to them). The enhanced-RSI switch
 * is a system setting a coin may override (RsiService reads it).
 */
export const COIN_SETTING_SPECS: Record<string, SettingSpec> = {
  ...OVERRIDE_SPECS,
  enhanced_rsi_enabled: { type: 'bool' },
};

/** Per-coin overrides of auto-bot keys (data/individual_coin_settings.json: {SYM: {key: value, updated_at}}). */
@Injectable()
export class IndividualSettingsService implements OnModuleInit {
  private readonly mutex = new Mutex();
  private settings: Record<string, CoinSettings> = {};
  // Changes arriving during a save share the next one: one fsynced write per burst, not per coin.
  private readonly commits = new GroupCommit<Record<string, CoinSettings>>(this.mutex, {
    read: () => this.settings,
    publish: (state) => (this.settings = state),
    persist: (state) => this.store.save(INDIVIDUAL_SETTINGS_FILE, state, { onFailure: 'refused' }),
    clone: (state) => structuredClone(state),
  });

  constructor(
    private readonly store: JsonStore,
    private readonly autoBot: AutoBotConfigService,
    private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.reload();
  }

  async reload(): Promise<void> {
    await this.mutex.runExclusive(async () => {
      this.settings = await this.store.load(INDIVIDUAL_SETTINGS_FILE, { defaults: () => ({}), validate: isJsonObject });
    });
  }

  get(symbol: string): CoinSettings | undefined {
    return this.settings[symbol];
  }

  all(): Record<string, CoinSettings> {
    return this.settings;
  }

  /** Replaces the coin's overrides (validated; null values dropped). Throws ConfigValidationError on a bad value. */
  async set(symbol: string, overrides: Record<string, unknown>): Promise<CoinSettings> {
    const { values } = coerceSettings(COIN_SETTING_SPECS, overrides);
    refuseUnsupportedSettings(values);
    return this.mutate((all) => {
      all[symbol] = { ...values, updated_at: isoLocal(this.clock.now()) };
      return all[symbol];
    });
  }

  async setMany(entries: Record<string, Record<string, unknown>>): Promise<number> {
    const validated = Object.entries(entries).map(
      ([symbol, overrides]) => [symbol, coerceSettings(COIN_SETTING_SPECS, overrides).values] as const,
    );
    for (const [, values] of validated) refuseUnsupportedSettings(values);
    return this.mutate((all) => {
      for (const [symbol, values] of validated) all[symbol] = { ...values, updated_at: isoLocal(this.clock.now()) };
      return validated.length;
    });
  }

  async remove(symbol: string): Promise<boolean> {
    return this.mutate((all) => {
      if (!all[symbol]) return false;
      delete all[symbol];
      return true;
    });
  }

  /** Applies `edit` to every coin's settings; a coin left without overrides is removed. Returns coins touched. */
  async editAll(edit: (symbol: string, settings: CoinSettings) => boolean): Promise<number> {
    return this.mutate((all) => {
      let touched = 0;
      for (const [symbol, settings] of Object.entries(all)) {
        if (!edit(symbol, settings)) continue;
        touched++;
        if (Object.keys(settings).every((k) => k === 'updated_at')) delete all[symbol];
      }
      return touched;
    });
  }

  async clear(): Promise<number> {
    return this.mutate((all) => {
      const count = Object.keys(all).length;
      for (const key of Object.keys(all)) delete all[key];
      return count;
    });
  }

  /**
   * The effective settings of the coin's bot: global auto-bot config, then the bot's own overrides (none for a coin
   * without a bot), then this coin's individual settings. The one merge (config/effective-bot-config.ts).
   */
  effectiveConfig(symbol: string, botOverrides: OverrideLayer = null): EffectiveBotConfig {
    return effectiveBotConfig(this.autoBot.get(), botOverrides, this.settings[symbol]);
  }

  private mutate<R>(change: (all: Record<string, CoinSettings>) => R): Promise<R> {
    return this.commits.submit(change);
  }
}
