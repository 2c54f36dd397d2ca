/** No worker runs more often than this in real time, whatever its setting and the clock's speed. */
export const MIN_INTERVAL_MS = 500;
/** setInterval's largest delay (a longer one fires at once). */
export const MAX_INTERVAL_MS = 2 ** 31 - 1;

/** The real delay for an interval setting: bounded to [MIN_INTERVAL_MS, MAX_INTERVAL_MS]. */
export function boundedIntervalMs(realMs: number): number {
  if (!Number.isFinite(realMs)) return MAX_INTERVAL_MS;
  return Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, Math.round(realMs)));
}
