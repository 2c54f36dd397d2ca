/**
 * Keeps a flood of identical log lines (an exchange that fails on every tick, a coin that fails every
 * refresh) to one line per window: the first occurrence is printed, the repeats are counted, and when the
 * window ends one summary tells how many were held back. No Nest imports: the clock is a plain function.
 */

export interface RepeatSummary<T> {
  /** The first entry of the window (what was printed). */
  entry: T;
  /** Identical entries held back after it. */
  count: number;
}

export interface RepeatSuppressorOptions {
  windowMs: number;
  now: () => number;
  /** Distinct messages tracked at once; the oldest window is closed early beyond that. */
  maxKeys?: number;
}

interface Window<T> {
  startedAt: number;
  count: number;
  entry: T;
}

export class RepeatSuppressor<T> {
  /** Insertion order is window-start order: a key is deleted when its window ends and re-added on the next one. */
  private readonly windows = new Map<string, Window<T>>();
  private readonly closedEarly: RepeatSummary<T>[] = [];
  private readonly maxKeys: number;

  constructor(private readonly options: RepeatSuppressorOptions) {
    if (!(options.windowMs > 0)) throw new Error('windowMs must be positive');
    this.maxKeys = options.maxKeys ?? 1000;
  }

  /** True when the entry should be printed now; false when it repeats one printed within the window. */
  offer(key: string, entry: T): boolean {
    const now = this.options.now();
    const open = this.windows.get(key);
    if (open && now - open.startedAt < this.options.windowMs) {
      open.count++;
      return false;
    }
    if (open) {
      // The window ended but nobody collected it yet: close it before starting the next one.
      this.windows.delete(key);
      if (open.count > 0) this.closedEarly.push({ entry: open.entry, count: open.count });
    }
    this.windows.set(key, { startedAt: now, count: 0, entry });
    if (this.windows.size > this.maxKeys) {
      const [oldestKey, oldest] = this.windows.entries().next().value as [string, Window<T>];
      this.windows.delete(oldestKey);
      if (oldest.count > 0) this.closedEarly.push({ entry: oldest.entry, count: oldest.count });
    }
    return true;
  }

  /** Summaries of the windows that have ended (only those that held something back). */
  flushExpired(): RepeatSummary<T>[] {
    const now = this.options.now();
    const due = this.closedEarly.splice(0);
    for (const [key, window] of this.windows) {
      if (now - window.startedAt < this.options.windowMs) break;
      this.windows.delete(key);
      if (window.count > 0) due.push({ entry: window.entry, count: window.count });
    }
    return due;
  }

  /** Every pending summary, windows still open included (at exit). */
  flushAll(): RepeatSummary<T>[] {
    const due = this.closedEarly.splice(0);
    for (const window of this.windows.values()) {
      if (window.count > 0) due.push({ entry: window.entry, count: window.count });
    }
    this.windows.clear();
    return due;
  }

  get tracked(): number {
    return this.windows.size;
  }
}
