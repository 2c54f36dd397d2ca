import type { Direction, TradeRecord } from '../../bots/engine/bot.types';
import type { ProtectionRule } from '../../protections/rules/rule.types';
import type { Timeframe } from '../../exchange/exchange.types';
import type { Trend } from '../../rsi/rsi.types';

/**
 * What one backtest run produces: the shared contract between the replay engine (which fills it), the job store
 * (which persists it under DATA_DIR/backtests/ as JSON) and the report page (which renders it). Plain data only:
 * numbers, strings, booleans, null, arrays and objects, so `JSON.parse(JSON.stringify(r))` equals `r`.
 * Times are epoch milliseconds (UTC); money is USDT. See docs/backtest-report.md.
 *
 * Versioned: a reader refuses a `version` it does not know rather than misreading it. Bump
 * BACKTEST_RESULT_VERSION on any change that an older reader would misread (a renamed or re-meant field);
 * adding an optional field does not need a bump.
 */
export const BACKTEST_RESULT_KIND = 'bots-service.backtest-result';
export const BACKTEST_RESULT_VERSION = 1;

/** A JSON value, for data carried through unchanged (settings overrides as the caller gave them). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * What a trade's entry was decided on (issue #10 item 8), so it can be re-derived from the result alone.
 * Field for field the `EntryDecisionAudit` that live trades carry as `decision` (branch h-engine,
 * src/bots/engine/bot.types.ts); declared here too so this contract stands on its own. Once both are merged,
 * this becomes an alias of that type (one home).
 */
export interface TradeDecisionAudit {
  /** When the decision was taken (the replay clock in a backtest), ISO and epoch ms. */
  decision_time: string;
  decision_time_ms: number;
  /** The price the decision and the sizing used (ask for a LONG, bid for a SHORT). */
  decision_price: number | null;
  /** RSI on the strategy timeframe that gave the signal. */
  decision_rsi: number | null;
  /** Open time (epoch ms) of the candle whose RSI gave the signal. */
  decision_candle_time: number | null;
  decision_trend: Trend | null;
  /** The entry filters that ran and passed, in their order. */
  filters_passed: string[];
  /** Stop-loss and take-profit prices set at entry (null = none). */
  stop_loss_set: number | null;
  take_profit_set: number | null;
}

/** A closed backtested trade: exactly the fields of /api/bots/trades, plus what it was decided on and how it exited. */
export interface BacktestResultTrade extends TradeRecord {
  decision: TradeDecisionAudit | null;
  /** Who closed it: the exchange's own stop / take-profit / liquidation, the bot's monitor, or the RSI exit. */
  exit_by?: 'exchange' | 'monitor' | 'rsi_exit';
  /** Which path the exit was found on: the 1m detail, the candle's pessimistic OHLC path, or its close. */
  exit_path?: 'detail' | 'ohlc' | 'close';
}

/** A position still open when the range ended; its unrealised PnL is in the last equity point. */
export interface BacktestOpenPosition {
  symbol: string;
  direction: Direction;
  size: number;
  entry_price: number;
  entry_time_ms: number;
  /** Mark price at the end of the range. */
  mark_price: number;
  unrealised_pnl: number;
  decision: TradeDecisionAudit | null;
}

/** One sample of the account, normally at every candle close of the run timeframe. */
export interface EquityPoint {
  time_ms: number;
  /** Cash: starting balance + realised net PnL. */
  balance: number;
  /** balance + unrealised PnL of the open positions (marked at the close). */
  equity: number;
  /** Positions open at that time, when the engine reports it. */
  open_positions?: number;
}

/** Fall of equity below its running peak at one equity point. */
export interface DrawdownPoint {
  time_ms: number;
  /** peak − equity, ≥ 0. */
  drawdown_usdt: number;
  /** (peak − equity) / peak × 100, ≥ 0. */
  drawdown_pct: number;
}

/** One OHLCV candle as a compact tuple: [open time ms, open, high, low, close, volume]. */
export type CandleTuple = [number, number, number, number, number, number];

/** Candles around one trade (a few before the entry to a few after the exit), for the report's trade chart. */
export interface TradePricePath {
  trade_id: string;
  symbol: string;
  timeframe: Timeframe;
  candles: CandleTuple[];
}

/** Closes of one coin over the range, for the buy-and-hold benchmark. */
export interface SymbolCloses {
  symbol: string;
  /** [close time ms, close] in time order. */
  closes: Array<[number, number]>;
}

/**
 * An account-protection lock the replay set (docs/protections.md): no new entries on `symbol` (null: every coin)
 * from `locked_at_ms` until `until_ms` (its final end, after any extension). The fields of the live
 * `/api/bots/locks` view that do not depend on the wall clock.
 */
export interface BacktestProtectionLock {
  id: string;
  rule: ProtectionRule;
  symbol: string | null;
  scope: 'account' | 'coin';
  reason: string;
  locked_at_ms: number;
  until_ms: number;
}

/** How the run was asked for. */
export interface BacktestRunParameters {
  from_ms: number;
  to_ms: number;
  /** The coins replayed (after scope lists and unknown-symbol checks). */
  symbols: string[];
  /** Candle timeframe of the strategy (signals, equity sampling). */
  timeframe: Timeframe;
  /** Finer path used for stops while a position is open; null = candle resolution with pessimistic fills. */
  detail: Timeframe | null;
  starting_balance: number;
  /** The overrides as given, applied on top of the auto-bot and per-coin settings. */
  settings_overrides: JsonObject;
  /** Seed of the paper exchange's path, when it was the data source. */
  seed: number | null;
}

export interface GroupStatistics {
  trades: number;
  wins: number;
  losses: number;
  win_rate_pct: number;
  net_pnl_usdt: number;
  avg_net_pnl_usdt: number;
}

export interface BuyAndHoldStatistics {
  /** Final equity of the equal-weight buy-and-hold of the same coins, same starting balance. */
  final_equity: number;
  return_pct: number;
  max_drawdown_pct: number;
}

/** The numbers the report's tables show; computed by `computeStatistics` (statistics.ts, which documents each). */
export interface BacktestStatistics {
  starting_balance: number;
  final_balance: number;
  final_equity: number;
  trades: number;
  wins: number;
  losses: number;
  win_rate_pct: number;
  gross_pnl_usdt: number;
  fees_usdt: number;
  net_pnl_usdt: number;
  roi_pct: number;
  /** Sum of winning net PnL / |sum of losing net PnL|; null when there is no losing trade. */
  profit_factor: number | null;
  /** Mean net PnL per trade. */
  expectancy_usdt: number;
  avg_win_usdt: number;
  avg_loss_usdt: number;
  max_drawdown_usdt: number;
  max_drawdown_pct: number;
  /** Annualised; null when there are fewer than two return periods or no variation. */
  sharpe: number | null;
  sortino: number | null;
  calmar: number | null;
  /** Compound annual growth of equity over the range, %. */
  annualised_return_pct: number;
  /** Length of one return period used for Sharpe/Sortino, ms, and how many make a year. */
  return_period_ms: number;
  periods_per_year: number;
  avg_hold_hours: number;
  /** Share of the range with at least one position open, %. */
  exposure_pct: number;
  by_close_reason: Record<string, GroupStatistics>;
  by_symbol: Record<string, GroupStatistics>;
  by_direction: Record<Direction, GroupStatistics>;
  buy_and_hold: BuyAndHoldStatistics | null;
}

export interface BacktestResult {
  kind: typeof BACKTEST_RESULT_KIND;
  version: typeof BACKTEST_RESULT_VERSION;
  /** Job id, when run as a job. */
  id: string;
  /** When the result was produced (from the injected clock). */
  generated_at_ms: number;
  parameters: BacktestRunParameters;
  /** Closed trades in close order. */
  trades: BacktestResultTrade[];
  open_positions: BacktestOpenPosition[];
  equity: EquityPoint[];
  drawdown: DrawdownPoint[];
  /** Equity of the buy-and-hold benchmark at the equity points' times (same length as `equity`). */
  buy_and_hold: Array<{ time_ms: number; equity: number }>;
  /** Optional: candles around each trade for the report's per-trade chart (absent trades get no chart). */
  price_paths?: TradePricePath[];
  statistics: BacktestStatistics;
  /** Account-protection locks the run set, in the order set; absent in results stored before it was added. */
  protection_locks?: BacktestProtectionLock[];
}

/** Reads a stored result, refusing anything that is not a result of a version this code understands. */
export function parseBacktestResult(json: string): BacktestResult {
  const value = JSON.parse(json) as Partial<BacktestResult> | null;
  if (!value || typeof value !== 'object' || value.kind !== BACKTEST_RESULT_KIND) {
    throw new Error('not a backtest result');
  }
  if (value.version !== BACKTEST_RESULT_VERSION) {
    throw new Error(
      `backtest result version ${String(value.version)} is not supported (this build reads ${BACKTEST_RESULT_VERSION})`,
    );
  }
  return value as BacktestResult;
}
