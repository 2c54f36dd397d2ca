import type { Candle, Timeframe } from '../exchange/exchange.types';

export type Trend = 'UP' | 'DOWN' | 'NEUTRAL';
export type EntrySignal = 'ENTER_LONG' | 'ENTER_SHORT' | 'WAIT';
export type EffectiveSignal = EntrySignal | 'EXIT_LONG' | 'EXIT_SHORT';
export type RsiZone = 'BUY_ZONE' | 'SELL_ZONE' | 'NEUTRAL';

/**
 * One coin of the in-memory coin table, in the field names the web UI reads
 * (docs/api-contract.md §2.4). Dynamic per-timeframe keys (`rsi6h`, `trend6h`) are added on top.
 */
export interface CoinRecord {
  symbol: string;
  /** RSI(14) on the current timeframe, 2 decimals. */
  rsi: number | null;
  trend: Trend;
  rsi_zone: RsiZone;
  signal: EntrySignal;
  effective_signal: EntrySignal;
  price: number;
  change24h: number;
  last_update: string;
  candles_count: number;
  is_mature: boolean;
  blocked_by_scope: boolean;
  blocked_by_exit_scam: boolean;
  blocked_by_rsi_time: boolean;
  blocked_by_loss_reentry: boolean;
  has_existing_position: boolean;
  trading_status: string;
  is_delisting: boolean;
  time_filter_info?: unknown;
  exit_scam_info?: unknown;
  loss_reentry_info?: unknown;
  enhanced_rsi?: { enabled: boolean; [key: string]: unknown };
  stoch_rsi_k?: number | null;
  stoch_rsi_d?: number | null;
  trend_analysis?: unknown;
  [dynamicKey: string]: unknown;
}

export interface CandleSeries {
  timeframe: Timeframe;
  candles: Candle[];
}
