/** Error codes that mean the disk is full (HTTP 507 Insufficient Storage); any other write failure is a 503. */
const NO_SPACE = new Set(['ENOSPC', 'EDQUOT']);

const CAUSES: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EIO: 'input/output error',
  EISDIR: 'a directory is in the way',
  ENOTDIR: 'a part of the path is not a directory',
  ENOENT: 'no such file or directory',
};

/** The cause of a file-system error in a few words ("no space left on device"). */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code && CAUSES[code]) return CAUSES[code];
  const message = (error as Error)?.message ?? String(error);
  // Node's messages start with the code ("ENOSPC: no space left on device, write"): keep the words only.
  return message.replace(/^[A-Z]+: /, '').replace(/, \w+( '.*')?$/, '');
}

/**
 * A change could not be made durable: `file` was not written. The HTTP layer answers 507 (disk full) or 503
 * (any other cause) with `{success:false, error: message}` (docs/reliability.md).
 * `keptInMemory` says the change already happened outside (an exchange order filled) and so stays in memory
 * while the save is retried; otherwise the change was refused and memory equals the disk.
 */
export class PersistenceError extends Error {
  readonly code: string;
  readonly status: 507 | 503;

  constructor(
    readonly file: string,
    override readonly cause: unknown,
    readonly keptInMemory = false,
  ) {
    super(
      `${file} could not be saved: ${describeFsError(cause)}` +
        (keptInMemory ? ' (the exchange action happened; the change is kept in memory and the save is retried)' : ''),
    );
    this.name = 'PersistenceError';
    this.code = (cause as NodeJS.ErrnoException)?.code ?? 'UNKNOWN';
    this.status = NO_SPACE.has(this.code) ? 507 : 503;
  }

  /** The same failure, marked as a change that already happened and is kept in memory. */
  kept(): PersistenceError {
    return this.keptInMemory ? this : new PersistenceError(this.file, this.cause, true);
  }

  static wrap(file: string, error: unknown): PersistenceError {
    return error instanceof PersistenceError ? error : new PersistenceError(file, error);
  }
}
