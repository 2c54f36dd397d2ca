/**
 * Port through which the status endpoints read the market-data load (coins loaded, load progress). Declared here,
 * in the health module, and provided by the rsi module (`{ provide: MARKET_LOAD, useExisting: RsiService }`), so
 * health never imports rsi. Looked up when first used (LazyPort): rsi depends on health, so constructor injection
 * would need rsi's provider visible here. Without a provider nothing is loaded.
 */
export const MARKET_LOAD = Symbol('MARKET_LOAD');

export interface LoadProgress {
  total: number;
  done: number;
  failed: number;
  inProgress: boolean;
  lastUpdate: number | null;
  durationMs: number;
}

export interface MarketLoadPort {
  getLoadProgress(): LoadProgress;
  coinsCount(): number;
}
