import { promises as fs } from 'node:fs';
import * as path from 'node:path';

let counter = 0;

async function fsyncDir(dir: string): Promise<void> {
  // Makes the rename itself durable; not supported on every platform, so failures are ignored.
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    /* best effort */
  } finally {
    // Best effort like the sync: a folder handle that will not close loses nothing.
    await handle?.close().catch(() => undefined);
  }
}

async function writeSynced(file: string, content: string | Buffer): Promise<void> {
  const handle = await fs.open(file, 'w', 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const LINK_UNSUPPORTED = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'ENOSYS', 'EMLINK']);

/**
 * Keeps the current content of `target` as `backup`. A hard link costs no copy and no fsync: the old file was
 * made durable when it was written and is never modified in place (every write is a new file renamed over it).
 * Where the file system has no hard links, the content is copied and fsynced instead.
 */
async function preserveBackup(target: string, backup: string, bakTmp: string): Promise<void> {
  try {
    await fs.link(target, bakTmp);
    // An empty file is never a "last good copy": keep the backup there is.
    if ((await fs.stat(bakTmp)).size === 0) return void (await fs.rm(bakTmp, { force: true }));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code === 'ENOENT') return; // first write: nothing to keep
    if (!LINK_UNSUPPORTED.has(code)) throw error;
    const previous = await fs.readFile(target).catch(() => null);
    if (!previous || previous.length === 0) return;
    await writeSynced(bakTmp, previous);
  }
  await fs.rename(bakTmp, backup);
}

/** The temp file a write of `target` goes through: `.<name>.<pid>.<ms>.<n>.tmp`, beside the target. */
function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${Date.now()}.${counter++}.tmp`);
}

/**
 * The process id in a temp name `tempPathFor` makes (its `.bak` companion too), null for any other name. Temp files
 * of candle writes before they went through atomicWrite had no time segment; those are read as well.
 */
export function tempWriterPid(name: string): number | null {
  const match = /^\..+?\.(\d+)\.(?:\d+\.)?\d+\.tmp(?:\.bak)?$/.exec(name);
  return match ? Number(match[1]) : null;
}

/**
 * Writes `content` to `target` so that a reader (or a crash at any point) sees either the old
 * complete file or the new complete file: temp file in the same folder, fsync, rename.
 * When `backup` is given, the previous content is first preserved there the same way.
 */
export async function atomicWrite(target: string, content: string | Buffer, backup?: string): Promise<void> {
  const dir = path.dirname(target);
  await fs.mkdir(dir, { recursive: true });
  const tmp = tempPathFor(target);
  try {
    await writeSynced(tmp, content);
    if (backup) await preserveBackup(target, backup, `${tmp}.bak`);
    await fs.rename(tmp, target);
    await fsyncDir(dir);
  } catch (error) {
    // Tidying only: the caller gets the write's own error below, not a failure to remove the leftovers.
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    await fs.rm(`${tmp}.bak`, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** Whether `name` has the shape of a temp file atomicWrite makes (or made before it was killed). */
export function isTempName(name: string): boolean {
  return name.startsWith('.') && (name.endsWith('.tmp') || name.endsWith('.tmp.bak'));
}

/**
 * Removes temp files a killed process left behind. Only regular files are removed: anything else with a temp
 * name (a directory, a FIFO) is not ours and is left alone; its name is returned so the caller can say so.
 */
export async function removeStaleTempFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  const skipped: string[] = [];
  await Promise.all(
    entries
      .filter((entry) => isTempName(entry.name))
      .map(async (entry) => {
        if (!entry.isFile()) return void skipped.push(entry.name);
        await fs.rm(path.join(dir, entry.name), { force: true }).catch(() => skipped.push(entry.name));
      }),
  );
  return skipped;
}
