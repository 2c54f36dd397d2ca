/**
 * Quick measurement of the backtest replay (not a test, not part of npm test):
 *   node -r @swc-node/register bench/backtest-engine-measure.ts [symbols=583] [candles=1000] [--detail]
 * Synthetic seeded random walks on 6h, the default auto-bot config (every filter on: maturity, RSI time filter,
 * exit-scam, loss re-entry), 5 slots, 100 USDT positions; --protections turns every account protection on.
 * Prints the time per run (best and median of 5 after a warm-up), bars/s, trades. --detail adds a synthetic 1m path
 * (360 minutes per 6h candle) while positions are open.
 */
import * as os from 'node:os';
import { runBacktest } from '../src/backtest/engine/backtest-engine';
import type { BacktestSymbol, ReplayCandles } from '../src/backtest/engine/backtest.types';
import { DEFAULT_AUTO_BOT_CONFIG } from '../src/config/defaults';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const SYMBOLS = Number(args[0] ?? 583);
const CANDLES = Number(args[1] ?? 1000);
const DETAIL = process.argv.includes('--detail');
/** --protections: every account protection on too (max drawdown, stop-loss guard, daily loss, cooldown, low profit,
 * risk cap). */
const PROTECTIONS = process.argv.includes('--protections');
const TF = 6 * 3_600_000;
const T0 = Date.UTC(2025, 0, 1);

function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function walk(
  length: number,
  start: number,
  step: number,
  price: number,
  vol: number,
  rand: () => number,
): ReplayCandles {
  const c = {
    length,
    time: new Float64Array(length),
    open: new Float64Array(length),
    high: new Float64Array(length),
    low: new Float64Array(length),
    close: new Float64Array(length),
  };
  for (let k = 0; k < length; k++) {
    const open = price;
    const close = Math.max(1e-6, open * (1 + (rand() - 0.5) * vol));
    c.time[k] = start + k * step;
    c.open[k] = open;
    c.close[k] = close;
    c.high[k] = Math.max(open, close) * (1 + rand() * vol * 0.3);
    c.low[k] = Math.min(open, close) * (1 - rand() * vol * 0.3);
    price = close;
  }
  return c;
}

const rand = rng(42);
const universe: BacktestSymbol[] = [];
for (let s = 0; s < SYMBOLS; s++) {
  universe.push({
    symbol: `S${s}USDT`,
    candles: walk(CANDLES, T0, TF, 10 + 100 * rand(), 0.06, rand),
    rules: { tickSize: 0.0001, qtyStep: 0.001, minOrderQty: 0.001, minNotional: 5, maxLeverage: 50 },
  });
}
const minuteCache = new Map<string, ReplayCandles>();
const detail = DETAIL
  ? (symbol: string, from: number, to: number): ReplayCandles => {
      const key = `${symbol}:${from}`;
      let c = minuteCache.get(key);
      if (!c) {
        const s = Number(symbol.slice(1, -4));
        const i = Math.round((from - T0) / TF);
        c = walk((to - from) / 60_000, from, 60_000, universe[s].candles.open[i], 0.004, rng(s * 100_003 + i));
        minuteCache.set(key, c);
      }
      return c;
    }
  : undefined;

const params = {
  timeframe: '6h' as const,
  config: {
    ...DEFAULT_AUTO_BOT_CONFIG,
    default_position_mode: 'usdt' as const,
    default_position_size: 100,
    max_concurrent: 5,
    ...(PROTECTIONS
      ? {
          max_drawdown_enabled: true,
          stoploss_guard_enabled: true,
          daily_loss_limit_enabled: true,
          exit_cooldown_enabled: true,
          low_profit_enabled: true,
          risk_cap_enabled: true,
        }
      : {}),
  },
  startingBalance: 10_000,
  feeRate: 0.00055,
  spreadTicks: 1,
  detail,
};
if (detail) runBacktest(universe, params); // fills the 1m cache ("data cached")
const times: number[] = [];
const cpu: number[] = [];
let last = runBacktest(universe, params);
for (let k = 0; k < 5; k++) {
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  last = runBacktest(universe, params);
  times.push(Number(process.hrtime.bigint() - start) / 1e6);
  const used = process.cpuUsage(cpuStart);
  cpu.push((used.user + used.system) / 1000);
}
times.sort((a, b) => a - b);
cpu.sort((a, b) => a - b);
const median = times[2];
console.log(
  `${SYMBOLS} symbols x ${CANDLES} 6h candles, all filters${PROTECTIONS ? ' and account protections' : ''}, 5 slots${DETAIL ? ', 1m detail while open (cached)' : ''}`,
);
console.log(
  `best ${times[0].toFixed(1)} ms, median ${median.toFixed(1)} ms; ${(last.bars / (median / 1000) / 1e6).toFixed(2)} M bars/s; ${last.trades.length} trades, ${last.detailBars} 1m bars walked; final balance ${last.finalBalance.toFixed(2)}`,
);
// CPU time of the thread: the wall time above counts other processes' turns when the machine is shared.
console.log(
  `CPU time per run: best ${cpu[0].toFixed(1)} ms, median ${cpu[2].toFixed(1)} ms; load average ${os.loadavg()[0].toFixed(1)}`,
);
console.log(`node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'})`);
