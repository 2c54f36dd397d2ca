import type { CandleColumns, Timeframe } from '../../exchange/exchange.types';
import { runBacktest } from './backtest-engine';
import type { BacktestParams, BacktestRun, BacktestSymbol, ReplayCandles } from './backtest.types';

/** Where candles come from: the candle store (CandleStoreService.load) or anything with the same call. */
export interface CandleSource {
  load(symbol: string, timeframe: Timeframe, from: number, to: number): Promise<CandleColumns>;
}

/** One coin of the universe before its candles are loaded. */
export type UniverseEntry = Omit<BacktestSymbol, 'candles'>;

/** Loads every coin's candles with open time in [from, to) on `timeframe`; coins without candles are left out. */
export async function loadUniverse(
  source: CandleSource,
  entries: readonly UniverseEntry[],
  timeframe: Timeframe,
  from: number,
  to: number,
): Promise<BacktestSymbol[]> {
  const universe: BacktestSymbol[] = [];
  for (const entry of entries) {
    const candles = await source.load(entry.symbol, timeframe, from, to);
    if (candles.length > 0) universe.push({ ...entry, candles });
  }
  return universe;
}

/** Replays re-run to fetch 1m windows that a run with more detail asked for; past this the rest stay on OHLC. */
export const MAX_DETAIL_ROUNDS = 6;

export interface DetailedRun {
  run: BacktestRun;
  /** Replays made (1 = no 1m candles were missing). */
  rounds: number;
  /** Position candles replayed on the OHLC path because their 1m candles were missing after the last round. */
  missingWindows: number;
}

/**
 * A replay with 1m detail fetched on demand: the replay asks for the minutes of each candle a position is open in;
 * what the cache lacks is recorded, loaded from `source` (1m) after the run, and the replay runs again, until no
 * window is missing (detail changes exits, so it can open new windows) or MAX_DETAIL_ROUNDS is reached. The cache is
 * the caller's, so a later run over the same range loads nothing.
 */
export async function runBacktestWithDetail(
  universe: readonly BacktestSymbol[],
  params: Omit<BacktestParams, 'detail'>,
  source: CandleSource,
  cache: Map<string, ReplayCandles> = new Map(),
): Promise<DetailedRun> {
  const key = (symbol: string, from: number) => `${symbol}@${from}`;
  for (let round = 1; ; round++) {
    const missing = new Map<string, { symbol: string; from: number; to: number }>();
    const run = runBacktest(universe, {
      ...params,
      detail: (symbol, from, to) => {
        const hit = cache.get(key(symbol, from));
        if (hit) return hit;
        missing.set(key(symbol, from), { symbol, from, to });
        return null;
      },
    });
    if (missing.size === 0 || round === MAX_DETAIL_ROUNDS) return { run, rounds: round, missingWindows: missing.size };
    for (const [k, window] of missing) cache.set(k, await source.load(window.symbol, '1m', window.from, window.to));
  }
}
