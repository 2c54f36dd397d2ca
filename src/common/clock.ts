/**
 * One source of time for the whole service, so that the paper exchange and the tests
 * can run faster than real time. Inject `Clock`; never call Date.now() in trading code.
 */
export abstract class Clock {
  abstract now(): number;
  /** Real milliseconds to wait for `simulatedMs` of clock time (used to scale worker intervals). */
  realDelay(simulatedMs: number): number {
    return simulatedMs;
  }
}

/** Wall-clock time, optionally accelerated: `scale` simulated ms pass per real ms. */
export class SystemClock extends Clock {
  private readonly startReal = Date.now();
  constructor(
    private readonly scale = 1,
    private readonly startAt = Date.now(),
  ) {
    super();
  }
  now(): number {
    return Math.floor(this.startAt + (Date.now() - this.startReal) * this.scale);
  }
  override realDelay(simulatedMs: number): number {
    return simulatedMs / this.scale;
  }
}

/** A clock the caller moves by hand (tests, benchmarks). */
export class ManualClock extends Clock {
  constructor(private current = Date.UTC(2026, 0, 1)) {
    super();
  }
  now(): number {
    return this.current;
  }
  set(time: number): void {
    this.current = time;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

/** ISO-8601 local time without offset, as the original service printed it. */
export function isoLocal(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}
