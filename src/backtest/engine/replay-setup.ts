import {
  botLeverage,
  exitDelays,
  exitThresholds,
  protectionSettings,
  waitBreakevenWhenLoss,
} from '../../bots/engine/bot-settings';
import type { ProtectionSettings } from '../../bots/engine/protection';
import type { RsiExitDelaySettings } from '../../bots/engine/rsi-exit';
import { effectiveBotConfig, type EffectiveBotConfig } from '../../config/effective-bot-config';
import type { FilterDecision } from '../../filters/filter.types';
import { checkScope, compileScope } from '../../filters/rules/scope';
import type { MaturityParams } from '../../maturity/maturity.rules';
import type { ExitThresholds } from '../../rules/signal';
import type { TrendParams } from '../../rsi/indicators/trend';
import type { BacktestParams, BacktestSymbol } from './backtest.types';

// What the replay (backtest-engine.ts) reads once before its loop: each coin's settings and the time grid.

export /** Per-coin settings read once: the replay never re-merges configs in the loop. */
interface CoinSettings {
  config: EffectiveBotConfig;
  protection: ProtectionSettings;
  thresholds: ExitThresholds;
  delays: RsiExitDelaySettings;
  waitWhenLoss: boolean;
  /** The scope decision of the coin: its lists do not change during a run. */
  scope: FilterDecision;
  trend: TrendParams;
  maturity: MaturityParams;
  leverage: number;
}

export function coinSettings(params: BacktestParams, coin: BacktestSymbol): CoinSettings {
  const config = effectiveBotConfig(params.config, null, coin.overrides);
  // A backtest bot has no leverage of its own: the configured one, within the instrument's cap.
  const leverage = botLeverage(null, config.leverage, coin.rules.maxLeverage);
  return {
    config,
    protection: protectionSettings(config, leverage),
    thresholds: exitThresholds(config),
    delays: exitDelays(config),
    waitWhenLoss: waitBreakevenWhenLoss(config),
    scope: checkScope(coin.symbol, compileScope(config)),
    trend: {
      period: config.trend_analysis_period,
      priceChangeThreshold: config.trend_price_change_threshold,
      candlesThreshold: config.trend_candles_threshold,
    },
    maturity: {
      minCandles: config.min_candles_for_maturity,
      minRsiLow: config.min_rsi_low,
      maxRsiHigh: config.max_rsi_high,
      timeframe: params.timeframe,
    },
    leverage,
  };
}

/**
 * Every candle open time of the universe, ascending, once. Candles on one grid of `stepMs` (the exchanges align
 * them) give the stepped range from the first to the last, no sort needed; otherwise every time, sorted.
 */
export function timeGrid(universe: readonly BacktestSymbol[], stepMs: number): Float64Array {
  let first = Infinity;
  let last = -Infinity;
  for (const coin of universe) {
    if (coin.candles.length === 0) continue;
    first = Math.min(first, coin.candles.time[0]);
    last = Math.max(last, coin.candles.time[coin.candles.length - 1]);
  }
  if (first === Infinity) return new Float64Array(0);
  let aligned = stepMs > 0;
  for (const coin of universe) {
    const t = coin.candles.time;
    const n = coin.candles.length;
    if (n === 0 || !aligned) continue;
    // A coin without gaps only needs its first candle checked; one with gaps, every candle.
    if ((t[0] - first) % stepMs !== 0) aligned = false;
    else if (t[n - 1] - t[0] !== (n - 1) * stepMs) {
      for (let i = 0; aligned && i < n; i++) if ((t[i] - first) % stepMs !== 0) aligned = false;
    }
  }
  if (aligned) {
    const grid = new Float64Array((last - first) / stepMs + 1);
    for (let g = 0; g < grid.length; g++) grid[g] = first + g * stepMs;
    return grid;
  }
  let total = 0;
  for (const coin of universe) total += coin.candles.length;
  const all = new Float64Array(total);
  let k = 0;
  for (const coin of universe) {
    all.set(coin.candles.time.subarray(0, coin.candles.length), k);
    k += coin.candles.length;
  }
  all.sort();
  let unique = 0;
  for (let j = 0; j < all.length; j++) if (j === 0 || all[j] !== all[j - 1]) all[unique++] = all[j];
  return all.slice(0, unique);
}
