import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Mutex } from 'async-mutex';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { appConfig } from '../config/app.config';
import { atomicWrite, removeStaleTempFiles } from './atomic-write';
import { moveAside } from './move-aside';
import { PersistenceError } from './persistence.error';

/** Writes one file atomically (the default is atomicWrite; tests put a failing writer here to simulate a full disk). */
export type FileWriter = (target: string, content: string, backup?: string) => Promise<void>;

export interface LoadOptions<T> {
  /** Used only when neither the file nor its backup exists. */
  defaults: () => T;
  /** Shape check: an error text, or null when the value is acceptable. */
  validate?: (value: unknown) => string | null;
}

export type LoadSource = 'file' | 'backup' | 'defaults';

function kindOf(info: import('node:fs').Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  return 'a device';
}

export interface SaveOptions {
  /**
   * 'kept' (the default): memory holds the content whether or not it reaches the disk, so a failed write leaves
   * the file listed as unsaved (readiness fails, shutdown exits non-zero) until a later save of it works.
   * 'refused': the caller applies the change only after the write succeeded, so a failed write leaves nothing
   * unsaved behind (docs/reliability.md).
   */
  onFailure?: 'kept' | 'refused';
}

interface QueuedWrite {
  content: string;
  /** Some caller sharing this write keeps its change in memory when the write fails. */
  keeps: boolean;
  done: Promise<void>;
}

/** Accepts any JSON object (not an array, not null). */
export const isJsonObject = (value: unknown): string | null =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? null : 'expected a JSON object';

/**
 * The one JSON store every module uses for data/ files.
 * Writes are atomic and serialized per file; the previous content is kept as `<name>.bak`.
 * A file that does not parse or fails its shape check is moved aside as `<name>.corrupt-<timestamp>`
 * and the last good copy is used: defaults replace data only when there was no file at all.
 */
@Injectable()
export class JsonStore {
  private readonly logger = new Logger('Persistence');
  private readonly locks = new Map<string, Mutex>();
  private readonly lastSource = new Map<string, LoadSource>();
  readonly dataDir: string;
  private cleaned = false;
  private readonly pending = new Set<Promise<void>>();
  private readonly queued = new Map<string, QueuedWrite>();
  /** Files whose last save failed, with the error: while any is listed, memory holds changes the disk lacks. */
  private readonly failing = new Map<string, PersistenceError>();
  writer: FileWriter = (target, content, backup) => atomicWrite(target, content, backup);

  constructor(@Inject(appConfig.KEY) config: ConfigType<typeof appConfig>) {
    this.dataDir = path.resolve(config.dataDir);
  }

  filePath(file: string): string {
    if (file.includes('/') || file.includes('\\') || file.startsWith('.')) {
      throw new Error(`Invalid data file name: ${file}`);
    }
    return path.join(this.dataDir, file);
  }

  private lock(file: string): Mutex {
    let mutex = this.locks.get(file);
    if (!mutex) this.locks.set(file, (mutex = new Mutex()));
    return mutex;
  }

  /** Files whose newest content is not on disk (their last save failed), with the reason. */
  unsavedFiles(): Array<{ file: string; error: string }> {
    return [...this.failing.entries()].map(([file, error]) => ({ file, error: error.message }));
  }

  /** Where the last load of `file` came from (for status pages and tests). */
  sourceOf(file: string): LoadSource | undefined {
    return this.lastSource.get(file);
  }

  async exists(file: string): Promise<boolean> {
    return fs.access(this.filePath(file)).then(
      () => true,
      () => false,
    );
  }

  async load<T>(file: string, options: LoadOptions<T>): Promise<T> {
    return this.lock(file).runExclusive(async () => {
      if (!this.cleaned) {
        this.cleaned = true;
        await fs.mkdir(this.dataDir, { recursive: true });
        const skipped = await removeStaleTempFiles(this.dataDir);
        for (const name of skipped) {
          this.logger.warn(`${name} in the data folder looks like a temp file but is not a regular file; left alone`);
        }
      }
      const target = this.filePath(file);
      const main = await this.readCandidate(target, options.validate);
      if (main.ok) {
        this.lastSource.set(file, 'file');
        return main.value as T;
      }
      if (main.error) {
        const aside = await this.setAside(target);
        this.logger.error(`${file} is unreadable (${main.error}); kept aside as ${aside}`);
      }
      const backup = await this.readCandidate(`${target}.bak`, options.validate);
      if (backup.ok) {
        this.logger.warn(`${file}: recovered from the last good copy ${file}.bak`);
        await this.writer(target, JSON.stringify(backup.value, null, 2));
        this.lastSource.set(file, 'backup');
        return backup.value as T;
      }
      if (backup.error) {
        // Set aside too: the next save moves the current file to .bak and would overwrite this copy.
        const aside = await this.setAside(`${target}.bak`);
        this.logger.error(`${file}.bak is unreadable too (${backup.error}); kept aside as ${aside}`);
      }
      if (main.error || backup.error) {
        this.logger.error(`${file}: no good copy left; starting from defaults (the bad files are kept for inspection)`);
      }
      this.lastSource.set(file, 'defaults');
      return options.defaults();
    });
  }

  /** Renames a bad file to `<name>.corrupt-<timestamp>` (a free name: two bad copies never share one). */
  private async setAside(file: string): Promise<string> {
    try {
      return path.basename(await moveAside(file, Date.now()));
    } catch (error) {
      this.logger.error(`Could not set ${path.basename(file)} aside: ${(error as Error).message}`);
      return `nowhere (it stays ${path.basename(file)})`;
    }
  }

  private async readCandidate(
    file: string,
    validate?: (value: unknown) => string | null,
  ): Promise<{ ok: true; value: unknown } | { ok: false; error?: string }> {
    let text: string;
    try {
      // stat first (it opens nothing): reading a FIFO would block forever; a directory or device is no data file.
      const info = await fs.stat(file);
      if (!info.isFile()) return { ok: false, error: `not a regular file (${kindOf(info)})` };
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ok: false };
      return { ok: false, error: (error as Error).message };
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return { ok: false, error: text.trim() === '' ? 'empty file' : `invalid JSON: ${(error as Error).message}` };
    }
    const problem = validate?.(value) ?? null;
    return problem ? { ok: false, error: `bad shape: ${problem}` } : { ok: true, value };
  }

  /**
   * Writes `data` as the file's new content. While a write of the same file is in progress, further saves
   * share one queued write that carries the newest content: every caller still returns only once its data
   * (or newer) is on disk, and a burst of changes costs two fsyncs instead of one per change.
   * A failed write throws a PersistenceError naming the file and the cause (docs/reliability.md).
   */
  async save(file: string, data: unknown, options: SaveOptions = {}): Promise<void> {
    const content = JSON.stringify(data, null, 2);
    const keeps = options.onFailure !== 'refused';
    const queued = this.queued.get(file);
    if (queued) {
      queued.content = content;
      queued.keeps ||= keeps;
      return queued.done;
    }
    const entry: QueuedWrite = { content, keeps, done: Promise.resolve() };
    this.queued.set(file, entry);
    const write = this.lock(file).runExclusive(async () => {
      this.queued.delete(file);
      try {
        await this.writer(this.filePath(file), entry.content, `${this.filePath(file)}.bak`);
      } catch (error) {
        const failure = PersistenceError.wrap(file, error);
        if (entry.keeps) this.failing.set(file, failure);
        throw failure;
      }
      this.failing.delete(file);
    });
    entry.done = write;
    this.pending.add(write);
    try {
      await write;
    } finally {
      this.pending.delete(write);
    }
  }

  /** Waits for every write in flight (including ones started while waiting), so exit never cuts one short. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
