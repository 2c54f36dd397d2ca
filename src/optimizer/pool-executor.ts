import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { Piscina } from 'piscina';
import type { EvalWorkerData } from './eval-worker';
import type { CandidateParams } from './search-space';
import type { CandidateScore } from './walk-forward';

export type CandidateToEvaluate = { index: number; params: CandidateParams };

/** Runs candidate evaluations somewhere: a worker-thread pool here, a Redis queue in queue-executor.ts. */
export interface EvaluationExecutor {
  /** Evaluates one candidate; the index identifies it within the run (results are recorded once per index). */
  evaluate(index: number, params: CandidateParams): Promise<CandidateScore>;
  /**
   * Optional: a whole generation handed over at once (the queue adds its jobs in one round trip); one answer per
   * candidate, in order, each settling as that candidate is scored.
   */
  evaluateBatch?(candidates: readonly CandidateToEvaluate[]): Promise<CandidateScore>[];
  close(): Promise<void>;
}

/** V8's young generation of each pool thread in the service, MB. */
export const POOL_YOUNG_GENERATION_MB = 16;

/**
 * How a pool shares the machine. `background` (the service's runs): threads at nice 10 with a small young
 * generation, so the API and the live workers keep their CPU and the process its memory (docs/whole-service-bench.md,
 * "Backtest and optimizer jobs"). `foreground` (CLI, bench): V8's defaults at normal priority, for throughput.
 */
export type PoolMode = 'background' | 'foreground';

/**
 * A piscina worker module of this folder (`eval-worker`, `equity-worker`) in this file's flavour: under ts-jest or the
 * swc loader the worker is TypeScript, and the worker thread needs the same loader.
 */
export function workerFile(base: string): { filename: string; execArgv: string[] } {
  const ts = __filename.endsWith('.ts');
  return {
    filename: path.join(__dirname, `${base}${ts ? '.ts' : '.js'}`),
    execArgv: ts ? ['-r', '@swc-node/register'] : [],
  };
}

/**
 * A piscina pool sized to the machine; every worker gets the shared candle buffers once (workerData) and loads the
 * evaluator module once. Tasks carry parameters only.
 */
export class PoolExecutor implements EvaluationExecutor {
  private readonly pool: Piscina;

  constructor(init: EvalWorkerData, threads = availableParallelism(), mode: PoolMode = 'foreground') {
    const { filename, execArgv } = workerFile('eval-worker');
    this.pool = new Piscina({
      filename,
      execArgv,
      workerData: { ...init, background: mode === 'background' },
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: 60_000,
      // The replay's garbage is short-lived: a small young generation keeps a thread's memory near its data.
      ...(mode === 'background' ? { resourceLimits: { maxYoungGenerationSizeMb: POOL_YOUNG_GENERATION_MB } } : {}),
    });
  }

  get threads(): number {
    return this.pool.threads.length;
  }

  evaluate(_index: number, params: CandidateParams): Promise<CandidateScore> {
    return this.pool.run(params) as Promise<CandidateScore>;
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
