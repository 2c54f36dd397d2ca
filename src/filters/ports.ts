import type { ClosedTradeInfo } from './rules/loss-reentry';

/**
 * Port through which the loss re-entry filter reads a coin's closed trades. Declared here, below the bots module,
 * which provides it; looked up when first used (LazyPort), so no init order matters. Without a provider the
 * filter has no trades to check and allows the entry.
 */
export const TRADE_HISTORY_VIEW = Symbol('TRADE_HISTORY_VIEW');

export interface TradeHistoryView {
  /** Closed real (not demo) trades of the symbol, any order. */
  closedTradesOf(symbol: string): readonly ClosedTradeInfo[];
}
