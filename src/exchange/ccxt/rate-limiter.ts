/**
 * Client-side limiter for an exchange's "N requests per window" IP limit (Bybit: 600 per 5 s).
 *
 * Each request holds a slot while it is in flight and for `windowMs` after its answer arrived.
 * The server saw the request somewhere between our send and its answer, so counting the window
 * from the answer guarantees that no server-side window of `windowMs` ever holds more than
 * `requestsPerWindow` of our requests, whatever the latency. Up to `requestsPerWindow` requests
 * may go out at once (a burst), after that they are spaced by the answers leaving the window.
 *
 * No timers of its own: time and scheduling are injected so the queue can be tested with a fake clock.
 */

export interface RateLimiterOptions {
  requestsPerWindow: number;
  windowMs: number;
  /** Cap on requests in flight at once (sockets); default: requestsPerWindow. */
  maxConcurrent?: number;
  /** Monotonic milliseconds. */
  now: () => number;
  /** Runs `callback` after `ms` milliseconds. */
  schedule: (callback: () => void, ms: number) => void;
}

export type ReleaseSlot = () => void;

export class RateLimiter {
  private readonly requestsPerWindow: number;
  private readonly windowMs: number;
  private readonly maxConcurrent: number;
  /** Answer times of finished requests still inside the window, ascending; `head` skips expired ones. */
  private finished: number[] = [];
  private head = 0;
  private inFlight = 0;
  private pausedUntil = 0;
  private readonly waiting: Array<(release: ReleaseSlot) => void> = [];
  private wakeAt: number | null = null;

  constructor(private readonly options: RateLimiterOptions) {
    if (!(options.requestsPerWindow >= 1) || !(options.windowMs > 0)) {
      throw new Error('rate limit needs requestsPerWindow >= 1 and windowMs > 0');
    }
    this.requestsPerWindow = Math.floor(options.requestsPerWindow);
    this.windowMs = options.windowMs;
    this.maxConcurrent = Math.max(1, Math.floor(options.maxConcurrent ?? this.requestsPerWindow));
  }

  /** Resolves when a request may be sent; call the returned function once its answer (or failure) arrived. */
  acquire(): Promise<ReleaseSlot> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.pump();
    });
  }

  /** Holds every new request back for `ms` (the exchange said "too many requests"). */
  pause(ms: number): void {
    const until = this.options.now() + Math.max(0, ms);
    if (until > this.pausedUntil) this.pausedUntil = until;
    // A wake-up scheduled before the pause would fire too early; pump re-checks then and reschedules.
  }

  isPaused(now = this.options.now()): boolean {
    return now < this.pausedUntil;
  }

  /** Milliseconds until the next request could go; 0 = now, Infinity = when an in-flight request finishes. */
  delayBeforeNext(now = this.options.now()): number {
    if (now < this.pausedUntil) return this.pausedUntil - now;
    this.dropExpired(now);
    if (this.inFlight >= this.maxConcurrent) return Infinity;
    const finishedInWindow = this.finished.length - this.head;
    if (this.inFlight + finishedInWindow < this.requestsPerWindow) return 0;
    if (finishedInWindow === 0) return Infinity;
    return Math.max(1, this.finished[this.head] + this.windowMs - now);
  }

  /** Requests counted against the window right now (in flight + answered within the window). */
  occupied(now = this.options.now()): number {
    this.dropExpired(now);
    return this.inFlight + this.finished.length - this.head;
  }

  get queued(): number {
    return this.waiting.length;
  }

  private pump(): void {
    while (this.waiting.length > 0) {
      const now = this.options.now();
      const delay = this.delayBeforeNext(now);
      if (delay === 0) {
        this.inFlight++;
        const resolve = this.waiting.shift()!;
        resolve(this.makeRelease());
        continue;
      }
      if (delay !== Infinity) this.wakeUpIn(now, delay);
      return; // Infinity: the next release() pumps again
    }
  }

  private wakeUpIn(now: number, delay: number): void {
    const at = now + delay;
    if (this.wakeAt !== null && this.wakeAt <= at) return;
    this.wakeAt = at;
    this.options.schedule(() => {
      if (this.wakeAt === at) this.wakeAt = null;
      this.pump();
    }, delay);
  }

  private makeRelease(): ReleaseSlot {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight--;
      const now = this.options.now();
      // Keep the list ascending even if a caller's clock is not perfectly monotonic.
      const last = this.finished.length > this.head ? this.finished[this.finished.length - 1] : -Infinity;
      this.finished.push(Math.max(now, last));
      this.pump();
    };
  }

  private dropExpired(now: number): void {
    while (this.head < this.finished.length && this.finished[this.head] + this.windowMs <= now) this.head++;
    if (this.head > 1024 && this.head * 2 > this.finished.length) {
      this.finished = this.finished.slice(this.head);
      this.head = 0;
    }
  }
}
