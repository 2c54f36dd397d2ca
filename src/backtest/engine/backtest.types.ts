import type { EntryDecisionAudit, TradeRecord } from '../../bots/engine/bot.types';
import type { AutoBotConfig } from '../../config/defaults';
import type { OverrideLayer } from '../../config/effective-bot-config';
import type { CandleColumns, Timeframe } from '../../exchange/exchange.types';
import type { ProtectionLock } from '../../protections/protection-locks';

/** Exchange rules of one instrument (the paper exchange's SymbolSpec or the live market). */
export interface InstrumentRules {
  tickSize: number;
  qtyStep: number;
  minOrderQty: number;
  /** Minimum order value, USDT. */
  minNotional: number;
  maxLeverage: number;
}

/** The replay's instrument rules out of a market (the exchange adapter's MarketInfo or the paper SymbolSpec). */
export function instrumentRules(market: InstrumentRules): InstrumentRules {
  const { tickSize, qtyStep, minOrderQty, minNotional, maxLeverage } = market;
  return { tickSize, qtyStep, minOrderQty, minNotional, maxLeverage };
}

/** The candles the replay reads: open times ascending, equal spacing of the timeframe. */
export type ReplayCandles = Pick<CandleColumns, 'length' | 'time' | 'open' | 'high' | 'low' | 'close'>;

export interface BacktestSymbol {
  symbol: string;
  candles: ReplayCandles;
  rules: InstrumentRules;
  /** The coin's individual settings (the per-coin layer of the effective config). */
  overrides?: OverrideLayer;
  /** When the coin was flagged for delisting (epoch ms); from then on it is not entered and an open position is closed.
   * */
  delistedAtMs?: number;
}

/**
 * 1m candles of `symbol` covering [fromMs, toMs), or null when none are at hand (the replay then uses the pessimistic
 * OHLC path). Called only while a position is open (docs/backtest-engine.md, "Intra-candle path").
 */
export type DetailSource = (symbol: string, fromMs: number, toMs: number) => ReplayCandles | null;

export interface BacktestParams {
  timeframe: Timeframe;
  /** The auto-bot config the run uses (global layer). */
  config: AutoBotConfig;
  startingBalance: number;
  /** Taker fee rate per fill (paper exchange: PAPER_FEE_RATE). */
  feeRate: number;
  /** Quote half-spread in ticks: buys fill at close + n ticks, sells at close − n ticks (paper exchange: 1). */
  spreadTicks: number;
  /** No entry decision before this time (epoch ms); earlier candles only warm the indicators up. */
  tradeFromMs?: number;
  detail?: DetailSource;
}

/** Which path an exit was found on. */
export type ExitPath = 'detail' | 'ohlc' | 'close';

/** A backtested trade: the live trade record plus how it was decided and closed. */
export interface BacktestTrade extends TradeRecord {
  decision: EntryDecisionAudit;
  /** Who closed it: the exchange's own stop / take-profit / liquidation, the bot's monitor at market, or the RSI exit.
   * */
  exit_by: 'exchange' | 'monitor' | 'rsi_exit';
  exit_path: ExitPath;
}

/** Account value after each replayed candle close. */
export interface EquityCurve {
  /** Close time of each step, epoch ms. */
  time: Float64Array;
  /** Wallet balance: starting balance + realised PnL − fees. */
  balance: Float64Array;
  /** Balance + unrealised PnL at the close. */
  equity: Float64Array;
}

/** What one replay produces; the statistics and the report are built from it (src/backtest/result). */
export interface BacktestRun {
  trades: BacktestTrade[];
  equity: EquityCurve;
  /** Candles replayed (all symbols). */
  bars: number;
  /** 1m candles walked while positions were open. */
  detailBars: number;
  startingBalance: number;
  /** Wallet balance at the end; positions still open are in the last equity point, not in `trades`. */
  finalBalance: number;
  openAtEnd: number;
  /** Every account-protection lock the run set, in order, with its final end (docs/protections.md). */
  locks: ProtectionLock[];
}
