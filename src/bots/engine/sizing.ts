import type { VolumeMode } from './bot.types';

/**
 * Position sizing (docs/trading-logic.md §7.2). The configured amount is the position's NOTIONAL in USDT;
 * margin = notional / leverage.
 */

/** Notional USDT for a volume setting: percent of the wallet balance, or a fixed USDT amount. */
export function positionNotionalUsdt(mode: VolumeMode, value: number, walletBalance: number): number {
  if (!(value > 0)) return 0;
  if (mode === 'percent' || mode === 'percent_balance') return (Math.max(0, walletBalance) * value) / 100;
  // usdt, fixed_usdt and the legacy qty / fixed_qty are all read as USDT, as the original did.
  return value;
}

/** Decimal places of a step such as 0.001 (3) or 1 (0), so rounding does not leave float noise. */
export function stepDecimals(step: number): number {
  if (!(step > 0)) return 0;
  const text = step.toString();
  if (text.includes('e-')) return Number(text.split('e-')[1]);
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

function roundToDecimals(value: number, decimals: number): number {
  return Number(value.toFixed(Math.min(decimals, 15)));
}

/** Smallest multiple of `step` that is >= value (tolerant of float error). */
export function ceilToStep(value: number, step: number): number {
  if (!(step > 0)) return value;
  const units = Math.ceil(value / step - 1e-9);
  return roundToDecimals(units * step, stepDecimals(step));
}

/** Largest multiple of `step` that is <= value (tolerant of float error). */
export function floorToStep(value: number, step: number): number {
  if (!(step > 0)) return value;
  const units = Math.floor(value / step + 1e-9);
  return roundToDecimals(units * step, stepDecimals(step));
}

/** Rounds a price to the tick size (nearest). */
export function roundToTick(price: number, tickSize: number): number {
  if (!(tickSize > 0)) return price;
  return roundToDecimals(Math.round(price / tickSize) * tickSize, stepDecimals(tickSize));
}

export interface SizingInput {
  notionalUsdt: number;
  price: number;
  qtyStep: number;
  minOrderQty: number;
  /** Exchange minimum order value in USDT (5 when unknown). */
  minNotional: number;
  availableBalance: number;
  leverage: number;
}

export type SizingResult =
  | { ok: true; quantity: number; notionalUsdt: number; marginUsdt: number; raisedToMinimum: boolean }
  | { ok: false; error: 'INVALID_PRICE' | 'ZERO_VOLUME' | 'MIN_NOTIONAL'; message: string };

/** Safety margin above the exchange minimum when an order is raised to it. */
export const MIN_NOTIONAL_BUFFER = 1.02;

/**
 * Coins to order: notional/price rounded UP to qtyStep and at least minOrderQty. Below the exchange's
 * minimum notional the order is raised to 1.02×minimum, unless the request itself was below the minimum
 * and the balance cannot carry the minimum's margin (then MIN_NOTIONAL).
 */
export function orderQuantity(input: SizingInput): SizingResult {
  const { price, qtyStep, minOrderQty, minNotional, leverage } = input;
  if (!(price > 0)) return { ok: false, error: 'INVALID_PRICE', message: 'No valid price for sizing' };
  if (!(input.notionalUsdt > 0)) return { ok: false, error: 'ZERO_VOLUME', message: 'Position volume is zero' };
  let quantity = Math.max(ceilToStep(input.notionalUsdt / price, qtyStep), minOrderQty);
  let raisedToMinimum = false;
  if (minNotional > 0 && quantity * price < minNotional) {
    if (input.notionalUsdt < minNotional && input.availableBalance < minNotional / Math.max(1, leverage)) {
      return {
        ok: false,
        error: 'MIN_NOTIONAL',
        message: `Order value ${(quantity * price).toFixed(4)} USDT is below the exchange minimum ${minNotional} USDT and the balance cannot cover it`,
      };
    }
    quantity = Math.max(ceilToStep((MIN_NOTIONAL_BUFFER * minNotional) / price, qtyStep), minOrderQty);
    raisedToMinimum = true;
  }
  const notional = quantity * price;
  return { ok: true, quantity, notionalUsdt: notional, marginUsdt: notional / Math.max(1, leverage), raisedToMinimum };
}
