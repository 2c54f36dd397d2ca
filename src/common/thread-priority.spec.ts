import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { BACKGROUND_THREAD_NICE, lowerThreadPriority } from './thread-priority';

/** Runs lowerThreadPriority in a worker thread and answers that thread's nice value before and after. */
function niceInWorker(): Promise<{ before: number; after: number; tid: number }> {
  const module = JSON.stringify(path.join(__dirname, 'thread-priority.ts'));
  const code = `
    require('@swc-node/register');
    const os = require('node:os');
    const { parentPort } = require('node:worker_threads');
    const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
    const before = os.getPriority(tid);
    require(${module}).lowerThreadPriority();
    parentPort.postMessage({ before, after: os.getPriority(tid), tid });
  `;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true });
    worker.once('message', (m) => {
      resolve(m);
      worker.terminate().catch(() => undefined);
    });
    worker.once('error', reject);
  });
}

const linux = process.platform === 'linux';

(linux ? describe : describe.skip)('lowerThreadPriority (Linux)', () => {
  it('lowers a worker thread to nice 10 and leaves the process (main thread) as it was', async () => {
    const main = os.getPriority(process.pid);
    const { before, after, tid } = await niceInWorker();
    expect(tid).not.toBe(process.pid);
    expect(after).toBe(Math.max(before, BACKGROUND_THREAD_NICE));
    expect(after).toBeGreaterThanOrEqual(10);
    expect(os.getPriority(process.pid)).toBe(main);
  });

  it('does nothing on the main thread', () => {
    const main = os.getPriority(process.pid);
    lowerThreadPriority();
    expect(os.getPriority(process.pid)).toBe(main);
  });
});
