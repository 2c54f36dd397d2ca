/**
 * The optimizer across processes on a real Redis (docs/optimizer.md, "Across machines"): a redis-server started
 * here on a free 127.0.0.1 port without persistence, two `optimizer-worker` processes, and the same seeded run as
 * the in-process piscina pool. Skips with a printed reason only where /usr/bin/redis-server is absent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { evaluatorModulePath } from '../src/optimizer/evaluation-port';
import { driveRun, newRunState, rankResults, type RunSpec, type RunState } from '../src/optimizer/optimization-run';
import { PoolExecutor } from '../src/optimizer/pool-executor';
import { Queue, QueueEvents } from 'bullmq';
import { executionsKey, OPTIMIZER_QUEUE, QueueExecutor, resultsKey, taskKey } from '../src/optimizer/queue-executor';
import { buildSearchSpace } from '../src/optimizer/search-space';
import { buildDataset, datasetTimeRange, type DatasetSpec } from '../src/optimizer/shared-candles';
import { foldWindows } from '../src/optimizer/walk-forward';
import { freePort } from './support/built-service';
import { createTestApp, tempDataDir } from './support/test-app';
import request from 'supertest';
import { rmSync } from 'node:fs';

const REDIS = '/usr/bin/redis-server';
const ROOT = path.resolve(__dirname, '..');
const describeWithRedis = existsSync(REDIS) ? describe : describe.skip;
if (!existsSync(REDIS)) console.log(`optimizer-distributed: skipped, ${REDIS} is not installed`);

const dataset: DatasetSpec = {
  kind: 'synthetic',
  symbols: 150,
  candles: 1000,
  seed: 11,
  timeframeMs: 6 * 3600_000,
  startTime: Date.UTC(2025, 0, 1),
};

function spec(id: string, budget: number): RunSpec {
  return {
    id,
    space: buildSearchSpace([
      { key: 'rsi_long_threshold', min: 10, max: 40 },
      { key: 'rsi_short_threshold', min: 60, max: 90 },
      { key: 'take_profit_percent', min: 1, max: 20 },
      { key: 'leverage', min: 1, max: 20 },
    ]),
    objective: 'sharpe',
    constraints: { minTrades: 10, maxDrawdownPercent: 50 },
    walkForward: { folds: 3, mode: 'anchored' },
    budget,
    seed: 2026,
    batchSize: 16,
    scope: { kind: 'global' },
    evaluator: 'synthetic',
    dataset,
    topN: 5,
  };
}

const task = (s: RunSpec) => {
  const candles = buildDataset(s.dataset);
  return {
    candles,
    windows: foldWindows(datasetTimeRange(candles), s.walkForward),
    objective: s.objective,
    constraints: s.constraints,
  };
};
const hooks = { save: async () => undefined, now: () => 0, cancelled: () => false };
const byIndex = (state: RunState) =>
  [...state.results]
    .sort((a, b) => a.index - b.index)
    .map((r) => [r.index, r.params, r.inSampleScore, r.outOfSampleScore]);

function startWorker(redisUrl: string): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', path.join(ROOT, 'src/optimizer/optimizer-worker.cli.ts')],
    {
      cwd: ROOT,
      env: { ...process.env, OPTIMIZER_REDIS_URL: redisUrl, OPTIMIZER_LOCK_MS: '1500' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready')) resolve();
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`worker exited ${code}: ${output}`)));
  });
  return { child, ready };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

describeWithRedis('optimizer across processes on Redis', () => {
  let redis: ChildProcess;
  let redisUrl: string;
  // Redis reads go through a BullMQ queue's own client (ioredis is BullMQ's dependency, not ours).
  let inspector: Queue;
  let client: Awaited<Queue['client']>;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    const port = await freePort();
    redis = spawn(REDIS, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    redisUrl = `redis://127.0.0.1:${port}`;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      redis.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('Ready to accept connections')) resolve();
      });
      redis.once('exit', (code) => reject(new Error(`redis-server exited ${code}: ${out}`)));
    });
    inspector = new Queue(OPTIMIZER_QUEUE, { connection: { url: redisUrl } });
    client = await inspector.client;
  }, 30_000);

  afterEach(async () => {
    await Promise.all(workers.splice(0).map(stop));
  });

  afterAll(async () => {
    await inspector?.close();
    if (redis) await stop(redis);
  });

  it('two worker processes give the same results (and best candidate) as the in-process pool, same seed', async () => {
    const s = spec('distequal01', 64);
    const pool = new PoolExecutor({ ...task(s), evaluatorModule: evaluatorModulePath('synthetic') }, 2);
    const local = await driveRun(newRunState(s, 0), pool, hooks);
    await pool.close();

    const started = [startWorker(redisUrl), startWorker(redisUrl)];
    workers.push(...started.map((w) => w.child));
    await Promise.all(started.map((w) => w.ready));
    const { windows, objective, constraints } = task(s);
    const queue = new QueueExecutor(redisUrl, s.id, {
      evaluator: 'synthetic',
      dataset,
      windows,
      objective,
      constraints,
    });
    const remote = await driveRun(newRunState(s, 0), queue, hooks);
    await queue.close();

    expect(remote.status).toBe('completed');
    expect(local.status).toBe('completed');
    expect(rankResults(remote.results)[0]).toEqual(rankResults(local.results)[0]);
    expect(byIndex(remote)).toEqual(byIndex(local));
    expect(Object.keys(await client.hgetall(resultsKey(s.id)))).toHaveLength(64);
    // The task is stored once for the run; a job carries the candidate only.
    expect(JSON.parse((await client.get(taskKey(s.id))) as string)).toEqual({
      evaluator: 'synthetic',
      dataset,
      windows,
      objective,
      constraints,
    });
    expect(Object.keys((await inspector.getJob(`${s.id}-5`))?.data ?? {}).sort()).toEqual(['index', 'params', 'runId']);

    // A second job for an index already recorded (a retry, a duplicate) answers the recorded result, not a new one.
    const events = new QueueEvents(OPTIMIZER_QUEUE, { connection: { url: redisUrl } });
    await events.waitUntilReady();
    const duplicate = await inspector.add(
      'evaluate',
      { runId: s.id, index: 0, params: { rsi_long_threshold: 11 } },
      { jobId: `${s.id}-dup0` },
    );
    const answered = (await duplicate.waitUntilFinished(events)) as { inSampleScore: number | null };
    // A job of a run whose task is not in Redis (expired, never written) fails naming why; nothing is recorded.
    const orphan = await inspector.add('evaluate', { runId: 'distnotask01', index: 0, params: {} }, { jobId: 'nt-0' });
    await expect(orphan.waitUntilFinished(events)).rejects.toThrow('no task for run distnotask01 in Redis');
    expect(Object.keys(await client.hgetall(resultsKey('distnotask01')))).toHaveLength(0);
    await events.close();
    expect(answered.inSampleScore).toBe(remote.results.find((r) => r.index === 0)?.inSampleScore);
    expect(await client.hget(executionsKey(s.id), '0')).toBe('1');
  }, 60_000);

  it('kill -9 of one of two workers mid-run loses no evaluation and duplicates none', async () => {
    const s = spec('distcrash01', 160);
    const started = [startWorker(redisUrl), startWorker(redisUrl)];
    workers.push(...started.map((w) => w.child));
    await Promise.all(started.map((w) => w.ready));
    const { windows, objective, constraints } = task(s);
    const queue = new QueueExecutor(redisUrl, s.id, {
      evaluator: 'synthetic',
      dataset,
      windows,
      objective,
      constraints,
    });
    const events = new QueueEvents(OPTIMIZER_QUEUE, { connection: { url: redisUrl } });
    const stalled = new Set<string>();
    events.on('stalled', ({ jobId }) => stalled.add(jobId));
    await events.waitUntilReady();
    let killed = false;
    const victim = started[0].child;
    const run = driveRun(newRunState(s, 0), queue, {
      ...hooks,
      // Kill one worker once a quarter of the budget is recorded: it is busy on a job almost all the time.
      save: async (state) => {
        if (!killed && state.results.length >= 40) {
          killed = true;
          victim.kill('SIGKILL');
        }
      },
    });
    const remote = await run;
    await Promise.all([queue.close(), events.close()]);
    expect(killed).toBe(true);
    expect(victim.signalCode).toBe('SIGKILL');
    expect(remote.status).toBe('completed');
    const indices = remote.results.map((r) => r.index).sort((a, b) => a - b);
    expect(indices).toEqual(Array.from({ length: 160 }, (_, i) => i));
    expect(Object.keys(await client.hgetall(resultsKey(s.id)))).toHaveLength(160);

    // Same results as an uninterrupted run on the calling thread: nothing lost, nothing counted twice.
    const pool = new PoolExecutor({ ...task(s), evaluatorModule: evaluatorModulePath('synthetic') }, 2);
    const local = await driveRun(newRunState(s, 0), pool, hooks);
    await pool.close();
    expect(byIndex(remote)).toEqual(byIndex(local));
    const executions = Object.values(await client.hgetall(executionsKey(s.id))).map(Number);
    console.log(
      `optimizer-distributed: ${stalled.size} stalled job(s) recovered; ${executions.filter((n) => n > 1).length} evaluation(s) ran twice, recorded once`,
    );
    // The killed worker held a job: it was detected as stalled and finished by the other worker.
    expect(stalled.size).toBeGreaterThanOrEqual(1);
    expect(executions.length).toBe(160);
  }, 60_000);

  it('the service runs POST /api/bots/optimize on the Redis workers when OPTIMIZER_REDIS_URL is set', async () => {
    const started = [startWorker(redisUrl)];
    workers.push(...started.map((w) => w.child));
    await Promise.all(started.map((w) => w.ready));
    const dataDir = tempDataDir('optimizer-redis-api-');
    const app = await createTestApp({
      env: { EXCHANGE: 'paper', LOG_LEVEL: 'error', WORKERS_ENABLED: 'false', OPTIMIZER_REDIS_URL: redisUrl },
      dataDir,
    });
    try {
      const body = {
        evaluator: 'synthetic',
        space: [{ key: 'rsi_long_threshold', min: 10, max: 40 }],
        objective: 'net_pnl',
        budget: 24,
        batch_size: 8,
        seed: 9,
        folds: 3,
        data: { symbols: 4, candles: 400 },
      };
      const { id } = (await request(app.http).post('/api/bots/optimize').send(body).expect(202)).body as { id: string };
      let run: { status: string; evaluated: number };
      for (;;) {
        run = (await request(app.http).get(`/api/bots/optimize/${id}`).expect(200)).body.optimization;
        if (run.status !== 'running') break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(run.status).toBe('completed');
      expect(run.evaluated).toBe(24);
      // Every score came from the worker process through Redis, recorded once per candidate.
      expect(Object.keys(await client.hgetall(resultsKey(id)))).toHaveLength(24);
      const executions = Object.values(await client.hgetall(executionsKey(id))).map(Number);
      expect(executions).toEqual(Array.from({ length: 24 }, () => 1));
    } finally {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
