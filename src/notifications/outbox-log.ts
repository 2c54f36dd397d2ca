import { Logger } from '@nestjs/common';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { atomicWrite } from '../persistence/atomic-write';
import type { ChannelId, NotificationKind } from './notification-kinds';

const logger = new Logger('NotificationOutbox');

/** One message for one channel. `key` is its idempotency key: the event's key and the channel. */
export interface OutboxEntry {
  id: number;
  key: string;
  channel: ChannelId;
  kind: NotificationKind;
  createdAt: number;
  text: string;
  data: unknown;
  silent: boolean;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  /** Given up (a permanent refusal such as 401/404, repeated): kept for the operator, no longer sent. */
  failed: boolean;
  /** A send started and its outcome was never written: after a crash it is sent again with the same key. */
  inFlight: boolean;
}

export type NewOutboxEntry = Pick<OutboxEntry, 'key' | 'channel' | 'kind' | 'createdAt' | 'text' | 'data' | 'silent'>;

export interface OutboxLimits {
  /** Pending entries kept at most; beyond it the oldest pending entry of the same channel is dropped (counted). */
  maxPending: number;
  /** Given-up entries kept for inspection. */
  maxFailed: number;
  /** Keys of delivered entries remembered, so the same event queued again is recognised and not sent twice. */
  maxRememberedKeys: number;
  /** Records appended since the last rewrite before the log is rewritten with only what is still needed. */
  compactAfterRecords: number;
}

export const DEFAULT_OUTBOX_LIMITS: OutboxLimits = {
  maxPending: 5_000,
  maxFailed: 200,
  maxRememberedKeys: 10_000,
  compactAfterRecords: 2_000,
};

type LogRecord =
  | { op: 'add'; e: Omit<OutboxEntry, 'attempts' | 'nextAttemptAt' | 'lastError' | 'failed' | 'inFlight'> }
  | { op: 'try'; id: number }
  | { op: 'ok'; id: number }
  | { op: 'err'; id: number; error: string; next: number; failed: boolean }
  | { op: 'drop'; id: number; why: string }
  | { op: 'state'; entries: OutboxEntry[]; seen: string[]; next_id: number };

interface QueuedWrite {
  records: LogRecord[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface OutboxCounters {
  delivered: number;
  failed: number;
  dropped: number;
  duplicatesSkipped: number;
  resentInDoubt: number;
}

/**
 * The notifications outbox: an append-only JSON-lines log in DATA_DIR, fsynced before any change is visible.
 * Every state change (queued, send started, delivered, failed, dropped) is one line; the in-memory view is the
 * replay of the log and is only updated once the line is on disk, so memory never runs ahead of disk.
 * Appends that arrive while a write is running share the next write and its fsync (group commit, as
 * src/persistence/group-commit.ts does for the settings files). When enough records pile up the log is
 * rewritten atomically (temp, fsync, rename) with only the pending and failed entries and the remembered keys.
 * A torn last line (a crash in the middle of an append) is ignored at load: its write was never acknowledged.
 */
export class OutboxLog {
  /** Every entry held (pending and given up), in id order. */
  private readonly entries = new Map<number, OutboxEntry>();
  /** The keys of `entries`, so a key is checked without a scan. */
  private readonly entryKeys = new Set<string>();
  /** Each channel's pending entries (the same objects as in `entries`), in id order: a send looks at its head only. */
  private readonly pending = new Map<ChannelId, Map<number, OutboxEntry>>();
  private pendingTotal = 0;
  private readonly seen = new Set<string>();
  private nextId = 1;
  private handle: fs.FileHandle | null = null;
  private queue: QueuedWrite[] = [];
  private writing = false;
  private recordsSinceCompaction = 0;
  private closed = false;
  readonly counters: OutboxCounters = { delivered: 0, failed: 0, dropped: 0, duplicatesSkipped: 0, resentInDoubt: 0 };
  /** Lines skipped at load (torn or unreadable). */
  skippedLines = 0;

  private constructor(
    readonly file: string,
    private readonly limits: OutboxLimits,
  ) {}

  static async open(file: string, limits: Partial<OutboxLimits> = {}): Promise<OutboxLog> {
    const log = new OutboxLog(file, { ...DEFAULT_OUTBOX_LIMITS, ...limits });
    await log.replay();
    return log;
  }

  private async replay(): Promise<void> {
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    let text = '';
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const lines = text.split('\n');
    for (const line of lines) {
      if (!line.trim()) continue;
      let record: LogRecord;
      try {
        record = JSON.parse(line) as LogRecord;
      } catch {
        this.skippedLines++;
        continue;
      }
      this.apply(record, true);
      this.recordsSinceCompaction++;
    }
    for (const entry of this.entries.values()) if (entry.inFlight) this.counters.resentInDoubt++;
    // A torn tail is cut off by rewriting, so the next append starts on a clean line.
    if (this.skippedLines > 0 || (text.length > 0 && !text.endsWith('\n'))) await this.compactNow();
    this.handle ??= await fs.open(this.file, 'a', 0o600);
  }

  private apply(record: LogRecord, replaying = false): void {
    switch (record.op) {
      case 'add': {
        const e = record.e;
        this.hold({ ...e, attempts: 0, nextAttemptAt: 0, lastError: null, failed: false, inFlight: false });
        this.nextId = Math.max(this.nextId, e.id + 1);
        return;
      }
      case 'try': {
        const e = this.entries.get(record.id);
        if (e) {
          e.attempts++;
          e.inFlight = true;
        }
        return;
      }
      case 'ok': {
        const e = this.release(record.id);
        if (!e) return;
        this.remember(e.key);
        if (!replaying) this.counters.delivered++;
        return;
      }
      case 'err': {
        const e = this.entries.get(record.id);
        if (!e) return;
        e.inFlight = false;
        e.lastError = record.error;
        e.nextAttemptAt = record.next;
        if (record.failed && !e.failed) {
          e.failed = true;
          this.leavePending(e);
          if (!replaying) this.counters.failed++;
          this.pruneFailed();
        }
        return;
      }
      case 'drop': {
        if (this.release(record.id) && !replaying) this.counters.dropped++;
        return;
      }
      case 'state': {
        this.entries.clear();
        this.entryKeys.clear();
        this.pending.clear();
        this.pendingTotal = 0;
        for (const e of [...record.entries].sort((a, b) => a.id - b.id)) this.hold({ ...e });
        this.seen.clear();
        for (const k of record.seen) this.seen.add(k);
        this.nextId = Math.max(this.nextId, record.next_id);
        return;
      }
    }
  }

  /** Adds an entry (ids only grow, so every index stays in id order). */
  private hold(e: OutboxEntry): void {
    this.entries.set(e.id, e);
    this.entryKeys.add(e.key);
    if (e.failed) return;
    let queue = this.pending.get(e.channel);
    if (!queue) this.pending.set(e.channel, (queue = new Map()));
    queue.set(e.id, e);
    this.pendingTotal++;
  }

  /** Removes an entry from every index; returns it (undefined when not held). */
  private release(id: number): OutboxEntry | undefined {
    const e = this.entries.get(id);
    if (!e) return undefined;
    this.entries.delete(id);
    this.entryKeys.delete(e.key);
    this.leavePending(e);
    return e;
  }

  private leavePending(e: OutboxEntry): void {
    if (this.pending.get(e.channel)?.delete(e.id)) this.pendingTotal--;
  }

  private remember(key: string): void {
    this.seen.add(key);
    while (this.seen.size > this.limits.maxRememberedKeys) this.seen.delete(this.seen.values().next().value as string);
  }

  private pruneFailed(): void {
    const failed = [...this.entries.values()].filter((e) => e.failed);
    for (let i = 0; i < failed.length - this.limits.maxFailed; i++) this.release(failed[i].id);
  }

  /** Whether an entry with this key is queued, given up or was delivered (and still remembered). */
  knows(key: string): boolean {
    return this.seen.has(key) || this.entryKeys.has(key);
  }

  /**
   * Queues entries durably; resolves once they are on disk. An entry whose key is already known is skipped
   * (the same event reported again). Over the size cap, the oldest pending entries of the channel make room.
   */
  async add(items: NewOutboxEntry[]): Promise<OutboxEntry[]> {
    const fresh: NewOutboxEntry[] = [];
    for (const item of items) {
      if (this.knows(item.key) || fresh.some((f) => f.key === item.key)) this.counters.duplicatesSkipped++;
      else fresh.push(item);
    }
    if (fresh.length === 0) return [];
    const records: LogRecord[] = [];
    const added: OutboxEntry[] = [];
    for (const item of fresh) {
      const id = this.nextId++;
      records.push({ op: 'add', e: { id, ...item } });
      added.push({ id, ...item, attempts: 0, nextAttemptAt: 0, lastError: null, failed: false, inFlight: false });
    }
    // The oldest pending entries make room: `entries` is in id order, so only the front is visited.
    let overflow = this.pendingTotal + added.length - this.limits.maxPending;
    for (const victim of this.entries.values()) {
      if (overflow <= 0) break;
      if (victim.failed || victim.inFlight) continue;
      records.push({ op: 'drop', id: victim.id, why: 'outbox full' });
      overflow--;
    }
    await this.write(records);
    return added;
  }

  markTrying(id: number): Promise<void> {
    return this.write([{ op: 'try', id }]);
  }

  markDelivered(id: number): Promise<void> {
    return this.write([{ op: 'ok', id }]);
  }

  markFailed(id: number, error: string, nextAttemptAt: number, giveUp: boolean): Promise<void> {
    return this.write([{ op: 'err', id, error, next: nextAttemptAt, failed: giveUp }]);
  }

  /** The channel's entries still to send, oldest first (given-up ones excluded). */
  pendingOf(channel: ChannelId): OutboxEntry[] {
    return [...(this.pending.get(channel)?.values() ?? [])];
  }

  /** The channel's oldest entry still to send (what its dispatcher sends next), without listing the rest. */
  nextPending(channel: ChannelId): OutboxEntry | undefined {
    return this.pending.get(channel)?.values().next().value;
  }

  all(): OutboxEntry[] {
    return [...this.entries.values()].map((e) => ({ ...e }));
  }

  pendingCount(): number {
    return this.pendingTotal;
  }

  failedCount(): number {
    return this.entries.size - this.pendingCount();
  }

  private write(records: LogRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('notifications outbox is closed'));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ records, resolve, reject });
      // Write failures reach each writer's reject(); this handler only catches a bug in the loop itself.
      if (!this.writing) {
        void this.drain().catch((error: Error) => logger.error(`Outbox write loop failed: ${error.message}`));
      }
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0);
        const records = batch.flatMap((w) => w.records);
        try {
          if (this.recordsSinceCompaction >= this.limits.compactAfterRecords) await this.compactNow();
          const handle = this.handle ?? (this.handle = await fs.open(this.file, 'a', 0o600));
          await handle.appendFile(records.map((r) => JSON.stringify(r)).join('\n') + '\n');
          await handle.datasync();
        } catch (error) {
          for (const w of batch) w.reject(error);
          continue;
        }
        for (const r of records) this.apply(r);
        this.recordsSinceCompaction += records.length;
        for (const w of batch) w.resolve();
      }
    } finally {
      this.writing = false;
    }
  }

  /** Rewrites the log as one state record (what is still needed), atomically. */
  private async compactNow(): Promise<void> {
    const state: LogRecord = {
      op: 'state',
      entries: [...this.entries.values()],
      seen: [...this.seen],
      next_id: this.nextId,
    };
    // The appends were synced already; a handle that fails to close holds nothing unsaved.
    await this.handle?.close().catch(() => undefined);
    this.handle = null;
    await atomicWrite(this.file, JSON.stringify(state) + '\n');
    this.handle = await fs.open(this.file, 'a', 0o600);
    this.recordsSinceCompaction = 1;
  }

  /** Waits for queued writes, then closes the file. */
  async close(): Promise<void> {
    while (this.writing || this.queue.length > 0) await new Promise((r) => setTimeout(r, 5));
    this.closed = true;
    // The appends were synced already; a handle that fails to close holds nothing unsaved.
    await this.handle?.close().catch(() => undefined);
    this.handle = null;
  }
}
