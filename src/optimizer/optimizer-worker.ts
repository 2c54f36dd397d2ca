import { BoundedCache } from '../common/bounded-cache';
import { BullModule, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, Module, type DynamicModule, type Type } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { evaluatorModulePath, EVALUATORS, type EvaluateCandidate, type EvaluatorModule } from './evaluation-port';
import {
  executionsKey,
  OPTIMIZER_QUEUE,
  RESULT_TTL_S,
  resultsKey,
  taskKey,
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

/** Keeps the last data sets built and the last runs' tasks (a worker usually serves one run at a time). */
const MAX_CACHED = 2;
const MAX_RUNS = 4;

type RunEvaluation = { task: EvaluationTask; evaluate: EvaluateCandidate };

/** A cache bound by entry count only (least recently used dropped first). */
const countBound = (maxEntries: number) => ({ maxEntries, maxAgeMs: Number.POSITIVE_INFINITY, now: () => 0 });

/**
 * Reads a run's task from Redis once (`taskKey`) and builds its evaluator once per data set, as the in-process
 * pool's threads do; a worker started mid-run reads the task at its first job of that run.
 */
export class EvaluatorCache {
  // Bounded by count only: a data set or a task stays valid as long as it is used.
  private readonly evaluators = new BoundedCache<string, EvaluateCandidate>(countBound(MAX_CACHED));
  private readonly runs = new BoundedCache<string, Promise<RunEvaluation>>(countBound(MAX_RUNS));

  forRun(runId: string, client: Redis): Promise<RunEvaluation> {
    let run = this.runs.get(runId);
    if (!run) {
      run = this.load(runId, client);
      this.runs.set(runId, run);
      // A failed read is not kept: the job's next attempt reads again.
      const loading = run;
      loading.catch(() => this.runs.get(runId) === loading && this.runs.delete(runId));
    }
    return run;
  }

  private async load(runId: string, client: Redis): Promise<RunEvaluation> {
    const raw = await client.get(taskKey(runId));
    if (raw === null) throw new Error(`no task for run ${runId.slice(0, 64)} in Redis (expired or never written)`);
    const task = JSON.parse(raw) as EvaluationTask;
    return { task, evaluate: await this.evaluatorFor(task) };
  }

  private async evaluatorFor(task: EvaluationTask): Promise<EvaluateCandidate> {
    if (!EVALUATORS.includes(task.evaluator)) {
      throw new Error(`unknown evaluator ${String(task.evaluator).slice(0, 40)}`);
    }
    const key = JSON.stringify([task.evaluator, task.dataset, task.context]);
    let evaluate = this.evaluators.get(key);
    if (!evaluate) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const evaluator = require(evaluatorModulePath(task.evaluator)) as EvaluatorModule;
      evaluate = evaluator.createEvaluator(attachSharedCandles(await loadDataset(task.dataset)), task.context ?? null);
      this.evaluators.set(key, evaluate);
    }
    return evaluate;
  }
}

/**
 * Records a score once and answers the recorded one, in one round trip: HSETNX (the first result wins, whichever
 * worker wrote it), the execution count, both expiries, then the stored value.
 */
const RECORD_ONCE = `
redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return redis.call('HGET', KEYS[1], ARGV[1])`;

/**
 * Evaluates one job and records its score once under (run id, candidate index) (docs/optimizer.md, "Across
 * machines"): a job retried after its worker died finds the first result and answers that, so nothing counts twice.
 */
export async function evaluateJob(
  job: Job<EvaluationJobData>,
  client: Redis,
  evaluators: EvaluatorCache,
): Promise<CandidateScore> {
  const { runId, index, params } = job.data;
  const field = String(index);
  const recorded = await client.hget(resultsKey(runId), field);
  if (recorded) return JSON.parse(recorded) as CandidateScore;
  const { task, evaluate } = await evaluators.forRun(runId, client);
  const score = scoreCandidate(evaluate(params), task.windows, task.objective, task.constraints);
  const stored = (await client.eval(
    RECORD_ONCE,
    2,
    resultsKey(runId),
    executionsKey(runId),
    field,
    JSON.stringify(score),
    RESULT_TTL_S,
  )) as string;
  return JSON.parse(stored) as CandidateScore;
}

/** The @nestjs/bullmq processor for the evaluation queue, with this process's lock and concurrency settings. */
export type EvaluationProcessor = WorkerHost;

function evaluationProcessor(options: OptimizerWorkerOptions): Type<EvaluationProcessor> {
  @Processor(OPTIMIZER_QUEUE, {
    concurrency: options.concurrency,
    lockDuration: options.lockMs,
    stalledInterval: Math.max(500, Math.floor(options.lockMs / 2)),
    maxStalledCount: 3,
  })
  class OptimizerEvaluationProcessor extends WorkerHost {
    private readonly logger = new Logger('OptimizerWorker');
    private readonly evaluators = new EvaluatorCache();

    async process(job: Job<EvaluationJobData>): Promise<CandidateScore> {
      // bullmq's own client type omits HSETNX; it is an ioredis client.
      const client = (await this.worker.client) as unknown as Redis;
      try {
        return await evaluateJob(job, client, this.evaluators);
      } catch (error) {
        this.logger.error(`optimizer job ${job.id ?? '?'} failed: ${(error as Error).message}`);
        throw error;
      }
    }
  }
  return OptimizerEvaluationProcessor;
}

@Module({})
class OptimizerWorkerModule {}

/**
 * The `npm run optimizer-worker` process as a Nest application context: BullMQ's connection and the evaluation
 * queue through @nestjs/bullmq, and one processor pulling jobs from it. Answers the module and the processor class
 * (the CLI waits for its worker to be ready).
 */
export function optimizerWorkerModule(options: OptimizerWorkerOptions): {
  module: DynamicModule;
  processor: Type<EvaluationProcessor>;
} {
  const processor = evaluationProcessor(options);
  return {
    module: {
      module: OptimizerWorkerModule,
      imports: [
        BullModule.forRoot({ connection: { url: options.redisUrl } }),
        BullModule.registerQueue({ name: OPTIMIZER_QUEUE }),
      ],
      providers: [processor],
    },
    processor,
  };
}
