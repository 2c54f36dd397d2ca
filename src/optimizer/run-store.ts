import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { atomicWrite } from '../persistence/atomic-write';
import type { RunState } from './optimization-run';

/** A run id: also its file name, so only this shape is ever accepted from a caller. */
export const RUN_ID_PATTERN = /^[a-z0-9]{6,32}$/;

/** Runs under DATA_DIR/optimizations/<id>.json, written atomically (temp, fsync, rename, .bak). */
export class RunStore {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'optimizations');
  }

  file(id: string): string {
    if (!RUN_ID_PATTERN.test(id)) throw new Error(`invalid run id ${JSON.stringify(id).slice(0, 40)}`);
    return path.join(this.dir, `${id}.json`);
  }

  async save(state: RunState): Promise<void> {
    const file = this.file(state.spec.id);
    await atomicWrite(file, JSON.stringify(state), `${file}.bak`);
  }

  async load(id: string): Promise<RunState | null> {
    for (const file of [this.file(id), `${this.file(id)}.bak`]) {
      try {
        const state = JSON.parse(await fs.readFile(file, 'utf8')) as RunState;
        if (state?.version === 1 && state.spec?.id === id) return state;
      } catch {
        // missing or torn: try the backup
      }
    }
    return null;
  }

  async list(): Promise<string[]> {
    const names = await fs.readdir(this.dir).catch(() => [] as string[]);
    return names
      .filter((n) => n.endsWith('.json'))
      .map((n) => n.slice(0, -5))
      .filter((id) => RUN_ID_PATTERN.test(id))
      .sort();
  }
}
