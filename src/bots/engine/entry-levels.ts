import type { EffectiveBotConfig } from '../../config/effective-bot-config';
import { entryTakeProfitPercent, stopLossPercent } from './bot-settings';
import type { CloseReason, Direction } from './bot.types';
import { stopLossPrice, takeProfitPrice } from './protection';
import { roundToTick } from './sizing';

export interface EntryLevels {
  /** Exchange stop-loss, rounded to the tick; null when off. */
  stopLoss: number | null;
  /** Exchange take-profit, rounded to the tick; null when off. */
  takeProfit: number | null;
}

/**
 * The stop-loss and take-profit a new position gets, both measured from the same `referencePrice`. Live places them
 * with the order from the quote and re-anchors them on the fill price once it is known; the backtest fills at the
 * quote, so both use the fill price (docs/backtest-engine.md, "Stops from the fill"). `leverage` is the position's
 * (`botLeverage`), the one the protection engine measures the max loss at too.
 */
export function entryLevels(
  direction: Direction,
  referencePrice: number,
  config: EffectiveBotConfig,
  leverage: number,
  tickSize: number,
): EntryLevels {
  const sl = stopLossPrice(direction, referencePrice, stopLossPercent(config, leverage));
  // The bot's own take-profit (per-coin → bot → global), the level the protection engine also closes at.
  const tp = takeProfitPrice(direction, referencePrice, entryTakeProfitPercent(config));
  return {
    stopLoss: sl === null ? null : roundToTick(sl, tickSize),
    takeProfit: tp === null ? null : roundToTick(tp, tickSize),
  };
}

/** What the exchange said closed a position, as the exchange reports it. */
export type ExchangeCloseKind = 'STOP_LOSS' | 'TAKE_PROFIT' | 'LIQUIDATION' | 'OTHER' | undefined;

/**
 * Names a close the exchange made on its own after what the bot's stop was at that moment: a stop-loss fill is a
 * trailing stop while trailing was active, a break-even when the break-even stop had been placed.
 */
export function exchangeCloseReason(
  kind: ExchangeCloseKind,
  stop: { trailingActive: boolean; breakEvenActivated: boolean; breakEvenStopSet: boolean },
): CloseReason {
  switch (kind) {
    case 'STOP_LOSS':
      if (stop.trailingActive) return 'TRAILING_STOP';
      if (stop.breakEvenActivated && stop.breakEvenStopSet) return 'BREAK_EVEN';
      return 'STOP_LOSS';
    case 'TAKE_PROFIT':
      return 'TAKE_PROFIT';
    case 'LIQUIDATION':
      return 'LIQUIDATION';
    default:
      return 'CLOSED_ON_EXCHANGE';
  }
}
