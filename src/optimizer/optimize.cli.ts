/**
 * `npm run optimize -- …` (docs/optimizer.md, "CLI"): one run from the command line with a progress bar, on this
 * machine's worker pool, or on the Redis workers when OPTIMIZER_REDIS_URL is set. Saved under
 * DATA_DIR/optimizations/<id>.json like the API's runs; `--resume <id>` continues one after an interruption.
 * The backtest evaluator (default) reads the configured exchange's candles through the candle store and the
 * service's settings files (DATA_DIR), like `npm run backtest`.
 */
import { Module, type INestApplicationContext } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { randomBytes, randomInt } from 'node:crypto';
import { ClockModule } from '../app/clock.module';
import { BacktestRunner } from '../backtest/backtest-runner.service';
import { CandleStoreService } from '../candles/candle-store.service';
import { CandlesModule } from '../candles/candles.module';
import { appConfig, exchangeConfig } from '../config/app.config';
import { AutoBotConfigService } from '../config/auto-bot-config.service';
import { DEFAULT_AUTO_BOT_CONFIG } from '../config/defaults';
import { IndividualSettingsService } from '../config/individual-settings.service';
import { SettingsModule } from '../config/settings.module';
import { SystemConfigService } from '../config/system-config.service';
import { ExchangeService } from '../exchange/exchange.service';
import { PersistenceModule } from '../persistence/persistence.module';
import { fillRunCandles, prepareBacktestRunData } from './backtest-dataset';
import { evaluatorModulePath } from './evaluation-port';
import { driveRun, newRunState, rankResults, type RunState } from './optimization-run';
import { OPTIMIZE_USAGE, parseOptimizeArgs } from './optimize-cli-args';
import { parseOptimizerSettings } from './optimizer.config';
import { PoolExecutor, type EvaluationExecutor } from './pool-executor';
import { QueueExecutor } from './queue-executor';
import { requireSymbol } from '../common/symbol';
import { buildRunSpec } from './run-request';
import { RunStore } from './run-store';
import { computeRunEquity } from './run-equity';
import { buildSearchSpace } from './search-space';
import { datasetSpecRange, loadDataset } from './shared-candles';
import { applyDecision, foldWindows } from './walk-forward';
import { MarketDataExchangeModule } from '../exchange/market-data-exchange.module';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, cache: true, load: [appConfig, exchangeConfig] }),
    ClockModule,
    PersistenceModule,
    SettingsModule,
    MarketDataExchangeModule,
    CandlesModule,
  ],
  providers: [BacktestRunner],
})
class OptimizeCliModule {}

async function serviceContext(): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(OptimizeCliModule, { logger: ['fatal', 'error', 'warn'] });
  const exchange = app.get(ExchangeService);
  if (!exchange.isReady) {
    await app.close();
    throw new Error(`exchange ${exchange.name} is not available: ${exchange.lastInitError ?? 'unknown error'}`);
  }
  return app;
}

const fmt = (value: number | null): string => (value === null ? '   —   ' : value.toFixed(4).padStart(8));

function progressLine(state: RunState, startedAt: number, startedWith: number): string {
  const done = state.results.length;
  const width = 30;
  const filled = Math.round((done / state.spec.budget) * width);
  const best = rankResults(state.results)[0];
  const rate = (done - startedWith) / Math.max(0.001, (Date.now() - startedAt) / 1000);
  return (
    `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${state.spec.budget}  ` +
    `best IS ${fmt(best?.inSampleScore ?? null)} OOS ${fmt(best?.outOfSampleScore ?? null)}  ${rate.toFixed(1)} eval/s`
  );
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseOptimizeArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n${OPTIMIZE_USAGE}`);
    process.exit(2);
  }
  const settings = parseOptimizerSettings(process.env);
  const store = new RunStore(process.env.DATA_DIR?.trim() || './data');
  let state: RunState;
  let app: INestApplicationContext | null = null;
  if (args.resume) {
    const saved = await store.load(args.resume);
    if (!saved) throw new Error(`no saved optimization ${args.resume} in ${store.dir}`);
    state = { ...saved, status: 'running', error: null };
  } else {
    const { request } = args;
    const symbol = request.scope === 'coin' ? requireSymbol(request.symbol) : null;
    const backtest = (request.evaluator ?? 'backtest') === 'backtest';
    // The backtest evaluator reads the service's settings (DATA_DIR); the synthetic one centres on the defaults.
    app = backtest ? await serviceContext() : null;
    const autoBot = app?.get(AutoBotConfigService).get() ?? DEFAULT_AUTO_BOT_CONFIG;
    const current = symbol && app ? { ...autoBot, ...(app.get(IndividualSettingsService).get(symbol) ?? {}) } : autoBot;
    const spec = buildRunSpec(request, {
      id: randomBytes(8).toString('hex'),
      seed: request.seed ?? randomInt(2 ** 31 - 1),
      space: buildSearchSpace(request.space, current),
      symbol,
      configuredFloor: settings.applyMinOutOfSampleScore,
      backtest: app
        ? await prepareBacktestRunData(app.get(BacktestRunner), request, {
            symbol,
            now: Date.now(),
            timeframe: app.get(SystemConfigService).timeframe,
            tradable: app.get(ExchangeService).tradableSymbols(),
          })
        : undefined,
    });
    state = newRunState(spec, Date.now());
  }
  const { spec } = state;
  if (app && spec.dataset.kind === 'candle-store') {
    const { dataset } = spec;
    console.error(
      `candles: ${dataset.symbols.length} coins × ${dataset.candles} ${dataset.timeframe} (filling the store)`,
    );
    await fillRunCandles(app.get(CandleStoreService), dataset, (fraction) => {
      if (process.stderr.isTTY) process.stderr.write(`\rcandles ${(fraction * 100).toFixed(0).padStart(3)} %`);
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    await app.close();
  }
  const windows = foldWindows(datasetSpecRange(spec.dataset), spec.walkForward);
  const scoring = { windows, objective: spec.objective, constraints: spec.constraints };
  const executor: EvaluationExecutor = settings.redisUrl
    ? new QueueExecutor(settings.redisUrl, spec.id, {
        evaluator: spec.evaluator,
        dataset: spec.dataset,
        context: spec.context ?? null,
        ...scoring,
      })
    : new PoolExecutor(
        {
          evaluatorModule: evaluatorModulePath(spec.evaluator),
          candles: await loadDataset(spec.dataset),
          context: spec.context ?? null,
          ...scoring,
        },
        args.threads ?? settings.threads,
      );
  console.error(
    `optimization ${spec.id} (seed ${spec.seed}, ${spec.objective}, ${spec.walkForward.folds} folds, ` +
      `${settings.redisUrl ? 'Redis workers' : `${args.threads ?? settings.threads} threads`})`,
  );
  let interrupted = false;
  process.once('SIGINT', () => (interrupted = true));
  const startedAt = Date.now();
  const startedWith = state.results.length;
  const tty = process.stderr.isTTY;
  let lastPrinted = -1;
  const final = await driveRun(state, executor, {
    save: async (s) => {
      await store.save(s);
      const decile = Math.floor((s.results.length / s.spec.budget) * 10);
      if (tty) process.stderr.write(`\r${progressLine(s, startedAt, startedWith)}`);
      else if (decile !== lastPrinted) console.error(progressLine(s, startedAt, startedWith));
      lastPrinted = decile;
    },
    now: () => Date.now(),
    cancelled: () => false,
    stopping: () => interrupted,
    saveIntervalMs: 250,
  });
  await executor.close();
  if (tty) process.stderr.write('\n');
  if (!interrupted && (final.status === 'completed' || final.status === 'cancelled')) {
    // The report's equity curves of the best candidates, saved with the run (docs/optimizer.md, "Report").
    const equity = await computeRunEquity(final);
    if (equity.error) console.error(`equity curves not computed: ${equity.error}`);
    final.equity = equity;
    await store.save(final);
  }
  const policy = {
    minOutOfSampleScore: spec.minOutOfSampleScore ?? settings.applyMinOutOfSampleScore,
    minOutOfSampleTrades: settings.applyMinOutOfSampleTrades,
  };
  console.log(`status ${final.status}${final.error ? ` (${final.error})` : ''}; saved in ${store.file(spec.id)}`);
  if (interrupted) console.log(`continue with: npm run optimize -- --resume ${spec.id}`);
  console.log('  index   in-sample  out-of-sample  holdout  OOS trades  apply  parameters');
  for (const result of rankResults(final.results).slice(0, spec.topN)) {
    const details = final.details[result.index];
    const decision = details ? applyDecision(details, policy) : null;
    console.log(
      `${String(result.index).padStart(7)}  ${fmt(result.inSampleScore)}  ${fmt(result.outOfSampleScore)}      ` +
        `${fmt(result.holdoutScore)}  ${String(result.outOfSampleTrades).padStart(10)}  ${decision?.apply ? ' yes ' : '  no '}  ` +
        JSON.stringify(result.params),
    );
  }
}

main().catch((error: Error) => {
  console.error(`optimize: ${error.message}`);
  process.exit(1);
});
