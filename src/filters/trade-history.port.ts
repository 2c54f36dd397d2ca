import type { ClosedTradeInfo } from './rules/loss-reentry';

/**
 * Port through which the loss re-entry filter reads a coin's closed trades. Declared here, in the filters module,
 * and provided by the bots module (BotHistoryService) through BotsPortsModule, so filters never import bots.
 * Optional: without a provider (a market-only harness) the loss re-entry flag is not computed.
 */
export const TRADE_HISTORY = Symbol('TRADE_HISTORY');

export interface TradeHistoryPort {
  /** Real (non-demo) closed trades of `symbol`: PnL and exit time. */
  closedTradesOf(symbol: string): readonly ClosedTradeInfo[];
}
