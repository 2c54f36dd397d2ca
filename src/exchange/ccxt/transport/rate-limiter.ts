/**
 * Client-side limiter for an exchange's "N requests per window" IP limit (Bybit: 600 per 5 s).
 *
 * Each request holds a slot while it is in flight and for `windowMs` after its answer arrived.
 * The server saw the request somewhere between our send and its answer, so counting the window
 * from the answer guarantees that no server-side window of `windowMs` ever holds more than
 * `requestsPerWindow` of our requests, whatever the latency. Up to `requestsPerWindow` requests
 * may go out at once (a burst), after that they are spaced by the answers leaving the window.
 *
 * Two priority classes (docs/security.md, "Exchange limiter"): trading requests (orders, stops, positions, balance)
 * always go before waiting analysis reads (candles, tickers), and analysis reads may never take the last
 * `reserved` slots of the window nor the last `reservedConcurrent` sockets: however many reads are queued, an
 * order or a balance read finds a free slot at once unless trading requests themselves fill the window.
 *
 * No timers of its own: time and scheduling are injected so the queue can be tested with a fake clock.
 */

export type RequestPriority = 'trading' | 'analysis';

export interface RateLimiterOptions {
  requestsPerWindow: number;
  windowMs: number;
  /** Cap on requests in flight at once (sockets); default: requestsPerWindow. */
  maxConcurrent?: number;
  /**
   * Window slots analysis reads may not use; default: 10 % of requestsPerWindow (at least 1 when the window allows 2).
   */
  reserved?: number;
  /** Concurrent sockets analysis reads may not use; default: 10 % of maxConcurrent (at least 1 when it allows 2). */
  reservedConcurrent?: number;
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
  private readonly reserved: number;
  private readonly reservedConcurrent: number;
  /** Answer times of finished requests still inside the window, ascending; `head` skips expired ones. */
  private finished: number[] = [];
  private head = 0;
  private inFlight = 0;
  private pausedUntil = 0;
  private readonly waiting: Record<RequestPriority, Array<(release: ReleaseSlot) => void>> = {
    trading: [],
    analysis: [],
  };
  private wakeAt: number | null = null;

  constructor(private readonly options: RateLimiterOptions) {
    if (!(options.requestsPerWindow >= 1) || !(options.windowMs > 0)) {
      throw new Error('rate limit needs requestsPerWindow >= 1 and windowMs > 0');
    }
    this.requestsPerWindow = Math.floor(options.requestsPerWindow);
    this.windowMs = options.windowMs;
    this.maxConcurrent = Math.max(1, Math.floor(options.maxConcurrent ?? this.requestsPerWindow));
    const tenth = (n: number) => (n >= 2 ? Math.max(1, Math.ceil(n / 10)) : 0);
    this.reserved = Math.min(
      this.requestsPerWindow - 1,
      Math.max(0, Math.floor(options.reserved ?? tenth(this.requestsPerWindow))),
    );
    this.reservedConcurrent = Math.min(
      this.maxConcurrent - 1,
      Math.max(0, Math.floor(options.reservedConcurrent ?? tenth(this.maxConcurrent))),
    );
  }

  /** Resolves when a request may be sent; call the returned function once its answer (or failure) arrived. */
  acquire(priority: RequestPriority = 'trading'): Promise<ReleaseSlot> {
    return new Promise((resolve) => {
      this.waiting[priority].push(resolve);
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

  /**
   * Milliseconds until the next request of this class could go; 0 = now, Infinity = when an in-flight request finishes.
   */
  delayBeforeNext(now = this.options.now(), priority: RequestPriority = 'trading'): number {
    if (now < this.pausedUntil) return this.pausedUntil - now;
    this.dropExpired(now);
    const analysis = priority === 'analysis';
    const maxConcurrent = this.maxConcurrent - (analysis ? this.reservedConcurrent : 0);
    const perWindow = this.requestsPerWindow - (analysis ? this.reserved : 0);
    if (this.inFlight >= maxConcurrent) return Infinity;
    const finishedInWindow = this.finished.length - this.head;
    const excess = this.inFlight + finishedInWindow - perWindow;
    if (excess < 0) return 0;
    // The window frees up as answers age out: the (excess+1)-th oldest answer must leave it first.
    if (excess >= finishedInWindow) return Infinity;
    return Math.max(1, this.finished[this.head + excess] + this.windowMs - now);
  }

  /** Requests counted against the window right now (in flight + answered within the window). */
  occupied(now = this.options.now()): number {
    this.dropExpired(now);
    return this.inFlight + this.finished.length - this.head;
  }

  get queued(): number {
    return this.waiting.trading.length + this.waiting.analysis.length;
  }

  queuedOf(priority: RequestPriority): number {
    return this.waiting[priority].length;
  }

  private pump(): void {
    for (;;) {
      // Trading first; analysis limits are stricter, so when a trading request cannot go, no read can either.
      const priority: RequestPriority | null =
        this.waiting.trading.length > 0 ? 'trading' : this.waiting.analysis.length > 0 ? 'analysis' : null;
      if (priority === null) return;
      const now = this.options.now();
      const delay = this.delayBeforeNext(now, priority);
      if (delay === 0) {
        this.inFlight++;
        const resolve = this.waiting[priority].shift()!;
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
