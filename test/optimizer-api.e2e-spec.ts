/**
 * The optimizer's HTTP interface on the production HTTP stack (AppModule, configureApp), synthetic evaluator:
 * start → follow → apply/refuse → cancel/remove, and 400 naming the field for bad input (docs/optimizer.md).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import { SYNTHETIC_OPTIMUM } from '../src/optimizer/synthetic-evaluator';
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

const SPACE = [
  { key: 'rsi_long_threshold', min: 10, max: 40 },
  { key: 'take_profit_percent', min: 1, max: 20 },
  { key: 'leverage', min: 1, max: 20 },
];
const RUN = {
  evaluator: 'synthetic',
  space: SPACE,
  objective: 'net_pnl',
  budget: 96,
  batch_size: 16,
  seed: 5,
  folds: 3,
  constraints: { min_trades: 5 },
  data: { symbols: 4, candles: 500 },
};

type Candidate = {
  index: number;
  params: Record<string, number>;
  in_sample_score: number | null;
  out_of_sample_score: number | null;
  folds: { out_of_sample: { trades: number } }[];
  applicable: boolean;
  refusal: string | null;
};
type Run = { status: string; evaluated: number; folds: number; scope: string; best: Candidate; top: Candidate[] };

describe('optimizer API (synthetic evaluator)', () => {
  let testApp: TestApp;
  let http: TestApp['http'];
  const dataDir = tempDataDir('optimizer-api-');

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
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it.each([
    [{ objective: 'profit' }, 'objective'],
    [{ budget: 0 }, 'budget'],
    [{ folds: 'three' }, 'folds'],
    [{ space: [{ key: 'api_key' }] }, 'space'],
    [{ space: [{ key: 'leverage', min: 0 }] }, 'space[0].min'],
    [{ space: [{ key: 'rsi_long_threshold', min: 40, max: 30 }] }, 'space[0].min'],
    [{ constraints: { max_drawdown_percent: 101 } }, 'constraints'],
    [{ scope: 'coin' }, 'symbol'],
    [{ scope: 'coin', symbol: '$$$' }, 'symbol'],
    [{ evaluator: 'python' }, 'evaluator'],
    [{ data: { coins: ['NOPE'] } }, 'data.coins'],
    [{ data: { coins: 'BTC' } }, 'data'],
  ])('bad input %j → 400 naming %s', async (body, field) => {
    const res = await request(http).post('/api/bots/optimize').send(body).expect(400);
    expect(res.body.success).toBe(false);
    expect(`${res.body.field ?? ''} ${res.body.error}`).toContain(field);
  });

  it('an unknown or malformed id is 404 / 400', async () => {
    await request(http).get('/api/bots/optimize/abcdef123456').expect(404);
    const bad = await request(http).get('/api/bots/optimize/..%2Fetc').expect(400);
    expect(bad.body.error).toContain('id');
  });

  it('runs to completion, shows in-sample and out-of-sample scores, finds the optimum, applies to the auto-bot config', async () => {
    const started = await request(http).post('/api/bots/optimize').send(RUN).expect(202);
    expect(started.body).toMatchObject({ success: true, seed: 5, status: 'running' });
    const run = await finished(started.body.id);
    expect(run).toMatchObject({ status: 'completed', evaluated: 96, budget: 96, progress: 1, folds: 3 });
    expect(run.top.length).toBe(10);
    const best = run.top[0];
    expect(best).toEqual(run.best);
    expect(typeof best.in_sample_score).toBe('number');
    expect(typeof best.out_of_sample_score).toBe('number');
    expect(best.folds).toHaveLength(3);
    expect(best.folds[0].out_of_sample.trades).toBeGreaterThan(0);
    expect(Math.abs(best.params.rsi_long_threshold - Number(SYNTHETIC_OPTIMUM.rsi_long_threshold))).toBeLessThan(3);
    expect(Math.abs(best.params.leverage - Number(SYNTHETIC_OPTIMUM.leverage))).toBeLessThanOrEqual(2);
    expect(best.applicable).toBe(true);

    const listed = await request(http).get('/api/bots/optimizations').expect(200);
    expect(listed.body.optimizations.map((o: { id: string }) => o.id)).toContain(started.body.id);

    const applied = await request(http).post(`/api/bots/optimize/${started.body.id}/apply`).send({}).expect(200);
    expect(applied.body.applied).toEqual(best.params);
    const config = await request(http).get('/api/bots/auto-bot').expect(200);
    expect(config.body.config.rsi_long_threshold).toBe(best.params.rsi_long_threshold);
    expect(config.body.config.leverage).toBe(best.params.leverage);
    expect(config.body.config.take_profit_percent).toBe(best.params.take_profit_percent);

    await request(http)
      .post(`/api/bots/optimize/${started.body.id}/apply`)
      .send({ candidate_index: 1_000 })
      .expect(404);
    const removed = await request(http).delete(`/api/bots/optimize/${started.body.id}`).expect(200);
    expect(removed.body.action).toBe('removed');
    await request(http).get(`/api/bots/optimize/${started.body.id}`).expect(404);
  }, 60_000);

  it('apply refuses a candidate below the out-of-sample floor, with the reason, and changes nothing', async () => {
    const before = (await request(http).get('/api/bots/auto-bot').expect(200)).body.config;
    const started = await request(http)
      .post('/api/bots/optimize')
      .send({ ...RUN, budget: 32, seed: 6, min_out_of_sample_score: 1e6 })
      .expect(202);
    const run = await finished(started.body.id);
    expect(run.best.applicable).toBe(false);
    expect(run.best.refusal).toMatch(/out-of-sample score .* < floor 1000000/);
    const refused = await request(http).post(`/api/bots/optimize/${started.body.id}/apply`).send({}).expect(409);
    expect(refused.body.error).toMatch(/not applied: out-of-sample score .* < floor 1000000/);
    const after = (await request(http).get('/api/bots/auto-bot').expect(200)).body.config;
    expect(after).toEqual(before);
    await request(http).delete(`/api/bots/optimize/${started.body.id}`).expect(200);
  }, 60_000);

  it('per coin: applies to the coin individual settings', async () => {
    const started = await request(http)
      .post('/api/bots/optimize')
      .send({ ...RUN, budget: 48, scope: 'coin', symbol: 'btcusdt', data: { candles: 5000 } })
      .expect(202);
    const run = await finished(started.body.id);
    expect(run).toMatchObject({ status: 'completed', scope: 'coin', symbol: 'BTC' });
    const applied = await request(http).post(`/api/bots/optimize/${started.body.id}/apply`).send({});
    expect([applied.status, applied.body.error]).toEqual([200, undefined]);
    const coin = await request(http).get('/api/bots/individual-settings/BTC').expect(200);
    expect(JSON.stringify(coin.body)).toContain(`"leverage":${run.best.params.leverage}`);
    await request(http).delete(`/api/bots/optimize/${started.body.id}`).expect(200);
  }, 60_000);

  it('cancels a running optimization; one run at a time', async () => {
    const started = await request(http)
      .post('/api/bots/optimize')
      .send({ ...RUN, budget: 5000, data: { symbols: 50, candles: 2000 } })
      .expect(202);
    const second = await request(http).post('/api/bots/optimize').send(RUN).expect(409);
    expect(second.body.error).toContain('one at a time');
    const cancelled = await request(http).delete(`/api/bots/optimize/${started.body.id}`).expect(200);
    expect(cancelled.body.action).toBe('cancelled');
    const run = await finished(started.body.id);
    expect(run.status).toBe('cancelled');
    expect(run.evaluated).toBeLessThan(5000);
    await request(http).delete(`/api/bots/optimize/${started.body.id}`).expect(200);
  }, 60_000);

  it('a run going when the service stops continues on the next start from its last saved evaluation', async () => {
    // A small finished run, whose equity curves are taken away below while the service is stopped.
    const small = await request(http)
      .post('/api/bots/optimize')
      .send({ ...RUN, budget: 16 })
      .expect(202);
    expect(await finished(small.body.id)).toMatchObject({ status: 'completed' });
    const body = { ...RUN, budget: 400, data: { symbols: 40, candles: 1000 } };
    const started = await request(http).post('/api/bots/optimize').send(body).expect(202);
    const id = started.body.id as string;
    for (;;) {
      const res = await request(http).get(`/api/bots/optimize/${id}`).expect(200);
      if (res.body.optimization.evaluated >= 40) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await testApp.close();
    const file = JSON.parse(readFileSync(path.join(dataDir, 'optimizations', `${id}.json`), 'utf8')) as {
      status: string;
      results: unknown[];
    };
    expect(file.status).toBe('running');
    expect(file.results.length).toBeGreaterThanOrEqual(40);
    expect(file.results.length).toBeLessThan(400);
    // A finished run saved without its equity curves (stopped between its end and their replay) gets them on the
    // next start, the same ones (docs/optimizer.md, "Equity curves of the best candidates").
    const completedFile = path.join(dataDir, 'optimizations', `${small.body.id as string}.json`);
    const { equity: curves, ...withoutCurves } = JSON.parse(readFileSync(completedFile, 'utf8')) as {
      equity: { source: string; candidates: { index: number; time: number[] }[] };
    };
    expect(curves.source).toBe('closed-trades');
    expect(curves.candidates.length).toBe(5);
    writeFileSync(completedFile, JSON.stringify(withoutCurves));
    rmSync(`${completedFile}.bak`, { force: true });

    testApp = await createTestApp({ env: ENV, dataDir });
    http = testApp.http;
    const resumed = await finished(id);
    expect(resumed).toMatchObject({ status: 'completed', evaluated: 400 });
    for (;;) {
      const saved = JSON.parse(readFileSync(completedFile, 'utf8')) as { equity?: unknown };
      if (saved.equity) {
        expect(saved.equity).toEqual(curves);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Same seed, same candidates: the resumed run's best equals a fresh uninterrupted run's.
    const fresh = await request(http).post('/api/bots/optimize').send(body).expect(202);
    const reference = await finished(fresh.body.id);
    expect(resumed.best.index).toBe(reference.best.index);
    expect(resumed.best.params).toEqual(reference.best.params);
    expect(resumed.best.in_sample_score).toBe(reference.best.in_sample_score);
  }, 60_000);
});
