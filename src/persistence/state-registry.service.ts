import { Injectable, Logger } from '@nestjs/common';

interface Saver {
  name: string;
  flush: () => Promise<void>;
}

export interface FlushResult {
  name: string;
  ok: boolean;
  error?: string;
}

/**
 * Everything that holds state registers a flush here; the auto-save worker and the shutdown hook
 * call them all. One failing store never keeps the others from being saved.
 */
@Injectable()
export class StateRegistry {
  private readonly logger = new Logger('StateRegistry');
  private readonly savers: Saver[] = [];
  private flushing: Promise<FlushResult[]> | null = null;

  register(name: string, flush: () => Promise<void>): void {
    this.savers.push({ name, flush });
  }

  /** Concurrent calls share one pass, so a second signal during shutdown cannot interleave writes. */
  flushAll(): Promise<FlushResult[]> {
    if (!this.flushing) {
      this.flushing = this.runAll().finally(() => (this.flushing = null));
    }
    return this.flushing;
  }

  private async runAll(): Promise<FlushResult[]> {
    const results: FlushResult[] = [];
    for (const saver of this.savers) {
      try {
        await saver.flush();
        results.push({ name: saver.name, ok: true });
      } catch (error) {
        const message = (error as Error).message;
        this.logger.error(`Saving ${saver.name} failed: ${message}`);
        results.push({ name: saver.name, ok: false, error: message });
      }
    }
    return results;
  }
}
