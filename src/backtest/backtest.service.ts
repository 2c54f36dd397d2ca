import {
  ConflictException,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Clock } from '../common/clock';
import { appConfig } from '../config/app.config';
import { atomicWrite, isTempName, removeStaleTempFiles } from '../persistence/atomic-write';
import { PersistenceError } from '../persistence/persistence.error';
import { BacktestRunner, type BacktestRequest, type BacktestStage } from './backtest-runner.service';
import { backtestMaxJobs, MAX_STORED_BACKTESTS } from './backtest-settings';
import { BacktestCancelledError, type WorkerRun } from './jobs/run-in-worker';
import { parseBacktestResult, type BacktestResult, type BacktestRunParameters } from './result/backtest-result';
import { renderReportPage, type RenderedReport } from './report/render-report';

export type BacktestJobStatus = 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';

/** The headline figures of a finished job, for the list. */
export interface BacktestJobSummary {
  trades: number;
  net_pnl_usdt: number;
  roi_pct: number;
  win_rate_pct: number;
  max_drawdown_pct: number;
}

/** One job as the API shows it (the result is served separately, it can be megabytes). */
export interface BacktestJob {
  id: string;
  status: BacktestJobStatus;
  /** 0–100. */
  progress_pct: number;
  stage: BacktestStage | null;
  created_at_ms: number;
  finished_at_ms: number | null;
  error: string | null;
  parameters: BacktestRunParameters;
  summary: BacktestJobSummary | null;
}

/** DATA_DIR/backtests/<id>.json; the result is beside it in <id>.result.json, written by the worker. */
interface StoredJob {
  job: BacktestJob;
}

const ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Backtest jobs (docs/backtest.md): accepted at once, run off the event loop (BacktestRunner → worker thread), at
 * most BACKTEST_MAX_JOBS at a time. Each job is a file under DATA_DIR/backtests/ written atomically when it starts
 * and when it ends, so a finished result survives a restart and a job cut off by one is found `running` on disk
 * and marked `interrupted` at start-up.
 */
@Injectable()
export class BacktestService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Backtest');
  readonly dir: string;
  readonly maxJobs = backtestMaxJobs();
  private readonly jobs = new Map<string, BacktestJob>();
  /** Jobs holding a slot: from acceptance to their end (the worker, once it runs, to cancel it). */
  private readonly active = new Map<string, { worker: WorkerRun | null; cancelled: boolean }>();
  /** Slots taken by requests still being validated. */
  private starting = 0;

  constructor(
    private readonly runner: BacktestRunner,
    private readonly clock: Clock,
    @Inject(appConfig.KEY) config: ConfigType<typeof appConfig>,
  ) {
    this.dir = path.resolve(config.dataDir, 'backtests');
  }

  async onModuleInit(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    await removeStaleTempFiles(this.dir);
    for (const name of await fs.readdir(this.dir)) {
      if (!name.endsWith('.json') || isTempName(name) || !ID_PATTERN.test(name.slice(0, -5))) continue;
      const file = path.join(this.dir, name);
      let stored: StoredJob;
      try {
        stored = JSON.parse(await fs.readFile(file, 'utf8')) as StoredJob;
        if (stored?.job?.id !== name.slice(0, -5)) throw new Error('the id inside does not match the file name');
      } catch (error) {
        this.logger.error(`${file} is unreadable and is left alone: ${(error as Error).message}`);
        continue;
      }
      if (stored.job.status === 'done' && !(await fs.stat(this.resultFileOf(stored.job.id)).catch(() => null))) {
        stored.job = { ...stored.job, status: 'failed', error: 'the result file is missing' };
        await this.write(stored);
      }
      if (stored.job.status === 'running') {
        // The process stopped while this job ran: say so, on disk too, rather than lose it silently.
        stored.job = {
          ...stored.job,
          status: 'interrupted',
          stage: null,
          finished_at_ms: this.clock.now(),
          error: 'the service stopped while this backtest ran',
        };
        await this.write(stored);
        this.logger.warn(`backtest ${stored.job.id} was interrupted by a restart`);
      }
      this.jobs.set(stored.job.id, stored.job);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    // The files stay `running`; the next start marks them interrupted.
    await Promise.all(
      [...this.active.values()].map((slot) => {
        slot.cancelled = true;
        return slot.worker ? slot.worker.cancel().catch(() => undefined) : Promise.resolve();
      }),
    );
  }

  /** Validates and accepts a job; it runs in the background. 429 when every slot is taken. */
  async create(request: BacktestRequest): Promise<BacktestJob> {
    if (this.active.size + this.starting >= this.maxJobs) {
      throw new HttpException(
        {
          success: false,
          error: `${this.maxJobs} backtest(s) already running (BACKTEST_MAX_JOBS); try again when one ends`,
        },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    if (this.jobs.size >= MAX_STORED_BACKTESTS) {
      throw new ConflictException({
        success: false,
        error: `${MAX_STORED_BACKTESTS} backtests are stored: delete some first`,
      });
    }
    this.starting++;
    let job: BacktestJob;
    let spec;
    try {
      const id = randomUUID();
      spec = await this.runner.prepare(request, id, this.resultFileOf(id));
      job = {
        id: spec.id,
        status: 'running',
        progress_pct: 0,
        stage: 'candles',
        created_at_ms: this.clock.now(),
        finished_at_ms: null,
        error: null,
        parameters: spec.parameters,
        summary: null,
      };
      await this.write({ job });
    } finally {
      this.starting--;
    }
    this.jobs.set(job.id, job);
    const slot = { worker: null as WorkerRun | null, cancelled: false };
    this.active.set(job.id, slot);
    this.run(job, spec, slot).catch((error: unknown) => this.logger.error(`backtest ${job.id}: ${String(error)}`));
    return { ...job };
  }

  list(): BacktestJob[] {
    return [...this.jobs.values()].sort((a, b) => b.created_at_ms - a.created_at_ms).map((job) => ({ ...job }));
  }

  get(id: string): BacktestJob {
    const job = ID_PATTERN.test(id) ? this.jobs.get(id) : undefined;
    if (!job) throw new NotFoundException({ success: false, error: `Backtest ${String(id).slice(0, 60)} not found` });
    return { ...job };
  }

  /** The stored result of a finished job; null while it runs or when it failed. */
  async result(id: string): Promise<BacktestResult | null> {
    const job = this.get(id);
    if (job.status !== 'done') return null;
    return parseBacktestResult(await fs.readFile(this.resultFileOf(id), 'utf8'));
  }

  async report(id: string): Promise<RenderedReport> {
    const job = this.get(id);
    const result = await this.result(id);
    if (!result) {
      throw new ConflictException({ success: false, error: `Backtest ${id} has no result (status ${job.status})` });
    }
    return renderReportPage(result);
  }

  /** Stops the job if it runs and removes it and its file. */
  async remove(id: string): Promise<BacktestJob> {
    const job = this.get(id);
    const slot = this.active.get(id);
    if (slot) {
      slot.cancelled = true;
      await slot.worker?.cancel().catch(() => undefined);
    }
    try {
      // Result first: a crash in between leaves a job without result, which start-up marks failed (no orphan file).
      await fs.rm(this.resultFileOf(id), { force: true });
      await fs.rm(this.fileOf(id), { force: true });
    } catch (error) {
      throw PersistenceError.wrap(this.fileOf(id), error);
    }
    this.jobs.delete(id);
    return { ...job, status: slot ? 'cancelled' : job.status };
  }

  private async run(
    job: BacktestJob,
    spec: Awaited<ReturnType<BacktestRunner['prepare']>>,
    slot: { worker: WorkerRun | null; cancelled: boolean },
  ): Promise<void> {
    try {
      const executed = await this.runner.execute(spec, {
        onProgress: (fraction, stage) => {
          job.progress_pct = Math.round(Math.min(99, fraction * 100) * 10) / 10;
          job.stage = stage;
        },
        onWorker: (worker) => {
          slot.worker = worker;
          if (slot.cancelled) worker.cancel().catch(() => undefined);
        },
      });
      if (slot.cancelled) return;
      const s = executed.statistics;
      const finished: BacktestJob = {
        ...job,
        status: 'done',
        progress_pct: 100,
        stage: null,
        finished_at_ms: this.clock.now(),
        summary: {
          trades: s.trades,
          net_pnl_usdt: s.net_pnl_usdt,
          roi_pct: s.roi_pct,
          win_rate_pct: s.win_rate_pct,
          max_drawdown_pct: s.max_drawdown_pct,
        },
      };
      await this.write({ job: finished });
      if (this.jobs.has(job.id)) this.jobs.set(job.id, finished);
    } catch (error) {
      if (slot.cancelled || error instanceof BacktestCancelledError) return;
      const failed: BacktestJob = {
        ...job,
        status: 'failed',
        stage: null,
        finished_at_ms: this.clock.now(),
        error: (error as Error)?.message ?? String(error),
      };
      this.logger.warn(`backtest ${job.id} failed: ${failed.error}`);
      if (this.jobs.has(job.id)) this.jobs.set(job.id, failed);
      await this.write({ job: failed }).catch((e: unknown) =>
        this.logger.error(`backtest ${job.id}: ${(e as Error).message}`),
      );
    } finally {
      this.active.delete(job.id);
    }
  }

  private resultFileOf(id: string): string {
    return path.join(this.dir, `${id}.result.json`);
  }

  private fileOf(id: string): string {
    return path.join(this.dir, `${id}.json`);
  }

  private async write(stored: StoredJob): Promise<void> {
    const file = this.fileOf(stored.job.id);
    try {
      await atomicWrite(file, JSON.stringify(stored));
    } catch (error) {
      throw PersistenceError.wrap(file, error);
    }
  }
}
