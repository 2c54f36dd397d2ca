import type { AutoBotConfig } from '../../config/defaults';
import type { ExitScamParams } from './exit-scam';
import type { LossReentryParams } from './loss-reentry';
import type { RsiTimeFilterParams } from './rsi-time-filter';

/**
 * The filter rules' parameters read out of the settings: pure, so the live FilterService and the backtest replay
 * (a worker thread that must not load Nest) map settings the same way (docs/trading-logic.md §5.1).
 */

/** The record flags need this many candles (exit-scam and loss re-entry; the time filter needs 50). */
export const FLAG_MIN_CANDLES = 10;

export function rsiTimeFilterParams(config: AutoBotConfig): RsiTimeFilterParams {
  return {
    candles: config.rsi_time_filter_candles,
    lower: config.rsi_time_filter_lower,
    upper: config.rsi_time_filter_upper,
    longThreshold: config.rsi_long_threshold,
    shortThreshold: config.rsi_short_threshold,
  };
}

export function exitScamParams(config: AutoBotConfig): ExitScamParams {
  return {
    candles: config.exit_scam_candles,
    singleCandlePercent: config.exit_scam_single_candle_percent,
    multiCandleCount: config.exit_scam_multi_candle_count,
    multiCandlePercent: config.exit_scam_multi_candle_percent,
  };
}

export function lossReentryParams(config: AutoBotConfig): LossReentryParams {
  return { count: config.loss_reentry_count, candles: config.loss_reentry_candles };
}
