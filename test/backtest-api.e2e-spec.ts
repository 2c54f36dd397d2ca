import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import { ExchangeService } from '../src/exchange/exchange.service';
import { eventually } from './support/bots';
import { schemaViolations, type Schema } from './support/schema-check';
import { createTestApp, tempDataDir, type TestApp } from './support/test-app';

jest.setTimeout(180_000);

/**
 * The backtest API on the paper exchange (docs/backtest.md): a job runs in a worker thread over the candle store
 * and ends with trades, statistics and a report page; bad input answers 400 naming the field.
 */
const DAY = 86_400_000;
const now = Date.now();
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
// Wide RSI thresholds and no maturity wait so a few coins over two months trade.
const overrides = {
  rsi_long_threshold: 40,
  rsi_short_threshold: 60,
  enable_maturity_check: false,
  rsi_time_filter_enabled: false,
  exit_scam_enabled: false,
  max_concurrent: 3,
};
let symbols: string[] = [];
// 1m detail over a short window: the store fills every minute between a coin's first and last position.
const shortDetail = { detail: true, from: iso(now - 40 * DAY), to: iso(now - 28 * DAY) };
const body = (extra: Record<string, unknown> = {}) => ({
  from: iso(now - 70 * DAY),
  to: iso(now - 10 * DAY),
  symbols,
  overrides,
  starting_balance: 5000,
  ...extra,
});

async function finished(t: TestApp, id: string, progress: number[] = []): Promise<any> {
  return eventually(async () => {
    const res = await request(t.http).get(`/api/bots/backtest/${id}`).expect(200);
    progress.push(res.body.job.progress_pct);
    return res.body.job.status === 'running' ? undefined : res.body;
  }, 150_000);
}

describe('backtest API', () => {
  const dataDir = tempDataDir('bots-backtest-api-');
  let t: TestApp | null = null;

  beforeAll(async () => {
    t = await createTestApp({ dataDir, env: { PAPER_SYMBOLS: '30' } });
    symbols = t.app.get(ExchangeService).tradableSymbols().slice(0, 6);
  });
  afterAll(async () => t?.close());

  it('runs a job to a result with trades and statistics, serves its report with the page CSP, lists and deletes it', async () => {
    const created = await request(t!.http).post('/api/bots/backtest').send(body()).expect(202);
    expect(created.body).toMatchObject({
      success: true,
      job: { status: 'running', parameters: { starting_balance: 5000, detail: null } },
    });
    const id: string = created.body.job.id;
    const progress: number[] = [];
    const done = await finished(t!, id, progress);
    expect(done.job).toMatchObject({ id, status: 'done', progress_pct: 100, error: null });
    expect(progress.every((p, i) => i === 0 || p >= progress[i - 1])).toBe(true);
    const result = done.result;
    expect(result.kind).toBe('bots-service.backtest-result');
    expect(result.trades.length).toBeGreaterThan(0);
    expect(result.statistics.trades).toBe(result.trades.length);
    expect(done.job.summary.trades).toBe(result.trades.length);
    expect(result.statistics.net_pnl_usdt).toBeCloseTo(
      result.trades.reduce((s: number, tr: any) => s + tr.net_pnl, 0),
      6,
    );
    expect(result.equity.length).toBeGreaterThan(200);
    expect(result.parameters.settings_overrides).toMatchObject({ rsi_long_threshold: 40, max_concurrent: 3 });
    for (const trade of result.trades) {
      expect(trade.entry_timestamp).toBeGreaterThanOrEqual(result.parameters.from_ms);
      expect(trade.decision.decision_time_ms).toBeGreaterThanOrEqual(result.parameters.from_ms);
    }
    expect(existsSync(path.join(dataDir, 'backtests', `${id}.json`))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(dataDir, 'backtests', `${id}.result.json`), 'utf8')).trades).toEqual(
      result.trades,
    );

    const report = await request(t!.http).get(`/api/bots/backtest/${id}/report`).expect(200);
    expect(report.headers['content-type']).toMatch(/^text\/html/);
    const csp = report.headers['content-security-policy'];
    expect(csp).toMatch(/script-src 'sha256-/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).not.toBe("default-src 'none';frame-ancestors 'none'");
    expect(report.text).toContain('<html');

    const list = await request(t!.http).get('/api/bots/backtests').expect(200);
    expect(list.body.backtests.map((j: any) => j.id)).toContain(id);

    await request(t!.http).delete(`/api/bots/backtest/${id}`).expect(200);
    await request(t!.http).get(`/api/bots/backtest/${id}`).expect(404);
    expect(existsSync(path.join(dataDir, 'backtests', `${id}.json`))).toBe(false);
    expect(existsSync(path.join(dataDir, 'backtests', `${id}.result.json`))).toBe(false);
  });

  it('carries the account-protection locks into the result and the report (exit cooldown)', async () => {
    const cooldown = { ...overrides, exit_cooldown_enabled: true, exit_cooldown_minutes: 24 * 60 };
    const created = await request(t!.http)
      .post('/api/bots/backtest')
      .send(body({ overrides: cooldown }))
      .expect(202);
    const id: string = created.body.job.id;
    const done = await finished(t!, id);
    expect(done.job.status).toBe('done');
    const { trades, protection_locks: locks } = done.result as {
      trades: Array<{ symbol: string; close_time_ms: number; entry_timestamp: number }>;
      protection_locks: Array<{ rule: string; symbol: string; scope: string; locked_at_ms: number; until_ms: number }>;
    };
    expect(trades.length).toBeGreaterThan(0);
    // Every close sets a 24 h lock on its coin (seen at the next candle close); each lock is that close + 24 h, and
    // no trade of the coin enters while it holds.
    expect(locks.length).toBeGreaterThan(0);
    for (const lock of locks) {
      expect(lock).toMatchObject({ rule: 'cooldown', scope: 'coin' });
      const closes = trades.filter((tr) => tr.symbol === lock.symbol && tr.close_time_ms <= lock.locked_at_ms);
      expect(closes.map((tr) => tr.close_time_ms + DAY)).toContain(lock.until_ms);
      const inside = trades.filter(
        (tr) =>
          tr.symbol === lock.symbol && tr.entry_timestamp >= lock.locked_at_ms && tr.entry_timestamp < lock.until_ms,
      );
      expect(inside).toEqual([]);
    }
    // The answer matches its documented schema (BacktestResultDto, locks included).
    const openapi = JSON.parse(readFileSync(path.resolve(__dirname, '../openapi.json'), 'utf8'));
    const schemas = openapi.components.schemas as Record<string, Schema>;
    expect(schemaViolations(schemas, schemas.BacktestResultDto, done.result)).toEqual([]);
    // The report embeds them for its "Protection locks" table.
    const report = await request(t!.http).get(`/api/bots/backtest/${id}/report`).expect(200);
    expect(report.text).toContain('id="locks"');
    expect(report.text).toContain(`"protection_locks":[{"id":"${(locks[0] as unknown as { id: string }).id}"`);
    await request(t!.http).delete(`/api/bots/backtest/${id}`).expect(200);
  });

  it.each([
    ['from', { from: 'yesterday-ish' }],
    ['to', { from: iso(now - 10 * DAY), to: iso(now - 20 * DAY) }],
    ['from', { from: iso(now + 5 * DAY), to: iso(now + 10 * DAY) }],
    ['symbols', { symbols: ['NOPECOIN'] }],
    ['overrides.max_concurrent', { overrides: { max_concurrent: 100000 } }],
    ['overrides.rsi_long_threshold', { overrides: { rsi_long_threshold: 'low' } }],
    ['starting_balance', { starting_balance: -5 }],
    ['detail', { detail: 'yes' }],
  ])('answers 400 naming %s', async (field, extra) => {
    const res = await request(t!.http).post('/api/bots/backtest').send(body(extra)).expect(400);
    expect(res.body).toMatchObject({ success: false, field });
    expect(res.body.error).toContain(field.split('.').pop());
  });

  it('answers 400 for a range before the exchange has data', async () => {
    const res = await request(t!.http)
      .post('/api/bots/backtest')
      .send(body({ from: '2001-01-01', to: '2001-03-01' }))
      .expect(400);
    expect(res.body.field).toBe('from');
  });

  it('cancels a running job on DELETE: it is gone, its files too, and its slot frees', async () => {
    const running = await request(t!.http).post('/api/bots/backtest').send(body(shortDetail)).expect(202);
    const id: string = running.body.job.id;
    const deleted = await request(t!.http).delete(`/api/bots/backtest/${id}`).expect(200);
    expect(deleted.body.job).toMatchObject({ id, status: 'cancelled' });
    await request(t!.http).get(`/api/bots/backtest/${id}`).expect(404);
    const next = await eventually(async () => {
      const res = await request(t!.http).post('/api/bots/backtest').send(body());
      return res.status === 202 ? res.body.job.id : undefined;
    }, 60_000);
    await finished(t!, next);
    expect(existsSync(path.join(dataDir, 'backtests', `${id}.json`))).toBe(false);
    expect(existsSync(path.join(dataDir, 'backtests', `${id}.result.json`))).toBe(false);
  });

  it('answers 404 for an unknown id', async () => {
    await request(t!.http).get('/api/bots/backtest/0b7c7b0e-2a55-4b8e-9a1f-1f0c2d3e4f50').expect(404);
    await request(t!.http).get('/api/bots/backtest/not-an-id').expect(404);
    await request(t!.http).get('/api/bots/backtest/0b7c7b0e-2a55-4b8e-9a1f-1f0c2d3e4f50/report').expect(404);
    await request(t!.http).delete('/api/bots/backtest/0b7c7b0e-2a55-4b8e-9a1f-1f0c2d3e4f50').expect(404);
  });

  it('a candle file the job thread finds damaged is moved aside and fetched again; the job gives the same result', async () => {
    const first = await request(t!.http).post('/api/bots/backtest').send(body()).expect(202);
    const before = await finished(t!, first.body.job.id);
    expect(before.job.status).toBe('done');
    // The job's fill reads headers only; a damaged payload behind a good header is found by the job thread.
    // (symbols[0] is the coin the request's validation probes with a verifying fill, so damage another.)
    const dir = path.join(dataDir, 'candles', '6h');
    const file = path.join(dir, `${symbols[1]}.bin`);
    const bytes = readFileSync(file);
    bytes[bytes.length - 100] ^= 0x40;
    writeFileSync(file, bytes);
    const second = await request(t!.http).post('/api/bots/backtest').send(body()).expect(202);
    const after = await finished(t!, second.body.job.id);
    expect(after.job).toMatchObject({ status: 'done', error: null });
    expect(readdirSync(dir).filter((n) => n.startsWith(`${symbols[1]}.bin.corrupt-`))).toHaveLength(1);
    expect(after.result.statistics).toEqual(before.result.statistics);
    expect(after.result.trades).toEqual(before.result.trades);
  });

  it('answers 429 beyond BACKTEST_MAX_JOBS (1) and accepts again once the job ends', async () => {
    const first = await request(t!.http).post('/api/bots/backtest').send(body(shortDetail)).expect(202);
    const refused = await request(t!.http).post('/api/bots/backtest').send(body()).expect(429);
    expect(refused.body.error).toContain('BACKTEST_MAX_JOBS');
    const done = await finished(t!, first.body.job.id);
    expect(done.job.status).toBe('done');
    expect(done.result.parameters.detail).toBe('1m');
    expect(done.result.trades.some((tr: any) => tr.exit_path === 'detail')).toBe(true);
    const again = await request(t!.http).post('/api/bots/backtest').send(body()).expect(202);
    await finished(t!, again.body.job.id);
  });
});

describe('backtest jobs across a restart', () => {
  const dataDir = tempDataDir('bots-backtest-restart-');
  let t: TestApp | null = null;
  afterAll(async () => t?.close());

  it('marks a job cut off by a restart as interrupted and keeps finished results', async () => {
    t = await createTestApp({ dataDir, env: { PAPER_SYMBOLS: '30' } });
    symbols = t.app.get(ExchangeService).tradableSymbols().slice(0, 6);
    const first = await request(t.http).post('/api/bots/backtest').send(body()).expect(202);
    const done = await finished(t, first.body.job.id);
    expect(done.job.status).toBe('done');

    const cut = await request(t.http)
      .post('/api/bots/backtest')
      .send(body({ detail: true })) // the long 1m fill: still running when the app stops
      .expect(202);
    await t.close();
    t = null;
    const onDisk = JSON.parse(readFileSync(path.join(dataDir, 'backtests', `${cut.body.job.id}.json`), 'utf8'));
    expect(onDisk.job.status).toBe('running');

    t = await createTestApp({ dataDir, env: { PAPER_SYMBOLS: '30' } });
    const interrupted = await request(t.http).get(`/api/bots/backtest/${cut.body.job.id}`).expect(200);
    expect(interrupted.body.job).toMatchObject({ status: 'interrupted', stage: null });
    expect(interrupted.body.job.error).toMatch(/stopped/);
    expect(interrupted.body.result).toBeNull();
    expect(
      JSON.parse(readFileSync(path.join(dataDir, 'backtests', `${cut.body.job.id}.json`), 'utf8')).job.status,
    ).toBe('interrupted');

    const kept = await request(t.http).get(`/api/bots/backtest/${first.body.job.id}`).expect(200);
    expect(kept.body.job.status).toBe('done');
    expect(kept.body.result.trades).toEqual(done.result.trades);
    await request(t.http).get(`/api/bots/backtest/${first.body.job.id}/report`).expect(200);
    expect(
      (await request(t.http).get('/api/bots/backtests').expect(200)).body.backtests
        .map((j: any) => [j.id, j.status])
        .sort(),
    ).toEqual(
      [
        [first.body.job.id, 'done'],
        [cut.body.job.id, 'interrupted'],
      ].sort(),
    );
    // The slot is free again after the restart.
    await request(t.http).post('/api/bots/backtest').send(body()).expect(202);
  });
});
