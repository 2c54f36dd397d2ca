import { isMainThread, workerData } from 'node:worker_threads';
import { lowerThreadPriority } from '../common/thread-priority';
import type { EvaluatorContext, EvaluatorModule } from './evaluation-port';
import type { Constraints, Objective } from './objective';
import type { CandidateParams } from './search-space';
import { attachSharedCandles, type SharedCandles } from './shared-candles';
import { scoreCandidate, type CandidateScore, type FoldWindow } from './walk-forward';

/** What a pool worker is given once, at start: the shared candles and how to score; tasks carry parameters only. */
export type EvalWorkerData = {
  evaluatorModule: string;
  candles: SharedCandles;
  /** Absent: none (the synthetic evaluator). */
  context?: EvaluatorContext;
  windows: FoldWindow[];
  objective: Objective;
  constraints: Constraints;
  /** Set by PoolExecutor in background mode: the thread lowers its priority (nice 10) when it loads. */
  background?: boolean;
};

let evaluate: ((params: CandidateParams) => CandidateScore) | null = null;

// A service's pool thread yields the CPU to the API and the live workers (docs/whole-service-bench.md).
if (!isMainThread && (workerData as EvalWorkerData | undefined)?.background) lowerThreadPriority();

function setUp(init: EvalWorkerData): (params: CandidateParams) => CandidateScore {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const evaluator = require(init.evaluatorModule) as EvaluatorModule;
  const run = evaluator.createEvaluator(attachSharedCandles(init.candles), init.context ?? null);
  return (params) => scoreCandidate(run(params), init.windows, init.objective, init.constraints);
}

/** Piscina task handler. */
export default function evaluateTask(params: CandidateParams): CandidateScore {
  evaluate ??= setUp(workerData as EvalWorkerData);
  return evaluate(params);
}
