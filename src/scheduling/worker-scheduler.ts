import { Logger } from '@nestjs/common';
import { Clock, ManualClock } from '../common/clock';
import { boundedIntervalMs, MAX_INTERVAL_MS, MIN_INTERVAL_MS } from './setting-interval';

/** A job's work. A rejection is logged by the scheduler; jobs record their own failures. */
export type JobRun = () => Promise<unknown> | void;

/**
 * Where a job runs among jobs due at the same clock time, lowest first (then in the order they were armed). The order
 * is the backtest's order at a candle close (docs/backtest-engine.md §Parity with live): fresh candles, the exchange
 * state, the positions (protections and RSI exit), the account protections, then the auto-bot's entries.
 */
export const JobOrder = {
  marketData: 0,
  positionSync: 10,
  monitor: 20,
  protections: 30,
  autoBot: 40,
  housekeeping: 50,
} as const;

export interface JobOptions {
  /** Tie order (JobOrder); housekeeping when omitted. */
  order?: number;
  /** Timers only: the interval counts real time whatever the clock's speed (saving to disk). */
  realTime?: boolean;
  /** Timers only: least real delay of a repeat (default MIN_INTERVAL_MS). */
  minRealMs?: number;
  /** Timers only: real milliseconds added to a one-shot's delay (time for the exchange to publish a candle). */
  realGraceMs?: number;
}

/**
 * Runs the service's workers on the clock's time (docs/backtest-engine.md §Parity with live). Inject it; never arm a
 * timer for a worker yourself. `TimerScheduler` (real timers, the system clock) runs in production,
 * `SimulatedScheduler` with a ManualClock: there jobs fire only when the caller moves time with `advanceTo`, each at
 * its own clock time.
 */
export abstract class WorkerScheduler {
  /** Runs `run` every `intervalMs` of clock time, the first time one interval from now; replaces a job of that name. */
  abstract every(name: string, intervalMs: number, run: JobRun, options?: JobOptions): void;
  /** Runs `run` once at clock time `atMs`; replaces a job of that name. */
  abstract at(name: string, atMs: number, run: JobRun, options?: JobOptions): void;
  /** Starts `run` now without waiting for it (start-up work that must not hold the start-up up). */
  abstract soon(name: string, run: JobRun): void;
  abstract cancel(name: string): void;
  abstract has(name: string): boolean;
  /** Cancels every job and waits for runs in progress. */
  abstract shutdown(): Promise<void>;
}

const logger = new Logger('WorkerScheduler');

function runLogged(name: string, run: JobRun): Promise<void> {
  try {
    return Promise.resolve(run()).then(
      () => undefined,
      (error: Error) => logger.error(`${name} failed: ${error?.message ?? String(error)}`),
    );
  } catch (error) {
    logger.error(`${name} failed: ${(error as Error).message}`);
    return Promise.resolve();
  }
}

/**
 * Real timers (the system clock, optionally scaled by PAPER_TIME_SCALE): clock time is turned into real time with
 * Clock.realDelay and bounded to [MIN_INTERVAL_MS, 2^31-1 ms], so above a scale of MAX_EXACT_TIME_SCALE the shortest
 * default intervals run less often than set (docs/backtest-engine.md §Parity with live). Timers never keep the process
 * alive.
 */
export class TimerScheduler extends WorkerScheduler {
  private readonly timers = new Map<string, { handle: NodeJS.Timeout; repeat: boolean }>();
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly clock: Clock) {
    super();
  }

  every(name: string, intervalMs: number, run: JobRun, options: JobOptions = {}): void {
    this.cancel(name);
    const realMs = options.realTime ? intervalMs : this.clock.realDelay(intervalMs);
    const ms = Math.max(options.minRealMs ?? 0, boundedIntervalMs(realMs));
    if (!options.realTime && ms > realMs + 1 && realMs > 0) {
      const clockSeconds = Math.round((ms * intervalMs) / realMs / 1000);
      logger.warn(
        `${name}: ${intervalMs / 1000} s of clock time is ${Math.round(realMs)} ms real at this clock speed; ` +
          `it runs every ${ms} ms real, i.e. every ${clockSeconds} s of clock time`,
      );
    }
    const handle = setInterval(() => this.start(name, run), ms);
    handle.unref?.();
    this.timers.set(name, { handle, repeat: true });
  }

  at(name: string, atMs: number, run: JobRun, options: JobOptions = {}): void {
    this.cancel(name);
    const realMs = Math.max(0, this.clock.realDelay(atMs - this.clock.now())) + (options.realGraceMs ?? 0);
    const handle = setTimeout(
      () => {
        this.timers.delete(name);
        this.start(name, run);
      },
      Math.min(MAX_INTERVAL_MS, Math.max(options.minRealMs ?? 0, Math.round(realMs))),
    );
    handle.unref?.();
    this.timers.set(name, { handle, repeat: false });
  }

  soon(name: string, run: JobRun): void {
    setImmediate(() => this.start(name, run));
  }

  cancel(name: string): void {
    const timer = this.timers.get(name);
    if (!timer) return;
    if (timer.repeat) clearInterval(timer.handle);
    else clearTimeout(timer.handle);
    this.timers.delete(name);
  }

  has(name: string): boolean {
    return this.timers.has(name);
  }

  async shutdown(): Promise<void> {
    for (const name of [...this.timers.keys()]) this.cancel(name);
    await Promise.allSettled([...this.running]);
  }

  private start(name: string, run: JobRun): void {
    const running = runLogged(name, run).finally(() => this.running.delete(running));
    this.running.add(running);
  }
}

/**
 * The highest clock speed (PAPER_TIME_SCALE) at which a job of `intervalMs` clock time keeps its interval on real
 * timers: its real delay must not fall below the least real delay.
 */
export function highestExactScale(intervalMs: number, minRealMs = MIN_INTERVAL_MS): number {
  return intervalMs / minRealMs;
}

interface SimulatedJob {
  name: string;
  dueAt: number;
  intervalMs: number | null;
  run: JobRun;
  order: number;
  seq: number;
}

/**
 * Simulated time for tests and benchmarks on a ManualClock: nothing fires by itself. `advanceTo(t)` takes the due jobs
 * in order of due time, then JobOrder, then arming order; moves the clock to the job's due time, runs it and awaits it
 * before the next one, so every worker runs exactly at its interval whatever its work costs. A repeating job's next
 * due time is its due time plus its interval (never skipped, never bunched). `soon` runs at once, detached, as the
 * timers do; advanceTo and settle wait for those runs first.
 */
export class SimulatedScheduler extends WorkerScheduler {
  private readonly jobs = new Map<string, SimulatedJob>();
  private readonly running = new Set<Promise<void>>();
  private seq = 0;

  constructor(readonly clock: ManualClock) {
    super();
  }

  every(name: string, intervalMs: number, run: JobRun, options: JobOptions = {}): void {
    const interval = Math.max(1, Math.round(intervalMs));
    this.put(name, this.clock.now() + interval, interval, run, options);
  }

  at(name: string, atMs: number, run: JobRun, options: JobOptions = {}): void {
    this.put(name, atMs, null, run, options);
  }

  soon(name: string, run: JobRun): void {
    const running = runLogged(name, run).finally(() => this.running.delete(running));
    this.running.add(running);
  }

  cancel(name: string): void {
    this.jobs.delete(name);
  }

  has(name: string): boolean {
    return this.jobs.has(name);
  }

  async shutdown(): Promise<void> {
    this.jobs.clear();
    await this.settle();
  }

  /** Waits for the runs started by `soon` (and any they start). */
  async settle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** The next due job's time, or null when none is armed. */
  nextDueAt(): number | null {
    const next = this.nextJob(Infinity);
    return next ? next.dueAt : null;
  }

  /**
   * Runs every job due up to `time` at its own clock time, in order, then leaves the clock at `time` (never moving
   * it back). A job a run arms for a time up to `time` runs in the same call.
   */
  async advanceTo(time: number): Promise<void> {
    await this.settle();
    for (;;) {
      const job = this.nextJob(time);
      if (!job) break;
      if (job.dueAt > this.clock.now()) this.clock.set(job.dueAt);
      if (job.intervalMs === null) this.jobs.delete(job.name);
      else job.dueAt += job.intervalMs;
      await runLogged(job.name, job.run);
      await this.settle();
    }
    if (time > this.clock.now()) this.clock.set(time);
  }

  /** advanceTo(now + ms). */
  advanceBy(ms: number): Promise<void> {
    return this.advanceTo(this.clock.now() + ms);
  }

  private put(name: string, dueAt: number, intervalMs: number | null, run: JobRun, options: JobOptions): void {
    this.jobs.set(name, {
      name,
      dueAt,
      intervalMs,
      run,
      order: options.order ?? JobOrder.housekeeping,
      seq: this.seq++,
    });
  }

  private nextJob(until: number): SimulatedJob | null {
    let best: SimulatedJob | null = null;
    for (const job of this.jobs.values()) {
      if (job.dueAt > until) continue;
      if (
        !best ||
        job.dueAt < best.dueAt ||
        (job.dueAt === best.dueAt && (job.order < best.order || (job.order === best.order && job.seq < best.seq)))
      ) {
        best = job;
      }
    }
    return best;
  }
}

/** The scheduler for a clock: simulated on a ManualClock, real timers otherwise. */
export function schedulerFor(clock: Clock): WorkerScheduler {
  return clock instanceof ManualClock ? new SimulatedScheduler(clock) : new TimerScheduler(clock);
}
