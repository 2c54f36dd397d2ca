import { AsyncLocalStorage } from 'node:async_hooks';

interface Holding {
  mode: 'shared' | 'exclusive';
  /** False once the holder released: work it spawned (timers, background promises) no longer counts as holding. */
  live: boolean;
}

/**
 * A readers–writer gate for whole-registry operations: every bot action holds it shared (many at once), a reload
 * from disk holds it exclusive (alone, after the running actions finish). A waiting exclusive holder goes first,
 * so a stream of actions cannot starve a restart. Re-entrant within one async call chain: an action that calls
 * another gated action (or a reload that saves) passes straight through instead of deadlocking.
 */
export class ActionGate {
  private readonly holding = new AsyncLocalStorage<Holding>();
  private sharedHolders = 0;
  private exclusiveHeld = false;
  private readonly waitingExclusive: Array<() => void> = [];
  private readonly waitingShared: Array<() => void> = [];

  private current(): Holding | undefined {
    const held = this.holding.getStore();
    return held?.live ? held : undefined;
  }

  /** Runs `fn` holding the gate shared. */
  async shared<T>(fn: () => Promise<T> | T): Promise<T> {
    if (this.current()) return fn();
    if (this.exclusiveHeld || this.waitingExclusive.length > 0) {
      await new Promise<void>((resolve) => this.waitingShared.push(resolve));
    } else {
      this.sharedHolders++;
    }
    const held: Holding = { mode: 'shared', live: true };
    try {
      return await this.holding.run(held, fn);
    } finally {
      held.live = false;
      this.sharedHolders--;
      this.wake();
    }
  }

  /** Runs `fn` alone: no shared holder runs meanwhile. */
  async exclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    const current = this.current();
    if (current?.mode === 'exclusive') return fn();
    if (current) throw new Error('ActionGate: cannot take the gate exclusively while holding it shared');
    if (this.exclusiveHeld || this.sharedHolders > 0) {
      await new Promise<void>((resolve) => this.waitingExclusive.push(resolve));
    } else {
      this.exclusiveHeld = true;
    }
    const held: Holding = { mode: 'exclusive', live: true };
    try {
      return await this.holding.run(held, fn);
    } finally {
      held.live = false;
      this.exclusiveHeld = false;
      this.wake();
    }
  }

  /** Whether an exclusive holder runs or waits (for status and tests). */
  get exclusivePending(): boolean {
    return this.exclusiveHeld || this.waitingExclusive.length > 0;
  }

  /** Hands the gate on: to the next exclusive waiter once no one holds it, else to every shared waiter. */
  private wake(): void {
    if (this.exclusiveHeld) return;
    if (this.waitingExclusive.length > 0) {
      if (this.sharedHolders > 0) return;
      this.exclusiveHeld = true;
      this.waitingExclusive.shift()!();
      return;
    }
    while (this.waitingShared.length > 0) {
      this.sharedHolders++;
      this.waitingShared.shift()!();
    }
  }
}
