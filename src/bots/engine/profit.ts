import type { Direction } from './bot.types';

/** Price move in % in the position's favour: positive = profit (docs/trading-logic.md §7.5). */
export function profitPercent(side: Direction, entryPrice: number, price: number): number {
  if (!(entryPrice > 0)) return 0;
  const move = ((price - entryPrice) / entryPrice) * 100;
  return side === 'LONG' ? move : -move;
}

/** Realised or unrealised PnL in USDT for `quantity` coins. */
export function pnlUsdt(side: Direction, entryPrice: number, exitPrice: number, quantity: number): number {
  const perCoin = side === 'LONG' ? exitPrice - entryPrice : entryPrice - exitPrice;
  return perCoin * quantity;
}

/** Margin tied up by the position: notional / leverage. */
export function marginUsdt(entryPrice: number, quantity: number, leverage: number): number {
  return (entryPrice * quantity) / Math.max(1, leverage);
}

/** Return on margin in %. */
export function roiPercent(pnl: number, entryPrice: number, quantity: number, leverage: number): number {
  const margin = marginUsdt(entryPrice, quantity, leverage);
  return margin > 0 ? (pnl / margin) * 100 : 0;
}

/** Rounds for display / storage without float noise (8 decimals keeps satoshi-level prices). */
export function round(value: number, decimals = 8): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}
