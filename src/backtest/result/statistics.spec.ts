import type { BacktestRunParameters, BacktestResultTrade, EquityPoint } from './backtest-result';
import {
  annualisedReturnPct,
  buyAndHoldCurve,
  computeStatistics,
  drawdownCurve,
  exposurePct,
  maxDrawdown,
  periodReturns,
  sharpeRatio,
  sortinoRatio,
} from './statistics';

const H = 3_600_000;
const D = 24 * H;
const T0 = Date.UTC(2026, 0, 1);

function trade(p: {
  id: string;
  symbol: string;
  direction: 'LONG' | 'SHORT';
  entry: number;
  close: number;
  pnl: number;
  fees: number;
  reason: BacktestResultTrade['close_reason'];
}): BacktestResultTrade {
  return {
    id: p.id,
    timestamp: new Date(p.close).toISOString(),
    bot_id: p.symbol,
    symbol: p.symbol,
    direction: p.direction,
    size: 1,
    entry_price: 100,
    exit_price: 100,
    pnl: p.pnl,
    fees: p.fees,
    net_pnl: p.pnl - p.fees,
    roi: 0,
    pnl_percent: 0,
    leverage: 1,
    status: 'CLOSED',
    decision_source: 'SCRIPT',
    rsi: 25,
    trend: null,
    exit_rsi: 60,
    entry_timeframe: '1d',
    entry_time: new Date(p.entry).toISOString(),
    entry_timestamp: p.entry,
    close_timestamp: new Date(p.close).toISOString(),
    close_time_ms: p.close,
    close_reason: p.reason,
    is_successful: p.pnl - p.fees > 0,
    is_simulated: true,
    decision: {
      decision_time: new Date(p.entry).toISOString(),
      decision_time_ms: p.entry,
      decision_price: 100,
      decision_rsi: 25,
      decision_candle_time: p.entry - D,
      decision_trend: null,
      filters_passed: [],
      stop_loss_set: 95,
      take_profit_set: 110,
    },
  };
}

const params = (days: number, balance = 1000): BacktestRunParameters => ({
  from_ms: T0,
  to_ms: T0 + days * D,
  symbols: ['BTC', 'ETH'],
  timeframe: '1d',
  detail: null,
  starting_balance: balance,
  settings_overrides: {},
  seed: null,
});

const point = (t: number, equity: number, balance = equity): EquityPoint => ({
  time_ms: t,
  balance,
  equity,
  open_positions: 0,
});

describe('computeStatistics: a 4-trade case computed by hand', () => {
  // Start 1000 USDT over 4 days (1d candles). Net PnL: +30, −10, +20, −20 (each paid 1 USDT of fees).
  const trades = [
    trade({
      id: 't1',
      symbol: 'BTC',
      direction: 'LONG',
      entry: T0,
      close: T0 + 12 * H,
      pnl: 31,
      fees: 1,
      reason: 'TAKE_PROFIT',
    }),
    trade({
      id: 't2',
      symbol: 'ETH',
      direction: 'SHORT',
      entry: T0 + D,
      close: T0 + D + 6 * H,
      pnl: -9,
      fees: 1,
      reason: 'STOP_LOSS',
    }),
    trade({
      id: 't3',
      symbol: 'BTC',
      direction: 'SHORT',
      entry: T0 + D + 3 * H,
      close: T0 + 2 * D,
      pnl: 21,
      fees: 1,
      reason: 'RSI_EXIT',
    }),
    trade({
      id: 't4',
      symbol: 'ETH',
      direction: 'LONG',
      entry: T0 + 3 * D,
      close: T0 + 3 * D + 12 * H,
      pnl: -19,
      fees: 1,
      reason: 'STOP_LOSS',
    }),
  ];
  // Daily closes plus one intra-day sample at d1 12:00 (t2 closed at −10, t3 under water by 5).
  const equity = [
    point(T0, 1000),
    point(T0 + D, 1030),
    point(T0 + D + 12 * H, 1015, 1020),
    point(T0 + 2 * D, 1040),
    point(T0 + 3 * D, 1040),
    point(T0 + 4 * D, 1020),
  ];
  const s = computeStatistics({ parameters: params(4), trades, openPositions: [], equity, buyAndHold: [] });

  it('totals, win rate, profit factor, expectancy', () => {
    expect(s).toMatchObject({
      trades: 4,
      wins: 2,
      losses: 2,
      win_rate_pct: 50,
      gross_pnl_usdt: 24,
      fees_usdt: 4,
      net_pnl_usdt: 20,
      roi_pct: 2,
    });
    // Profit factor = (30 + 20) / (10 + 20); expectancy = 20 / 4; average win (30+20)/2, loss (−10−20)/2.
    expect(s.profit_factor).toBe(1.6667);
    expect(s).toMatchObject({
      expectancy_usdt: 5,
      avg_win_usdt: 25,
      avg_loss_usdt: -15,
      final_equity: 1020,
      final_balance: 1020,
    });
  });

  it('max drawdown on the equity curve: peak 1040 → 1020 (the 1030 → 1015 dip is smaller)', () => {
    expect(s.max_drawdown_usdt).toBe(20);
    expect(s.max_drawdown_pct).toBe(1.9231); // 20 / 1040
  });

  it('hold time, exposure, annualised return and Calmar', () => {
    // Holds 12 h + 6 h + 21 h + 12 h = 51 h over 4 trades.
    expect(s.avg_hold_hours).toBe(12.75);
    // Covered: d0 00–12 h, d1 00:00 → d2 00:00 (t2 and t3 overlap), d3 00–12 h = 48 h of 96 h.
    expect(s.exposure_pct).toBe(50);
    // (1020 / 1000)^(365.25 / 4) − 1 = 509.96 %; Calmar = 509.9626 / 1.9231.
    expect(s.annualised_return_pct).toBe(509.9626);
    expect(s.calmar).toBeCloseTo(265.1774, 3);
    expect(s.return_period_ms).toBe(D);
    expect(s.periods_per_year).toBe(365.25);
  });

  it('per close reason, coin and direction', () => {
    expect(s.by_close_reason).toEqual({
      RSI_EXIT: { trades: 1, wins: 1, losses: 0, win_rate_pct: 100, net_pnl_usdt: 20, avg_net_pnl_usdt: 20 },
      STOP_LOSS: { trades: 2, wins: 0, losses: 2, win_rate_pct: 0, net_pnl_usdt: -30, avg_net_pnl_usdt: -15 },
      TAKE_PROFIT: { trades: 1, wins: 1, losses: 0, win_rate_pct: 100, net_pnl_usdt: 30, avg_net_pnl_usdt: 30 },
    });
    expect(s.by_symbol.BTC).toEqual({
      trades: 2,
      wins: 2,
      losses: 0,
      win_rate_pct: 100,
      net_pnl_usdt: 50,
      avg_net_pnl_usdt: 25,
    });
    expect(s.by_symbol.ETH).toEqual({
      trades: 2,
      wins: 0,
      losses: 2,
      win_rate_pct: 0,
      net_pnl_usdt: -30,
      avg_net_pnl_usdt: -15,
    });
    expect(s.by_direction.LONG).toMatchObject({ trades: 2, wins: 1, net_pnl_usdt: 10 });
    expect(s.by_direction.SHORT).toMatchObject({ trades: 2, wins: 1, net_pnl_usdt: 10 });
  });

  it('Sharpe uses the daily grid, not the intra-day sample', () => {
    // Grid values 1000, 1030, 1040, 1040, 1020.
    const returns = periodReturns(equity, D);
    expect(returns.map((r) => +r.toFixed(6))).toEqual([0.03, 0.009709, 0, -0.019231]);
    expect(s.sharpe).toBe(sharpeRatio(returns, 365.25));
    expect(s.sharpe).toBeGreaterThan(0);
  });
});

describe('computeStatistics: edge cases', () => {
  it('a flat equity curve with no trades: zeros, and the ratios that would divide by zero are null', () => {
    const equity = [0, 1, 2, 3].map((d) => point(T0 + d * D, 1000));
    const s = computeStatistics({ parameters: params(3), trades: [], openPositions: [], equity, buyAndHold: [] });
    expect(s).toMatchObject({
      trades: 0,
      win_rate_pct: 0,
      net_pnl_usdt: 0,
      roi_pct: 0,
      expectancy_usdt: 0,
      max_drawdown_usdt: 0,
      max_drawdown_pct: 0,
      exposure_pct: 0,
      avg_hold_hours: 0,
      annualised_return_pct: 0,
    });
    expect([s.profit_factor, s.sharpe, s.sortino, s.calmar, s.buy_and_hold]).toEqual([null, null, null, null, null]);
    expect(s.by_direction.LONG.trades).toBe(0);
  });

  it('all trades lose: win rate 0, profit factor 0, negative expectancy and Sharpe', () => {
    const trades = [0, 1, 2].map((d) =>
      trade({
        id: `l${d}`,
        symbol: 'BTC',
        direction: 'LONG',
        entry: T0 + d * D,
        close: T0 + d * D + 6 * H,
        pnl: -9,
        fees: 1,
        reason: 'STOP_LOSS',
      }),
    );
    const equity = [point(T0, 1000), point(T0 + D, 990), point(T0 + 2 * D, 980), point(T0 + 3 * D, 970)];
    const s = computeStatistics({ parameters: params(3), trades, openPositions: [], equity, buyAndHold: [] });
    expect(s).toMatchObject({
      trades: 3,
      wins: 0,
      losses: 3,
      win_rate_pct: 0,
      net_pnl_usdt: -30,
      roi_pct: -3,
      profit_factor: 0,
      expectancy_usdt: -10,
      avg_win_usdt: 0,
      avg_loss_usdt: -10,
      max_drawdown_usdt: 30,
      max_drawdown_pct: 3,
    });
    expect(s.exposure_pct).toBe(25); // 3 × 6 h of 72 h
    expect(s.sharpe).toBeLessThan(0);
    expect(s.sortino).toBeLessThan(0);
  });

  it('a trade that made money before fees but lost after them is a loss (net PnL counts)', () => {
    const t = trade({
      id: 'f',
      symbol: 'BTC',
      direction: 'LONG',
      entry: T0,
      close: T0 + H,
      pnl: 0.5,
      fees: 1,
      reason: 'RSI_EXIT',
    });
    const s = computeStatistics({
      parameters: params(1),
      trades: [t],
      openPositions: [],
      equity: [point(T0, 1000), point(T0 + D, 999.5)],
      buyAndHold: [],
    });
    expect(s).toMatchObject({
      wins: 0,
      losses: 1,
      win_rate_pct: 0,
      gross_pnl_usdt: 0.5,
      net_pnl_usdt: -0.5,
      profit_factor: 0,
    });
  });

  it('an open position at the end counts as exposure up to the end of the range', () => {
    const equity = [point(T0, 1000), point(T0 + 2 * D, 1010, 1000)];
    const open = {
      symbol: 'BTC',
      direction: 'LONG' as const,
      size: 1,
      entry_price: 100,
      entry_time_ms: T0 + D + 12 * H,
      mark_price: 110,
      unrealised_pnl: 10,
      decision: null,
    };
    const s = computeStatistics({ parameters: params(2), trades: [], openPositions: [open], equity, buyAndHold: [] });
    expect(s.exposure_pct).toBe(25);
    expect(s).toMatchObject({ final_equity: 1010, final_balance: 1000, net_pnl_usdt: 0 });
  });
});

describe('ratios on known series', () => {
  // Returns +10 %, −10 %, +10 %: mean 1/30; deviations 1/15, −2/15, 1/15 → sample variance (6/225)/2 = 1/75,
  // sd = 1/√75; per-period Sharpe = √75/30 = 1/(2√3) = 0.288675; × √365.25 (= 19.111515) = 5.5170.
  const returns = [0.1, -0.1, 0.1];
  it('Sharpe', () => expect(sharpeRatio(returns, 365.25)).toBe(5.517));
  // Downside deviation √((0 + 0.01 + 0) / 3) = 0.1/√3; mean / dd = √3/3 = 0.57735; × 19.111515 = 11.0340.
  it('Sortino', () => expect(sortinoRatio(returns, 365.25)).toBe(11.034));
  it('null with fewer than two returns or no variation / no downside', () => {
    expect(sharpeRatio([0.1], 365)).toBeNull();
    expect(sharpeRatio([0.01, 0.01, 0.01], 365)).toBeNull();
    expect(sortinoRatio([0.01, 0.02], 365)).toBeNull();
  });
  it('the equity series 100 → 110 → 99 → 108.9 gives those returns', () => {
    const r = periodReturns([point(T0, 100), point(T0 + D, 110), point(T0 + 2 * D, 99), point(T0 + 3 * D, 108.9)], D);
    expect(r.map((x) => +x.toFixed(10))).toEqual(returns);
  });
  it('periodReturns carries the last value across a gap in the samples', () => {
    const r = periodReturns([point(T0, 100), point(T0 + 3 * D, 130)], D);
    expect(r.map((x) => +x.toFixed(10))).toEqual([0, 0, 0.3]);
  });
  it('annualised return: one year doubling is 100 %, a wiped-out account −100 %', () => {
    expect(annualisedReturnPct(1000, 2000, 365.25 * D)).toBe(100);
    expect(annualisedReturnPct(1000, 1100, (365.25 * D) / 2)).toBe(21); // 1.1² − 1
    expect(annualisedReturnPct(1000, 0, D)).toBe(-100);
  });
});

describe('drawdown, exposure and buy-and-hold', () => {
  it('drawdown curve follows the running peak', () => {
    const curve = drawdownCurve([
      point(T0, 100),
      point(T0 + 1, 120),
      point(T0 + 2, 90),
      point(T0 + 3, 130),
      point(T0 + 4, 117),
    ]);
    expect(curve.map((c) => c.drawdown_usdt)).toEqual([0, 0, 30, 0, 13]);
    expect(curve.map((c) => c.drawdown_pct)).toEqual([0, 0, 25, 0, 10]);
    expect(maxDrawdown([100, 120, 90, 130, 117])).toEqual({ usdt: 30, pct: 25 });
  });

  it('exposure merges overlapping intervals and clips to the range', () => {
    expect(
      exposurePct(
        [
          [-5, 10],
          [20, 40],
          [30, 50],
          [90, 200],
        ],
        0,
        100,
      ),
    ).toBe(50); // 10 + 30 + 10
    expect(exposurePct([], 0, 100)).toBe(0);
  });

  it("buy-and-hold: equal weight from each coin's first close, cash until then", () => {
    // BTC 100 → 110 (d2) → 120 (d4); ETH first close at d1: 10 → 5 (d4). 500 USDT each.
    const coins = [
      {
        symbol: 'BTC',
        closes: [
          [T0, 100],
          [T0 + 2 * D, 110],
          [T0 + 4 * D, 120],
        ] as Array<[number, number]>,
      },
      {
        symbol: 'ETH',
        closes: [
          [T0 + D, 10],
          [T0 + 4 * D, 5],
        ] as Array<[number, number]>,
      },
    ];
    const times = [0, 1, 2, 3, 4].map((d) => T0 + d * D);
    const line = buyAndHoldCurve(coins, 1000, times);
    expect(line).toEqual([1000, 1000, 1050, 1050, 850]);
    const s = computeStatistics({
      parameters: params(4),
      trades: [],
      openPositions: [],
      equity: times.map((t) => point(t, 1000)),
      buyAndHold: line,
    });
    expect(s.buy_and_hold).toEqual({ final_equity: 850, return_pct: -15, max_drawdown_pct: 19.0476 }); // 200 / 1050
  });

  it('buy-and-hold: closes as columns (open time + period) give the same line as [time, price] pairs', () => {
    // The same BTC / ETH closes as above, as candles opening one period before each close.
    const period = D / 2;
    const columns = [
      {
        symbol: 'BTC',
        openTime: new Float64Array([T0 - period, T0 + 2 * D - period, T0 + 4 * D - period]),
        close: new Float64Array([100, 110, 120]),
        periodMs: period,
      },
      { symbol: 'ETH', openTime: [T0 + D - period, T0 + 4 * D - period], close: [10, 5], periodMs: period },
    ];
    const times = [0, 1, 2, 3, 4].map((d) => T0 + d * D);
    expect(buyAndHoldCurve(columns, 1000, times)).toEqual([1000, 1000, 1050, 1050, 850]);
    // A coin whose first close is not positive is left out: its share goes to the others.
    const withZero = [...columns, { symbol: 'X', openTime: [T0], close: [0], periodMs: period }];
    expect(buyAndHoldCurve(withZero, 1000, times)).toEqual([1000, 1000, 1050, 1050, 850]);
  });
});
