import { Logger } from '@nestjs/common';
import type { Mutex } from 'async-mutex';

const logger = new Logger('GroupCommit');

interface PendingChange<T> {
  apply: (draft: T) => unknown;
  changed: (result: unknown) => boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export interface GroupCommitTarget<T> {
  /** The committed state (what readers see). */
  read(): T;
  /** Makes a durable state visible. */
  publish(state: T): void;
  /** Writes a state to disk; resolves once it is durable. */
  persist(state: T): Promise<void>;
  clone(state: T): T;
}

/**
 * Group commit for a state that is saved as one file: changes that arrive while a save is running wait and then
 * share the next save, instead of costing one fsynced write each. Every change still answers only once the state
 * holding it is on disk, and readers never see a change that is not durable.
 *
 * Each change is applied to its own copy of the draft, so one that throws (a bad value) is refused alone and
 * leaves the others untouched. When the save fails, every change of that batch is refused and the committed
 * state stays as it was. The mutex is the one other writers of the state take (a reload from disk, for instance):
 * a batch holds it from applying to publishing.
 */
export class GroupCommit<T> {
  private waiting: Array<PendingChange<T>> = [];
  private running = false;

  constructor(
    private readonly mutex: Mutex,
    private readonly target: GroupCommitTarget<T>,
  ) {}

  /**
   * Applies `apply` to a draft of the state and answers its result once the state holding the change is durable.
   * `changed` tells from the result whether the draft was modified: a batch with no modification saves nothing.
   */
  submit<R>(apply: (draft: T) => R, changed: (result: R) => boolean = () => true): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({
        apply,
        changed: changed as (result: unknown) => boolean,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      // Each change's outcome reaches its own resolve/reject; this handler only catches a bug in the loop itself.
      if (!this.running) {
        void this.drain().catch((error: Error) => logger.error(`Group commit loop failed: ${error.message}`));
      }
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0);
        await this.mutex.runExclusive(() => this.commit(batch));
      }
    } finally {
      this.running = false;
    }
  }

  private async commit(batch: Array<PendingChange<T>>): Promise<void> {
    let draft = this.target.read();
    const accepted: Array<{ change: PendingChange<T>; result: unknown }> = [];
    for (const change of batch) {
      const attempt = this.target.clone(draft);
      try {
        const result = change.apply(attempt);
        draft = attempt;
        accepted.push({ change, result });
      } catch (error) {
        change.reject(error);
      }
    }
    if (!accepted.some(({ change, result }) => change.changed(result))) {
      for (const { change, result } of accepted) change.resolve(result);
      return;
    }
    try {
      await this.target.persist(draft);
    } catch (error) {
      for (const { change } of accepted) change.reject(error);
      return;
    }
    this.target.publish(draft);
    for (const { change, result } of accepted) change.resolve(result);
  }
}
