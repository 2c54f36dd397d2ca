import { DEFAULT_AUTO_BOT_CONFIG, type AutoBotConfig } from '../../config/defaults';
import { runBacktest, timeGrid } from './backtest-engine';
import type { BacktestParams, BacktestSymbol, ReplayCandles } from './backtest.types';

const H = 3_600_000;
const TF = 6 * H;
const T0 = Date.UTC(2026, 0, 1);
const RULES = { tickSize: 0.01, qtyStep: 0.001, minOrderQty: 0.001, minNotional: 5, maxLeverage: 50 };

/** Every filter off but the signal itself; 100 USDT positions at 1x, stop 10 %, take-profit 20 %. */
const BASE: AutoBotConfig = {
  ...DEFAULT_AUTO_BOT_CONFIG,
  enable_maturity_check: false,
  rsi_time_filter_enabled: false,
  exit_scam_enabled: false,
  loss_reentry_protection: false,
  break_even_protection: false,
  trailing_stop_distance: 0,
  default_position_mode: 'usdt',
  default_position_size: 100,
  leverage: 1,
  max_loss_percent: 10,
  take_profit_percent: 20,
  close_at_profit_enabled: true,
  max_concurrent: 5,
};

function params(config: Partial<AutoBotConfig> = {}, extra: Partial<BacktestParams> = {}): BacktestParams {
  return {
    timeframe: '6h',
    config: { ...BASE, ...config },
    startingBalance: 1000,
    feeRate: 0,
    spreadTicks: 1,
    ...extra,
  };
}

interface Bar {
  open: number;
  high: number;
  low: number;
  close: number;
}

function candles(bars: Bar[], start = T0, step = TF): ReplayCandles {
  const col = (f: (b: Bar) => number) => Float64Array.from(bars.map(f));
  return {
    length: bars.length,
    time: Float64Array.from(bars.map((_, k) => start + k * step)),
    open: col((b) => b.open),
    high: col((b) => b.high),
    low: col((b) => b.low),
    close: col((b) => b.close),
  };
}

/** 15 closes 100, 99, ... 86 (RSI 0 at the 15th: a LONG signal there), then `last` as the 16th candle. */
function falling(last: Bar): Bar[] {
  const bars: Bar[] = [];
  for (let k = 0; k < 15; k++) {
    const close = 100 - k;
    const open = close + 1;
    bars.push({ open, high: open + 0.2, low: close - 0.2, close });
  }
  return [...bars, last];
}

/** 15 closes 100, 101, ... 114 (RSI 100: a SHORT signal), then `last`. */
function rising(last: Bar): Bar[] {
  const bars: Bar[] = [];
  for (let k = 0; k < 15; k++) {
    const close = 100 + k;
    const open = close - 1;
    bars.push({ open, high: close + 0.2, low: open - 0.2, close });
  }
  return [...bars, last];
}

function coin(symbol: string, bars: Bar[]): BacktestSymbol {
  return { symbol, candles: candles(bars), rules: RULES };
}

// LONG entry: the ask at the 15th close, 86 + 1 tick; 100 USDT → ceil(100 / 86.01, 0.001) coins.
const LONG_ENTRY = 86.01;
const LONG_QTY = 1.163;
// SHORT entry: the bid at 114 − 1 tick; ceil(100 / 113.99, 0.001).
const SHORT_ENTRY = 113.99;
const SHORT_QTY = 0.878;
const ENTRY_TIME = T0 + 15 * TF; // close of the 15th candle

describe('runBacktest', () => {
  it('stops a LONG out at its exchange stop (10 % below the fill)', () => {
    const run = runBacktest([coin('AAAUSDT', falling({ open: 86, high: 86.5, low: 70, close: 72 }))], params());
    expect(run.trades).toHaveLength(1);
    const t = run.trades[0];
    expect(t).toMatchObject({
      symbol: 'AAAUSDT',
      direction: 'LONG',
      entry_price: LONG_ENTRY,
      size: LONG_QTY,
      exit_price: 77.41,
      close_reason: 'STOP_LOSS',
      exit_by: 'exchange',
      exit_path: 'ohlc',
    });
    expect(t.entry_timestamp).toBe(ENTRY_TIME);
    // The low is the path's second point: a third of the candle in.
    expect(t.close_time_ms).toBe(ENTRY_TIME + 2 * H);
    expect(t.pnl).toBeCloseTo((77.41 - 86.01) * 1.163, 8);
    expect(run.finalBalance).toBeCloseTo(1000 + (77.41 - 86.01) * 1.163, 8);
  });

  it('records what the entry was decided on, stops from the fill', () => {
    const run = runBacktest([coin('AAAUSDT', falling({ open: 86, high: 86.5, low: 70, close: 72 }))], params());
    expect(run.trades[0].decision).toEqual({
      decision_time: expect.any(String),
      decision_time_ms: ENTRY_TIME,
      decision_price: LONG_ENTRY,
      decision_rsi: 0,
      decision_candle_time: T0 + 14 * TF,
      // 16 candles are fewer than the trend period (30): NEUTRAL, as live.
      decision_trend: 'NEUTRAL',
      filters_passed: ['maturity', 'rsi_time_filter', 'exit_scam', 'scope', 'delisted'],
      // 86.01 × 0.9 = 77.409 and 86.01 × 1.2 = 103.212, rounded to the tick.
      stop_loss_set: 77.41,
      take_profit_set: 103.21,
    });
  });

  it('closes a SHORT at its take-profit (5 % below the fill)', () => {
    const run = runBacktest(
      [coin('BBBUSDT', rising({ open: 114, high: 115, low: 100, close: 101 }))],
      params({ take_profit_percent: 5 }),
    );
    expect(run.trades).toHaveLength(1);
    const t = run.trades[0];
    // 113.99 × 0.95 = 108.2905 → 108.29
    expect(t).toMatchObject({
      direction: 'SHORT',
      entry_price: SHORT_ENTRY,
      size: SHORT_QTY,
      exit_price: 108.29,
      close_reason: 'TAKE_PROFIT',
      exit_by: 'exchange',
    });
    // A SHORT sees its high first, then its low (two thirds in).
    expect(t.close_time_ms).toBe(ENTRY_TIME + 4 * H);
    expect(t.pnl).toBeCloseTo((113.99 - 108.29) * 0.878, 8);
  });

  it('takes the stop when one candle reaches both the stop and the take-profit (pessimistic path)', () => {
    const long = runBacktest([coin('AAAUSDT', falling({ open: 86, high: 110, low: 70, close: 100 }))], params());
    expect(long.trades[0]).toMatchObject({ close_reason: 'STOP_LOSS', exit_price: 77.41 });
    // SHORT: stop 113.99 × 1.1 = 125.389 → 125.39; take-profit 20 % → 91.19.
    const short = runBacktest([coin('BBBUSDT', rising({ open: 114, high: 130, low: 90, close: 100 }))], params());
    expect(short.trades[0]).toMatchObject({ close_reason: 'STOP_LOSS', exit_price: 125.39 });
  });

  it('walks the 1m detail when given: the take-profit reached first wins', () => {
    const bars = falling({ open: 86, high: 110, low: 70, close: 100 });
    const minutes = candles(
      [
        { open: 86, high: 104, low: 85.9, close: 103 },
        { open: 103, high: 103, low: 70, close: 71 },
      ],
      ENTRY_TIME,
      60_000,
    );
    const detail = (symbol: string, from: number, to: number) =>
      symbol === 'AAAUSDT' && from === ENTRY_TIME && to === ENTRY_TIME + TF ? minutes : null;
    const run = runBacktest([coin('AAAUSDT', bars)], params({}, { detail }));
    expect(run.trades[0]).toMatchObject({ close_reason: 'TAKE_PROFIT', exit_price: 103.21, exit_path: 'detail' });
    expect(run.detailBars).toBe(2);
  });

  it('trails the stop behind the high and exits on it', () => {
    const config = {
      trailing_stop_activation: 10,
      trailing_stop_distance: 5,
      trailing_update_interval: 0,
      close_at_profit_enabled: false,
    };
    const run = runBacktest([coin('AAAUSDT', falling({ open: 86, high: 100, low: 85, close: 90 }))], params(config));
    // At the high (100, +16.3 %) trailing arms: stop max(100 × 0.95, entry) = 95; the close at 90 crosses it.
    expect(run.trades[0]).toMatchObject({ close_reason: 'TRAILING_STOP', exit_price: 95, exit_by: 'exchange' });
    expect(run.trades[0].pnl).toBeCloseTo((95 - 86.01) * 1.163, 8);
  });

  it('closes at market after max_position_hours', () => {
    const run = runBacktest(
      [coin('AAAUSDT', falling({ open: 86, high: 86.5, low: 85.5, close: 86 }))],
      params({ max_position_hours: 6 }),
    );
    // Held 6 h at the candle's close: sold at the bid, 86 − 1 tick.
    expect(run.trades[0]).toMatchObject({
      close_reason: 'MAX_POSITION_HOURS',
      exit_price: 85.99,
      exit_by: 'monitor',
      close_time_ms: ENTRY_TIME + TF,
    });
  });

  it('liquidates a leveraged LONG without a stop', () => {
    const run = runBacktest(
      [coin('AAAUSDT', falling({ open: 86, high: 86.5, low: 70, close: 72 }))],
      params({ leverage: 10, max_loss_percent: 0 }),
    );
    // 86.01 × (1 − 1/10 + 0.005) = 77.83905 → 77.84
    expect(run.trades[0]).toMatchObject({ close_reason: 'LIQUIDATION', exit_price: 77.84, leverage: 10 });
  });

  it('charges the taker fee on both fills', () => {
    const run = runBacktest(
      [coin('AAAUSDT', falling({ open: 86, high: 86.5, low: 70, close: 72 }))],
      params({}, { feeRate: 0.001 }),
    );
    const fees = 1.163 * 86.01 * 0.001 + 1.163 * 77.41 * 0.001;
    expect(run.trades[0].fees).toBeCloseTo(fees, 8);
    expect(run.trades[0].net_pnl).toBeCloseTo((77.41 - 86.01) * 1.163 - fees, 8);
    expect(run.finalBalance).toBeCloseTo(1000 + (77.41 - 86.01) * 1.163 - fees, 8);
  });

  it('fills max_concurrent = 1 in universe order', () => {
    const bars = falling({ open: 86, high: 86.5, low: 70, close: 72 });
    const first = runBacktest([coin('BBBUSDT', bars), coin('AAAUSDT', bars)], params({ max_concurrent: 1 }));
    expect(first.trades.map((t) => t.symbol)).toEqual(['BBBUSDT']);
    // The slot freed at the stop goes to the next coin still in its zone, at the following close.
    expect(first.openAtEnd).toBe(1);
    const second = runBacktest([coin('AAAUSDT', bars), coin('BBBUSDT', bars)], params({ max_concurrent: 1 }));
    expect(second.trades.map((t) => t.symbol)).toEqual(['AAAUSDT']);
  });

  it('waits one candle after a close before re-entering the same coin (cooldown)', () => {
    const bars = [
      ...falling({ open: 86, high: 86.5, low: 70, close: 72 }),
      { open: 72, high: 72.1, low: 71, close: 71.5 },
    ];
    const run = runBacktest([coin('AAAUSDT', bars)], params({}));
    // Stopped 2 h into candle 16; its close is 4 h later (< one candle): no entry; the next close re-enters.
    expect(run.trades).toHaveLength(1);
    expect(run.openAtEnd).toBe(1);
  });

  it('applies the live filters: maturity, RSI time filter, exit-scam, scope', () => {
    const bars = falling({ open: 86, high: 86.5, low: 70, close: 72 });
    const trades = (config: Partial<AutoBotConfig>, data = bars) =>
      runBacktest([coin('AAAUSDT', data)], params(config)).trades.length;
    expect(trades({})).toBe(1);
    // 16 candles: fewer than the maturity minimum (15 allowed at least), or the time filter's 50.
    expect(trades({ enable_maturity_check: true, min_candles_for_maturity: 400 })).toBe(0);
    expect(trades({ rsi_time_filter_enabled: true })).toBe(0);
    expect(trades({ blacklist: ['AAA'] })).toBe(0);
    expect(trades({ scope: 'whitelist', whitelist: ['BBB'] })).toBe(0);
    // A 19.5 % candle body (87 → 70) among the last 8 is a dump: exit-scam blocks (single-candle limit 15 %).
    const pumped = bars.map((b, k) => (k === 14 ? { open: 87, high: 87.2, low: 69.8, close: 70 } : b));
    expect(trades({ exit_scam_enabled: true }, pumped)).toBe(0);
    expect(trades({ exit_scam_enabled: false }, pumped)).toBe(1);
  });

  it('keeps a coin out after a losing trade for loss_reentry_candles candles', () => {
    const bars = [
      ...falling({ open: 86, high: 86.5, low: 70, close: 72 }),
      { open: 72, high: 72.1, low: 71, close: 71.5 },
    ];
    // Without it the coin re-enters at the close after the stop (the cooldown test); one candle since the loss < 3.
    const run = runBacktest(
      [coin('AAAUSDT', bars)],
      params({ loss_reentry_protection: true, loss_reentry_count: 1, loss_reentry_candles: 3 }),
    );
    expect(run.trades).toHaveLength(1);
    expect(run.openAtEnd).toBe(0);
    const one = runBacktest(
      [coin('AAAUSDT', bars)],
      params({ loss_reentry_protection: true, loss_reentry_count: 1, loss_reentry_candles: 1 }),
    );
    expect(one.openAtEnd).toBe(1);
  });

  it('runs the account protections: an exit cooldown lock and the risk cap block entries', () => {
    const bars = [
      ...falling({ open: 86, high: 86.5, low: 70, close: 72 }),
      { open: 72, high: 72.1, low: 71, close: 71.5 },
    ];
    // Without protections the coin re-enters at the close after the stop (previous test); a 24 h exit cooldown locks
    // it.
    const locked = runBacktest(
      [coin('AAAUSDT', bars)],
      params({ exit_cooldown_enabled: true, exit_cooldown_minutes: 24 * 60 }),
    );
    expect(locked.trades).toHaveLength(1);
    expect(locked.openAtEnd).toBe(0);
    // The run lists the lock it set: the stop at 92 h (inside the candle 90–96 h) is seen at that candle's close,
    // and the lock ends 24 h after the stop.
    expect(locked.trades[0].close_time_ms).toBe(T0 + 92 * H);
    expect(locked.locks).toEqual([
      {
        id: `cooldown-AAAUSDT-${T0 + 96 * H}-1`,
        rule: 'cooldown',
        symbol: 'AAAUSDT',
        reason: 'cooldown: AAAUSDT closed a position 240 min ago (cooldown 1440 min)',
        locked_at: T0 + 96 * H,
        until: T0 + 116 * H,
      },
    ]);
    // Risk cap 5 % of 1000 USDT = 50 USDT of margin: a 100 USDT position at 1x needs 100.
    const capped = runBacktest([coin('AAAUSDT', bars)], params({ risk_cap_enabled: true, risk_cap_percent: 5 }));
    expect(capped.trades).toHaveLength(0);
    expect(capped.openAtEnd).toBe(0);
    const roomy = runBacktest([coin('AAAUSDT', bars)], params({ risk_cap_enabled: true, risk_cap_percent: 10.1 }));
    expect(roomy.trades).toHaveLength(1);
  });

  it('closes a position on the RSI exit at the candle close', () => {
    // After 14 losses of 1 (Wilder averages: gain 0, loss 1) a close at 115 (+29) gives gain 29/14, loss 13/14:
    // RSI 100 − 100 / (1 + 29/13) = 69.05 ≥ 65, so the LONG exits at the bid of the close.
    const run = runBacktest(
      [coin('AAAUSDT', falling({ open: 86, high: 115.5, low: 85.9, close: 115 }))],
      params({ take_profit_percent: 50 }),
    );
    expect(run.trades[0]).toMatchObject({
      close_reason: 'RSI_EXIT',
      exit_price: 114.99,
      exit_by: 'rsi_exit',
      exit_rsi: 69.05,
    });
  });

  it('does not enter a delisted coin and closes an open position when it is delisted', () => {
    const bars = falling({ open: 86, high: 86.5, low: 85.5, close: 86 });
    const before = runBacktest([{ ...coin('AAAUSDT', bars), delistedAtMs: T0 }], params());
    expect(before.trades).toHaveLength(0);
    expect(before.openAtEnd).toBe(0);
    const during = runBacktest([{ ...coin('AAAUSDT', bars), delistedAtMs: ENTRY_TIME + 1 }], params());
    expect(during.trades[0]).toMatchObject({ close_reason: 'DELISTING_EMERGENCY', exit_by: 'monitor' });
  });

  it('gives the same trades and equity for the same input (determinism)', () => {
    const universe = randomUniverse(12, 600, 7);
    const config = {
      max_concurrent: 3,
      take_profit_percent: 8,
      trailing_stop_distance: 2,
      trailing_stop_activation: 4,
      break_even_protection: true,
      max_position_hours: 96,
    };
    const a = runBacktest(universe, params(config));
    const b = runBacktest(universe, params(config));
    expect(a.trades.length).toBeGreaterThan(5);
    expect(b.trades).toEqual(a.trades);
    expect(Array.from(b.equity.equity)).toEqual(Array.from(a.equity.equity));
    // The equity ends at the balance plus what is still open.
    expect(a.equity.balance[a.equity.balance.length - 1]).toBe(a.finalBalance);
  });

  it('merges the candle times of every coin once, ascending', () => {
    const a = coin('A', falling({ open: 86, high: 87, low: 85, close: 86 }));
    const b = { ...coin('B', falling({ open: 86, high: 87, low: 85, close: 86 })) };
    b.candles = candles(falling({ open: 86, high: 87, low: 85, close: 86 }), T0 + 3 * TF);
    const grid = timeGrid([a, b], TF);
    expect(grid.length).toBe(19);
    expect(grid[0]).toBe(T0);
    expect(grid[18]).toBe(T0 + 18 * TF);
    // Off the step (a coin shifted by 1 h): every time once, sorted.
    b.candles = candles(falling({ open: 86, high: 87, low: 85, close: 86 }), T0 + H);
    const mixed = timeGrid([a, b], TF);
    expect(mixed.length).toBe(32);
    expect(Array.from(mixed.subarray(0, 3))).toEqual([T0, T0 + H, T0 + TF]);
  });
});

/** Seeded random walks (mulberry32), so the determinism test needs no fixture. */
function randomUniverse(count: number, length: number, seed: number): BacktestSymbol[] {
  let state = seed >>> 0;
  const rand = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const universe: BacktestSymbol[] = [];
  for (let c = 0; c < count; c++) {
    const bars: Bar[] = [];
    let price = 50 + 100 * rand();
    for (let k = 0; k < length; k++) {
      const open = price;
      const close = Math.max(0.5, open * (1 + (rand() - 0.5) * 0.08));
      const high = Math.max(open, close) * (1 + rand() * 0.03);
      const low = Math.min(open, close) * (1 - rand() * 0.03);
      bars.push({ open, high, low, close });
      price = close;
    }
    universe.push(coin(`C${c}USDT`, bars));
  }
  return universe;
}
