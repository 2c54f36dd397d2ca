import type { AutoBotConfig } from '../config/defaults';
import type { CooldownParams } from './rules/cooldown';
import type { DailyLossParams } from './rules/daily-loss';
import type { LowProfitParams } from './rules/low-profit';
import type { MaxDrawdownParams } from './rules/max-drawdown';
import { HOUR_MS, MINUTE_MS } from './rules/rule.types';
import type { StoplossGuardParams } from './rules/stoploss-guard';

type Toggle<T> = { enabled: boolean } & T;

/** The protection settings in the units the rules take (docs/protections.md lists the keys). */
export interface ProtectionSettings {
  maxDrawdown: Toggle<MaxDrawdownParams & { closePositions: boolean }>;
  stoplossGuard: Toggle<StoplossGuardParams>;
  dailyLoss: Toggle<DailyLossParams>;
  cooldown: Toggle<CooldownParams>;
  lowProfit: Toggle<LowProfitParams>;
  riskCap: Toggle<{ percent: number }>;
}

export function protectionSettings(config: AutoBotConfig): ProtectionSettings {
  return {
    maxDrawdown: {
      enabled: config.max_drawdown_enabled,
      percent: config.max_drawdown_percent,
      lookbackMs: config.max_drawdown_lookback_hours * HOUR_MS,
      lockMs: config.max_drawdown_lock_hours * HOUR_MS,
      closePositions: config.max_drawdown_close_positions,
    },
    stoplossGuard: {
      enabled: config.stoploss_guard_enabled,
      tradeLimit: config.stoploss_guard_trade_limit,
      lookbackMs: config.stoploss_guard_lookback_hours * HOUR_MS,
      lockMs: config.stoploss_guard_lock_hours * HOUR_MS,
      perCoin: config.stoploss_guard_per_coin,
    },
    dailyLoss: {
      enabled: config.daily_loss_limit_enabled,
      limitUsdt: config.daily_loss_limit_usdt,
      limitPercent: config.daily_loss_limit_percent,
    },
    cooldown: { enabled: config.exit_cooldown_enabled, cooldownMs: config.exit_cooldown_minutes * MINUTE_MS },
    lowProfit: {
      enabled: config.low_profit_enabled,
      tradeCount: config.low_profit_trade_count,
      maxLossPercent: config.low_profit_max_loss_percent,
      lockMs: config.low_profit_lock_hours * HOUR_MS,
    },
    riskCap: { enabled: config.risk_cap_enabled, percent: config.risk_cap_percent },
  };
}
