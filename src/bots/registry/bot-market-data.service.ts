import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { ExchangeService } from '../../exchange/exchange.service';
import type { Position, Timeframe } from '../../exchange/exchange.types';
import { RsiService } from '../../rsi/rsi.service';
import type { Trend } from '../../rsi/rsi.types';
import { BotRegistry } from './bot-registry.service';

export interface ManualPosition {
  symbol: string;
  side: 'Long' | 'Short';
  size: number;
  entry_price: number;
  mark_price: number;
  unrealized_pnl: number;
  leverage: number;
  stop_loss: number | null;
  take_profit: number | null;
}

/** Above this available balance (USDT) the insufficient-funds flag clears itself. */
const FUNDS_RECOVERED_USDT = 5;

/**
 * What the bots read about the market and the account: the coin's RSI and trend on the system timeframe, the last
 * positions snapshot (and which bots changed after it), the positions no bot manages, and the insufficient-funds flag.
 */
@Injectable()
export class BotMarketData {
  private lastPositions: { positions: Position[]; at: number } | null = null;
  private insufficientFunds = false;
  /** Bumped on every entry and close, so a positions snapshot can tell which bots changed after it was taken. */
  private changeSeq = 0;
  private readonly lastChange = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly exchange: ExchangeService,
    private readonly rsi: RsiService,
    private readonly registry: BotRegistry,
  ) {}

  get timeframe(): Timeframe {
    return this.rsi.timeframe as Timeframe;
  }

  coinTrend(symbol: string): Trend {
    const coin = this.rsi.getCoin(symbol);
    const trend = (coin?.[`trend${this.timeframe}`] ?? coin?.trend) as Trend | undefined;
    return trend === 'UP' || trend === 'DOWN' ? trend : 'NEUTRAL';
  }

  coinRsi(symbol: string): number | null {
    const coin = this.rsi.getCoin(symbol);
    const rsi = coin?.rsi;
    return typeof rsi === 'number' && Number.isFinite(rsi) ? rsi : null;
  }

  /** Open time of the candle the coin's RSI was computed on (the forming one), when the RSI service has it. */
  decisionCandleTime(symbol: string): number | null {
    const times = this.rsi.getMarketView(symbol)?.series.times();
    return times && times.length > 0 ? times[times.length - 1] : null;
  }

  /** RSI on an explicit timeframe (never another one): the coin record on the system timeframe, else computed. */
  async rsiOn(symbol: string, timeframe: Timeframe): Promise<number | null> {
    if (timeframe === this.timeframe) return this.coinRsi(symbol);
    const value = await this.rsi.computeRsiFor(symbol, timeframe);
    return typeof value === 'number' && Number.isFinite(value) ? value : null;
  }

  /** The position-change counter now (take it before fetching positions). */
  get positionChangeMark(): number {
    return this.changeSeq;
  }

  /** Whether the symbol's position was opened or closed after `mark`. */
  changedSince(symbol: string, mark: number): boolean {
    return (this.lastChange.get(symbol) ?? 0) > mark;
  }

  notePositionChange(symbol: string): void {
    this.lastChange.set(symbol, ++this.changeSeq);
  }

  async fetchPositions(): Promise<Position[]> {
    const positions = await this.exchange.fetchPositions();
    this.lastPositions = { positions, at: this.clock.now() };
    return positions;
  }

  /** Symbols of the last positions snapshot (empty before the first fetch). */
  openPositionSymbols(): string[] {
    return (this.lastPositions?.positions ?? []).map((p) => p.symbol);
  }

  /** Exchange positions that no bot manages (a bot that holds none of its own does not count). */
  manualPositions(positions: Position[] | null = this.lastPositions?.positions ?? null): ManualPosition[] {
    if (!positions) return [];
    return positions
      .filter((p) => !this.registry.find(p.symbol)?.holdsPosition)
      .map((p) => ({
        symbol: p.symbol,
        side: p.side,
        size: p.size,
        entry_price: p.entryPrice,
        mark_price: p.markPrice,
        unrealized_pnl: p.unrealizedPnl,
        leverage: p.leverage,
        stop_loss: p.stopLoss,
        take_profit: p.takeProfit,
      }));
  }

  get hasInsufficientFunds(): boolean {
    return this.insufficientFunds;
  }

  /** Set when an entry was refused for lack of margin. */
  noteInsufficientFunds(): void {
    this.insufficientFunds = true;
  }

  /** The flag clears itself once the available balance exceeds 5 USDT. */
  noteAvailableBalance(available: number): void {
    if (available > FUNDS_RECOVERED_USDT) this.insufficientFunds = false;
  }
}
