/**
 * Retry with exponential backoff: after the n-th failed attempt wait baseDelayMs × 2^(n−1)
 * (100 ms, 200 ms, 400 ms, … for a 100 ms base). Only errors the caller calls retryable are retried.
 */

export interface RetryOptions {
  /** Attempts in total, the first one included (at least 1). */
  attempts: number;
  baseDelayMs: number;
  isRetryable: (error: unknown) => boolean;
  sleep: (ms: number) => Promise<void>;
  /** Called before each wait; `attempt` is the 1-based attempt that just failed. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

export function backoffDelayMs(baseDelayMs: number, failedAttempt: number): number {
  return baseDelayMs * 2 ** (Math.max(1, failedAttempt) - 1);
}

/** Sum of all waits when every attempt fails: the least time a fully failed call takes. */
export function totalBackoffMs(baseDelayMs: number, attempts: number): number {
  let total = 0;
  for (let failed = 1; failed < attempts; failed++) total += backoffDelayMs(baseDelayMs, failed);
  return total;
}

/** Runs `task(attempt)` until it resolves, throws a non-retryable error, or the attempts are used up. */
export async function withRetry<T>(task: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const attempts = Math.max(1, Math.floor(options.attempts));
  for (let attempt = 1; ; attempt++) {
    try {
      return await task(attempt);
    } catch (error) {
      if (attempt >= attempts || !options.isRetryable(error)) throw error;
      const delay = backoffDelayMs(options.baseDelayMs, attempt);
      options.onRetry?.(error, attempt, delay);
      await options.sleep(delay);
    }
  }
}
