// The replay's state (docs/backtest-engine.md): the coin universe, per-coin settings and RSI, the open positions,
// the wallet and the account protections' book. The replay's steps extend it: position-walk.ts, auto-bot-entry.ts,
// then backtest-engine.ts.
import type { Direction } from '../../bots/engine/bot.types';
import { TradingBot } from '../../bots/engine/trading-bot';
import { ManualClock } from '../../common/clock';
import { TIMEFRAME_MS } from '../../exchange/exchange.types';
import { type ClosedTradeInfo } from '../../filters/rules/loss-reentry';
import { computeRsiSeries, RSI_PERIOD } from '../../rsi/indicators/rsi';
import { type LockBook } from '../../protections/lock-book';
import type { ProtectionLock } from '../../protections/protection-locks';
import {
  protectionSettings as accountProtectionSettings,
  type ProtectionSettings as AccountProtectionSettings,
} from '../../protections/protection-settings';
import { EquityHistory } from '../../protections/rules/equity-history';
import type { ClosedTradeFact } from '../../protections/rules/rule.types';
import type { BacktestParams, BacktestSymbol, BacktestTrade } from './backtest.types';
import { coinSettings, type CoinSettings } from './replay-setup';

export interface OpenPosition {
  bot: TradingBot;
  side: Direction;
  quantity: number;
  margin: number;
  entryFee: number;
  liquidation: number;
  /** Price at the end of the last path step (the gap to the next open is a segment too). */
  lastPrice: number;
}

export abstract class ReplayState {
  protected readonly clock: ManualClock;
  protected readonly tfMs: number;
  protected readonly n: number;
  protected readonly settings: CoinSettings[];
  /** RSI (unrounded) at each candle index of each coin; NaN before the first value. */
  protected readonly rsiAt: Float64Array[];
  /** The live RSI history of each coin (one value per smoothing step): a prefix of it is the history at any candle. */
  protected readonly rsiHistory: Float64Array[];
  /** Index of the next candle of each coin. */
  protected readonly cursor: Int32Array;
  protected readonly mature: Uint8Array;
  protected readonly lastCloseMs: Float64Array;
  protected readonly closedTrades: ClosedTradeInfo[][];
  protected readonly positions: Array<OpenPosition | null>;
  /** 1 when the coin has a candle at the current grid time. */
  protected readonly present: Uint8Array;
  protected openCount = 0;
  protected wallet: number;
  protected usedMargin = 0;
  protected readonly trades: BacktestTrade[] = [];
  /** Account protections (src/protections): their locks, the drawdown rule's equity, the closed trades they read. */
  protected readonly account: AccountProtectionSettings;
  protected readonly accountOn: boolean;
  protected readonly book: LockBook = { locks: [], resets: {} };
  protected readonly equityHistory = new EquityHistory();
  protected readonly tradeFacts: ClosedTradeFact[] = [];
  protected lockSeq = 0;
  /** Every lock the run set, in order (extended in place when a rule extends it). */
  protected readonly locksSet: ProtectionLock[] = [];
  protected detailBars = 0;
  protected bars = 0;

  constructor(
    protected readonly universe: readonly BacktestSymbol[],
    protected readonly params: BacktestParams,
  ) {
    this.clock = new ManualClock(0);
    this.tfMs = TIMEFRAME_MS[params.timeframe];
    this.n = universe.length;
    this.wallet = params.startingBalance;
    this.cursor = new Int32Array(this.n);
    this.mature = new Uint8Array(this.n);
    this.lastCloseMs = new Float64Array(this.n);
    this.closedTrades = universe.map(() => []);
    this.positions = universe.map(() => null);
    this.present = new Uint8Array(this.n);
    this.account = accountProtectionSettings(params.config);
    const a = this.account;
    this.accountOn =
      a.maxDrawdown.enabled ||
      a.stoplossGuard.enabled ||
      a.dailyLoss.enabled ||
      a.cooldown.enabled ||
      a.lowProfit.enabled;
    this.settings = universe.map((coin) => coinSettings(params, coin));
    this.rsiAt = [];
    this.rsiHistory = [];
    for (const coin of universe) {
      // One Wilder pass per coin: the value at candle i reads closes 0..i only, so it equals the live incremental RSI.
      const closes = coin.candles.close.subarray(0, coin.candles.length);
      const { history } = computeRsiSeries(closes, RSI_PERIOD, { round: false });
      const at = new Float64Array(closes.length).fill(NaN);
      if (closes.length > RSI_PERIOD) {
        const seed = computeRsiSeries(closes.subarray(0, RSI_PERIOD + 1), RSI_PERIOD, { round: false }).rsi;
        at[RSI_PERIOD] = seed ?? NaN;
        at.set(history, RSI_PERIOD + 1);
      }
      this.rsiAt.push(at);
      this.rsiHistory.push(history);
    }
  }
}
