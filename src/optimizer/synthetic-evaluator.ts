import type { CandleColumns, EvaluateCandidate } from './evaluation-port';
import type { TradeResult } from './objective';
import type { CandidateParams } from './search-space';

/**
 * A stand-in for the backtest engine with a KNOWN optimum, for tests and the bench (docs/optimizer.md).
 * It walks every candle of every symbol (a Wilder RSI, so its cost scales with the data like a backtest) and
 * closes a trade every TRADE_EVERY candles. A trade's PnL = quality(params) + a data-driven noise term that does not
 * depend on the parameters, so net PnL, Sharpe, Sortino, profit factor and Calmar all peak at SYNTHETIC_OPTIMUM.
 */
export const SYNTHETIC_OPTIMUM: Record<string, number | boolean> = {
  rsi_long_threshold: 24,
  rsi_short_threshold: 76,
  rsi_exit_long_with_trend: 70,
  rsi_exit_short_with_trend: 31,
  max_loss_percent: 11,
  take_profit_percent: 7.5,
  trailing_stop_activation: 14,
  trailing_stop_distance: 3.5,
  break_even_trigger: 6,
  leverage: 7,
  trend_detection_enabled: true,
  exit_scam_enabled: false,
};
/** Distance at which a parameter costs one full quality point. */
const WIDTH: Record<string, number> = {
  rsi_long_threshold: 10,
  rsi_short_threshold: 10,
  rsi_exit_long_with_trend: 10,
  rsi_exit_short_with_trend: 10,
  max_loss_percent: 8,
  take_profit_percent: 5,
  trailing_stop_activation: 10,
  trailing_stop_distance: 5,
  break_even_trigger: 5,
  leverage: 5,
};
export const TRADE_EVERY = 25;

export function syntheticQuality(params: CandidateParams): number {
  let penalty = 0;
  for (const [key, value] of Object.entries(params)) {
    const best = SYNTHETIC_OPTIMUM[key];
    if (best === undefined) continue;
    if (typeof best === 'boolean') penalty += value === best ? 0 : 0.5;
    else penalty += ((Number(value) - best) / (WIDTH[key] ?? 10)) ** 2;
  }
  return 1 - penalty;
}

export function createEvaluator(data: CandleColumns): EvaluateCandidate {
  return (params) => {
    const quality = syntheticQuality(params);
    const period = 14;
    const trades: TradeResult[] = [];
    for (let s = 0; s < data.symbols.length; s++) {
      const base = s * data.candles;
      let avgGain = 0;
      let avgLoss = 0;
      let rsi = 50;
      for (let i = 1; i < data.candles; i++) {
        const change = data.close[base + i] - data.close[base + i - 1];
        avgGain = (avgGain * (period - 1) + Math.max(change, 0)) / period;
        avgLoss = (avgLoss * (period - 1) + Math.max(-change, 0)) / period;
        rsi = avgLoss === 0 ? 100 : 100 - 100 / (1 + avgGain / avgLoss);
        if (i % TRADE_EVERY === 0) {
          // Noise from the data only: the coin's RSI distance from 50 (bounded, parameter-free).
          trades.push({ exitTime: data.time[i], pnlPercent: (quality + (rsi - 50) / 5) / 100 });
        }
      }
    }
    return trades;
  };
}
