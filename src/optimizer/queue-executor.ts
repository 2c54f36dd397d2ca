import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { EvaluatorContext, EvaluatorName } from './evaluation-port';
import type { Constraints, Objective } from './objective';
import type { CandidateToEvaluate, EvaluationExecutor } from './pool-executor';
import type { CandidateParams } from './search-space';
import type { DatasetSpec } from './shared-candles';
import type { CandidateScore, FoldWindow } from './walk-forward';

/**
 * Evaluations across machines (docs/optimizer.md, "Across machines"): one BullMQ job per candidate on Redis,
 * pulled by `npm run optimizer-worker` processes. The run's task is stored once under `taskKey(runId)` and jobs carry
 * only (run id, index, parameters). A job's id is (run id, candidate index), so adding it again (a restarted
 * coordinator) finds the existing job; the worker records the result under the same key with HSETNX, so a job run
 * twice (its first worker died after evaluating) still has one recorded result.
 */
export const OPTIMIZER_QUEUE = 'optimizer-evaluations';
export const resultsKey = (runId: string): string => `optimizer:results:${runId}`;
/** How many times each candidate was actually evaluated (diagnostics: a retried job shows 2). */
export const executionsKey = (runId: string): string => `optimizer:executions:${runId}`;
/** The run's EvaluationTask as JSON, written once per run (the backtest replay setup is ~72 KB for 580 coins). */
export const taskKey = (runId: string): string => `optimizer:task:${runId}`;
/** Results and tasks are kept a week, then Redis forgets them (the coordinator's run file is the record). */
export const RESULT_TTL_S = 7 * 24 * 3600;

/** What a worker needs to rebuild a run's evaluator; stored once per run (`taskKey`), not in every job. */
export type EvaluationTask = {
  evaluator: EvaluatorName;
  dataset: DatasetSpec;
  /** Absent: none (the synthetic evaluator). */
  context?: EvaluatorContext;
  windows: FoldWindow[];
  objective: Objective;
  constraints: Constraints;
};
export type EvaluationJobData = { runId: string; index: number; params: CandidateParams };

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

  /**
   * Before the first job: the task under `taskKey` (SET NX: a restarted coordinator's run id names the same task, so
   * the first copy stands; the expiry is renewed) and the completion events listening.
   */
  private prepare(): Promise<unknown> {
    this.ready ??= (async () => {
      // bullmq's own client type omits SET's options and EXPIRE; it is an ioredis client.
      const client = (await this.queue.client) as unknown as Redis;
      await client.set(taskKey(this.runId), JSON.stringify(this.task), 'EX', RESULT_TTL_S, 'NX');
      await client.expire(taskKey(this.runId), RESULT_TTL_S);
      await this.events.waitUntilReady();
    })();
    return this.ready;
  }

  private job(index: number, params: CandidateParams) {
    return {
      name: 'evaluate',
      data: { runId: this.runId, index, params },
      opts: {
        jobId: jobId(this.runId, index),
        attempts: this.attempts,
        backoff: { type: 'fixed' as const, delay: 200 },
        removeOnComplete: { age: RESULT_TTL_S, count: 100_000 },
        removeOnFail: { age: RESULT_TTL_S },
      },
    };
  }

  async evaluate(index: number, params: CandidateParams): Promise<CandidateScore> {
    const [score] = this.evaluateBatch([{ index, params }]);
    return score;
  }

  /** A generation's jobs in one `addBulk` (one round trip), each answered as its job completes. */
  evaluateBatch(candidates: readonly CandidateToEvaluate[]): Promise<CandidateScore>[] {
    if (candidates.length === 0) return [];
    const added = this.prepare().then(() =>
      this.queue.addBulk(candidates.map(({ index, params }) => this.job(index, params))),
    );
    return candidates.map(async (_, k) => (await (await added)[k].waitUntilFinished(this.events)) as CandidateScore);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.events.close(), this.ownsQueue ? this.queue.close() : Promise.resolve()]);
  }
}
