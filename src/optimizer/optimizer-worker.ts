import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { evaluatorModulePath, EVALUATORS, type EvaluateCandidate, type EvaluatorModule } from './evaluation-port';
import {
  executionsKey,
  OPTIMIZER_QUEUE,
  RESULT_TTL_S,
  resultsKey,
  type EvaluationJobData,
  type EvaluationTask,
} from './queue-executor';
import { attachSharedCandles, loadDataset } from './shared-candles';
import { scoreCandidate, type CandidateScore } from './walk-forward';

export type OptimizerWorkerOptions = {
  redisUrl: string;
  /** Jobs processed at once by this process; evaluations are CPU-bound, so run one process per core instead. */
  concurrency: number;
  /**
   * How long a job stays locked to this worker without renewal. An evaluation blocks the event loop, so this must
   * exceed the longest evaluation; after a crash the job is retried elsewhere once it expires.
   */
  lockMs: number;
};

/** Keeps the last data sets built (a worker usually serves one run at a time). */
const MAX_CACHED = 2;

/** Pulls evaluation jobs from Redis and records each result once under (run id, candidate index). */
export function startOptimizerWorker(options: OptimizerWorkerOptions): Worker<EvaluationJobData, CandidateScore> {
  const cache = new Map<string, EvaluateCandidate>();
  const evaluatorFor = async (task: EvaluationTask): Promise<EvaluateCandidate> => {
    if (!EVALUATORS.includes(task.evaluator)) {
      throw new Error(`unknown evaluator ${String(task.evaluator).slice(0, 40)}`);
    }
    const key = JSON.stringify([task.evaluator, task.dataset, task.context]);
    let evaluate = cache.get(key);
    if (!evaluate) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const evaluator = require(evaluatorModulePath(task.evaluator)) as EvaluatorModule;
      evaluate = evaluator.createEvaluator(attachSharedCandles(await loadDataset(task.dataset)), task.context ?? null);
      if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
      cache.set(key, evaluate);
    }
    return evaluate;
  };

  const worker: Worker<EvaluationJobData, CandidateScore> = new Worker(
    OPTIMIZER_QUEUE,
    async (job: Job<EvaluationJobData>) => {
      const { runId, index, params, task } = job.data;
      // bullmq's own client type omits HSETNX; it is an ioredis client.
      const client = (await worker.client) as unknown as Redis;
      const field = String(index);
      const recorded = await client.hget(resultsKey(runId), field);
      if (recorded) return JSON.parse(recorded) as CandidateScore;
      const score = scoreCandidate((await evaluatorFor(task))(params), task.windows, task.objective, task.constraints);
      await client
        .multi()
        .hsetnx(resultsKey(runId), field, JSON.stringify(score))
        .hincrby(executionsKey(runId), field, 1)
        .expire(resultsKey(runId), RESULT_TTL_S)
        .expire(executionsKey(runId), RESULT_TTL_S)
        .exec();
      // The first recorded result wins, whichever worker wrote it.
      return JSON.parse((await client.hget(resultsKey(runId), field)) as string) as CandidateScore;
    },
    {
      connection: { url: options.redisUrl },
      concurrency: options.concurrency,
      lockDuration: options.lockMs,
      stalledInterval: Math.max(500, Math.floor(options.lockMs / 2)),
      maxStalledCount: 3,
    },
  );
  return worker;
}
