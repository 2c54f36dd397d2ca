import { backoffDelayMs } from '../exchange/ccxt/transport/retry';

/**
 * Retry schedule of a failed delivery: doubling from `baseMs`, capped at `maxMs`, never below the server's own wait.
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 300_000 };

/**
 * Delay before attempt `attempts + 1` after `attempts` failed ones (1 → base, 2 → 2×base, …, capped).
 * `retryAfterMs` (a 429's retry_after / Retry-After) wins when it is longer.
 * `jitter` in [0, 1) spreads retries of many entries by up to 20 % (0 for a fixed schedule).
 */
export function retryDelayMs(
  attempts: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  retryAfterMs: number | null = null,
  jitter = 0,
): number {
  // The doubling is the exchange transport's (at most 2^30 × base, so a zero base never meets an infinite factor).
  const base = Math.min(policy.maxMs, backoffDelayMs(policy.baseMs, Math.min(attempts, 31)));
  const spread = Math.round(base * 0.2 * Math.max(0, Math.min(jitter, 0.999)));
  return Math.max(base + spread, retryAfterMs ?? 0);
}
