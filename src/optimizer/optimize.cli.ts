/**
 * `npm run optimize -- …` (docs/optimizer.md, "CLI"): one run from the command line with a progress bar, on this
 * machine's worker pool, or on the Redis workers when OPTIMIZER_REDIS_URL is set. Saved under
 * DATA_DIR/optimizations/<id>.json like the API's runs; `--resume <id>` continues one after an interruption.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { DEFAULT_AUTO_BOT_CONFIG } from '../config/defaults';
import { evaluatorModulePath } from './evaluation-port';
import { driveRun, newRunState, rankResults, type RunState } from './optimization-run';
import { OPTIMIZE_USAGE, parseOptimizeArgs } from './optimize-cli-args';
import { parseOptimizerSettings } from './optimizer.config';
import { PoolExecutor, type EvaluationExecutor } from './pool-executor';
import { QueueExecutor } from './queue-executor';
import { buildRunSpec } from './run-request';
import { RunStore } from './run-store';
import { buildSearchSpace } from './search-space';
import { buildDataset, datasetSpecRange } from './shared-candles';
import { applyDecision, foldWindows } from './walk-forward';

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
  if (args.resume) {
    const saved = await store.load(args.resume);
    if (!saved) throw new Error(`no saved optimization ${args.resume} in ${store.dir}`);
    state = { ...saved, status: 'running', error: null };
  } else {
    const { request } = args;
    const symbol = request.scope === 'coin' ? (request.symbol ?? '').toUpperCase().replace(/USDT$/, '') : null;
    const spec = buildRunSpec(request, {
      id: randomBytes(8).toString('hex'),
      seed: request.seed ?? randomInt(2 ** 31 - 1),
      // The CLI has no running service to read settings from: ranges centre on the defaults.
      space: buildSearchSpace(request.space, DEFAULT_AUTO_BOT_CONFIG),
      symbol,
      configuredFloor: settings.applyMinOutOfSampleScore,
    });
    state = newRunState(spec, Date.now());
  }
  const { spec } = state;
  const windows = foldWindows(datasetSpecRange(spec.dataset), spec.walkForward);
  const scoring = { windows, objective: spec.objective, constraints: spec.constraints };
  const executor: EvaluationExecutor = settings.redisUrl
    ? new QueueExecutor(settings.redisUrl, spec.id, { evaluator: spec.evaluator, dataset: spec.dataset, ...scoring })
    : new PoolExecutor(
        { evaluatorModule: evaluatorModulePath(spec.evaluator), candles: buildDataset(spec.dataset), ...scoring },
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
