// The replay's state (docs/backtest-engine.md): the coin universe, per-coin settings and RSI, the open positions,
// the wallet and the account protections' book. The replay's steps extend it: position-walk.ts, auto-bot-entry.ts,
// then backtest-engine.ts.
import type { Direction } from '../../bots/engine/bot.types';
import { TradingBot } from '../../bots/engine/trading-bot';
import { ManualClock } from '../../common/clock';
import { TIMEFRAME_MS } from '../../exchange/exchange.types';
import { type ClosedTradeInfo } from '../../filters/rules/loss-reentry';
import { type LockBook } from '../../protections/lock-book';
import type { ProtectionLock } from '../../protections/protection-locks';
import {
  protectionSettings as accountProtectionSettings,
  type ProtectionSettings as AccountProtectionSettings,
} from '../../protections/protection-settings';
import { EquityHistory } from '../../protections/rules/equity-history';
import type { ClosedTradeFact } from '../../protections/rules/rule.types';
import type { BacktestParams, BacktestSymbol, BacktestTrade } from './backtest.types';
import { PreparedUniverse } from './replay-precompute';
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
  /** The setting-independent part: time grid, RSI series, where each coin's candles sit on the grid. */
  protected readonly prepared: PreparedUniverse;
  /** RSI (unrounded) at each candle index of each coin; NaN before the first value. */
  protected readonly rsiAt: Float64Array[];
  /** The live RSI history of each coin (one value per smoothing step): a prefix of it is the history at any candle. */
  protected readonly rsiHistory: Float64Array[];
  /** round2 of rsiAt. */
  protected readonly rsiRounded: Float64Array[];
  /** Each coin's entry thresholds (its effective config), for the auto-bot round's zone test. */
  protected readonly longThreshold: Float64Array;
  protected readonly shortThreshold: Float64Array;
  /** The grid step being replayed. */
  protected step = -1;
  protected readonly mature: Uint8Array;
  protected readonly lastCloseMs: Float64Array;
  protected readonly closedTrades: ClosedTradeInfo[][];
  protected readonly positions: Array<OpenPosition | null>;
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
    prepared?: PreparedUniverse,
  ) {
    this.clock = new ManualClock(0);
    this.tfMs = TIMEFRAME_MS[params.timeframe];
    this.n = universe.length;
    this.wallet = params.startingBalance;
    this.mature = new Uint8Array(this.n);
    this.lastCloseMs = new Float64Array(this.n);
    this.closedTrades = universe.map(() => []);
    this.positions = universe.map(() => null);
    this.account = accountProtectionSettings(params.config);
    const a = this.account;
    this.accountOn =
      a.maxDrawdown.enabled ||
      a.stoplossGuard.enabled ||
      a.dailyLoss.enabled ||
      a.cooldown.enabled ||
      a.lowProfit.enabled;
    this.settings = universe.map((coin) => coinSettings(params, coin));
    if (prepared && !prepared.fits(universe, this.tfMs)) {
      throw new Error('the prepared universe was built from other candles or another timeframe');
    }
    this.prepared = prepared ?? new PreparedUniverse(universe, this.tfMs);
    this.rsiAt = this.prepared.rsiAt;
    this.rsiHistory = this.prepared.rsiHistory;
    this.rsiRounded = this.prepared.rsiRounded;
    this.longThreshold = Float64Array.from(this.settings, (set) => set.config.rsi_long_threshold);
    this.shortThreshold = Float64Array.from(this.settings, (set) => set.config.rsi_short_threshold);
  }

  /** Index of coin s's candle at the current grid step, or -1 when it has none there. */
  protected candleAt(s: number): number {
    return this.prepared.indexAt(s, this.step);
  }

  /** Index of coin s's last candle at or before the current grid step (its last close), or -1. */
  protected lastCandle(s: number): number {
    return this.prepared.lastIndexAt(s, this.step);
  }

  /** Whether coin s counts as mature at its candle i (checked once per universe: PreparedUniverse.firstMatureIndex). */
  protected matureAt(s: number, i: number): boolean {
    return i >= this.prepared.firstMatureIndex(s, this.settings[s].maturity, this.params.tradeFromMs ?? -Infinity);
  }
}
