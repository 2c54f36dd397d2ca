import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describeFsError } from './persistence.error';

/**
 * Whether files can be written in `dir` now: creates the folder if missing, then writes, fsyncs and removes a
 * small probe file. Answers null when writable, else the cause in a few words ("read-only file system").
 * Used at start-up (one clear line instead of a stack trace); the readiness probe is DataFolderHealth.probe().
 */
export async function dataFolderProblem(dir: string): Promise<string | null> {
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (error) {
    return `cannot be created: ${describeFsError(error)}`;
  }
  const probe = path.join(dir, `.write-probe.${process.pid}.tmp`);
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(probe, 'w', 0o600);
    await handle.writeFile('ok');
    await handle.sync();
    return null;
  } catch (error) {
    return `is not writable: ${describeFsError(error)}`;
  } finally {
    // Tidying after the probe: the answer is already decided above, a failed close or removal does not change it.
    await handle?.close().catch(() => undefined);
    await fs.rm(probe, { force: true }).catch(() => undefined);
  }
}
