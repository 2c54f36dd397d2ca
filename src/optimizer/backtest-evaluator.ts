import type { UniverseEntry } from '../backtest/engine/candle-source';
import { prepareUniverse, runBacktest } from '../backtest/engine/backtest-engine';
import type { BacktestParams, BacktestSymbol, ReplayCandles } from '../backtest/engine/backtest.types';
import { mirrorBreakEvenTrigger } from '../config/break-even-trigger';
import { AUTO_BOT_SPECS, type AutoBotConfig } from '../config/defaults';
import { coerceSettings } from '../config/setting-spec';
import { refuseUnsupportedSettings } from '../config/unsupported-settings';
import { TIMEFRAME_MS, type Timeframe } from '../exchange/exchange.types';
import type { CandleColumns, EvaluateCandidate } from './evaluation-port';
import type { TradeResult } from './objective';
import type { CandidateParams } from './search-space';
import type { BacktestRun } from '../backtest/engine/backtest.types';
import type { ReplayEquity } from './evaluation-port';

/**
 * What the replay needs besides the candles (docs/optimizer.md, "The backtest evaluator"): the auto-bot config and
 * each coin's exchange rules and individual settings as they were when the run started (validated by
 * BacktestRunner.prepare), and the paper fill model. Plain data: it is saved with the run and travels to workers.
 */
export type ReplaySetup = {
  timeframe: Timeframe;
  config: AutoBotConfig;
  /** In the data set's symbol order. */
  coins: UniverseEntry[];
  startingBalance: number;
  feeRate: number;
  spreadTicks: number;
  /** First entry decision; earlier candles warm the indicators up. */
  tradeFromMs: number;
};

/**
 * One coin's rows of the shared columns: a view (no copy) over its run of present candles, or a compact copy when
 * the coin has gaps inside that run (the replay needs ascending times, not a full grid). Built once per worker.
 */
function coinCandles(data: CandleColumns, s: number): ReplayCandles | null {
  const base = s * data.candles;
  let first = -1;
  let last = -1;
  let present = 0;
  for (let i = 0; i < data.candles; i++) {
    if (Number.isNaN(data.close[base + i])) continue;
    if (first < 0) first = i;
    last = i;
    present++;
  }
  if (present === 0) return null;
  const from = base + first;
  const to = base + last + 1;
  if (present === last - first + 1) {
    return {
      length: present,
      time: data.time.subarray(first, last + 1),
      open: data.open.subarray(from, to),
      high: data.high.subarray(from, to),
      low: data.low.subarray(from, to),
      close: data.close.subarray(from, to),
    };
  }
  const compact = {
    length: present,
    time: new Float64Array(present),
    open: new Float64Array(present),
    high: new Float64Array(present),
    low: new Float64Array(present),
    close: new Float64Array(present),
  };
  let k = 0;
  for (let i = first; i <= last; i++) {
    const at = base + i;
    if (Number.isNaN(data.close[at])) continue;
    compact.time[k] = data.time[i];
    compact.open[k] = data.open[at];
    compact.high[k] = data.high[at];
    compact.low[k] = data.low[at];
    compact.close[k] = data.close[at];
    k++;
  }
  return compact;
}

/**
 * The candidate's values as auto-bot settings, through the same setting specs as any settings change (a search
 * space never leaves the specs' ranges, so a refusal here is a bug worth failing the run for).
 */
export function candidateOverrides(params: CandidateParams): Partial<AutoBotConfig> {
  const { values } = coerceSettings(AUTO_BOT_SPECS, params);
  refuseUnsupportedSettings(values);
  // The two break-even keys are one setting: set both, or a layer holding the other one wins.
  mirrorBreakEvenTrigger(values);
  return values as Partial<AutoBotConfig>;
}

/** A replayed trade as the objective reads it: net PnL (after fees) in percent of the starting balance. */
export function tradeResults(
  trades: ReadonlyArray<{ close_time_ms: number; net_pnl: number }>,
  startingBalance: number,
): TradeResult[] {
  return trades.map((t) => ({ exitTime: t.close_time_ms, pnlPercent: (t.net_pnl / startingBalance) * 100 }));
}

/**
 * One candidate's replay of the whole universe: its values as overrides on top of the auto-bot config and of every
 * coin's individual settings (the candidate wins over every layer, as a backtest's `overrides` do). What does not
 * depend on the settings (time grid, RSI series, grid placement, maturity) is prepared once here and reused by every
 * candidate (docs/optimizer.md, "The backtest evaluator").
 */
function createReplay(data: CandleColumns, setup: ReplaySetup): (params: CandidateParams) => BacktestRun {
  const bySymbol = new Map(setup.coins.map((coin) => [coin.symbol, coin]));
  const universe: BacktestSymbol[] = [];
  data.symbols.forEach((symbol, s) => {
    const coin = bySymbol.get(symbol);
    const candles = coinCandles(data, s);
    if (coin && candles) universe.push({ ...coin, candles });
  });
  const prepared = prepareUniverse(universe, TIMEFRAME_MS[setup.timeframe]);
  return (params) => {
    const overrides = candidateOverrides(params);
    const replayParams: BacktestParams = {
      timeframe: setup.timeframe,
      config: { ...setup.config, ...overrides },
      startingBalance: setup.startingBalance,
      feeRate: setup.feeRate,
      spreadTicks: setup.spreadTicks,
      tradeFromMs: setup.tradeFromMs,
    };
    const coins = universe.map((coin) =>
      coin.overrides ? { ...coin, overrides: { ...coin.overrides, ...overrides } } : coin,
    );
    return runBacktest(coins, replayParams, prepared);
  };
}

/** The evaluation port over the backtest replay (src/backtest/engine): a candidate's closed trades. */
export function createEvaluator(data: CandleColumns, setup: ReplaySetup | null): EvaluateCandidate {
  const replay = createReplay(data, requireSetup(setup));
  return (params) => tradeResults(replay(params).trades, requireSetup(setup).startingBalance);
}

function requireSetup(setup: ReplaySetup | null): ReplaySetup {
  if (!setup) throw new Error('the backtest evaluator needs the run replay setup');
  return setup;
}

/**
 * A candidate's account value over the scored range (docs/optimizer.md, "Report"): the replay's equity (balance +
 * unrealised PnL at every candle close from `tradeFromMs`) in percent of the starting balance.
 */
export function createEquityReplay(data: CandleColumns, context: ReplaySetup | null): ReplayEquity {
  const setup = requireSetup(context);
  const replay = createReplay(data, setup);
  return (params) => {
    const { equity } = replay(params);
    let first = 0;
    while (first < equity.time.length && equity.time[first] < setup.tradeFromMs) first++;
    const scale = 100 / setup.startingBalance;
    return { time: equity.time.slice(first), equity: equity.equity.slice(first).map((value) => value * scale) };
  };
}
