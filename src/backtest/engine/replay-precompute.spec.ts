import { DEFAULT_AUTO_BOT_CONFIG, type AutoBotConfig } from '../../config/defaults';
import { checkMaturity } from '../../maturity/maturity.rules';
import { prepareUniverse, runBacktest } from './backtest-engine';
import type { BacktestParams, BacktestSymbol, ReplayCandles } from './backtest.types';

const H = 3_600_000;
const TF = 6 * H;
const T0 = Date.UTC(2026, 0, 1);
const RULES = { tickSize: 0.0001, qtyStep: 0.001, minOrderQty: 0.001, minNotional: 5, maxLeverage: 50 };

function columns(times: number[], close: (k: number) => number): ReplayCandles {
  const c = times.map((_, k) => close(k));
  const open = c.map((v, k) => (k === 0 ? v : c[k - 1]));
  return {
    length: times.length,
    time: Float64Array.from(times),
    open: Float64Array.from(open),
    high: Float64Array.from(c.map((v, k) => Math.max(v, open[k]) * 1.004)),
    low: Float64Array.from(c.map((v, k) => Math.min(v, open[k]) * 0.996)),
    close: Float64Array.from(c),
  };
}

/** A seeded random walk per coin (an LCG: the spec needs reproducible data, not good randomness). */
function walk(seed: number, count: number): number[] {
  let state = seed;
  let price = 10 + (seed % 7);
  return Array.from({ length: count }, () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    price *= 1 + (state / 2_147_483_648 - 0.5) * 0.06;
    return price;
  });
}

const STEPS = 900;
const steps = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => T0 + (from + k) * TF);

/** 10 coins on one 6h grid: full ones, a late listing, gaps, an early end with a delisting, one with own settings. */
function seededUniverse(): BacktestSymbol[] {
  const universe: BacktestSymbol[] = [];
  for (let c = 0; c < 10; c++) {
    let times = steps(0, STEPS);
    if (c === 2) times = steps(300, STEPS);
    if (c === 4) times = times.filter((_, k) => k < 500 || k > 505);
    if (c === 6) times = times.filter((_, k) => k < 600 || k > 640);
    if (c === 8) times = steps(0, 800);
    const prices = walk(1000 + 17 * c, times.length);
    universe.push({
      symbol: `C${c}USDT`,
      candles: columns(times, (k) => prices[k]),
      rules: RULES,
      ...(c === 3 ? { overrides: { rsi_long_threshold: 35, take_profit_percent: 5 } } : {}),
      ...(c === 8 ? { delistedAtMs: T0 + 780 * TF } : {}),
    });
  }
  return universe;
}

function params(config: Partial<AutoBotConfig>): BacktestParams {
  return {
    timeframe: '6h',
    config: {
      ...DEFAULT_AUTO_BOT_CONFIG,
      default_position_mode: 'usdt',
      default_position_size: 100,
      max_concurrent: 3,
      ...config,
    },
    startingBalance: 10_000,
    feeRate: 0.00055,
    spreadTicks: 1,
    tradeFromMs: T0 + 450 * TF,
  };
}

/** Settings an optimizer might try one after the other (every filter on, looser entries, protections, more slots). */
const CANDIDATES: Array<Partial<AutoBotConfig>> = [
  {},
  { rsi_long_threshold: 38, rsi_short_threshold: 62, leverage: 3, max_loss_percent: 4, take_profit_percent: 8 },
  {
    rsi_long_threshold: 40,
    rsi_short_threshold: 60,
    max_concurrent: 8,
    exit_scam_enabled: false,
    rsi_time_filter_enabled: false,
    stoploss_guard_enabled: true,
    stoploss_guard_trade_limit: 1,
    stoploss_guard_lookback_hours: 48,
    exit_cooldown_enabled: true,
    exit_cooldown_minutes: 720,
    max_drawdown_enabled: true,
    max_drawdown_percent: 0.2,
    max_drawdown_lookback_hours: 72,
    max_drawdown_close_positions: true,
  },
  { rsi_long_threshold: 35, rsi_short_threshold: 65, trend_detection_enabled: false, min_candles_for_maturity: 200 },
];

describe('PreparedUniverse', () => {
  it('places each coin on the grid: candle at a step, last candle at or before it, candles per step', () => {
    const u: BacktestSymbol[] = [
      { symbol: 'AUSDT', candles: columns(steps(0, 5), (k) => 10 + k), rules: RULES },
      // Listed at step 1, no candle at step 3.
      { symbol: 'BUSDT', candles: columns([T0 + TF, T0 + 2 * TF, T0 + 4 * TF], (k) => 20 + k), rules: RULES },
      // Ends at step 1.
      { symbol: 'CUSDT', candles: columns(steps(0, 2), (k) => 30 + k), rules: RULES },
    ];
    const p = prepareUniverse(u, TF);
    expect(Array.from(p.grid)).toEqual(steps(0, 5));
    const at = (s: number) => [0, 1, 2, 3, 4].map((g) => p.indexAt(s, g));
    const last = (s: number) => [0, 1, 2, 3, 4].map((g) => p.lastIndexAt(s, g));
    expect(at(0)).toEqual([0, 1, 2, 3, 4]);
    expect(at(1)).toEqual([-1, 0, 1, -1, 2]);
    expect(last(1)).toEqual([-1, 0, 1, 1, 2]);
    expect(at(2)).toEqual([0, 1, -1, -1, -1]);
    expect(last(2)).toEqual([0, 1, 1, 1, 1]);
    expect(Array.from(p.presentCount)).toEqual([2, 3, 2, 1, 2]);
  });

  it('places gaps, late listings and early ends as a cursor walk over the grid does', () => {
    const u = seededUniverse();
    const p = prepareUniverse(u, TF);
    u.forEach((coin, s) => {
      const expected: number[][] = [];
      const actual: number[][] = [];
      let cursor = 0;
      for (let g = 0; g < p.grid.length; g++) {
        const present = cursor < coin.candles.length && coin.candles.time[cursor] === p.grid[g];
        const at = present ? cursor : -1;
        if (present) cursor++;
        expected.push([at, cursor - 1]);
        actual.push([p.indexAt(s, g), p.lastIndexAt(s, g)]);
      }
      expect(actual).toEqual(expected);
    });
  });

  it('finds the first candle a coin is mature at, from the first decision on', () => {
    const u = seededUniverse();
    const p = prepareUniverse(u, TF);
    const maturity = { minCandles: 200, minRsiLow: 35, maxRsiHigh: 65, timeframe: '6h' };
    const from = T0 + 450 * TF;
    const closes = u[0].candles.close;
    // By hand: the first candle closing at or after `from` whose closes pass checkMaturity.
    let expected = Infinity;
    for (let i = 449; i < STEPS && expected === Infinity; i++) {
      if (checkMaturity(closes.subarray(0, i + 1), maturity).is_mature) expected = i;
    }
    expect(expected).toBeGreaterThanOrEqual(449);
    expect(expected).toBeLessThan(STEPS);
    expect(p.firstMatureIndex(0, maturity, from)).toBe(expected);
    // A limit no coin reaches: never.
    expect(p.firstMatureIndex(0, { ...maturity, minRsiLow: -1 }, from)).toBe(Infinity);
  });

  it('gives the same run, trade by trade, as a replay that prepares its own, for candidate after candidate', () => {
    const universe = seededUniverse();
    const prepared = prepareUniverse(universe, TF);
    // The second pass reuses what the first filled in (maturity answers) with the settings in another order.
    for (const config of [...CANDIDATES, ...[...CANDIDATES].reverse()]) {
      // As the optimizer does: a coin with its own settings gets a new object per candidate, the same candles.
      const coins = universe.map((coin) => (coin.overrides ? { ...coin, overrides: { ...coin.overrides } } : coin));
      const reused = runBacktest(coins, params(config), prepared);
      const fresh = runBacktest(universe, params(config));
      expect(fresh.trades.length).toBeGreaterThan(0);
      expect(reused.trades).toEqual(fresh.trades);
      expect(reused.equity).toEqual(fresh.equity);
      expect(reused.locks).toEqual(fresh.locks);
      expect({ ...reused, trades: [], equity: null, locks: [] }).toEqual({
        ...fresh,
        trades: [],
        equity: null,
        locks: [],
      });
    }
  });

  it('the runs above cover gaps, a late listing, a delisting, own settings and account protections', () => {
    const universe = seededUniverse();
    const prepared = prepareUniverse(universe, TF);
    const runs = CANDIDATES.map((config) => runBacktest(universe, params(config), prepared));
    const symbols = new Set(runs.flatMap((run) => run.trades.map((t) => t.symbol)));
    for (const symbol of ['C2USDT', 'C3USDT', 'C4USDT', 'C6USDT', 'C8USDT']) expect(symbols).toContain(symbol);
    expect(new Set(runs[2].locks.map((l) => l.rule))).toEqual(new Set(['stoploss_guard', 'cooldown', 'max_drawdown']));
  });

  it('refuses a prepared universe built from other candles', () => {
    const universe = seededUniverse();
    const prepared = prepareUniverse(universe.slice(1), TF);
    expect(() => runBacktest(universe, params({}), prepared)).toThrow(/other candles/);
    expect(() => runBacktest(universe, { ...params({}), timeframe: '1h' }, prepareUniverse(universe, TF))).toThrow(
      /other candles or another timeframe/,
    );
  });
});
