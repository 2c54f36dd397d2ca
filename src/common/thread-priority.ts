import { readlinkSync } from 'node:fs';
import * as os from 'node:os';

/**
 * Nice value of the service's background threads (backtest jobs, optimizer evaluations): the API and the live
 * workers on the main thread win the CPU over them (docs/backtest.md, docs/whole-service-bench.md).
 */
export const BACKGROUND_THREAD_NICE = 10;

/**
 * Lowers the calling thread's scheduling priority to at least `nice`. Linux schedules threads, and setpriority() on a
 * thread id applies to that thread alone; /proc/thread-self names it. On the main thread, elsewhere than Linux, or if
 * refused, nothing changes.
 */
export function lowerThreadPriority(nice: number = BACKGROUND_THREAD_NICE): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0 && tid !== process.pid) {
      os.setPriority(tid, Math.max(os.getPriority(tid), nice));
    }
  } catch {
    /* not Linux: same priority as the service */
  }
}
