import { DEFAULT_AUTO_BOT_CONFIG } from '../../config/defaults';
import type { CandleColumns, Timeframe } from '../../exchange/exchange.types';
import type { ReplayCandles } from './backtest.types';
import { loadUniverse, runBacktestWithDetail, type CandleSource } from './candle-source';

const H = 3_600_000;
const TF = 6 * H;
const T0 = Date.UTC(2026, 0, 1);
const RULES = { tickSize: 0.01, qtyStep: 0.001, minOrderQty: 0.001, minNotional: 5, maxLeverage: 50 };

function columns(bars: Array<[number, number, number, number]>, start: number, step: number): CandleColumns {
  const pick = (k: number) => Float64Array.from(bars.map((b) => b[k]));
  return {
    length: bars.length,
    time: Float64Array.from(bars.map((_, i) => start + i * step)),
    open: pick(0),
    high: pick(1),
    low: pick(2),
    close: pick(3),
    volume: new Float64Array(bars.length),
  };
}

/** 15 falling 6h closes (a LONG at the 15th close, 86.01), then a candle that reaches both the stop and the
 * take-profit. */
const sixHours = columns(
  [
    ...Array.from({ length: 15 }, (_, k): [number, number, number, number] => [101 - k, 101.2 - k, 99.8 - k, 100 - k]),
    [86, 110, 70, 100],
  ],
  T0,
  TF,
);
const entryClose = T0 + 15 * TF;
// Its minutes: up through the take-profit (103.21) first, then down through the stop.
const minutes = columns(
  [
    [86, 104, 85.9, 103],
    [103, 103, 70, 71],
  ],
  entryClose,
  60_000,
);

class MemorySource implements CandleSource {
  loads: string[] = [];
  async load(symbol: string, timeframe: Timeframe, from: number, to: number): Promise<CandleColumns> {
    this.loads.push(`${symbol} ${timeframe} ${from}-${to}`);
    const c = timeframe === '6h' ? sixHours : minutes;
    const keep: number[] = [];
    for (let i = 0; i < c.length; i++) if (c.time[i] >= from && c.time[i] < to) keep.push(i);
    const take = (col: Float64Array) => Float64Array.from(keep.map((i) => col[i]));
    return {
      length: keep.length,
      time: take(c.time),
      open: take(c.open),
      high: take(c.high),
      low: take(c.low),
      close: take(c.close),
      volume: take(c.volume),
    };
  }
}

const config = {
  ...DEFAULT_AUTO_BOT_CONFIG,
  enable_maturity_check: false,
  rsi_time_filter_enabled: false,
  exit_scam_enabled: false,
  loss_reentry_protection: false,
  break_even_protection: false,
  trailing_stop_distance: 0,
  default_position_mode: 'usdt' as const,
  default_position_size: 100,
  leverage: 1,
  max_loss_percent: 10,
  take_profit_percent: 20,
};
const params = { timeframe: '6h' as const, config, startingBalance: 1000, feeRate: 0, spreadTicks: 1 };

describe('candle source', () => {
  it('loads the universe from the source, leaving out coins without candles', async () => {
    const source = new MemorySource();
    source.load = async (symbol, timeframe, from, to) =>
      symbol === 'NONE' ? columns([], from, TF) : MemorySource.prototype.load.call(source, symbol, timeframe, from, to);
    const universe = await loadUniverse(
      source,
      [
        { symbol: 'AAAUSDT', rules: RULES },
        { symbol: 'NONE', rules: RULES },
      ],
      '6h',
      T0,
      T0 + 100 * TF,
    );
    expect(universe.map((c) => c.symbol)).toEqual(['AAAUSDT']);
    expect(universe[0].candles.length).toBe(16);
  });

  it('fetches the 1m windows the replay asks for, replays with them, and reuses the cache', async () => {
    const source = new MemorySource();
    const universe = await loadUniverse(source, [{ symbol: 'AAAUSDT', rules: RULES }], '6h', T0, T0 + 100 * TF);
    const cache = new Map<string, ReplayCandles>();
    const first = await runBacktestWithDetail(universe, params, source, cache);
    // Round 1 (OHLC path, pessimistic) asked for the entry candle's minutes; round 2 walked them: take-profit first.
    expect(first.rounds).toBe(2);
    expect(first.missingWindows).toBe(0);
    expect(first.run.trades[0]).toMatchObject({ close_reason: 'TAKE_PROFIT', exit_price: 103.21, exit_path: 'detail' });
    expect(source.loads).toContain(`AAAUSDT 1m ${entryClose}-${entryClose + TF}`);
    const loads = source.loads.length;
    const again = await runBacktestWithDetail(universe, params, source, cache);
    expect(again.rounds).toBe(1);
    expect(source.loads.length).toBe(loads);
    expect(again.run.trades).toEqual(first.run.trades);
  });
});
