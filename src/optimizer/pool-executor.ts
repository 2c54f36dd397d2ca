import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { Piscina } from 'piscina';
import type { EvalWorkerData } from './eval-worker';
import type { CandidateParams } from './search-space';
import type { CandidateScore } from './walk-forward';

/** Runs candidate evaluations somewhere: a worker-thread pool here, a Redis queue in queue-executor.ts. */
export interface EvaluationExecutor {
  /** Evaluates one candidate; the index identifies it within the run (results are recorded once per index). */
  evaluate(index: number, params: CandidateParams): Promise<CandidateScore>;
  close(): Promise<void>;
}

/** V8's young generation of each pool thread, MB. */
export const POOL_YOUNG_GENERATION_MB = 16;

/** Under ts-jest or the swc loader the worker is TypeScript: the worker thread needs the same loader. */
function workerFile(): { filename: string; execArgv: string[] } {
  const ts = __filename.endsWith('.ts');
  return {
    filename: path.join(__dirname, `eval-worker${ts ? '.ts' : '.js'}`),
    execArgv: ts ? ['-r', '@swc-node/register'] : [],
  };
}

/**
 * A piscina pool sized to the machine; every worker gets the shared candle buffers once (workerData) and loads the
 * evaluator module once. Tasks carry parameters only.
 */
export class PoolExecutor implements EvaluationExecutor {
  private readonly pool: Piscina;

  constructor(init: EvalWorkerData, threads = availableParallelism()) {
    const { filename, execArgv } = workerFile();
    this.pool = new Piscina({
      filename,
      execArgv,
      workerData: init,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: 60_000,
      // The replay's garbage is short-lived: a small young generation per thread keeps the pool's memory near its
      // data (docs/whole-service-bench.md, "Backtest and optimizer jobs").
      resourceLimits: { maxYoungGenerationSizeMb: POOL_YOUNG_GENERATION_MB },
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
