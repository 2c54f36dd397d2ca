import type { AutoBotConfig } from '../../config/defaults';
import { stopLossPercentWithinLiquidation, type ProtectionSettings } from './protection';
import { DEFAULT_EXIT_THRESHOLDS, pickLevel, type ExitThresholds } from '../../filters/rules/signal';
import type { RsiExitDelaySettings } from './rsi-exit';

/** Reads the engine's settings out of an (effective) auto-bot config. */

type ConfigLike = Partial<AutoBotConfig> & Record<string, unknown>;

function num(config: ConfigLike, key: string, fallback: number): number {
  const v = config[key];
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : fallback;
}

function bool(config: ConfigLike, key: string, fallback: boolean): boolean {
  const v = config[key];
  return typeof v === 'boolean' ? v : fallback;
}

/**
 * The bot's effective config: global, then the bot's own overrides, then the coin's individual settings
 * (docs/trading-logic.md §5.3 lookup order: per-coin → bot → global).
 */
export function mergeBotConfig(global: ConfigLike, botConfig: Record<string, unknown>, coinSettings: Record<string, unknown> | null | undefined): ConfigLike {
  const merged: Record<string, unknown> = { ...global };
  for (const source of [botConfig, coinSettings ?? {}]) {
    for (const [key, value] of Object.entries(source)) if (value !== null && value !== undefined) merged[key] = value;
  }
  return merged as ConfigLike;
}

export function protectionSettings(config: ConfigLike): ProtectionSettings {
  const beTriggerPercent = num(config, 'break_even_trigger_percent', 0);
  return {
    maxLossPercent: stopLossPercentWithinLiquidation(num(config, 'max_loss_percent', 15), num(config, 'leverage', 10)),
    takeProfitPercent: num(config, 'take_profit_percent', 5),
    closeAtProfitEnabled: bool(config, 'close_at_profit_enabled', true),
    trailingActivation: num(config, 'trailing_stop_activation', 10),
    trailingDistance: num(config, 'trailing_stop_distance', 5),
    trailingUpdateIntervalSec: num(config, 'trailing_update_interval', 3),
    maxPositionHours: num(config, 'max_position_hours', 0),
    breakEvenProtection: bool(config, 'break_even_protection', true),
    breakEvenTrigger: beTriggerPercent > 0 ? beTriggerPercent : num(config, 'break_even_trigger', 20),
  };
}

/** Exit levels (§5.3); a 0 or missing value falls back to the seed's 65 / 35. */
export function exitThresholds(config: ConfigLike): ExitThresholds {
  const d = DEFAULT_EXIT_THRESHOLDS;
  return {
    longWithTrend: pickLevel(config.rsi_exit_long_with_trend) ?? d.longWithTrend,
    longAgainstTrend: pickLevel(config.rsi_exit_long_against_trend) ?? d.longAgainstTrend,
    shortWithTrend: pickLevel(config.rsi_exit_short_with_trend) ?? d.shortWithTrend,
    shortAgainstTrend: pickLevel(config.rsi_exit_short_against_trend) ?? d.shortAgainstTrend,
  };
}

export function exitDelays(config: ConfigLike): RsiExitDelaySettings {
  return {
    minCandles: num(config, 'rsi_exit_min_candles', 0),
    minMinutes: num(config, 'rsi_exit_min_minutes', 0),
    minMovePercent: num(config, 'rsi_exit_min_move_percent', 0),
  };
}

export function waitBreakevenWhenLoss(config: ConfigLike): boolean {
  return bool(config, 'exit_wait_breakeven_when_loss', false);
}
