import { mirrorBreakEvenTrigger } from './break-even-trigger';
import { ConfigValidationError } from './config-validation.error';
import { AUTO_BOT_SPECS, type AutoBotConfig } from './defaults';
import { coerceSetting, type SettingSpec } from './setting-spec';

/** The manual bot's volume the web UI stores with a coin's individual settings (create falls back to it). */
export const MANUAL_VOLUME_SPECS = {
  volume_mode: { type: 'enum', values: ['usdt', 'percent', 'qty', 'fixed_usdt', 'percent_balance', 'fixed_qty'] },
  volume_value: { type: 'number', min: 0, max: 1_000_000_000 },
} as const satisfies Record<string, SettingSpec>;

export type ManualVolumeMode = (typeof MANUAL_VOLUME_SPECS.volume_mode.values)[number];

/** Keys a bot's or a coin's override layer may set: every auto-bot key plus the manual volume. */
export const OVERRIDE_SPECS: Readonly<Record<string, SettingSpec>> = { ...AUTO_BOT_SPECS, ...MANUAL_VOLUME_SPECS };

/** What every reader of a bot's settings gets: fully typed, every auto-bot key present. */
export type EffectiveBotConfig = Readonly<AutoBotConfig & { volume_mode?: ManualVolumeMode; volume_value?: number }>;

/** One override layer as stored (bot record `config`, a coin's individual settings): untyped data from a file. */
export type OverrideLayer = Readonly<Record<string, unknown>> | null | undefined;

function typedValues(layer: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(layer)) {
    const spec = OVERRIDE_SPECS[key];
    if (!spec || raw === null || raw === undefined) continue;
    try {
      values[key] = coerceSetting(key, spec, raw);
    } catch (error) {
      // A value a file holds outside its range (written by an older version) does not override: the lower layer stands.
      if (!(error instanceof ConfigValidationError)) throw error;
    }
  }
  // The two break-even trigger keys are one setting: a layer that sets one sets both.
  mirrorBreakEvenTrigger(values);
  return values;
}

/**
 * A bot's effective settings, the one merge every reader uses (docs/settings.md): the global auto-bot config, then the
 * bot's own overrides, then the coin's individual settings (per-coin → bot → global, the first that sets a key wins).
 * Unknown keys are ignored; values are coerced by the same specs that validate writes; a value outside its range is
 * skipped. Pure.
 */
export function effectiveBotConfig(
  global: Readonly<AutoBotConfig>,
  bot: OverrideLayer,
  coin: OverrideLayer,
): EffectiveBotConfig {
  const layers = [bot, coin].filter(
    (layer): layer is Readonly<Record<string, unknown>> => !!layer && Object.keys(layer).length > 0,
  );
  if (layers.length === 0) return global;
  const merged: Record<string, unknown> = { ...global };
  for (const layer of layers) Object.assign(merged, typedValues(layer));
  // Every key was copied from the typed global or coerced by its spec above.
  return merged as EffectiveBotConfig;
}
