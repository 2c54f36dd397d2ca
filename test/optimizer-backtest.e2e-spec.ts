/**
 * The optimizer with its default evaluator, the backtest replay, on the paper exchange (docs/optimizer.md, "The
 * backtest evaluator"): a small run fills the candle store, completes, shows in-sample and out-of-sample scores per
 * candidate, apply writes or refuses with the reason, and the same seed gives the same best candidate.
 */
import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import { evaluatorModulePath } from '../src/optimizer/evaluation-port';
import { InlineExecutor } from '../src/optimizer/inline-executor';
import type { RunState } from '../src/optimizer/optimization-run';
import { createEquityReplay } from '../src/optimizer/backtest-evaluator';
import type { OptimizationReportData } from '../src/optimizer/report/render-optimization-report';
import { attachSharedCandles, datasetSpecRange, loadDataset } from '../src/optimizer/shared-candles';
import { foldWindows } from '../src/optimizer/walk-forward';
import { createTestApp, tempDataDir, type TestApp } from './support/test-app';

const ENV = {
  EXCHANGE: 'paper',
  LOG_LEVEL: 'error',
  PAPER_SYMBOLS: '40',
  WORKERS_ENABLED: 'false',
  OPTIMIZER_THREADS: '2',
  OPTIMIZER_APPLY_MIN_OOS_SCORE: '0',
  OPTIMIZER_APPLY_MIN_OOS_TRADES: '10',
};

const RUN = {
  space: [
    { key: 'rsi_long_threshold', min: 20, max: 35 },
    { key: 'rsi_short_threshold', min: 65, max: 80 },
    { key: 'take_profit_percent', min: 5, max: 30 },
    { key: 'leverage', min: 1, max: 10 },
  ],
  objective: 'sharpe',
  budget: 16,
  batch_size: 8,
  seed: 1,
  folds: 2,
  constraints: { min_trades: 1 },
  data: { symbols: 10, candles: 600 },
};

type Window = { score: number | null; trades: number; violation: string | null };
type Candidate = {
  index: number;
  params: Record<string, number>;
  in_sample_score: number | null;
  out_of_sample_score: number | null;
  holdout_score: number | null;
  out_of_sample_trades: number;
  folds: { in_sample: Window; out_of_sample: Window }[];
  applicable: boolean;
  refusal: string | null;
};
type Run = {
  status: string;
  evaluator: string;
  evaluated: number;
  error: string | null;
  best: Candidate;
  top: Candidate[];
};

describe('optimizer with the backtest evaluator (paper exchange)', () => {
  let testApp: TestApp;
  let http: TestApp['http'];
  const dataDir = tempDataDir('optimizer-backtest-');

  beforeAll(async () => {
    testApp = await createTestApp({ env: ENV, dataDir });
    http = testApp.http;
  }, 60_000);

  afterAll(async () => {
    await testApp?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function finished(id: string): Promise<Run> {
    for (;;) {
      const res = await request(http).get(`/api/bots/optimize/${id}`).expect(200);
      if (res.body.optimization.status !== 'running') return res.body.optimization;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('completes with in-sample and out-of-sample scores per candidate; apply writes or refuses with the reason; same seed, same best', async () => {
    const started = await request(http).post('/api/bots/optimize').send(RUN).expect(202);
    expect(started.body.seed).toBe(1);
    const run = await finished(started.body.id);
    expect(run).toMatchObject({ status: 'completed', evaluator: 'backtest', evaluated: 16, error: null });
    expect(run.top.length).toBe(10);
    for (const candidate of run.top) {
      expect(candidate.folds).toHaveLength(2);
      for (const fold of candidate.folds) {
        expect(fold.in_sample).toHaveProperty('score');
        expect(fold.out_of_sample).toHaveProperty('score');
      }
      expect(candidate).toHaveProperty('in_sample_score');
      expect(candidate).toHaveProperty('out_of_sample_score');
    }
    // The replay trades on this data: the best candidate has scored windows with trades on both sides.
    const best = run.best;
    expect(best.in_sample_score).not.toBeNull();
    expect(best.folds.reduce((n, f) => n + f.in_sample.trades, 0)).toBeGreaterThan(0);
    expect(best.out_of_sample_trades).toBe(best.folds.reduce((n, f) => n + f.out_of_sample.trades, 0));

    // The API's numbers are the replay's: the saved run's data and replay setup, evaluated on this thread, give the
    // best candidate's scores exactly.
    const state = JSON.parse(
      readFileSync(path.join(dataDir, 'optimizations', `${started.body.id}.json`), 'utf8'),
    ) as RunState;
    expect(state.spec.dataset).toMatchObject({ kind: 'candle-store', timeframe: '6h' });
    expect((state.spec.dataset as { symbols: string[] }).symbols).toHaveLength(10);
    const inline = new InlineExecutor({
      evaluatorModule: evaluatorModulePath('backtest'),
      candles: await loadDataset(state.spec.dataset),
      context: state.spec.context ?? null,
      windows: foldWindows(datasetSpecRange(state.spec.dataset), state.spec.walkForward),
      objective: state.spec.objective,
      constraints: state.spec.constraints,
    });
    const again = await inline.evaluate(best.index, best.params);
    expect(again.inSampleScore).toBe(best.in_sample_score);
    expect(again.outOfSampleScore).toBe(best.out_of_sample_score);
    expect(again.outOfSampleTrades).toBe(best.out_of_sample_trades);

    // Apply: writes the best candidate to the auto-bot config, or refuses with the reason the run shows.
    const before = (await request(http).get('/api/bots/auto-bot').expect(200)).body.config;
    const applied = await request(http).post(`/api/bots/optimize/${started.body.id}/apply`).send({});
    const after = (await request(http).get('/api/bots/auto-bot').expect(200)).body.config;
    if (best.applicable) {
      expect(applied.status).toBe(200);
      expect(after).toMatchObject(best.params);
    } else {
      expect(applied.status).toBe(409);
      expect(best.refusal).toBeTruthy();
      expect(applied.body.reason).toBe(best.refusal);
      expect(after).toEqual(before);
    }

    // The report page: self-contained HTML with its own CSP, the run's candidates embedded.
    const report = await request(http).get(`/api/bots/optimize/${started.body.id}/report`).expect(200);
    expect(report.headers['content-type']).toContain('text/html');
    expect(report.headers['content-security-policy']).toContain("script-src 'sha256-");
    expect(report.text).toContain(`Optimization ${started.body.id as string}`);
    expect(report.text).toContain('"rsi_long_threshold"');
    await request(http).get('/api/bots/optimize/abcdef123456/report').expect(404);

    // The best scored candidates' equity curves, replayed when the run finished and saved with it: one per candidate
    // in ranking order, ≤ 500 points over the scored range, the holdout boundary at the last fold's test segment.
    const embedded = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(report.text)![1];
    const equity = (JSON.parse(embedded) as { equity: OptimizationReportData['equity'] }).equity!;
    const scored = run.top.filter((c) => c.in_sample_score !== null).slice(0, 5);
    expect(equity).toMatchObject({ source: 'replay', error: null });
    expect(equity.candidates.map((c) => [c.index, c.in_sample, c.out_of_sample])).toEqual(
      scored.map((c) => [c.index, c.in_sample_score, c.out_of_sample_score]),
    );
    const windows = foldWindows(datasetSpecRange(state.spec.dataset), state.spec.walkForward);
    expect(equity.out_of_sample_from_ms).toBe(windows[1].outOfSample.start);
    const { tradeFromMs } = state.spec.dataset as { tradeFromMs: number };
    for (const curve of equity.candidates) {
      expect(curve.time.length).toBe(curve.equity.length);
      expect(curve.time.length).toBeGreaterThan(1);
      expect(curve.time.length).toBeLessThanOrEqual(500);
      expect(curve.time[0]).toBe(tradeFromMs);
    }
    // The best curve ends at the replay's final equity (balance + unrealised) in % of the starting balance.
    const replay = createEquityReplay(attachSharedCandles(await loadDataset(state.spec.dataset)), state.spec.context!);
    const direct = replay(best.params);
    const bestCurve = equity.candidates[0];
    expect(bestCurve.equity[bestCurve.equity.length - 1]).toBe(direct.equity[direct.equity.length - 1]);
    expect(state.equity?.candidates.map((c) => c.index)).toEqual(scored.map((c) => c.index));

    // Same seed, same data: the same best candidate with the same scores.
    const second = await request(http).post('/api/bots/optimize').send(RUN).expect(202);
    const rerun = await finished(second.body.id);
    expect(rerun.best.index).toBe(best.index);
    expect(rerun.best.params).toEqual(best.params);
    expect(rerun.best.in_sample_score).toBe(best.in_sample_score);
    expect(rerun.best.out_of_sample_score).toBe(best.out_of_sample_score);
  }, 240_000);
});
