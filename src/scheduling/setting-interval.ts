import type { SchedulerRegistry } from '@nestjs/schedule';

/** No worker runs more often than this, whatever its setting and the clock's speed. */
export const MIN_INTERVAL_MS = 500;
/** setInterval's largest delay (a longer one fires at once). */
export const MAX_INTERVAL_MS = 2 ** 31 - 1;

/** The real delay for an interval setting: bounded to [MIN_INTERVAL_MS, MAX_INTERVAL_MS]. */
export function boundedIntervalMs(realMs: number): number {
  if (!Number.isFinite(realMs)) return MAX_INTERVAL_MS;
  return Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, Math.round(realMs)));
}

/**
 * (Re-)arms the named dynamic interval on the SchedulerRegistry: the previous one of that name is removed, the new one
 * runs `tick` every `realMs` (bounded, see boundedIntervalMs) and does not keep the process alive by itself. Answers
 * the delay used. Callers turn a clock-time setting into real time first (Clock.realDelay).
 */
export function armInterval(scheduler: SchedulerRegistry, name: string, realMs: number, tick: () => void): number {
  disarmInterval(scheduler, name);
  const ms = boundedIntervalMs(realMs);
  const handle = setInterval(tick, ms);
  handle.unref?.();
  scheduler.addInterval(name, handle);
  return ms;
}

/** Removes the named interval if it exists. */
export function disarmInterval(scheduler: SchedulerRegistry, name: string): void {
  if (scheduler.doesExist('interval', name)) scheduler.deleteInterval(name);
}
