import { evaluatorModulePath, type EvaluatorModule } from './evaluation-port';
import type { EvalWorkerData } from './eval-worker';
import type { EvaluationExecutor } from './pool-executor';
import type { CandidateParams } from './search-space';
import { attachSharedCandles } from './shared-candles';
import { scoreCandidate, type CandidateScore } from './walk-forward';

/** Evaluates on the calling thread: for specs and the single-threaded reference in the bench. */
export class InlineExecutor implements EvaluationExecutor {
  private readonly run: (params: CandidateParams) => CandidateScore;
  evaluations = 0;

  constructor(init: EvalWorkerData) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const evaluator = require(init.evaluatorModule) as EvaluatorModule;
    const evaluate = evaluator.createEvaluator(attachSharedCandles(init.candles), init.context ?? null);
    this.run = (params) => scoreCandidate(evaluate(params), init.windows, init.objective, init.constraints);
  }

  static synthetic(init: Omit<EvalWorkerData, 'evaluatorModule' | 'context'>): InlineExecutor {
    return new InlineExecutor({ ...init, context: null, evaluatorModule: evaluatorModulePath('synthetic') });
  }

  async evaluate(_index: number, params: CandidateParams): Promise<CandidateScore> {
    this.evaluations++;
    return this.run(params);
  }

  async close(): Promise<void> {}
}
