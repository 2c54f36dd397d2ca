import type { SystemConfig } from './defaults';

/**
 * System settings the original also kept on its auto-bot page (docs/api-contract.md §4.1; owners in docs/settings.md).
 * The system config owns them (docs/settings.md): the auto-bot table no longer stores them, GET /auto-bot shows the
 * system's values, and an auto-bot write that carries one is applied to the system config.
 */
export const SYSTEM_OWNED_AUTO_BOT_KEYS = [
  'enhanced_rsi_enabled',
  'enhanced_rsi_require_volume_confirmation',
  'enhanced_rsi_require_divergence_confirmation',
  'enhanced_rsi_use_stoch_rsi',
  'rsi_divergence_lookback',
  'rsi_extreme_oversold',
  'rsi_extreme_overbought',
  'rsi_extreme_zone_timeout',
  'rsi_volume_confirmation_multiplier',
  'refresh_interval',
  'rsi_update_interval',
  'auto_save_interval',
  'debug_mode',
  'inactive_bot_cleanup_interval',
  'inactive_bot_timeout',
  'position_sync_interval',
  'stop_loss_setup_interval',
  'system_timeframe',
] as const satisfies ReadonlyArray<keyof SystemConfig>;

export type SystemOwnedAutoBotKey = (typeof SYSTEM_OWNED_AUTO_BOT_KEYS)[number];

const SYSTEM_OWNED = new Set<string>(SYSTEM_OWNED_AUTO_BOT_KEYS);

export function isSystemOwnedKey(key: string): key is SystemOwnedAutoBotKey {
  return SYSTEM_OWNED.has(key);
}

/** Splits an auto-bot body into the keys the system config owns and the rest. */
export function splitAutoBotBody(body: Readonly<Record<string, unknown>>): {
  autoBot: Record<string, unknown>;
  system: Record<string, unknown>;
} {
  const autoBot: Record<string, unknown> = {};
  const system: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) (isSystemOwnedKey(key) ? system : autoBot)[key] = value;
  return { autoBot, system };
}

/** The system's values of the keys the auto-bot page shows. */
export function systemOwnedValues(system: Readonly<SystemConfig>): Pick<SystemConfig, SystemOwnedAutoBotKey> {
  const out: Partial<Pick<SystemConfig, SystemOwnedAutoBotKey>> = {};
  for (const key of SYSTEM_OWNED_AUTO_BOT_KEYS) (out as Record<string, unknown>)[key] = system[key];
  return out as Pick<SystemConfig, SystemOwnedAutoBotKey>;
}
