import { assembleBacktestResult, equityPointsFromColumns } from './assemble-result';
import { BACKTEST_RESULT_KIND, BACKTEST_RESULT_VERSION, parseBacktestResult } from './backtest-result';

const D = 86_400_000;
const T0 = Date.UTC(2026, 2, 1);

describe('assembleBacktestResult', () => {
  const equity = equityPointsFromColumns({
    time: Float64Array.from([T0, T0 + D, T0 + 2 * D]),
    balance: Float64Array.from([500, 500, 520]),
    equity: Float64Array.from([500, 480, 520]),
  });
  const result = assembleBacktestResult({
    id: 'job-1',
    generatedAtMs: T0 + 3 * D,
    parameters: {
      from_ms: T0,
      to_ms: T0 + 2 * D,
      symbols: ['BTC'],
      timeframe: '1d',
      detail: '1m',
      starting_balance: 500,
      settings_overrides: { rsi_long_threshold: 28 },
      seed: null,
    },
    trades: [],
    equity,
    closes: [
      {
        symbol: 'BTC',
        closes: [
          [T0, 100],
          [T0 + D, 90],
          [T0 + 2 * D, 110],
        ],
      },
    ],
  });

  it('turns the engine columns into points and derives drawdown and the benchmark at the same times', () => {
    expect(equity).toEqual([
      { time_ms: T0, balance: 500, equity: 500 },
      { time_ms: T0 + D, balance: 500, equity: 480 },
      { time_ms: T0 + 2 * D, balance: 520, equity: 520 },
    ]);
    expect(result.drawdown.map((d) => d.drawdown_pct)).toEqual([0, 4, 0]); // 20 below the 500 peak
    expect(result.buy_and_hold).toEqual([
      { time_ms: T0, equity: 500 },
      { time_ms: T0 + D, equity: 450 },
      { time_ms: T0 + 2 * D, equity: 550 },
    ]);
    expect(result.statistics).toMatchObject({ final_equity: 520, max_drawdown_usdt: 20, max_drawdown_pct: 4 });
    expect(result.statistics.buy_and_hold).toEqual({ final_equity: 550, return_pct: 10, max_drawdown_pct: 10 });
    expect(result.open_positions).toEqual([]);
  });

  it('is versioned JSON that reads back equal; another kind or version is refused', () => {
    expect(result.kind).toBe(BACKTEST_RESULT_KIND);
    expect(result.version).toBe(BACKTEST_RESULT_VERSION);
    expect(parseBacktestResult(JSON.stringify(result))).toEqual(result);
    expect(() => parseBacktestResult(JSON.stringify({ ...result, version: 99 }))).toThrow(
      /version 99 is not supported/,
    );
    expect(() => parseBacktestResult('{"trades":[]}')).toThrow(/not a backtest result/);
  });
});
