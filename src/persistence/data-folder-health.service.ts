import { Injectable, Logger } from '@nestjs/common';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { JsonStore } from './json-store.service';
import { describeFsError } from './persistence.error';

/** How often at most the data folder is probed with a real write (readiness probes may call every second). */
const PROBE_EVERY_MS = 1000;

export interface StorageState {
  /** Null when a file can be written in the data folder and every store's last save worked; else why not. */
  problem: string | null;
  unsaved: string[];
}

/**
 * Readiness of the data folder (docs/reliability.md): not ready while a probe file cannot be written there
 * (full, read-only, permissions) or while a store holds changes its last save could not write. The probe goes
 * through the store's own writer (temp file, fsync, rename), so it fails exactly when saves fail.
 */
@Injectable()
export class DataFolderHealth {
  private writeProblem: string | null = null;
  private probedAt = 0;
  private probing: Promise<void> | null = null;
  private readonly logger = new Logger('DataFolderHealth');

  constructor(private readonly store: JsonStore) {}

  /** The last known state; starts a new probe in the background when the last one is older than a second. */
  current(): StorageState {
    if (Date.now() - this.probedAt >= PROBE_EVERY_MS) {
      // Not awaited: health answers from the last probe. probe() records its own failures; this catches a bug.
      void this.refresh().catch((error: Error) => this.logger.error(`Write probe failed: ${error.message}`));
    }
    const unsaved = this.store.unsavedFiles().map((u) => u.error);
    return { problem: this.writeProblem ?? unsaved[0] ?? null, unsaved };
  }

  /** Probes now (one probe at a time). */
  refresh(): Promise<void> {
    this.probing ??= this.probe().finally(() => (this.probing = null));
    return this.probing;
  }

  private async probe(): Promise<void> {
    const file = path.join(this.store.dataDir, '.write-probe.tmp');
    try {
      await this.store.writer(file, '{}');
      this.writeProblem = null;
    } catch (error) {
      this.writeProblem = `data folder ${this.store.dataDir} is not writable: ${describeFsError(error)}`;
    } finally {
      this.probedAt = Date.now();
      // The verdict is the write above; a probe file that will not go is overwritten by the next probe.
      await fs.rm(file, { force: true }).catch(() => undefined);
    }
  }
}
