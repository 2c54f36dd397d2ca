import { Queue, QueueEvents } from 'bullmq';
import type { EvaluatorContext, EvaluatorName } from './evaluation-port';
import type { Constraints, Objective } from './objective';
import type { EvaluationExecutor } from './pool-executor';
import type { CandidateParams } from './search-space';
import type { DatasetSpec } from './shared-candles';
import type { CandidateScore, FoldWindow } from './walk-forward';

/**
 * Evaluations across machines (docs/optimizer.md, "Across machines"): one BullMQ job per candidate on Redis,
 * pulled by `npm run optimizer-worker` processes. A job's id is (run id, candidate index), so adding it again
 * (a restarted coordinator) finds the existing job; the worker records the result under the same key with HSETNX,
 * so a job run twice (its first worker died after evaluating) still has one recorded result.
 */
export const OPTIMIZER_QUEUE = 'optimizer-evaluations';
export const resultsKey = (runId: string): string => `optimizer:results:${runId}`;
/** How many times each candidate was actually evaluated (diagnostics: a retried job shows 2). */
export const executionsKey = (runId: string): string => `optimizer:executions:${runId}`;
/** Results are kept a week, then Redis forgets them (the coordinator's run file is the record). */
export const RESULT_TTL_S = 7 * 24 * 3600;

/** What a worker needs to rebuild a run's evaluator: small, so every job carries it. */
export type EvaluationTask = {
  evaluator: EvaluatorName;
  dataset: DatasetSpec;
  /** Absent: none (the synthetic evaluator). */
  context?: EvaluatorContext;
  windows: FoldWindow[];
  objective: Objective;
  constraints: Constraints;
};
export type EvaluationJobData = { runId: string; index: number; params: CandidateParams; task: EvaluationTask };

export const jobId = (runId: string, index: number): string => `${runId}-${index}`;

export class QueueExecutor implements EvaluationExecutor {
  private readonly queue: Queue<EvaluationJobData, CandidateScore>;
  /** A queue this executor opened (from a URL) and so closes; an injected one belongs to its module. */
  private readonly ownsQueue: boolean;
  private readonly events: QueueEvents;
  private ready: Promise<unknown> | null = null;

  /** `queue`: the service's @nestjs/bullmq queue, or a Redis URL (the CLI and the bench, which have no Nest queue). */
  constructor(
    queue: Queue<EvaluationJobData, CandidateScore> | string,
    private readonly runId: string,
    private readonly task: EvaluationTask,
    private readonly attempts = 5,
  ) {
    this.ownsQueue = typeof queue === 'string';
    this.queue = typeof queue === 'string' ? new Queue(OPTIMIZER_QUEUE, { connection: { url: queue } }) : queue;
    this.events = new QueueEvents(OPTIMIZER_QUEUE, { connection: this.queue.opts.connection });
    // One waiter per job in flight (a whole generation): not a leak.
    this.queue.setMaxListeners(0);
    this.events.setMaxListeners(0);
  }

  async evaluate(index: number, params: CandidateParams): Promise<CandidateScore> {
    this.ready ??= this.events.waitUntilReady();
    await this.ready;
    const job = await this.queue.add(
      'evaluate',
      { runId: this.runId, index, params, task: this.task },
      {
        jobId: jobId(this.runId, index),
        attempts: this.attempts,
        backoff: { type: 'fixed', delay: 200 },
        removeOnComplete: { age: RESULT_TTL_S, count: 100_000 },
        removeOnFail: { age: RESULT_TTL_S },
      },
    );
    return (await job.waitUntilFinished(this.events)) as CandidateScore;
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.events.close(), this.ownsQueue ? this.queue.close() : Promise.resolve()]);
  }
}
