import { compareTrades, MAX_COMPARED_TRADES, type ComparableTrade } from './trade-comparison';

const H = 3_600_000;
const T = Date.UTC(2026, 0, 5, 6);

function trade(id: string, fields: Partial<ComparableTrade> = {}): ComparableTrade {
  return {
    id,
    symbol: 'BTC',
    direction: 'LONG',
    entry_timestamp: T,
    close_time_ms: T + 12 * H,
    entry_price: 100,
    exit_price: 110,
    close_reason: 'TAKE_PROFIT',
    net_pnl: 1,
    ...fields,
  };
}

describe('compareTrades', () => {
  it('pairs one trade, measures every difference live − backtest, and lists the rest of each side', () => {
    const live = [
      trade('L1', { close_time_ms: T + 10 * H, entry_price: 100, exit_price: 110, net_pnl: 9.5 }),
      trade('L2', { symbol: 'ETH', direction: 'SHORT', close_reason: 'STOP_LOSS', net_pnl: -3.2 }),
    ];
    const backtested = [
      trade('B1', {
        entry_timestamp: T + 6 * H,
        close_time_ms: T + 12 * H,
        entry_price: 101,
        exit_price: 108,
        net_pnl: 6.9,
      }),
      // Same coin and time, other side: not the same trade.
      trade('B2', { direction: 'SHORT', close_reason: 'RSI_EXIT', net_pnl: 1.1 }),
    ];
    const r = compareTrades(live, backtested, { toleranceMs: 6 * H });

    expect(r.matched).toEqual([
      {
        symbol: 'BTC',
        direction: 'LONG',
        live_id: 'L1',
        backtest_id: 'B1',
        live_entry_time_ms: T,
        backtest_entry_time_ms: T + 6 * H,
        entry_time_diff_ms: -21_600_000,
        exit_time_diff_ms: -7_200_000,
        live_entry_price: 100,
        backtest_entry_price: 101,
        entry_price_diff: -1,
        entry_price_diff_pct: -0.990099, // −1 / 101
        live_exit_price: 110,
        backtest_exit_price: 108,
        exit_price_diff: 2,
        exit_price_diff_pct: 1.851852, // 2 / 108
        live_close_reason: 'TAKE_PROFIT',
        backtest_close_reason: 'TAKE_PROFIT',
        close_reason_equal: true,
        live_net_pnl: 9.5,
        backtest_net_pnl: 6.9,
        net_pnl_diff: 2.6,
      },
    ]);
    expect(r.live_only.map((t) => t.id)).toEqual(['L2']);
    expect(r.live_only[0]).toEqual({
      id: 'L2',
      symbol: 'ETH',
      direction: 'SHORT',
      entry_time_ms: T,
      close_time_ms: T + 12 * H,
      entry_price: 100,
      exit_price: 110,
      close_reason: 'STOP_LOSS',
      net_pnl: -3.2,
    });
    expect(r.backtest_only.map((t) => t.id)).toEqual(['B2']);
    expect(r.totals).toEqual({
      live_trades: 2,
      backtest_trades: 2,
      live_not_compared: 0,
      backtest_not_compared: 0,
      matched: 1,
      live_only: 1,
      backtest_only: 1,
      match_rate_pct: 50, // 2 × 1 / (2 + 2)
      close_reason_equal: 1,
      live_net_pnl_usdt: 6.3, // 9.5 − 3.2
      backtest_net_pnl_usdt: 8, // 6.9 + 1.1
      net_pnl_diff_usdt: -1.7,
      matched_net_pnl_diff_usdt: 2.6,
    });
    expect(r.tolerance_ms).toBe(6 * H);
    expect(r.max_trades).toBe(MAX_COMPARED_TRADES);
  });

  it('matches at exactly the tolerance and not one millisecond beyond it', () => {
    const at = compareTrades([trade('L', { entry_timestamp: T + H })], [trade('B')], { toleranceMs: H });
    expect(at.totals.matched).toBe(1);
    expect(at.matched[0].entry_time_diff_ms).toBe(H);
    const beyond = compareTrades([trade('L', { entry_timestamp: T - H - 1 })], [trade('B')], { toleranceMs: H });
    expect(beyond.totals).toMatchObject({ matched: 0, live_only: 1, backtest_only: 1, match_rate_pct: 0 });
  });

  it('takes the nearest live entry, the earlier one on an equal gap, and a different close reason is reported', () => {
    const nearest = compareTrades(
      [
        trade('L-3h', { entry_timestamp: T - 3 * H }),
        trade('L+1h', { entry_timestamp: T + H, close_reason: 'STOP_LOSS' }),
      ],
      [trade('B')],
      { toleranceMs: 6 * H },
    );
    expect(nearest.matched.map((p) => p.live_id)).toEqual(['L+1h']);
    expect(nearest.matched[0]).toMatchObject({
      live_close_reason: 'STOP_LOSS',
      backtest_close_reason: 'TAKE_PROFIT',
      close_reason_equal: false,
    });
    expect(nearest.totals.close_reason_equal).toBe(0);

    const tie = compareTrades(
      [trade('L+2h', { entry_timestamp: T + 2 * H }), trade('L-2h', { entry_timestamp: T - 2 * H })],
      [trade('B')],
      { toleranceMs: 6 * H },
    );
    expect(tie.matched.map((p) => p.live_id)).toEqual(['L-2h']);
    expect(tie.live_only.map((t) => t.id)).toEqual(['L+2h']);
  });

  it('is greedy by time: the earlier backtested trade takes its nearest live trade first', () => {
    // B0 (gap 1 h) and B1 (gap 0) both reach L; B0 comes first in time and takes it.
    const r = compareTrades(
      [trade('L', { entry_timestamp: T + H })],
      [trade('B1', { entry_timestamp: T + H }), trade('B0', { entry_timestamp: T })],
      { toleranceMs: 2 * H },
    );
    expect(r.matched.map((p) => [p.backtest_id, p.live_id])).toEqual([['B0', 'L']]);
    expect(r.backtest_only.map((t) => t.id)).toEqual(['B1']);
  });

  it('skips live trades already taken, nearest first and the earlier on ties', () => {
    const live = [0, 1, 2, 3, 4].map((h) => trade(`L${h}`, { entry_timestamp: T + h * H }));
    const backtested = ['a', 'b', 'c', 'd', 'e'].map((id) => trade(`B${id}`, { entry_timestamp: T + 2 * H }));
    const r = compareTrades(live, backtested, { toleranceMs: 2 * H });
    // Bb..Be at 2 h in id order: L2 (gap 0), then L1 / L3 (gap 1, earlier first), then L3, then L0 / L4 → L0, L4.
    expect(r.matched.map((p) => `${p.backtest_id}:${p.live_id}`)).toEqual([
      'Ba:L2',
      'Bb:L1',
      'Bc:L3',
      'Bd:L0',
      'Be:L4',
    ]);
    expect(r.totals.match_rate_pct).toBe(100);
  });

  it('orders its answer by entry time, then symbol, whatever the input order', () => {
    const live = [
      trade('L-SOL', { symbol: 'SOL' }),
      trade('L-ADA', { symbol: 'ADA' }),
      trade('L-ETH', { symbol: 'ETH', entry_timestamp: T - H }),
    ];
    const backtested = [trade('B-SOL', { symbol: 'SOL' }), trade('B-ADA', { symbol: 'ADA' })];
    const r = compareTrades(live, backtested, { toleranceMs: 0 });
    expect(r.matched.map((p) => p.symbol)).toEqual(['ADA', 'SOL']);
    expect(r.live_only.map((t) => t.id)).toEqual(['L-ETH']);
    const reversed = compareTrades([...live].reverse(), [...backtested].reverse(), { toleranceMs: 0 });
    expect(reversed).toEqual(r);
  });

  it('compares at most maxTrades of each side, the earliest, and counts the rest', () => {
    const live = [3, 1, 2].map((h) => trade(`L${h}`, { entry_timestamp: T + h * H, net_pnl: h }));
    const backtested = [1, 2, 5].map((h) => trade(`B${h}`, { entry_timestamp: T + h * H, net_pnl: 10 * h }));
    const r = compareTrades(live, backtested, { toleranceMs: 0, maxTrades: 2 });
    expect(r.matched.map((p) => p.live_id)).toEqual(['L1', 'L2']);
    expect(r.totals).toMatchObject({
      live_trades: 2,
      backtest_trades: 2,
      live_not_compared: 1,
      backtest_not_compared: 1,
      live_only: 0,
      backtest_only: 0,
      live_net_pnl_usdt: 3,
      backtest_net_pnl_usdt: 30,
      net_pnl_diff_usdt: -27,
      matched_net_pnl_diff_usdt: -27, // (1 − 10) + (2 − 20)
    });
  });

  it('answers an empty comparison with a null match rate', () => {
    const r = compareTrades([], [], { toleranceMs: H });
    expect(r.matched).toEqual([]);
    expect(r.totals).toMatchObject({ live_trades: 0, backtest_trades: 0, matched: 0, match_rate_pct: null });
  });

  it('refuses a negative or non-finite tolerance and a cap below one', () => {
    expect(() => compareTrades([], [], { toleranceMs: -1 })).toThrow(RangeError);
    expect(() => compareTrades([], [], { toleranceMs: Number.NaN })).toThrow(RangeError);
    expect(() => compareTrades([], [], { toleranceMs: 0, maxTrades: 0 })).toThrow(RangeError);
  });

  it('agrees with a plain quadratic reading of the same rule on 2 000 seeded random trades', () => {
    let seed = 7;
    // xorshift32: seeded, and its successive draws are not correlated the way a small LCG's are.
    const random = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 4_294_967_296;
    };
    const make = (prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) =>
        trade(`${prefix}${i}`, {
          symbol: ['BTC', 'ETH', 'SOL'][Math.floor(random() * 3)],
          direction: random() < 0.5 ? 'LONG' : 'SHORT',
          entry_timestamp: T + Math.floor(random() * 200) * H,
        }),
      );
    const live = make('L', 1000);
    const backtested = make('B', 1000);
    const tolerance = 3 * H;

    // The rule written out directly: backtested trades in entry order, each takes the nearest free live trade.
    const order = (a: ComparableTrade, b: ComparableTrade) =>
      a.entry_timestamp - b.entry_timestamp ||
      (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0) ||
      (a.direction < b.direction ? -1 : a.direction > b.direction ? 1 : 0) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    const free = [...live].sort(order);
    const expected: string[] = [];
    for (const b of [...backtested].sort(order)) {
      let best = -1;
      free.forEach((l, i) => {
        if (l.symbol !== b.symbol || l.direction !== b.direction) return;
        const gap = Math.abs(l.entry_timestamp - b.entry_timestamp);
        if (gap > tolerance) return;
        if (best < 0 || gap < Math.abs(free[best].entry_timestamp - b.entry_timestamp)) best = i;
      });
      if (best >= 0) expected.push(`${b.id}:${free.splice(best, 1)[0].id}`);
    }

    const r = compareTrades(live, backtested, { toleranceMs: tolerance });
    expect(expected.length).toBeGreaterThan(100);
    expect(r.matched.map((p) => `${p.backtest_id}:${p.live_id}`)).toEqual(expected);
    expect(r.totals.live_only).toBe(1000 - expected.length);
  });
});
