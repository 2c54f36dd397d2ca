import type { Trend } from '../../rsi/rsi.types';

/** What an entry was decided on (docs/backtest-engine.md, "Auditable trades"); live and backtested trades alike. */
export class EntryDecisionDto {
  /** @example '2026-12-04T18:00:01' */
  decision_time: string;
  /** Epoch ms. @example 1764871201000 */
  decision_time_ms: number;
  /** The quote the decision and the sizing used (ask for a LONG, bid for a SHORT). @example 64090.5 */
  decision_price: number | null;
  /** RSI on the system timeframe the signal used. @example 27.4 */
  decision_rsi: number | null;
  /** Open time (epoch ms) of the candle whose RSI gave the signal. @example 1764849600000 */
  decision_candle_time: number | null;
  /** @example 'NEUTRAL' */
  decision_trend: Trend | null;
  /**
   * Entry filters that ran and passed, in order (empty for a manual entry). @example ['maturity', 'rsi_time_filter',
   * 'exit_scam', 'scope', 'delisted']
   */
  filters_passed: string[];
  /** Stop-loss set at entry, measured from the fill price. @example 58969.3 */
  stop_loss_set: number | null;
  /** Take-profit set at entry, measured from the fill price. @example 67302 */
  take_profit_set: number | null;
}
