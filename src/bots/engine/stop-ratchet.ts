import type { Direction } from './bot.types';
import { isTighterStop } from './protection';
import { roundToTick } from './sizing';

export interface StopRatchetInput {
  side: Direction;
  /** The tightest protective stop the protection engine wants now (null = none). */
  desired: number | null;
  price: number;
  tickSize: number;
  /** The stop the exchange holds now. */
  currentStop: number | null;
  trailingActive: boolean;
  trailingStop: number | null;
  /** Last trailing move, epoch seconds (0 = never). */
  lastTrailingUpdateSec: number;
  nowMs: number;
  /** trailing_update_interval, seconds. */
  spacingSec: number;
}

/**
 * Whether to move the exchange stop, and where: only to a tighter level than the one held, never at or through the
 * price, and trailing moves spaced by trailing_update_interval. null = leave the stop where it is.
 */
export function stopRatchet(input: StopRatchetInput): { stop: number; trailing: boolean } | null {
  const { desired, side } = input;
  if (desired === null) return null;
  const stop = roundedStop(desired, input.tickSize);
  if (!isTighterStop(side, stop, input.currentStop) || !isTighterStop(side, input.price, stop)) return null;
  const trailing =
    input.trailingActive && input.trailingStop !== null && Math.abs(input.trailingStop - desired) < 1e-12;
  if (trailing && input.nowMs - input.lastTrailingUpdateSec * 1000 < input.spacingSec * 1000) return null;
  return { stop, trailing };
}

// The desired stop rarely changes between two passes (it is the fixed stop until trailing or break-even moves it):
// remembering the last rounding spares the backtest's hot loop a toFixed per price point (~0.2 µs of a call). One
// entry, so bounded by construction; keyed by both inputs, so any interleaving of coins gets roundToTick's result.
let lastDesired = NaN;
let lastTick = NaN;
let lastRounded = NaN;

function roundedStop(desired: number, tickSize: number): number {
  if (desired !== lastDesired || tickSize !== lastTick) {
    lastRounded = roundToTick(desired, tickSize);
    lastDesired = desired;
    lastTick = tickSize;
  }
  return lastRounded;
}
