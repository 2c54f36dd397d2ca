import { runBacktest } from '../backtest/engine/backtest-engine';
import { DEFAULT_AUTO_BOT_CONFIG } from '../config/defaults';
import { createEquityReplay, createEvaluator, type ReplaySetup } from './backtest-evaluator';
import { closedTradeEquity, downsampleMinMax, MAX_EQUITY_POINTS } from './candidate-equity';
import { newRunState, type RunSpec } from './optimization-run';
import { computeRunEquity } from './run-equity';
import { attachSharedCandles, buildDataset, type SyntheticDatasetSpec } from './shared-candles';
import * as synthetic from './synthetic-evaluator';

const TF = 6 * 3600_000;
const START = Date.UTC(2025, 0, 1);

describe('downsampleMinMax', () => {
  it('keeps a short series whole', () => {
    expect(downsampleMinMax([1, 2, 3], [5, 4, 6], 10)).toEqual({ time: [1, 2, 3], value: [5, 4, 6] });
  });

  it('keeps at most maxPoints, the first and last point, and every bucket low and high in time order', () => {
    // 1 000 points: a slow rise with one deep dip at 333 and a spike at 777.
    const time = Array.from({ length: 1000 }, (_, i) => i);
    const value = time.map((i) => (i === 333 ? -50 : i === 777 ? 500 : 100 + i / 100));
    const out = downsampleMinMax(time, value, 500);
    expect(out.time.length).toBeLessThanOrEqual(500);
    expect(out.time.length).toBeGreaterThan(490);
    expect(out.time[0]).toBe(0);
    expect(out.time[out.time.length - 1]).toBe(999);
    expect(out.time.every((t, k) => k === 0 || t > out.time[k - 1])).toBe(true);
    // The extremes survive (a stride of 2 would keep only one of 333 and 777).
    expect(out.value).toContain(-50);
    expect(out.value).toContain(500);
    expect(out.value[out.time.indexOf(333)]).toBe(-50);
  });
});

describe('closedTradeEquity', () => {
  it('is 100 at the start plus the running PnL at each exit inside the range; exits at one time add up', () => {
    const trades = [
      { exitTime: 30, pnlPercent: -1 },
      { exitTime: 10, pnlPercent: 2 },
      { exitTime: 30, pnlPercent: 0.5 },
      { exitTime: 5, pnlPercent: 9 }, // before the range
      { exitTime: 100, pnlPercent: 9 }, // at its end (excluded, as a walk-forward window)
    ];
    expect(closedTradeEquity(trades, { start: 8, end: 100 })).toEqual({ time: [8, 10, 30], equity: [100, 102, 101.5] });
  });
});

describe('computeRunEquity (worker thread)', () => {
  function runState(spec: Partial<RunSpec> & Pick<RunSpec, 'evaluator' | 'dataset'>) {
    const state = newRunState(
      {
        id: 'equitytest',
        space: [],
        objective: 'net_pnl',
        constraints: { minTrades: 0, maxDrawdownPercent: 100 },
        walkForward: { folds: 4, mode: 'rolling' },
        budget: 3,
        seed: 1,
        batchSize: 3,
        scope: { kind: 'global' },
        topN: 3,
        ...spec,
      },
      0,
    );
    // Ranked by in-sample score: #2, then #0; #1 has none and gets no curve.
    const candidate = (index: number, inSampleScore: number | null, params: Record<string, number>) => ({
      index,
      unit: [],
      params,
      inSampleScore,
      outOfSampleScore: 0,
      holdoutScore: 0,
      outOfSampleTrades: 0,
    });
    state.results = [
      candidate(0, 1, { take_profit_percent: 12, leverage: 4 }),
      candidate(1, null, { take_profit_percent: 5, leverage: 1 }),
      candidate(2, 3, { take_profit_percent: 3, leverage: 2 }),
    ];
    state.status = 'completed';
    return state;
  }

  it('replays the best scored candidates through the backtest engine: balance + unrealised, % of the start', async () => {
    const dataset: SyntheticDatasetSpec = {
      kind: 'synthetic',
      symbols: 3,
      candles: 900,
      seed: 3,
      timeframeMs: TF,
      startTime: START,
    };
    const columns = attachSharedCandles(buildDataset(dataset));
    const setup: ReplaySetup = {
      timeframe: '6h',
      config: { ...DEFAULT_AUTO_BOT_CONFIG, default_position_mode: 'usdt', default_position_size: 100, leverage: 1 },
      coins: columns.symbols.map((symbol) => ({
        symbol,
        rules: { tickSize: 0.0001, qtyStep: 0.001, minOrderQty: 0.001, minNotional: 5, maxLeverage: 50 },
      })),
      startingBalance: 10_000,
      feeRate: 0.00055,
      spreadTicks: 1,
      tradeFromMs: columns.time[400],
    };
    const equity = await computeRunEquity(runState({ evaluator: 'backtest', dataset, context: setup }));
    expect(equity.error).toBeNull();
    expect(equity.source).toBe('replay');
    expect(equity.candidates.map((c) => c.index)).toEqual([2, 0]);
    // The scored range (the synthetic grid: 900 candles) cut into 5 segments: the holdout is the last.
    expect(equity).toMatchObject({ rangeStartMs: START, rangeEndMs: START + 900 * TF });
    expect(equity.outOfSampleFromMs).toBe(START + 720 * TF);
    for (const curve of equity.candidates) {
      expect(curve.time.length).toBe(curve.equity.length);
      expect(curve.time.length).toBeLessThanOrEqual(MAX_EQUITY_POINTS);
      expect(curve.time[0]).toBeGreaterThanOrEqual(setup.tradeFromMs);
    }
    // The same replay on this thread: the curve's last point is the engine's final equity in % of the start, and
    // the trades behind it are the evaluator's (one engine).
    const params = { take_profit_percent: 3, leverage: 2 };
    const direct = createEquityReplay(columns, setup)(params);
    const best = equity.candidates[0];
    expect(best.equity[best.equity.length - 1]).toBeCloseTo(direct.equity[direct.equity.length - 1], 10);
    // Before downsampling: the start (candle 399's close = tradeFromMs), then one point per close of candles 400…899.
    expect(direct.time.length).toBe(501);
    expect(direct.time[0]).toBe(setup.tradeFromMs);
    expect(direct.equity[0]).toBeCloseTo(100, 2); // the first entries' fees and spread only
    expect(createEvaluator(columns, setup)(params).length).toBeGreaterThan(0);
    const reference = runBacktest(
      columns.symbols.map((symbol, s) => ({
        ...setup.coins[s],
        candles: {
          length: 900,
          time: columns.time,
          open: columns.open.subarray(s * 900, (s + 1) * 900),
          high: columns.high.subarray(s * 900, (s + 1) * 900),
          low: columns.low.subarray(s * 900, (s + 1) * 900),
          close: columns.close.subarray(s * 900, (s + 1) * 900),
        },
      })),
      { ...setup, config: { ...setup.config, ...params } },
    );
    expect(direct.equity[direct.equity.length - 1]).toBeCloseTo(
      (reference.equity.equity[reference.equity.equity.length - 1] / 10_000) * 100,
      10,
    );
  }, 60_000);

  it('builds the curve from closed trades for an evaluator without positions (synthetic)', async () => {
    const dataset: SyntheticDatasetSpec = {
      kind: 'synthetic',
      symbols: 2,
      candles: 400,
      seed: 5,
      timeframeMs: TF,
      startTime: START,
    };
    const equity = await computeRunEquity(runState({ evaluator: 'synthetic', dataset }));
    expect(equity.source).toBe('closed-trades');
    const range = { start: START, end: START + 400 * TF };
    const trades = synthetic.createEvaluator(attachSharedCandles(buildDataset(dataset)))({
      take_profit_percent: 3,
      leverage: 2,
    });
    expect(equity.candidates[0]).toEqual({ index: 2, ...closedTradeEquity(trades, range) });
  }, 60_000);
});
