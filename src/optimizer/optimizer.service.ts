import {
  ConflictException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  Optional,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { ConfigType } from '@nestjs/config';
import type { Queue } from 'bullmq';
import { randomBytes, randomInt } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { BacktestRunner } from '../backtest/backtest-runner.service';
import { CandleStoreService } from '../candles/candle-store.service';
import { Clock } from '../common/clock';
import { appConfig } from '../config/app.config';
import { AutoBotConfigService } from '../config/auto-bot-config.service';
import { ConfigValidationError } from '../config/config-validation.error';
import { IndividualSettingsService } from '../config/individual-settings.service';
import { SystemConfigService } from '../config/system-config.service';
import { ExchangeService } from '../exchange/exchange.service';
import { PersistenceError } from '../persistence/persistence.error';
import type { RenderedReport } from '../backtest/report/render-report';
import { fillRunCandles, prepareBacktestRunData } from './backtest-dataset';
import { renderOptimizationReport, type OptimizationReportData } from './report/render-optimization-report';
import { requireSymbol } from '../common/symbol';
import type { ApplyOptimizationDto, StartOptimizationDto } from './dto/start-optimization.dto';
import type {
  CandidateDto,
  OptimizationDetailDto,
  OptimizationSummaryDto,
  WindowScoreDto,
} from './dto/optimization-responses.dto';
import { evaluatorModulePath } from './evaluation-port';
import {
  driveRun,
  newRunState,
  rankResults,
  type CandidateSummary,
  type RunSpec,
  type RunState,
} from './optimization-run';
import { optimizerConfig } from './optimizer.config';
import { PoolExecutor, type EvaluationExecutor } from './pool-executor';
import { OPTIMIZER_QUEUE, QueueExecutor, type EvaluationJobData } from './queue-executor';
import { RunStore } from './run-store';
import { computeRunEquity } from './run-equity';
import { buildSearchSpace, SearchSpaceError } from './search-space';
import { buildRunSpec } from './run-request';
import { datasetSpecRange, loadDataset } from './shared-candles';
import { applyDecision, foldWindows, type ApplyPolicy, type CandidateScore, type WindowScore } from './walk-forward';

/** Runs kept (in memory and listed); DELETE removes a finished one to make room. */
export const MAX_RUNS = 20;
/** Background saves at most 4 times a second: each serialises the run on the main thread (docs/optimizer.md). */
const SAVE_INTERVAL_MS = 250;

/**
 * What a run is doing: filling the candle store, evaluating (docs/optimizer.md, "Data"), then replaying its best
 * candidates for the report's equity curves ("Report").
 */
type RunControl = {
  cancel: boolean;
  done: Promise<void>;
  stage: 'candles' | 'evaluating' | 'equity';
  candlesProgress: number;
};

/**
 * Optimization runs (docs/optimizer.md): start, follow, cancel, apply. One run evaluates at a time (it already
 * uses every core, or the Redis workers); its state is saved under DATA_DIR/optimizations/ and a run that was
 * going when the service stopped continues on the next start.
 */
@Injectable()
export class OptimizerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Optimizer');
  private readonly store: RunStore;
  private readonly runs = new Map<string, RunState>();
  private readonly active = new Map<string, RunControl>();
  /** Equity curves being added to runs that finished without them (docs/optimizer.md, "Report"). */
  private backfill: Promise<void> = Promise.resolve();
  private stopping = false;
  /** A start is preparing its run (validation, candle probe, first save). */
  private starting = false;

  constructor(
    @Inject(appConfig.KEY) app: ConfigType<typeof appConfig>,
    @Inject(optimizerConfig.KEY) private readonly settings: ConfigType<typeof optimizerConfig>,
    private readonly clock: Clock,
    private readonly autoBot: AutoBotConfigService,
    private readonly coins: IndividualSettingsService,
    private readonly backtests: BacktestRunner,
    private readonly candleStore: CandleStoreService,
    private readonly exchange: ExchangeService,
    private readonly system: SystemConfigService,
    // Present only when OPTIMIZER_REDIS_URL is set (OptimizerQueueModule).
    @Optional() @InjectQueue(OPTIMIZER_QUEUE) private readonly queue?: Queue<EvaluationJobData, CandidateScore>,
  ) {
    this.store = new RunStore(app.dataDir);
  }

  async onApplicationBootstrap(): Promise<void> {
    const states = (await Promise.all((await this.store.list()).map((id) => this.store.load(id)))).filter(
      (s): s is RunState => s !== null,
    );
    states.sort((a, b) => b.createdAt - a.createdAt);
    for (const state of states.slice(0, MAX_RUNS)) this.runs.set(state.spec.id, state);
    const unfinished = [...this.runs.values()].filter((s) => s.status === 'running');
    // A run that finished before its curves were saved (stopped in between, or older than them) gets them now,
    // one at a time in a worker thread. Not awaited: start-up does not wait for it.
    const withoutCurves = [...this.runs.values()].filter((s) => s.status !== 'running' && !s.equity);
    this.backfill = (async () => {
      for (const state of withoutCurves) if (!this.stopping) await this.addEquity(state);
    })().catch((error: Error) => this.logger.error(`equity curves: ${error.message}`));
    if (unfinished.length === 0) return;
    this.logger.log(`Continuing ${unfinished.length} optimization(s) from their last saved evaluation`);
    // Not awaited: start-up does not wait for a sweep. One run at a time, oldest first.
    (async () => {
      for (const state of unfinished.reverse()) {
        if (!this.stopping) await this.launch(state).done;
      }
    })().catch((error: Error) => this.logger.error(`resuming optimizations: ${error.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.active.values()].map((control) => control.done).concat(this.backfill));
  }

  async start(dto: StartOptimizationDto): Promise<{ id: string; seed: number; status: string }> {
    const scope = dto.scope ?? 'global';
    const symbol = scope === 'coin' ? requireSymbol(dto.symbol, 'symbol') : null;
    const current = symbol ? { ...this.autoBot.get(), ...(this.coins.get(symbol) ?? {}) } : this.autoBot.get();
    let space;
    try {
      space = buildSearchSpace(dto.space, current);
    } catch (error) {
      if (error instanceof SearchSpaceError) throw new ConfigValidationError(error.field, error.message);
      throw error;
    }
    if (this.active.size > 0 || this.starting) {
      throw new ConflictException(
        `optimization ${[...this.active.keys()][0] ?? '(starting)'} is running; one at a time`,
      );
    }
    if (this.runs.size >= MAX_RUNS) {
      throw new ConflictException(`${MAX_RUNS} optimizations are kept; delete a finished one first`);
    }
    // Preparing awaits the candle store and the save: the slot is held meanwhile, so a second start is a 409.
    this.starting = true;
    try {
      const backtest =
        (dto.evaluator ?? 'backtest') === 'backtest'
          ? await prepareBacktestRunData(this.backtests, dto, {
              symbol,
              now: this.clock.now(),
              timeframe: this.system.timeframe,
              tradable: this.exchange.tradableSymbols(),
            })
          : undefined;
      const spec = buildRunSpec(dto, {
        id: randomBytes(8).toString('hex'),
        seed: dto.seed ?? randomInt(2 ** 31 - 1),
        space,
        symbol,
        configuredFloor: this.settings.applyMinOutOfSampleScore,
        backtest,
      });
      const state = newRunState(spec, this.clock.now());
      // Acknowledged means durable: the run exists on disk before its id is answered (else 507/503 naming the cause).
      try {
        await this.store.save(state);
      } catch (error) {
        throw new PersistenceError(this.store.file(spec.id), error);
      }
      this.runs.set(spec.id, state);
      this.launch(state);
      return { id: spec.id, seed: spec.seed, status: state.status };
    } finally {
      this.starting = false;
    }
  }

  private async executorFor(spec: RunSpec): Promise<EvaluationExecutor> {
    const windows = foldWindows(datasetSpecRange(spec.dataset), spec.walkForward);
    const scoring = { windows, objective: spec.objective, constraints: spec.constraints };
    if (this.queue) {
      return new QueueExecutor(this.queue, spec.id, {
        evaluator: spec.evaluator,
        dataset: spec.dataset,
        context: spec.context ?? null,
        ...scoring,
      });
    }
    const candles = await loadDataset(spec.dataset);
    return new PoolExecutor(
      { evaluatorModule: evaluatorModulePath(spec.evaluator), candles, context: spec.context ?? null, ...scoring },
      this.settings.threads,
      'background',
    );
  }

  private launch(state: RunState): RunControl {
    const control: RunControl = { cancel: false, done: Promise.resolve(), stage: 'evaluating', candlesProgress: 1 };
    this.active.set(state.spec.id, control);
    control.done = (async () => {
      let executor: EvaluationExecutor | null = null;
      try {
        const { dataset } = state.spec;
        if (dataset.kind === 'candle-store') {
          control.stage = 'candles';
          control.candlesProgress = 0;
          await fillRunCandles(this.candleStore, dataset, (fraction) => (control.candlesProgress = fraction));
          control.stage = 'evaluating';
        }
        executor = await this.executorFor(state.spec);
        await driveRun(state, executor, {
          save: (s) => this.store.save(s),
          now: () => this.clock.now(),
          cancelled: () => control.cancel,
          stopping: () => this.stopping,
          saveIntervalMs: SAVE_INTERVAL_MS,
        });
        // The evaluation pool's threads are freed before the best candidates are replayed for their curves.
        await executor.close();
        executor = null;
        control.stage = 'equity';
        await this.addEquity(state);
      } catch (error) {
        // driveRun records evaluation failures itself; this is a failed final save, candle fill or executor set-up.
        const message = error instanceof Error ? error.message : String(error);
        this.logger.error(`optimization ${state.spec.id}: ${message}`);
        if (state.status === 'running' && !this.stopping) {
          state.status = 'failed';
          state.error = message;
          await this.store.save(state).catch(() => undefined);
        }
      } finally {
        await executor?.close().catch(() => undefined);
        this.active.delete(state.spec.id);
      }
      this.logger.log(`optimization ${state.spec.id} ${state.status} after ${state.results.length} evaluations`);
    })();
    return control;
  }

  /**
   * Replays a finished run's best candidates in a worker thread and saves their equity curves with the run
   * (docs/optimizer.md, "Report"). A replay failure is kept as the curves' error; a failed save leaves memory as
   * the file is (no curves) and throws.
   */
  private async addEquity(state: RunState): Promise<void> {
    if ((state.status !== 'completed' && state.status !== 'cancelled') || this.stopping) return;
    const equity = await computeRunEquity(state);
    if (equity.error) this.logger.warn(`optimization ${state.spec.id}: equity curves: ${equity.error}`);
    // Removed (DELETE) meanwhile: do not write its file again.
    if (this.runs.get(state.spec.id) !== state) return;
    state.equity = equity;
    try {
      await this.store.save(state);
    } catch (error) {
      delete state.equity;
      throw error;
    }
  }

  private require(id: string): RunState {
    const state = this.runs.get(id);
    if (!state) throw new NotFoundException(`optimization ${id} not found`);
    return state;
  }

  list(): OptimizationSummaryDto[] {
    return [...this.runs.values()].sort((a, b) => b.createdAt - a.createdAt).map((s) => this.summary(s));
  }

  get(id: string): OptimizationDetailDto {
    const state = this.require(id);
    const top = rankResults(state.results)
      .slice(0, state.spec.topN)
      .map((r) => this.candidate(state, r));
    return { ...this.summary(state), folds: state.spec.walkForward.folds, fold_mode: state.spec.walkForward.mode, top };
  }

  /** The run as a self-contained HTML page (docs/optimizer.md, "Report"); while running, what is evaluated so far. */
  report(id: string): RenderedReport {
    const state = this.require(id);
    const { spec } = state;
    return renderOptimizationReport({
      id: spec.id,
      objective: spec.objective,
      status: this.summary(state).status,
      evaluated: state.results.length,
      budget: spec.budget,
      seed: spec.seed,
      evaluator: spec.evaluator,
      keys: spec.space.map((range) => range.key),
      candidates: state.results.map((r) => ({
        index: r.index,
        params: r.params,
        in_sample: r.inSampleScore,
        out_of_sample: r.outOfSampleScore,
        holdout: r.holdoutScore,
      })),
      equity: this.reportEquity(state),
    });
  }

  private reportEquity(state: RunState): OptimizationReportData['equity'] {
    const { equity } = state;
    if (!equity) return null;
    const scores = new Map(state.results.map((r) => [r.index, r]));
    return {
      source: equity.source,
      out_of_sample_from_ms: equity.outOfSampleFromMs,
      error: equity.error,
      candidates: equity.candidates.map((c) => ({
        index: c.index,
        in_sample: scores.get(c.index)?.inSampleScore ?? null,
        out_of_sample: scores.get(c.index)?.outOfSampleScore ?? null,
        time: c.time,
        equity: c.equity,
      })),
    };
  }

  /** A running run stops after the evaluations in flight; a finished one is removed with its file. */
  async cancelOrRemove(id: string): Promise<'cancelled' | 'removed'> {
    const state = this.require(id);
    const control = this.active.get(id);
    if (control) {
      control.cancel = true;
      return 'cancelled';
    }
    const file = this.store.file(id);
    await Promise.all([fs.rm(file, { force: true }), fs.rm(`${file}.bak`, { force: true })]);
    this.runs.delete(state.spec.id);
    return 'removed';
  }

  /**
   * Writes a finished run's candidate to the settings, validated like any settings change. Refused (409, with the
   * reason) when its out-of-sample evidence is below the floor: see applyDecision in walk-forward.ts.
   */
  async apply(
    id: string,
    dto: ApplyOptimizationDto,
  ): Promise<{ target: string; applied: Record<string, number | boolean> }> {
    const state = this.require(id);
    if (this.active.has(id) || state.status === 'running') {
      throw new ConflictException(`optimization ${id} is still running`);
    }
    const ranked = rankResults(state.results);
    const chosen = dto.candidate_index === undefined ? ranked[0] : ranked.find((r) => r.index === dto.candidate_index);
    const details = chosen ? state.details[chosen.index] : undefined;
    if (!chosen || !details) {
      throw new NotFoundException(
        dto.candidate_index === undefined
          ? `optimization ${id} has no evaluated candidate`
          : `candidate ${dto.candidate_index} is not among the top ${state.spec.topN} of optimization ${id}`,
      );
    }
    const decision = applyDecision(details, this.policy(state.spec));
    if (!decision.apply) {
      throw new ConflictException({
        success: false,
        error: `candidate ${chosen.index} not applied: ${decision.reason}`,
        reason: decision.reason,
      });
    }
    const params = { ...chosen.params };
    if (state.spec.scope.kind === 'global') {
      await this.autoBot.update(params);
      return { target: 'auto-bot config', applied: params };
    }
    const symbol = state.spec.scope.symbol;
    const { updated_at: _updatedAt, ...overrides } = this.coins.get(symbol) ?? {};
    await this.coins.set(symbol, { ...overrides, ...params });
    return { target: `individual settings of ${symbol}`, applied: params };
  }

  private policy(spec: RunSpec): ApplyPolicy {
    return {
      minOutOfSampleScore: spec.minOutOfSampleScore ?? this.settings.applyMinOutOfSampleScore,
      minOutOfSampleTrades: this.settings.applyMinOutOfSampleTrades,
    };
  }

  private summary(state: RunState): OptimizationSummaryDto {
    const best = rankResults(state.results)[0];
    const { spec } = state;
    return {
      id: spec.id,
      // Finished only once its pool is closed and its last save done: until then it still counts as running.
      status: this.active.has(spec.id) ? 'running' : state.status,
      evaluator: spec.evaluator,
      stage: this.active.get(spec.id)?.stage ?? null,
      candles_progress: this.active.get(spec.id)?.candlesProgress ?? null,
      error: state.error,
      objective: spec.objective,
      scope: spec.scope.kind,
      symbol: spec.scope.kind === 'coin' ? spec.scope.symbol : null,
      seed: spec.seed,
      evaluated: state.results.length,
      budget: spec.budget,
      progress: spec.budget > 0 ? state.results.length / spec.budget : 1,
      created_at: new Date(state.createdAt).toISOString(),
      updated_at: new Date(state.updatedAt).toISOString(),
      best: best ? this.candidate(state, best) : null,
    };
  }

  private candidate(state: RunState, result: CandidateSummary): CandidateDto {
    const details: CandidateScore | undefined = state.details[result.index];
    const decision = details ? applyDecision(details, this.policy(state.spec)) : null;
    const window = (w: WindowScore): WindowScoreDto => ({
      score: w.score,
      trades: w.metrics.trades,
      net_pnl_percent: w.metrics.netPnlPercent,
      max_drawdown_percent: w.metrics.maxDrawdownPercent,
      violation: w.violation,
    });
    return {
      index: result.index,
      params: result.params,
      in_sample_score: result.inSampleScore,
      out_of_sample_score: result.outOfSampleScore,
      holdout_score: result.holdoutScore,
      out_of_sample_trades: result.outOfSampleTrades,
      ...(details
        ? { folds: details.folds.map((f) => ({ in_sample: window(f.inSample), out_of_sample: window(f.outOfSample) })) }
        : {}),
      applicable: decision?.apply ?? false,
      refusal:
        decision === null ? 'per-fold details not kept (outside the top N)' : decision.apply ? null : decision.reason,
    };
  }
}
