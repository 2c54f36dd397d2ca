import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CandleColumns } from '../../exchange/exchange.types';
import { DamagedCandlesError, type BacktestSpec, type DetailAnswer, type WorkerMessage } from './backtest-job.types';

export interface WorkerRunHandlers {
  onProgress(stage: 'load' | 'replay' | 'assemble', fraction: number): void;
  /** 1m candles for one window, filled through the candle store on this (the main) thread. */
  loadDetail(symbol: string, fromMs: number, toMs: number): Promise<CandleColumns>;
}

export interface WorkerRun {
  done: Promise<Extract<WorkerMessage, { type: 'done' }>>;
  /** Stops the thread; `done` then rejects with BacktestCancelledError. */
  cancel(): Promise<void>;
}

/** V8's young generation of a job's thread, MB. */
export const WORKER_YOUNG_GENERATION_MB = 8;

export class BacktestCancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'BacktestCancelledError';
  }
}

/**
 * The worker's entry, compiled or not: in production this file is dist/backtest/jobs/run-in-worker.js and the
 * worker is the .js beside it; under jest or `node -r @swc-node/register` it is the .ts, which a small JS bootstrap
 * loads through @swc-node/register (a worker thread does not inherit the parent's require hooks).
 */
function workerEntry(): { file: string; eval: boolean } {
  const ext = path.extname(__filename);
  const entry = path.join(__dirname, `backtest-worker${ext}`);
  if (ext === '.js') return { file: entry, eval: false };
  return { file: `require('@swc-node/register'); require(${JSON.stringify(entry)});`, eval: true };
}

/** Runs one backtest in a new worker thread (one thread per job: a job is seconds long, a thread starts in ms). */
export function runInWorker(spec: BacktestSpec, handlers: WorkerRunHandlers): WorkerRun {
  const entry = workerEntry();
  // A small young generation: the replay allocates little per candle, and a job's memory stays near its data.
  const worker = new Worker(entry.file, {
    eval: entry.eval,
    workerData: { backtestSpec: spec },
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
  });
  let cancelled = false;
  let settled = false;
  const done = new Promise<Extract<WorkerMessage, { type: 'done' }>>((resolve, reject) => {
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
    };
    worker.on('message', (message: WorkerMessage) => {
      switch (message.type) {
        case 'progress':
          handlers.onProgress(message.stage, message.fraction);
          break;
        case 'need-detail':
          handlers
            .loadDetail(message.symbol, message.fromMs, message.toMs)
            .then((candles): DetailAnswer => ({ type: 'detail', requestId: message.requestId, candles }))
            .catch((error: unknown): DetailAnswer => ({
              type: 'detail',
              requestId: message.requestId,
              candles: null,
              error: String((error as Error)?.message ?? error),
            }))
            .then((answer) => {
              if (!settled) worker.postMessage(answer);
            })
            .catch(() => undefined); // the thread ended meanwhile: nobody waits for the answer
          break;
        case 'done':
          finish(() => resolve(message));
          break;
        case 'error':
          finish(() =>
            reject(
              message.damagedSymbol
                ? new DamagedCandlesError(message.damagedSymbol, message.message)
                : new Error(message.message),
            ),
          );
          break;
      }
    });
    worker.on('error', (error) => finish(() => reject(error)));
    worker.on('exit', (code) =>
      finish(() =>
        reject(cancelled ? new BacktestCancelledError() : new Error(`backtest worker exited with code ${code}`)),
      ),
    );
  });
  return {
    done,
    cancel: async () => {
      cancelled = true;
      await worker.terminate();
    },
  };
}
