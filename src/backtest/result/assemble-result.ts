import type { ProtectionLock } from '../../protections/protection-locks';
import {
  BACKTEST_RESULT_KIND,
  BACKTEST_RESULT_VERSION,
  type BacktestOpenPosition,
  type BacktestProtectionLock,
  type BacktestResult,
  type BacktestRunParameters,
  type BacktestResultTrade,
  type EquityPoint,
  type SymbolCloses,
  type TradePricePath,
} from './backtest-result';
import { buyAndHoldCurve, computeStatistics, drawdownCurve, type CloseColumns } from './statistics';

/**
 * What the replay engine hands over at the end of a run; the derived parts (drawdown, benchmark, statistics)
 * are computed here.
 */
export interface ReplayOutput {
  id: string;
  generatedAtMs: number;
  parameters: BacktestRunParameters;
  trades: BacktestResultTrade[];
  /** Positions open at the end; without them exposure stops at the last closed trade. */
  openPositions?: BacktestOpenPosition[];
  equity: EquityPoint[];
  /** Closes of every replayed coin over the range, for the buy-and-hold benchmark. */
  closes: Array<SymbolCloses | CloseColumns>;
  pricePaths?: TradePricePath[];
  /** The engine's account-protection locks (BacktestRun.locks). */
  locks?: readonly ProtectionLock[];
}

/** The engine's locks as the result shows them (times in epoch ms, the scope spelled out as in /api/bots/locks). */
export function protectionLocksFromRun(locks: readonly ProtectionLock[]): BacktestProtectionLock[] {
  return locks.map((lock) => ({
    id: lock.id,
    rule: lock.rule,
    symbol: lock.symbol,
    scope: lock.symbol === null ? 'account' : 'coin',
    reason: lock.reason,
    locked_at_ms: lock.locked_at,
    until_ms: lock.until,
  }));
}

/** The engine's columnar equity curve (one Float64Array per field) as result points. */
export function equityPointsFromColumns(curve: {
  time: ArrayLike<number>;
  balance: ArrayLike<number>;
  equity: ArrayLike<number>;
}): EquityPoint[] {
  return Array.from({ length: curve.time.length }, (_, i) => ({
    time_ms: curve.time[i],
    balance: curve.balance[i],
    equity: curve.equity[i],
  }));
}

export function assembleBacktestResult(run: ReplayOutput): BacktestResult {
  const openPositions = run.openPositions ?? [];
  const trades = [...run.trades].sort((a, b) => a.close_time_ms - b.close_time_ms);
  const times = run.equity.map((e) => e.time_ms);
  const benchmark = run.closes.length ? buyAndHoldCurve(run.closes, run.parameters.starting_balance, times) : [];
  return {
    kind: BACKTEST_RESULT_KIND,
    version: BACKTEST_RESULT_VERSION,
    id: run.id,
    generated_at_ms: run.generatedAtMs,
    parameters: run.parameters,
    trades,
    open_positions: openPositions,
    equity: run.equity,
    drawdown: drawdownCurve(run.equity),
    buy_and_hold: benchmark.map((equity, i) => ({ time_ms: times[i], equity })),
    ...(run.pricePaths ? { price_paths: run.pricePaths } : {}),
    statistics: computeStatistics({
      parameters: run.parameters,
      trades,
      openPositions,
      equity: run.equity,
      buyAndHold: benchmark,
    }),
    protection_locks: protectionLocksFromRun(run.locks ?? []),
  };
}
