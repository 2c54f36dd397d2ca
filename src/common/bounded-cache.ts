/**
 * A map with a size bound and an age bound (docs/security.md, "Caches"): at most `maxEntries` entries, the least
 * recently used one is dropped first; an entry older than `maxAgeMs` (since it was set) is gone on the next read or
 * write. Time comes from the injected clock. No timers: expired entries are dropped when the cache is touched.
 */
export interface BoundedCacheOptions {
  maxEntries: number;
  maxAgeMs: number;
  now: () => number;
}

export class BoundedCache<K, V> {
  private readonly entries = new Map<K, { value: V; setAt: number }>();

  constructor(private readonly options: BoundedCacheOptions) {
    if (!(options.maxEntries >= 1) || !(options.maxAgeMs > 0)) {
      throw new Error('BoundedCache needs maxEntries >= 1 and maxAgeMs > 0');
    }
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.options.now() - entry.setAt > this.options.maxAgeMs) {
      this.entries.delete(key);
      return undefined;
    }
    // Most recently used last.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V): void {
    const now = this.options.now();
    this.entries.delete(key);
    this.entries.set(key, { value, setAt: now });
    this.dropExpired(now);
    while (this.entries.size > this.options.maxEntries) this.entries.delete(this.entries.keys().next().value as K);
  }

  delete(key: K): boolean {
    return this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  /**
   * Drops expired entries from the least recently used end (which holds the oldest reads, not always the oldest sets).
   */
  private dropExpired(now: number): void {
    for (const [key, entry] of this.entries) {
      if (now - entry.setAt <= this.options.maxAgeMs) break;
      this.entries.delete(key);
    }
  }
}
