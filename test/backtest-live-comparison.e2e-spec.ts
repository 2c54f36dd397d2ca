import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import type { BacktestResult, BacktestResultTrade } from '../src/backtest/result/backtest-result';
import { ManualClock } from '../src/common/clock';
import { syntheticBacktestResult } from './support/backtest-fixtures';
import { bot, eventually, step, waitForCoins, workers } from './support/bots';
import { schemaViolations, type Schema } from './support/schema-check';
import { createTestApp, tempDataDir, type TestApp } from './support/test-app';

jest.setTimeout(180_000);

const H = 3_600_000;

/**
 * GET /api/bots/backtest/{id}/live-comparison on the paper exchange (docs/backtest.md, "Comparing with live
 * trades"): the auto-bot opens positions and they are closed, so the history holds real SCRIPT trades (and one
 * manual trade); a stored backtest result is then written whose trades match some of them, differ on others and
 * have extras, and the service (restarted, so it reads the job from disk) pairs them.
 */
describe('backtest live comparison', () => {
  const dataDir = tempDataDir('bots-live-comparison-');
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 3, 0));
  const start = clock.now();
  let t: TestApp | null = null;
  let live: any[] = [];
  let manual: any;
  const doneId = randomUUID();
  const failedId = randomUUID();
  let stored: BacktestResult;

  function jobFile(id: string, status: string, result: BacktestResult | null): void {
    const dir = path.join(dataDir, 'backtests');
    mkdirSync(dir, { recursive: true });
    const job = {
      id,
      status,
      progress_pct: status === 'done' ? 100 : 40,
      stage: null,
      created_at_ms: start,
      finished_at_ms: start,
      error: status === 'failed' ? 'no candles could be fetched' : null,
      parameters: stored.parameters,
      summary: null,
    };
    writeFileSync(path.join(dir, `${id}.json`), JSON.stringify({ job }));
    if (result) writeFileSync(path.join(dir, `${id}.result.json`), JSON.stringify({ ...result, id }));
  }

  /** A backtested trade shaped like a recorded one, with the given changes. */
  function twin(of: any, id: string, changes: Partial<BacktestResultTrade>): BacktestResultTrade {
    return { ...stored.trades[0], ...pick(of), id, bot_id: of.symbol, decision: null, ...changes };
  }
  function pick(trade: any): Partial<BacktestResultTrade> {
    const keys = ['symbol', 'direction', 'size', 'entry_price', 'exit_price', 'net_pnl', 'close_reason'] as const;
    const keysMs = { entry_timestamp: trade.entry_timestamp, close_time_ms: trade.close_time_ms };
    return { ...Object.fromEntries(keys.map((k) => [k, trade[k]])), ...keysMs };
  }

  beforeAll(async () => {
    // Phase 1: trades through the service's own paths.
    t = await createTestApp({ dataDir, clock, env: { PAPER_SYMBOLS: '120' } });
    await workers(t).stop();
    const coins = (await waitForCoins(t)).filter((c) => c.trading_status === 'Trading' && !c.is_delisting);
    await request(t.http)
      .post('/api/bots/auto-bot')
      .send({ enabled: true, rsi_long_threshold: 45, rsi_short_threshold: 55, max_concurrent: 4 })
      .expect(200);
    await workers(t).runNow('auto_bot_worker');
    await request(t.http).post('/api/bots/auto-bot').send({ enabled: false }).expect(200);
    const opened = (await request(t.http).get('/api/bots/list').expect(200)).body.bots.filter(
      (b: any) => b.position_side,
    );
    expect(opened.length).toBeGreaterThanOrEqual(3);

    // One position opened by hand on a coin the auto-bot left alone.
    const manualSymbol = coins.find((c) => !opened.some((b: any) => b.symbol === c.symbol))!.symbol;
    await request(t.http)
      .post('/api/bots/create')
      .send({
        symbol: manualSymbol,
        config: { volume_mode: 'usdt', volume_value: 100, leverage: 5 },
        signal: 'ENTER_LONG',
        skip_maturity_check: true,
        force_manual_entry: true,
      })
      .expect(200);
    await eventually(async () => (await bot(t!, manualSymbol))?.status === 'in_position_long');

    // An hour later: a stop the paper exchange fired meanwhile is recorded by position sync, the rest are closed.
    await step(t, clock, 60);
    for (const b of (await request(t.http).get('/api/bots/list').expect(200)).body.bots) {
      if (b.position_side) {
        await request(t.http).post('/api/bots/close-position').send({ symbol: b.symbol }).expect(200);
      }
    }
    const trades = (await request(t.http).get('/api/bots/trades?limit=100').expect(200)).body.trades;
    live = trades
      .filter((tr: any) => tr.decision_source === 'SCRIPT')
      .sort((a: any, b: any) => (a.symbol < b.symbol ? -1 : 1));
    manual = trades.find((tr: any) => tr.symbol === manualSymbol);
    expect(live).toHaveLength(opened.length);
    expect(manual.decision_source).toBe('MANUAL');
    await t.close();
    t = null;

    // Phase 2: a stored backtest over every coin but the last auto-bot one, from 1 day before to 1 day after.
    stored = syntheticBacktestResult({ symbols: ['BTC'], trades: 1, points: 100 });
    stored.parameters = {
      ...stored.parameters,
      from_ms: start - 24 * H,
      to_ms: start + 24 * H,
      symbols: [...live.slice(0, -1).map((tr) => tr.symbol), manual.symbol],
      timeframe: '6h',
      detail: null,
    };
    const [a, b] = live;
    const otherReason = a.close_reason === 'STOP_LOSS' ? 'TAKE_PROFIT' : 'STOP_LOSS';
    stored.trades = [
      // a's twin: entered 2 h later at a 0.1 % higher price, closed for another reason, 1.5 USDT less.
      twin(a, 'bt-a', {
        entry_timestamp: a.entry_timestamp + 2 * H,
        entry_price: a.entry_price * 1.001,
        close_reason: otherReason,
        net_pnl: a.net_pnl - 1.5,
      }),
      // b's exact twin.
      twin(b, 'bt-b', {}),
      // a's coin on the other side: no twin.
      twin(a, 'bt-a-other-side', { direction: a.direction === 'LONG' ? 'SHORT' : 'LONG', net_pnl: 2 }),
      // b's coin and side 12 h later: beyond one 6h candle, and b is taken.
      twin(b, 'bt-b-later', { entry_timestamp: b.entry_timestamp + 12 * H, net_pnl: -3 }),
    ];
    stored.open_positions = [];
    jobFile(doneId, 'done', stored);
    jobFile(failedId, 'failed', null);
    t = await createTestApp({ dataDir, clock, env: { PAPER_SYMBOLS: '120' } });
    await workers(t).stop();
  });
  afterAll(async () => t?.close());

  it('pairs the recorded trades with the backtested ones and measures their differences', async () => {
    const res = await request(t!.http).get(`/api/bots/backtest/${doneId}/live-comparison`).expect(200);
    const body = res.body;
    const [a, b] = live;
    const compared = live.slice(0, -1);
    expect(body).toMatchObject({
      success: true,
      backtest: { id: doneId, from_ms: start - 24 * H, to_ms: start + 24 * H, timeframe: '6h' },
      tolerance_minutes: 360,
      tolerance_source: 'timeframe',
      max_trades: 10_000,
      backtest_open_at_end: 0,
      // The manual trade is in the window and left out; the last auto-bot coin is not a backtested coin.
      live_selection: { from_ms: start - 30 * H, to_ms: start + 30 * H, in_window: compared.length + 1 },
    });
    expect(body.live_selection).toMatchObject({ excluded_demo: 0, excluded_not_auto_bot: 1 });

    const liveNet = compared.reduce((s, tr) => s + tr.net_pnl, 0);
    const backtestNet = a.net_pnl - 1.5 + b.net_pnl + 2 - 3;
    expect(body.totals).toMatchObject({
      live_trades: compared.length,
      backtest_trades: 4,
      live_not_compared: 0,
      backtest_not_compared: 0,
      matched: 2,
      live_only: compared.length - 2,
      backtest_only: 2,
      close_reason_equal: 1,
    });
    expect(body.totals.match_rate_pct).toBeCloseTo((4 / (compared.length + 4)) * 100, 4);
    expect(body.totals.live_net_pnl_usdt).toBeCloseTo(liveNet, 6);
    expect(body.totals.backtest_net_pnl_usdt).toBeCloseTo(backtestNet, 6);
    expect(body.totals.net_pnl_diff_usdt).toBeCloseTo(liveNet - backtestNet, 6);
    expect(body.totals.matched_net_pnl_diff_usdt).toBeCloseTo(1.5, 6);

    const pairA = body.matched.find((p: any) => p.backtest_id === 'bt-a');
    expect(pairA).toMatchObject({
      symbol: a.symbol,
      direction: a.direction,
      live_id: a.id,
      entry_time_diff_ms: -2 * H,
      exit_time_diff_ms: 0,
      exit_price_diff: 0,
      live_close_reason: a.close_reason,
      backtest_close_reason: a.close_reason === 'STOP_LOSS' ? 'TAKE_PROFIT' : 'STOP_LOSS',
      close_reason_equal: false,
    });
    expect(pairA.entry_price_diff).toBeCloseTo(a.entry_price - a.entry_price * 1.001, 6);
    expect(pairA.entry_price_diff_pct).toBeCloseTo((-0.001 / 1.001) * 100, 5);
    expect(pairA.net_pnl_diff).toBeCloseTo(1.5, 6);
    expect(body.matched.find((p: any) => p.backtest_id === 'bt-b')).toMatchObject({
      live_id: b.id,
      entry_time_diff_ms: 0,
      entry_price_diff: 0,
      exit_price_diff: 0,
      close_reason_equal: true,
      net_pnl_diff: 0,
    });
    expect(body.live_only.map((tr: any) => tr.id).sort()).toEqual(
      compared
        .slice(2)
        .map((tr) => tr.id)
        .sort(),
    );
    expect(body.backtest_only.map((tr: any) => tr.id).sort()).toEqual(['bt-a-other-side', 'bt-b-later']);

    // The answer matches its documented schema.
    const openapi = JSON.parse(readFileSync(path.resolve(__dirname, '../openapi.json'), 'utf8'));
    const schemas = openapi.components.schemas as Record<string, Schema>;
    expect(schemaViolations(schemas, schemas.LiveComparisonResponseDto, body)).toEqual([]);
  });

  it('takes the tolerance from the request: at 60 minutes the 2 h apart pair no longer matches', async () => {
    const body = (await request(t!.http).get(`/api/bots/backtest/${doneId}/live-comparison?tolerance_minutes=60`)).body;
    expect(body).toMatchObject({ tolerance_minutes: 60, tolerance_source: 'request' });
    expect(body.totals).toMatchObject({ matched: 1, backtest_only: 3 });
    expect(body.matched.map((p: any) => p.backtest_id)).toEqual(['bt-b']);
    expect(body.live_selection).toMatchObject({ from_ms: start - 25 * H, to_ms: start + 25 * H });
  });

  it.each([
    ['-5', 'tolerance_minutes'],
    ['abc', 'tolerance_minutes'],
    ['43201', 'tolerance_minutes'],
  ])('answers 400 naming the field for tolerance_minutes=%s', async (value, field) => {
    const res = await request(t!.http)
      .get(`/api/bots/backtest/${doneId}/live-comparison?tolerance_minutes=${value}`)
      .expect(400);
    expect(res.body).toMatchObject({ success: false, field });
    expect(res.body.error).toContain('tolerance_minutes');
  });

  it('answers 404 for an unknown backtest and 409 for one that did not finish', async () => {
    await request(t!.http).get(`/api/bots/backtest/${randomUUID()}/live-comparison`).expect(404);
    await request(t!.http).get('/api/bots/backtest/not-an-id/live-comparison').expect(404);
    const res = await request(t!.http).get(`/api/bots/backtest/${failedId}/live-comparison`).expect(409);
    expect(res.body).toMatchObject({ success: false });
    expect(res.body.error).toContain('failed');
  });
});
