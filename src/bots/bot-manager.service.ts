import { Injectable } from '@nestjs/common';
import type { EffectiveBotConfig } from '../config/effective-bot-config';
import { IndividualSettingsService } from '../config/individual-settings.service';
import type { OrderResult, Position, Timeframe } from '../exchange/exchange.types';
import { RsiService } from '../rsi/rsi.service';
import type { Trend } from '../rsi/rsi.types';
import { BotCommands, type CreateBotRequest, type ManualCloseResult } from './commands/bot-commands.service';
import type { BotRecord, CloseReason, Direction } from './engine/bot.types';
import type { TradingBot } from './engine/trading-bot';
import { PositionExecution, type EntryOutcome } from './execution/position-execution.service';
import { BotMarketData, type ManualPosition } from './registry/bot-market-data.service';
import { BotRegistry, type BotCounts } from './registry/bot-registry.service';

export { BOTS_STATE_FILE } from './registry/bot-registry.service';
export type { CreateBotRequest, EntryOutcome, ManualPosition };

/**
 * The bots' front door: one place the workers, controllers and other modules call. The work is done by
 * BotRegistry (bots map, per-symbol locks, the action gate, bots_state.json), BotMarketData (RSI/trend, positions
 * snapshot, funds flag), PositionExecution (entry and close on the exchange) and BotCommands (lifecycle requests).
 */
@Injectable()
export class BotManager {
  constructor(
    private readonly registry: BotRegistry,
    private readonly market: BotMarketData,
    private readonly execution: PositionExecution,
    private readonly commands: BotCommands,
    private readonly individualSettings: IndividualSettingsService,
    private readonly rsi: RsiService,
  ) {}

  // ---- registry and persistence (BotRegistry) ----

  load(): Promise<void> {
    return this.registry.load();
  }

  markDirty(): void {
    this.registry.markDirty();
  }

  flush(): Promise<void> {
    return this.registry.flush();
  }

  save(): Promise<void> {
    return this.registry.save();
  }

  persist(): Promise<void> {
    return this.registry.persist();
  }

  get lastSavedAt(): string | null {
    return this.registry.lastSavedAt;
  }

  all(): TradingBot[] {
    return this.registry.all();
  }

  symbols(): string[] {
    return this.registry.symbols();
  }

  find(symbol: string): TradingBot | undefined {
    return this.registry.find(symbol);
  }

  require(symbol: string): TradingBot {
    return this.registry.require(symbol);
  }

  countBots(): BotCounts {
    return this.registry.countBots();
  }

  withLock<T>(symbol: string, fn: () => Promise<T> | T): Promise<T> {
    return this.registry.withLock(symbol, fn);
  }

  /** Registers a bot built by the auto-bot after its entry succeeded; the caller holds the lock. */
  registerLocked(bot: TradingBot): void {
    this.registry.add(bot);
  }

  /** Global + bot overrides + the coin's individual settings (docs/settings.md). */
  effectiveConfig(bot: TradingBot): EffectiveBotConfig {
    return this.individualSettings.effectiveConfig(bot.symbol, bot.record.config);
  }

  // ---- market data (BotMarketData) ----

  get timeframe(): Timeframe {
    return this.market.timeframe;
  }

  coinTrend(symbol: string): Trend {
    return this.market.coinTrend(symbol);
  }

  coinRsi(symbol: string): number | null {
    return this.market.coinRsi(symbol);
  }

  rsiOn(symbol: string, timeframe: Timeframe): Promise<number | null> {
    return this.market.rsiOn(symbol, timeframe);
  }

  get positionChangeMark(): number {
    return this.market.positionChangeMark;
  }

  changedSince(symbol: string, mark: number): boolean {
    return this.market.changedSince(symbol, mark);
  }

  fetchPositions(): Promise<Position[]> {
    return this.market.fetchPositions();
  }

  /** Symbols with a position on the exchange at the last fetch (the POSITIONS_VIEW port, see bots.module.ts). */
  openPositionSymbols(): string[] {
    return this.market.openPositionSymbols();
  }

  manualPositions(positions?: Position[] | null): ManualPosition[] {
    return this.market.manualPositions(positions);
  }

  get hasInsufficientFunds(): boolean {
    return this.market.hasInsufficientFunds;
  }

  noteAvailableBalance(available: number): void {
    this.market.noteAvailableBalance(available);
  }

  // ---- lifecycle requests (BotCommands) ----

  create(req: CreateBotRequest): Promise<{ bot: BotRecord; existing_position: boolean }> {
    return this.commands.create(req);
  }

  rsiDirection(symbol: string, bot: TradingBot): Direction | null {
    return this.commands.rsiDirection(symbol, bot);
  }

  start(symbol: string): Promise<BotRecord> {
    return this.commands.start(symbol);
  }

  pause(symbol: string, reason: string): Promise<BotRecord> {
    return this.commands.pause(symbol, reason);
  }

  delete(symbol: string, reason: string): Promise<void> {
    return this.commands.delete(symbol, reason);
  }

  removeLocked(symbol: string, reason: string): void {
    this.commands.removeLocked(symbol, reason);
  }

  closePositionManually(symbol: string): Promise<ManualCloseResult | null> {
    return this.commands.closePositionManually(symbol);
  }

  reloadFromDisk(): Promise<void> {
    return this.commands.reloadFromDisk();
  }

  reloadConfigs(): Promise<void> {
    return this.commands.reloadConfigs();
  }

  // ---- the two exchange transitions (PositionExecution) ----

  enterPosition(
    bot: TradingBot,
    direction: Direction,
    source: 'auto' | 'manual',
    filtersPassed: readonly string[] = [],
  ): Promise<EntryOutcome> {
    return this.execution.enterPosition(bot, direction, source, filtersPassed);
  }

  closeBotLocked(bot: TradingBot, reason: CloseReason, exitRsi: number | null): Promise<OrderResult | null> {
    return this.execution.closeBotLocked(bot, reason, exitRsi);
  }

  closeExternallyLocked(bot: TradingBot): Promise<void> {
    return this.execution.closeExternallyLocked(bot);
  }
}
