/**
 * Runs one async job per item with at most `concurrency` in flight. Pure: no Nest, time injected.
 *
 * The exchange adapter enforces the request budget itself; this pool only bounds parallelism and decides what a
 * failure means: a rate-limit answer puts the item back at the end of the queue and slows everyone down for a moment
 * (it never fails the load), a transient error is retried a few times, anything else fails that item only.
 */

export type FailureKind = 'rate-limit' | 'transient' | 'fatal';

export interface PoolOptions {
  concurrency: number;
  classify: (error: unknown) => FailureKind;
  /** Attempts per item for transient errors (first try included). */
  maxTransientAttempts?: number;
  /** Rate-limit answers tolerated per item before it counts as failed. */
  maxRateLimitRetries?: number;
  /** Backoff before retry number `attempt` (1-based). */
  backoffMs?: (kind: FailureKind, attempt: number) => number;
  sleep?: (ms: number) => Promise<void>;
  /** Lets timers and I/O run between jobs (an in-process exchange answers without ever yielding). */
  yieldToEventLoop?: () => Promise<void>;
  /** Checked before each job: true stops the pool (a newer load replaced this one). */
  cancelled?: () => boolean;
  onSettled?: (item: string, ok: boolean, error?: unknown) => void;
}

export interface PoolResult {
  succeeded: string[];
  failed: Array<{ item: string; error: string }>;
  rateLimitRetries: number;
  transientRetries: number;
  cancelled: boolean;
}

const defaultBackoff = (kind: FailureKind, attempt: number): number =>
  kind === 'rate-limit' ? Math.min(10_000, 500 * 2 ** (attempt - 1)) : Math.min(5_000, 250 * 2 ** (attempt - 1));

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref?.());
const defaultYield = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function runPool(
  items: readonly string[],
  job: (item: string) => Promise<void>,
  options: PoolOptions,
): Promise<PoolResult> {
  const maxTransient = options.maxTransientAttempts ?? 3;
  const maxRateLimit = options.maxRateLimitRetries ?? 8;
  const backoff = options.backoffMs ?? defaultBackoff;
  const sleep = options.sleep ?? defaultSleep;
  const yieldNow = options.yieldToEventLoop ?? defaultYield;
  const queue = items.map((item) => ({ item, transient: 0, rateLimited: 0 }));
  const result: PoolResult = { succeeded: [], failed: [], rateLimitRetries: 0, transientRetries: 0, cancelled: false };
  // Workers share one "hold until" moment, so a rate-limit answer slows the whole pool, not just one lane.
  let holdUntil = 0;
  const clockStart = Date.now();
  const elapsed = () => Date.now() - clockStart;

  const worker = async (): Promise<void> => {
    for (;;) {
      if (options.cancelled?.()) {
        result.cancelled = true;
        return;
      }
      const entry = queue.shift();
      if (!entry) return;
      await yieldNow();
      const hold = holdUntil - elapsed();
      if (hold > 0) await sleep(hold);
      try {
        await job(entry.item);
        result.succeeded.push(entry.item);
        options.onSettled?.(entry.item, true);
      } catch (error) {
        const kind = options.classify(error);
        if (kind === 'rate-limit' && entry.rateLimited < maxRateLimit) {
          entry.rateLimited++;
          result.rateLimitRetries++;
          holdUntil = Math.max(holdUntil, elapsed() + backoff(kind, entry.rateLimited));
          queue.push(entry);
          continue;
        }
        if (kind === 'transient' && entry.transient + 1 < maxTransient) {
          entry.transient++;
          result.transientRetries++;
          await sleep(backoff(kind, entry.transient));
          queue.push(entry);
          continue;
        }
        result.failed.push({ item: entry.item, error: error instanceof Error ? error.message : String(error) });
        options.onSettled?.(entry.item, false, error);
      }
    }
  };

  const lanes = Math.max(1, Math.min(options.concurrency, queue.length));
  await Promise.all(Array.from({ length: lanes }, () => worker()));
  return result;
}
