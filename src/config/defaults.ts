import { SUPPORTED_TIMEFRAMES, type Timeframe } from '../exchange/exchange.types';
import type { SettingSpec } from './setting-spec';

/**
 * Defaults and allowed ranges of every setting, in one place.
 * Auto-bot keys follow docs/api-contract.md §4.1 with the seed's defaults (auto-bot off, 5 concurrent bots,
 * exits at RSI 65 / 35); system keys follow §4.2 with the seed's intervals (30 s / 30 s / 300 s).
 */

const int = (min: number, max: number): SettingSpec => ({ type: 'int', min, max });
const num = (min: number, max: number): SettingSpec => ({ type: 'number', min, max });
const bool: SettingSpec = { type: 'bool' };
const percent = num(0, 100);
const rsiLevel = num(0, 100);

export const AUTO_BOT_SPECS = {
  // scope
  enabled: bool,
  max_concurrent: int(1, 500),
  risk_cap_percent: percent,
  scope: { type: 'enum', values: ['all', 'whitelist', 'blacklist'] },
  whitelist: { type: 'symbols' },
  blacklist: { type: 'symbols' },
  // RSI entry / exit
  rsi_long_threshold: rsiLevel,
  rsi_short_threshold: rsiLevel,
  rsi_exit_long_with_trend: rsiLevel,
  rsi_exit_long_against_trend: rsiLevel,
  rsi_exit_short_with_trend: rsiLevel,
  rsi_exit_short_against_trend: rsiLevel,
  rsi_exit_min_candles: int(0, 1000),
  rsi_exit_min_minutes: int(0, 525_600),
  rsi_exit_min_move_percent: num(0, 1000),
  // which candles the RSI signal, RSI exit and RSI time filter read (docs/settings.md §Signal candle)
  signal_candle: { type: 'enum', values: ['forming', 'closed'] },
  // sizing
  default_position_size: num(0, 1_000_000),
  default_position_mode: { type: 'enum', values: ['usdt', 'percent'] },
  leverage: int(1, 125),
  // loops
  check_interval: int(1, 86_400),
  monitoring_interval: int(1, 86_400),
  trading_enabled: bool,
  use_test_server: bool,
  // risk
  max_loss_percent: num(0, 100),
  take_profit_percent: num(0, 1000),
  close_at_profit_enabled: bool,
  // trailing
  trailing_stop_activation: num(0, 1000),
  trailing_stop_distance: num(0, 100),
  trailing_take_distance: num(0, 100),
  trailing_update_interval: int(0, 86_400),
  // time, break-even
  max_position_hours: num(0, 8760),
  break_even_protection: bool,
  break_even_trigger: num(0, 1000),
  break_even_trigger_percent: num(0, 1000),
  exit_wait_breakeven_when_loss: bool,
  // re-entry
  loss_reentry_protection: bool,
  loss_reentry_candles: int(0, 1000),
  loss_reentry_count: int(1, 100),
  min_volatility_threshold: num(0, 100),
  // trend
  trend_detection_enabled: bool,
  avoid_down_trend: bool,
  avoid_up_trend: bool,
  trend_analysis_period: int(2, 1000),
  trend_price_change_threshold: num(0, 1000),
  trend_candles_threshold: percent,
  // maturity
  enable_maturity_check: bool,
  min_candles_for_maturity: int(15, 1000),
  min_rsi_low: rsiLevel,
  max_rsi_high: rsiLevel,
  // RSI time filter
  rsi_time_filter_enabled: bool,
  rsi_time_filter_candles: int(2, 100),
  rsi_time_filter_upper: rsiLevel,
  rsi_time_filter_lower: rsiLevel,
  // limit-order entry: stored for the UI; switching it on is refused (config/unsupported-settings.ts)
  limit_orders_entry_enabled: bool,
  limit_orders_percent_steps: { type: 'numbers', min: 0, max: 100, maxItems: 20 },
  limit_orders_margin_amounts: { type: 'numbers', min: 0, max: 1_000_000, maxItems: 20 },
  // exit scam / anti-pump
  exit_scam_enabled: bool,
  exit_scam_auto_learn_enabled: bool,
  exit_scam_candles: int(1, 1000),
  exit_scam_single_candle_percent: num(0, 10_000),
  exit_scam_multi_candle_count: int(1, 1000),
  exit_scam_multi_candle_percent: num(0, 10_000),
  // AI pass-through (opaque flags the UI shows; nothing here acts on them)
  ai_enabled: bool,
  ai_min_confidence: num(0, 1),
  ai_override_original: bool,
  ai_optimal_entry_enabled: bool,
  anomaly_detection_enabled: bool,
  anomaly_block_threshold: num(0, 1),
  anomaly_log_enabled: bool,
  auto_train_enabled: bool,
  retrain_interval: int(0, 31_536_000),
  retrain_hour: int(0, 23),
  lstm_enabled: bool,
  lstm_min_confidence: num(0, 1),
  lstm_weight: num(0, 100),
  pattern_enabled: bool,
  pattern_min_confidence: num(0, 1),
  pattern_weight: num(0, 100),
  log_predictions: bool,
  log_anomalies: bool,
  log_patterns: bool,
  risk_management_enabled: bool,
  self_learning_enabled: bool,
  smc_enabled: bool,
  auto_update_data: bool,
  auto_retrain: bool,
  data_update_interval: int(0, 31_536_000),
  risk_update_interval: int(0, 31_536_000),
  // UI-only keys the auto-bot page shows (the system-owned keys are in docs/settings.md)
  auto_refresh_ui: bool,
  mini_chart_update_interval: int(1, 86_400),
  // account protections (docs/protections.md): each off until its *_enabled is true
  max_drawdown_enabled: bool,
  max_drawdown_percent: num(0.1, 100),
  max_drawdown_lookback_hours: num(0.1, 720),
  max_drawdown_lock_hours: num(0.1, 720),
  max_drawdown_close_positions: bool,
  stoploss_guard_enabled: bool,
  stoploss_guard_trade_limit: int(1, 100),
  stoploss_guard_lookback_hours: num(0.1, 720),
  stoploss_guard_lock_hours: num(0.1, 720),
  stoploss_guard_per_coin: bool,
  daily_loss_limit_enabled: bool,
  daily_loss_limit_usdt: num(0, 1_000_000_000),
  daily_loss_limit_percent: percent,
  exit_cooldown_enabled: bool,
  exit_cooldown_minutes: int(1, 43_200),
  low_profit_enabled: bool,
  low_profit_trade_count: int(1, 100),
  low_profit_max_loss_percent: num(0, 10_000),
  low_profit_lock_hours: num(0.1, 720),
  risk_cap_enabled: bool,
} satisfies Record<string, SettingSpec>;

/**
 * Which candles a coin's RSI is computed on: 'forming' (the live candle too, moving with the price: the original
 * service's behaviour) or 'closed' (only closed candles: the backtest's semantic). docs/settings.md §Signal candle.
 */
export type SignalCandle = 'forming' | 'closed';

export type AutoBotConfig = {
  enabled: boolean;
  max_concurrent: number;
  scope: 'all' | 'whitelist' | 'blacklist';
  whitelist: string[];
  blacklist: string[];
  default_position_mode: 'usdt' | 'percent';
  signal_candle: SignalCandle;
  limit_orders_percent_steps: number[];
  limit_orders_margin_amounts: number[];
} & {
  [
    K in Exclude<
      keyof typeof AUTO_BOT_SPECS,
      | 'scope'
      | 'whitelist'
      | 'blacklist'
      | 'default_position_mode'
      | 'signal_candle'
      | 'limit_orders_percent_steps'
      | 'limit_orders_margin_amounts'
    >
  ]: (typeof AUTO_BOT_SPECS)[K] extends { type: 'bool' } ? boolean : number;
};

export const DEFAULT_AUTO_BOT_CONFIG: Readonly<AutoBotConfig> = Object.freeze({
  enabled: false,
  max_concurrent: 5,
  risk_cap_percent: 10,
  scope: 'all',
  whitelist: [],
  blacklist: [],
  rsi_long_threshold: 29,
  rsi_short_threshold: 71,
  rsi_exit_long_with_trend: 65,
  rsi_exit_long_against_trend: 65,
  rsi_exit_short_with_trend: 35,
  rsi_exit_short_against_trend: 35,
  rsi_exit_min_candles: 0,
  rsi_exit_min_minutes: 0,
  rsi_exit_min_move_percent: 0,
  signal_candle: 'forming',
  default_position_size: 5,
  default_position_mode: 'percent',
  leverage: 10,
  check_interval: 180,
  monitoring_interval: 10,
  trading_enabled: true,
  use_test_server: false,
  max_loss_percent: 15,
  take_profit_percent: 5,
  close_at_profit_enabled: true,
  trailing_stop_activation: 10,
  trailing_stop_distance: 5,
  trailing_take_distance: 0.5,
  trailing_update_interval: 3,
  max_position_hours: 0,
  break_even_protection: true,
  break_even_trigger: 5,
  break_even_trigger_percent: 5,
  exit_wait_breakeven_when_loss: true,
  loss_reentry_protection: true,
  loss_reentry_candles: 3,
  loss_reentry_count: 1,
  min_volatility_threshold: 0.05,
  trend_detection_enabled: true,
  avoid_down_trend: false,
  avoid_up_trend: false,
  trend_analysis_period: 30,
  trend_price_change_threshold: 7,
  trend_candles_threshold: 70,
  enable_maturity_check: true,
  min_candles_for_maturity: 400,
  min_rsi_low: 35,
  max_rsi_high: 65,
  rsi_time_filter_enabled: true,
  rsi_time_filter_candles: 7,
  rsi_time_filter_upper: 65,
  rsi_time_filter_lower: 35,
  limit_orders_entry_enabled: false,
  limit_orders_percent_steps: [0, 0.5, 1, 1.5, 2],
  limit_orders_margin_amounts: [5, 5, 5, 5, 5],
  exit_scam_enabled: true,
  exit_scam_auto_learn_enabled: false,
  exit_scam_candles: 8,
  exit_scam_single_candle_percent: 15,
  exit_scam_multi_candle_count: 4,
  exit_scam_multi_candle_percent: 50,
  ai_enabled: false,
  ai_min_confidence: 0.7,
  ai_override_original: true,
  ai_optimal_entry_enabled: false,
  anomaly_detection_enabled: false,
  anomaly_block_threshold: 0.7,
  anomaly_log_enabled: true,
  auto_train_enabled: false,
  retrain_interval: 604_800,
  retrain_hour: 3,
  lstm_enabled: false,
  lstm_min_confidence: 0.6,
  lstm_weight: 1.5,
  pattern_enabled: false,
  pattern_min_confidence: 0.6,
  pattern_weight: 1.2,
  log_predictions: true,
  log_anomalies: true,
  log_patterns: true,
  risk_management_enabled: true,
  self_learning_enabled: false,
  smc_enabled: false,
  auto_update_data: true,
  auto_retrain: false,
  data_update_interval: 86_400,
  risk_update_interval: 300,
  auto_refresh_ui: true,
  mini_chart_update_interval: 30,
  // account protections (docs/protections.md): off by default (the original had none); the values apply once enabled
  max_drawdown_enabled: false,
  max_drawdown_percent: 10,
  max_drawdown_lookback_hours: 24,
  max_drawdown_lock_hours: 12,
  max_drawdown_close_positions: false,
  stoploss_guard_enabled: false,
  stoploss_guard_trade_limit: 3,
  stoploss_guard_lookback_hours: 6,
  stoploss_guard_lock_hours: 6,
  stoploss_guard_per_coin: false,
  daily_loss_limit_enabled: false,
  daily_loss_limit_usdt: 0,
  daily_loss_limit_percent: 5,
  exit_cooldown_enabled: false,
  exit_cooldown_minutes: 60,
  low_profit_enabled: false,
  low_profit_trade_count: 3,
  low_profit_max_loss_percent: 10,
  low_profit_lock_hours: 12,
  risk_cap_enabled: false,
} as AutoBotConfig);

export const SYSTEM_SPECS = {
  rsi_update_interval: int(5, 86_400),
  auto_save_interval: int(1, 86_400),
  refresh_interval: int(1, 3600),
  bot_status_update_interval: int(1, 86_400),
  position_sync_interval: int(1, 86_400),
  inactive_bot_cleanup_interval: int(1, 86_400),
  inactive_bot_timeout: int(1, 864_000),
  stop_loss_setup_interval: int(1, 86_400),
  delisting_scan_interval: int(60, 604_800),
  debug_mode: bool,
  enhanced_rsi_enabled: bool,
  enhanced_rsi_require_volume_confirmation: bool,
  enhanced_rsi_require_divergence_confirmation: bool,
  enhanced_rsi_use_stoch_rsi: bool,
  rsi_extreme_zone_timeout: int(0, 1000),
  rsi_extreme_oversold: int(0, 100),
  rsi_extreme_overbought: int(0, 100),
  rsi_volume_confirmation_multiplier: num(0, 100),
  rsi_divergence_lookback: int(2, 500),
  trend_confirmation_bars: int(1, 100),
  trend_min_confirmations: int(1, 10),
  trend_require_slope: bool,
  trend_require_price: bool,
  trend_require_candles: bool,
  system_timeframe: { type: 'enum', values: SUPPORTED_TIMEFRAMES },
  bybit_margin_mode: { type: 'enum', values: ['auto', 'cross', 'isolated'] },
} satisfies Record<string, SettingSpec>;

export type SystemConfig = {
  system_timeframe: Timeframe;
  bybit_margin_mode: 'auto' | 'cross' | 'isolated';
} & {
  [
    K in Exclude<keyof typeof SYSTEM_SPECS, 'system_timeframe' | 'bybit_margin_mode'>
  ]: (typeof SYSTEM_SPECS)[K] extends { type: 'bool' } ? boolean : number;
};

export const DEFAULT_SYSTEM_CONFIG: Readonly<SystemConfig> = Object.freeze({
  rsi_update_interval: 300,
  auto_save_interval: 30,
  refresh_interval: 2,
  bot_status_update_interval: 30,
  position_sync_interval: 30,
  inactive_bot_cleanup_interval: 60,
  inactive_bot_timeout: 60,
  stop_loss_setup_interval: 10,
  delisting_scan_interval: 3600,
  debug_mode: false,
  enhanced_rsi_enabled: false,
  enhanced_rsi_require_volume_confirmation: true,
  enhanced_rsi_require_divergence_confirmation: false,
  enhanced_rsi_use_stoch_rsi: true,
  rsi_extreme_zone_timeout: 3,
  rsi_extreme_oversold: 20,
  rsi_extreme_overbought: 80,
  rsi_volume_confirmation_multiplier: 1.2,
  rsi_divergence_lookback: 10,
  trend_confirmation_bars: 3,
  trend_min_confirmations: 2,
  trend_require_slope: false,
  trend_require_price: true,
  trend_require_candles: true,
  system_timeframe: '6h',
  bybit_margin_mode: 'auto',
});
