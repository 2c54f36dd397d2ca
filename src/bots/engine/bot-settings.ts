import { DEFAULT_AUTO_BOT_CONFIG } from '../../config/defaults';
import type { EffectiveBotConfig } from '../../config/effective-bot-config';
import { pickLevel, type ExitThresholds } from '../../rules/signal';
import { stopLossPercentWithinLiquidation, type ProtectionSettings } from './protection';
import type { RsiExitDelaySettings } from './rsi-exit';

/**
 * The engine's settings read out of a bot's effective config (src/config/effective-bot-config.ts builds it per
 * docs/trading-logic.md §5.3, typed and complete, so nothing here restates a default).
 */

/** The highest leverage assumed when the instrument names none. */
const DEFAULT_MAX_LEVERAGE = 125;

/**
 * The leverage a bot's position runs at: the bot's own (given at creation, then the one its order was placed with or
 * the exchange shows), else the configured one; whole, at least 1x and at most what the instrument allows. Every
 * stop-loss distance is measured at this leverage, so the entry stop, the monitor's max-loss check and a restored stop
 * agree (live and backtest alike).
 */
export function botLeverage(
  ownLeverage: number | null | undefined,
  configuredLeverage: number,
  maxLeverage: number | undefined,
): number {
  return Math.max(1, Math.min(Math.round(ownLeverage || configuredLeverage), maxLeverage || DEFAULT_MAX_LEVERAGE));
}

/** The fixed stop-loss distance (price %) of a position at `leverage`: max_loss_percent, inside the liquidation. */
export function stopLossPercent(config: EffectiveBotConfig, leverage: number): number {
  return stopLossPercentWithinLiquidation(config.max_loss_percent, leverage);
}

/** `leverage` is the position's, from `botLeverage` (not config.leverage: a bot or instrument may override it). */
export function protectionSettings(config: EffectiveBotConfig, leverage: number): ProtectionSettings {
  return {
    maxLossPercent: stopLossPercent(config, leverage),
    takeProfitPercent: config.take_profit_percent,
    closeAtProfitEnabled: config.close_at_profit_enabled,
    trailingActivation: config.trailing_stop_activation,
    trailingDistance: config.trailing_stop_distance,
    trailingUpdateIntervalSec: config.trailing_update_interval,
    maxPositionHours: config.max_position_hours,
    breakEvenProtection: config.break_even_protection,
    // The two trigger keys are mirrored on every write; a 0 in the percent spelling defers to the other one.
    breakEvenTrigger:
      config.break_even_trigger_percent > 0 ? config.break_even_trigger_percent : config.break_even_trigger,
  };
}

/** The exchange take-profit at entry, in % from entry (0 = none): the bot's own take_profit_percent. */
export function entryTakeProfitPercent(config: EffectiveBotConfig): number {
  return config.close_at_profit_enabled ? config.take_profit_percent : 0;
}

/** Exit levels (docs/settings.md); a level of 0 means "not set" and takes the default config's level. */
export type ExitLevelSettings = Pick<
  EffectiveBotConfig,
  | 'rsi_exit_long_with_trend'
  | 'rsi_exit_long_against_trend'
  | 'rsi_exit_short_with_trend'
  | 'rsi_exit_short_against_trend'
>;

export function exitThresholds(config: ExitLevelSettings): ExitThresholds {
  const d = DEFAULT_AUTO_BOT_CONFIG;
  return {
    longWithTrend: pickLevel(config.rsi_exit_long_with_trend) ?? d.rsi_exit_long_with_trend,
    longAgainstTrend: pickLevel(config.rsi_exit_long_against_trend) ?? d.rsi_exit_long_against_trend,
    shortWithTrend: pickLevel(config.rsi_exit_short_with_trend) ?? d.rsi_exit_short_with_trend,
    shortAgainstTrend: pickLevel(config.rsi_exit_short_against_trend) ?? d.rsi_exit_short_against_trend,
  };
}

export function exitDelays(config: EffectiveBotConfig): RsiExitDelaySettings {
  return {
    minCandles: config.rsi_exit_min_candles,
    minMinutes: config.rsi_exit_min_minutes,
    minMovePercent: config.rsi_exit_min_move_percent,
  };
}

export function waitBreakevenWhenLoss(config: EffectiveBotConfig): boolean {
  return config.exit_wait_breakeven_when_loss;
}
