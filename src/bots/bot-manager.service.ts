import {
  BadRequestException, ConflictException, Injectable, Logger, NotFoundException, OnModuleInit, ServiceUnavailableException,
} from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { Mutex } from 'async-mutex';
import { Clock, isoLocal } from '../common/clock';
import { AutoBotConfigService } from '../config/auto-bot-config.service';
import { IndividualSettingsService } from '../config/individual-settings.service';
import { SystemConfigService } from '../config/system-config.service';
import { DomainEvent } from '../events/domain-events';
import { publishEvent } from '../events/publish';
import { ExchangeError, InsufficientFundsError } from '../exchange/exchange.errors';
import { ExchangeService } from '../exchange/exchange.service';
import type { ExchangeClosedTrade, OrderResult, Position, Timeframe } from '../exchange/exchange.types';
import { FilterService } from '../filters/filter.service';
import { MaturityService } from '../maturity/maturity.service';
import { StatusService } from '../health/status.service';
import { ActionGate } from '../persistence/action-gate';
import { JsonStore } from '../persistence/json-store.service';
import { PersistenceError } from '../persistence/persistence.error';
import { StateRegistry } from '../persistence/state-registry.service';
import { RsiService } from '../rsi/rsi.service';
import type { Trend } from '../rsi/rsi.types';
import type { EffectiveBotConfig } from '../config/effective-bot-config';
import { VOLUME_MODES, type BotRecord, type CloseReason, type Direction, type EntryDecisionAudit, type TradeRecord, type VolumeMode } from './engine/bot.types';
import { globalStats, restoreBots, validateBotsStateFile, type BotsStateFile } from './engine/bots-state';
import { entryLevels, exchangeCloseReason } from './engine/entry-levels';
import { orderQuantity, positionNotionalUsdt } from './engine/sizing';
import { TradingBot } from './engine/trading-bot';
import { BotHistoryService } from './history/bot-history.service';

export const BOTS_STATE_FILE = 'bots_state.json';
/** Position look-ups after an entry whose answer was lost (each already retried by the adapter). */
const UNCERTAIN_ENTRY_LOOKUPS = 3;

/** Keys a create request may set on the bot (docs/api-contract.md §2.2). */
export interface CreateBotRequest {
  symbol: string;
  config?: { volume_mode?: string; volume_value?: number; leverage?: number; status?: string; auto_managed?: boolean; margin_usdt?: number };
  signal?: string | null;
  skipMaturityCheck?: boolean;
  forceManualEntry?: boolean;
}

export type EntryOutcome = { ok: true; direction: Direction; entryPrice: number; quantity: number } | { ok: false; reason: string };

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

/** A registry change waiting to be saved: the symbol's record after it (null = removed) and how to apply it. */
interface PendingCommit {
  symbol: string;
  record: BotRecord | null;
  apply: () => void;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Filters a manual create turns off for its bot (the user chose the coin). */
const SKIPPED_FILTERS = { avoid_down_trend: false, avoid_up_trend: false, rsi_time_filter_enabled: false, enable_maturity_check: false };


/**
 * Owns the bots: the registry keyed by bare symbol, one mutex per symbol (requests and workers never act
 * on one bot at once), bots_state.json, and the two exchange-touching transitions, entry and close.
 * Every per-symbol action also holds the action gate shared; a reload from disk holds it exclusive, so it never
 * runs in the middle of an action (docs/reliability.md).
 */
@Injectable()
export class BotManager implements OnModuleInit {
  private readonly logger = new Logger('BotManager');
  private readonly bots = new Map<string, TradingBot>();
  private readonly locks = new Map<string, Mutex>();
  private readonly gate = new ActionGate();
  /** One bots_state.json write at a time, so a failed write can be answered before the next one snapshots. */
  private readonly saveLock = new Mutex();
  private pendingCommits: PendingCommit[] = [];
  private committing = false;
  private dirty = false;
  private lastSaved: string | null = null;
  private lastPositions: { positions: Position[]; at: number } | null = null;
  private insufficientFunds = false;
  /** Bumped on every entry and close, so a positions snapshot can tell which bots changed after it was taken. */
  private changeSeq = 0;
  private readonly lastChange = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly store: JsonStore,
    private readonly registry: StateRegistry,
    private readonly systemConfig: SystemConfigService,
    private readonly autoBotConfig: AutoBotConfigService,
    private readonly individualSettings: IndividualSettingsService,
    readonly exchange: ExchangeService,
    private readonly rsi: RsiService,
    private readonly filters: FilterService,
    private readonly maturity: MaturityService,
    readonly history: BotHistoryService,
    private readonly status: StatusService,
    private readonly events: EventEmitter2,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.load();
    this.registry.register('bots state', () => this.flush());
    this.status.registerBots(this);
  }

  // ---- registry and persistence ----

  async load(): Promise<void> {
    await this.gate.exclusive(() => this.loadLocked());
  }

  private async loadLocked(): Promise<void> {
    const file = await this.store.load<BotsStateFile>(BOTS_STATE_FILE, {
      defaults: () => ({ bots: {}, auto_bot_config: {}, global_stats: { active_bots: 0, bots_in_position: 0, total_pnl: 0 }, last_saved: '', version: '1.0' }),
      validate: validateBotsStateFile,
    });
    const restored = restoreBots(file, this.clock.now());
    this.bots.clear();
    for (const bot of restored.bots) this.bots.set(bot.symbol, bot);
    if (restored.droppedIdle.length) this.logger.log(`Dropped ${restored.droppedIdle.length} idle bots at load`);
    if (restored.invalid.length) this.logger.warn(`Ignored invalid bot records: ${restored.invalid.join(', ')}`);
    const inPosition = restored.bots.filter((b) => b.record.needs_exchange_sync).length;
    this.logger.log(`Loaded ${this.bots.size} bots (${inPosition} to re-sync with the exchange)`);
    this.lastSaved = file.last_saved || null;
    this.dirty = restored.droppedIdle.length > 0 || restored.invalid.length > 0;
  }

  markDirty(): void {
    this.dirty = true;
  }

  async flush(): Promise<void> {
    await this.gate.shared(async () => {
      if (this.dirty) await this.save();
    });
  }

  /** Writes the registry as it is; throws a PersistenceError naming the file and the cause. */
  async save(): Promise<void> {
    await this.saveLock.runExclusive(() => this.writeState(new Map()));
  }

  /** Writes bots_state.json: the registry with `overrides` (symbol → its record after a pending change, null = removed). */
  private async writeState(overrides: ReadonlyMap<string, BotRecord | null>): Promise<void> {
    const wasDirty = this.dirty;
    // With overrides the write carries changes applied only after it succeeded (commitChange): refused on failure.
    const refused = overrides.size > 0;
    this.dirty = false;
    const now = isoLocal(this.clock.now());
    const records = new Map([...this.bots.entries()].map(([symbol, bot]) => [symbol, bot.record]));
    for (const [symbol, record] of overrides) {
      if (record) records.set(symbol, record);
      else records.delete(symbol);
    }
    const file: BotsStateFile = {
      bots: Object.fromEntries([...records.entries()].sort(([a], [b]) => a.localeCompare(b))),
      auto_bot_config: { ...this.autoBotConfig.get() },
      global_stats: globalStats([...records.values()].map((record) => new TradingBot(record))),
      last_saved: now,
      version: '1.0',
    };
    try {
      await this.store.save(BOTS_STATE_FILE, file, { onFailure: refused ? 'refused' : 'kept' });
      this.lastSaved = now;
    } catch (error) {
      // Kept changes are retried by the auto-save (readiness reports the unsaved file until then); a refused
      // change leaves the registry as it was, unsaved only if it already was.
      if (refused) this.dirty ||= wasDirty;
      else this.dirty = true;
      throw PersistenceError.wrap(BOTS_STATE_FILE, error);
    }
  }

  /**
   * Saves after a change that already happened outside the service (an order filled, a position closed): the
   * change cannot be undone, so on failure it stays in memory, the auto-save keeps retrying, and the caller gets
   * the error marked as kept (docs/reliability.md).
   */
  async persist(): Promise<void> {
    try {
      await this.gate.shared(() => this.save());
    } catch (error) {
      throw PersistenceError.wrap(BOTS_STATE_FILE, error).kept();
    }
  }

  /**
   * A user's change to the registry, made durable before it is visible: the file is written with the symbol's
   * new record (null = removed) and only then is `apply` run. When the write fails nothing is applied, so memory
   * equals the disk, and the PersistenceError goes to the caller. Changes arriving during a write share the next.
   * The caller holds the symbol's lock, so no two pending changes concern one symbol.
   */
  private commitChange(symbol: string, record: BotRecord | null, apply: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pendingCommits.push({ symbol, record, apply, resolve, reject });
      if (!this.committing) void this.drainCommits();
    });
  }

  private async drainCommits(): Promise<void> {
    this.committing = true;
    try {
      while (this.pendingCommits.length > 0) {
        const batch = this.pendingCommits.splice(0);
        await this.saveLock.runExclusive(async () => {
          try {
            await this.writeState(new Map(batch.map((c) => [c.symbol, c.record])));
          } catch (error) {
            for (const change of batch) change.reject(error);
            return;
          }
          for (const change of batch) {
            change.apply();
            change.resolve();
          }
        });
      }
    } finally {
      this.committing = false;
    }
  }

  get lastSavedAt(): string | null {
    return this.lastSaved;
  }

  all(): TradingBot[] {
    return [...this.bots.values()];
  }

  symbols(): string[] {
    return [...this.bots.keys()];
  }

  find(symbol: string): TradingBot | undefined {
    return this.bots.get(symbol);
  }

  require(symbol: string): TradingBot {
    const bot = this.bots.get(symbol);
    if (!bot) throw new NotFoundException('Bot not found');
    return bot;
  }

  countBots(): { total: number; active: number; inPosition: number } {
    let active = 0;
    let inPosition = 0;
    for (const bot of this.bots.values()) {
      if (bot.isActive) active++;
      if (bot.holdsPosition) inPosition++;
    }
    return { total: this.bots.size, active, inPosition };
  }

  /** Runs `fn` holding the symbol's mutex (and the action gate shared: no reload runs meanwhile). */
  withLock<T>(symbol: string, fn: () => Promise<T> | T): Promise<T> {
    let mutex = this.locks.get(symbol);
    if (!mutex) this.locks.set(symbol, (mutex = new Mutex()));
    const lock = mutex;
    return this.gate.shared(() => lock.runExclusive(fn)).finally(() => this.dropIdleLock(symbol, lock));
  }

  /** Calls for any well-formed symbol take a lock: an idle one is dropped, so the map holds only locks in use. */
  private dropIdleLock(symbol: string, mutex: Mutex): void {
    if (!mutex.isLocked() && this.locks.get(symbol) === mutex) this.locks.delete(symbol);
  }

  /** Global + bot overrides + the coin's individual settings (docs/settings.md). */
  effectiveConfig(bot: TradingBot): EffectiveBotConfig {
    return this.individualSettings.effectiveConfig(bot.symbol, bot.record.config);
  }

  get timeframe(): Timeframe {
    return this.rsi.timeframe as Timeframe;
  }

  // ---- market data helpers ----

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

  private notePositionChange(symbol: string): void {
    this.lastChange.set(symbol, ++this.changeSeq);
  }

  async fetchPositions(): Promise<Position[]> {
    const positions = await this.exchange.fetchPositions();
    this.lastPositions = { positions, at: this.clock.now() };
    return positions;
  }

  /** Symbols with a position on the exchange at the last fetch (POSITIONS_VIEW, see bots.module.ts). */
  openPositionSymbols(): string[] {
    return (this.lastPositions?.positions ?? []).map((p) => p.symbol);
  }

  /** Exchange positions that no bot manages (a bot that holds none of its own does not count). */
  manualPositions(positions: Position[] | null = this.lastPositions?.positions ?? null): ManualPosition[] {
    if (!positions) return [];
    return positions
      .filter((p) => !this.bots.get(p.symbol)?.holdsPosition)
      .map((p) => ({
        symbol: p.symbol, side: p.side, size: p.size, entry_price: p.entryPrice, mark_price: p.markPrice,
        unrealized_pnl: p.unrealizedPnl, leverage: p.leverage, stop_loss: p.stopLoss, take_profit: p.takeProfit,
      }));
  }

  get hasInsufficientFunds(): boolean {
    return this.insufficientFunds;
  }

  /** The flag clears itself once the available balance exceeds 5 USDT. */
  noteAvailableBalance(available: number): void {
    if (available > 5) this.insufficientFunds = false;
  }

  // ---- lifecycle requests ----

  /**
   * POST /create: builds the bot (global → coin → request overrides), checks maturity unless skipped,
   * adopts an existing exchange position or, after the answer, enters in the forced / RSI direction.
   */
  async create(req: CreateBotRequest): Promise<{ bot: BotRecord; existing_position: boolean }> {
    if (!this.exchange.isReady) throw new ServiceUnavailableException('Exchange not initialized');
    const symbol = req.symbol;
    const market = this.exchange.market(symbol);
    if (!market) throw new NotFoundException(`Unknown symbol ${symbol}`);
    const leverage = req.config?.leverage;
    if (leverage !== undefined && market.maxLeverage >= 1 && leverage > market.maxLeverage) {
      // A bot above the exchange's limit would stay running and fail every entry.
      throw new BadRequestException({ success: false, error: `config.leverage: ${symbol} allows at most ${market.maxLeverage}x (asked ${leverage}x)`, field: 'leverage' });
    }
    const skipMaturity = Boolean(req.skipMaturityCheck || req.forceManualEntry);

    const { bot, existingPosition, direction } = await this.withLock(symbol, async () => {
      const current = this.bots.get(symbol);
      if (current?.holdsPosition) throw new ConflictException(`Bot for ${symbol} already holds a position`);
      const positions = await this.fetchPositions().catch((error: Error) => {
        throw new ServiceUnavailableException(`Cannot read exchange positions: ${error.message}`);
      });
      const position = positions.find((p) => p.symbol === symbol) ?? null;
      const coinConfig = this.individualSettings.effectiveConfig(symbol);
      if (!skipMaturity && !position && coinConfig.enable_maturity_check && this.maturity.check(symbol)?.is_mature !== true) {
        throw new BadRequestException(`Coin ${symbol} did not pass the maturity check (${this.timeframe})`);
      }
      const c = req.config ?? {};
      // Request overrides first, then the coin's saved volume (the UI stores it in its individual settings), then the defaults.
      const isMode = (m: unknown): m is VolumeMode => VOLUME_MODES.includes(m as VolumeMode);
      const volumeMode = isMode(c.volume_mode) ? c.volume_mode : (coinConfig.volume_mode ?? coinConfig.default_position_mode);
      const savedValue = coinConfig.volume_value;
      const created = TradingBot.create({
        symbol,
        nowMs: this.clock.now(),
        volumeMode,
        volumeValue: c.volume_value ?? savedValue ?? coinConfig.default_position_size,
        leverage: c.leverage ?? coinConfig.leverage,
        autoManaged: c.auto_managed ?? false,
        config: skipMaturity ? { ...SKIPPED_FILTERS } : {},
      });
      if (c.margin_usdt !== undefined) created.record.margin_usdt = c.margin_usdt;
      if (c.status === 'paused') created.pause(this.clock.now(), 'created paused');
      if (position) created.applyExchangePosition(position, this.clock.now(), this.coinTrend(symbol), this.timeframe);
      // Registered only once it is on disk: a failed save answers the error and leaves no bot behind.
      await this.commitChange(symbol, created.record, () => this.bots.set(symbol, created));
      this.history.log('BOT_START', symbol, created.record.id, `Bot created${position ? ' on an existing position' : ''}`, {
        direction: created.side, config: { volume_mode: volumeMode, volume_value: created.record.volume_value, leverage: created.record.leverage },
      });
      return { bot: created, existingPosition: position !== null, direction: position ? null : this.createDirection(req, symbol, created) };
    });

    if (direction && bot.status === 'running') {
      // The original answered first and entered in the background; so do we.
      void this.withLock(symbol, () => (this.bots.get(symbol) === bot && bot.canEnter() ? this.enterPosition(bot, direction, 'manual') : null)).catch((error: Error) =>
        this.logger.error(`Background entry for ${symbol} failed: ${error.message}`),
      );
    }
    return { bot: bot.record, existing_position: existingPosition };
  }

  /** The forced direction (force_manual_entry + a LONG/SHORT signal), else the one RSI is in, else none (the bot waits). */
  private createDirection(req: CreateBotRequest, symbol: string, bot: TradingBot): Direction | null {
    const signal = (req.signal ?? '').toUpperCase();
    if (req.forceManualEntry && signal.includes('LONG')) return 'LONG';
    if (req.forceManualEntry && signal.includes('SHORT')) return 'SHORT';
    return this.rsiDirection(symbol, bot);
  }

  /** LONG when RSI ≤ the long threshold, SHORT when ≥ the short threshold (the bot's effective config). */
  rsiDirection(symbol: string, bot: TradingBot): Direction | null {
    const rsi = this.coinRsi(symbol);
    if (rsi === null) return null;
    const config = this.effectiveConfig(bot);
    if (rsi <= config.rsi_long_threshold) return 'LONG';
    if (rsi >= config.rsi_short_threshold) return 'SHORT';
    return null;
  }

  async start(symbol: string): Promise<BotRecord> {
    return this.withLock(symbol, async () => {
      const bot = this.require(symbol);
      const draft = new TradingBot(structuredClone(bot.record));
      if (draft.resume(this.clock.now())) {
        await this.commitChange(symbol, draft.record, () => (bot.record = draft.record));
        this.history.log('BOT_START', symbol, bot.record.id, 'Bot started by user', { direction: bot.side, config: bot.record.config });
      }
      return bot.record;
    });
  }

  /** stop and pause: the bot is paused; its position (if any) and the exchange stops stay. */
  async pause(symbol: string, reason: string): Promise<BotRecord> {
    return this.withLock(symbol, async () => {
      const bot = this.require(symbol);
      const draft = new TradingBot(structuredClone(bot.record));
      draft.pause(this.clock.now(), reason);
      await this.commitChange(symbol, draft.record, () => (bot.record = draft.record));
      this.history.log('BOT_STOP', symbol, bot.record.id, `Bot paused: ${reason}`, { reason, pnl: bot.record.unrealized_pnl_usdt });
      return bot.record;
    });
  }

  /** Removes the bot; nothing happens on the exchange (an open position then shows as a manual one). */
  async delete(symbol: string, reason: string): Promise<void> {
    await this.withLock(symbol, async () => {
      const bot = this.require(symbol);
      await this.commitChange(symbol, null, () => this.bots.delete(symbol));
      this.history.log('BOT_STOP', symbol, bot.record.id, `Bot deleted: ${reason}`, { reason, pnl: bot.record.realized_pnl });
    });
  }

  /** Removes a bot (cleanup); the caller holds the lock. */
  removeLocked(symbol: string, reason: string): void {
    const bot = this.bots.get(symbol);
    if (!bot) return;
    this.bots.delete(symbol);
    this.history.log('BOT_STOP', symbol, bot.record.id, `Bot removed: ${reason}`, { reason, pnl: bot.record.realized_pnl });
    this.dirty = true;
  }

  /** Registers a bot built by the auto-bot after its entry succeeded; the caller holds the lock. */
  registerLocked(bot: TradingBot): void {
    this.bots.set(bot.symbol, bot);
    this.dirty = true;
  }

  /**
   * POST /close-position: market-closes the symbol's position; the bot (if any) goes idle and the trade is
   * recorded. Nothing to close → null.
   */
  async closePositionManually(symbol: string): Promise<{ closed: Array<{ side: string; size: number; order_id: string }>; errors: string[] } | null> {
    return this.withLock(symbol, async () => {
      const positions = await this.fetchPositions();
      const own = positions.filter((p) => p.symbol === symbol);
      if (own.length === 0) return null;
      const bot = this.bots.get(symbol);
      const closed: Array<{ side: string; size: number; order_id: string }> = [];
      const errors: string[] = [];
      for (const position of own) {
        try {
          if (bot?.holdsPosition) {
            const order = await this.closeBotLocked(bot, 'MANUAL_CLOSE', null);
            closed.push({ side: position.side, size: position.size, order_id: order?.orderId ?? '' });
          } else {
            const order = await this.exchange.closePosition(symbol);
            if (order) closed.push({ side: position.side, size: position.size, order_id: order.orderId });
          }
        } catch (error) {
          // The position is closed but the record could not be saved: that is the answer, not a partial success.
          if (error instanceof PersistenceError) throw error;
          errors.push(`${position.side}: ${(error as Error).message}`);
        }
      }
      if (bot && closed.length && !bot.holdsPosition && bot.status !== 'idle') {
        bot.record.status = 'idle';
        await this.persist();
      }
      return { closed, errors };
    });
  }

  // ---- the two exchange transitions ----

  /**
   * Entry gate and market entry (docs/trading-logic.md §6.D, §7.2): delisted / already in position / any exchange
   * position → refuse; size the order; set leverage; market order with the stop-loss (and take-profit) attached.
   * The caller holds the symbol's lock. Failures never throw: they answer the reason.
   */
  async enterPosition(bot: TradingBot, direction: Direction, source: 'auto' | 'manual', filtersPassed: readonly string[] = []): Promise<EntryOutcome> {
    const symbol = bot.symbol;
    const fail = (reason: string): EntryOutcome => {
      this.logger.warn(`Entry ${direction} ${symbol} refused: ${reason}`);
      if (this.bots.get(symbol) === bot) this.history.log('ERROR', symbol, bot.record.id, `Entry ${direction} failed: ${reason}`, { direction });
      return { ok: false, reason };
    };
    if (!bot.canEnter()) return fail(`bot is ${bot.status}`);
    try {
      if (this.filters.isDelisted(symbol)) return fail('coin_delisted');
      const market = this.exchange.market(symbol);
      if (!market) return fail('unknown_symbol');
      if (market.status !== 'Trading') return fail(`trading_status ${market.status}`);
      let positions: Position[];
      try {
        positions = await this.fetchPositions();
      } catch (error) {
        return fail(`positions_unavailable: ${(error as Error).message}`);
      }
      if (positions.some((p) => p.symbol === symbol)) return fail('exchange_position_exists');

      const config = this.effectiveConfig(bot);
      if (config.trading_enabled === false) return fail('trading_disabled');
      const ticker = (await this.exchange.fetchTickers()).get(symbol);
      // A market buy fills near the ask, a sell near the bid: size and place the stops from there.
      const price = (direction === 'LONG' ? ticker?.ask : ticker?.bid) || ticker?.last || 0;
      if (!(price > 0)) return fail('no_price');
      const balance = await this.exchange.fetchBalance();
      this.noteAvailableBalance(balance.availableBalance);
      const leverage = Math.max(1, Math.min(Math.round(bot.record.leverage || config.leverage), market.maxLeverage || 125));
      const sizing = orderQuantity({
        notionalUsdt: positionNotionalUsdt(bot.record.volume_mode, bot.record.volume_value, balance.walletBalance),
        price,
        qtyStep: market.qtyStep,
        minOrderQty: market.minOrderQty,
        minNotional: market.minNotional,
        availableBalance: balance.availableBalance,
        leverage,
      });
      if (!sizing.ok) return fail(`${sizing.error}: ${sizing.message}`);
      if (sizing.marginUsdt > balance.availableBalance) {
        this.insufficientFunds = true;
        return fail(`insufficient_funds: margin ${sizing.marginUsdt.toFixed(2)} USDT > available ${balance.availableBalance.toFixed(2)} USDT`);
      }

      await this.exchange.setLeverage(symbol, leverage);
      const decidedAt = this.clock.now();
      const decisionRsi = this.coinRsi(symbol);
      const decisionTrend = this.coinTrend(symbol);
      // Placed with the order from the quote; re-anchored on the fill below so both levels measure from the fill.
      const quoted = entryLevels(direction, price, config, leverage, market.tickSize);
      let stopLoss = quoted.stopLoss ?? undefined;
      let takeProfit = quoted.takeProfit ?? undefined;
      const clientOrderId = `${bot.record.id}-${this.clock.now()}`;
      let order: OrderResult;
      try {
        order = await this.exchange.createMarketOrder({ symbol, side: direction === 'LONG' ? 'buy' : 'sell', amount: sizing.quantity, stopLoss, takeProfit, clientOrderId });
      } catch (error) {
        // When every attempt lost its answer the order may still have filled: look before giving up, so a live
        // position never stays on the exchange without its bot.
        const adopted = error instanceof ExchangeError && error.retryable ? await this.findUncertainEntry(symbol, direction, clientOrderId) : null;
        if (!adopted) throw error;
        this.logger.warn(`Entry ${direction} ${symbol}: the order answer was lost (${(error as Error).message}) but the position exists; taking it over`);
        order = adopted;
      }
      const entryPrice = order.price && order.price > 0 ? order.price : price;
      const quantity = order.amount > 0 ? order.amount : sizing.quantity;
      ({ stopLoss, takeProfit } = await this.reanchorLevels(symbol, direction, entryPrice, config, leverage, market.tickSize, { stopLoss, takeProfit }));
      const now = this.clock.now();
      const decision: EntryDecisionAudit = {
        decision_time: isoLocal(decidedAt), decision_time_ms: decidedAt, decision_price: price, decision_rsi: decisionRsi,
        decision_candle_time: this.decisionCandleTime(symbol), decision_trend: decisionTrend, filters_passed: [...filtersPassed],
        stop_loss_set: stopLoss ?? null, take_profit_set: takeProfit ?? null,
      };
      bot.openPosition({
        direction, entryPrice, quantity, leverage, orderId: order.orderId, stopLoss: stopLoss ?? null, takeProfit: takeProfit ?? null,
        entryTrend: this.coinTrend(symbol), entryTimeframe: this.timeframe, entryRsi: this.coinRsi(symbol), nowMs: now, fee: order.fee, decision,
      });
      bot.record.opened_by_autobot = source === 'auto';
      this.notePositionChange(symbol);
      this.history.log('POSITION_OPENED', symbol, bot.record.id, `${direction} ${quantity} @ ${entryPrice} (${source})`, {
        direction, size: quantity, entry_price: entryPrice, stop_loss: stopLoss ?? null, take_profit: takeProfit ?? null,
        decision_source: source === 'auto' ? 'SCRIPT' : 'MANUAL', rsi: bot.record.entry_rsi, trend: bot.record.entry_trend, is_simulated: this.exchange.isPaper,
      });
      if (stopLoss !== undefined) this.history.log('STOP_LOSS_SET', symbol, bot.record.id, `Stop-loss at ${stopLoss}`, { stop_loss: stopLoss });
      if (takeProfit !== undefined) this.history.log('TAKE_PROFIT_SET', symbol, bot.record.id, `Take-profit at ${takeProfit}`, { take_profit: takeProfit });
      this.dirty = true;
      // Durable in the notifications outbox before the entry is acknowledged (docs/notifications.md).
      await publishEvent(this.events, DomainEvent.PositionOpened, {
        at: now, botId: bot.record.id, symbol, side: direction, price: entryPrice, quantity, leverage, stopLoss: stopLoss ?? null, takeProfit: takeProfit ?? null, source,
      }, this.logger);
      if (this.bots.get(symbol) === bot) await this.persist();
      return { ok: true, direction, entryPrice, quantity };
    } catch (error) {
      if (error instanceof InsufficientFundsError) this.insufficientFunds = true;
      if (error instanceof ExchangeError) return fail(`exchange_error: ${error.message}`);
      throw error;
    }
  }

  /**
   * The stop-loss and take-profit went out with the order, measured from the quote; once the fill price is known both
   * move to the same distances from the fill (docs/backtest-engine.md, "Stops from the fill"). A refused move keeps
   * the levels the exchange holds, and the record says so.
   */
  private async reanchorLevels(
    symbol: string, direction: Direction, fillPrice: number, config: EffectiveBotConfig, leverage: number, tickSize: number,
    placed: { stopLoss: number | undefined; takeProfit: number | undefined },
  ): Promise<{ stopLoss: number | undefined; takeProfit: number | undefined }> {
    const fromFill = entryLevels(direction, fillPrice, config, leverage, tickSize);
    const stopLoss = fromFill.stopLoss ?? undefined;
    const takeProfit = fromFill.takeProfit ?? undefined;
    if (stopLoss === placed.stopLoss && takeProfit === placed.takeProfit) return placed;
    try {
      await this.exchange.setTradingStop(symbol, { stopLoss, takeProfit });
      return { stopLoss, takeProfit };
    } catch (error) {
      this.logger.warn(`${symbol}: moving the entry stops to the fill price failed (${(error as Error).message}); the quoted ones stay`);
      return placed;
    }
  }

  /** Open time of the candle the coin's RSI was computed on (the forming one), when the RSI service has it. */
  private decisionCandleTime(symbol: string): number | null {
    const times = this.rsi.getMarketView(symbol)?.series.times();
    return times && times.length > 0 ? times[times.length - 1] : null;
  }

  /** After an entry whose outcome is unknown: the position the order opened, if the exchange has one. */
  private async findUncertainEntry(symbol: string, direction: Direction, clientOrderId: string): Promise<OrderResult | null> {
    const side = direction === 'LONG' ? 'Long' : 'Short';
    for (let attempt = 0; attempt < UNCERTAIN_ENTRY_LOOKUPS; attempt++) {
      try {
        const position = (await this.exchange.fetchPositions()).find((p) => p.symbol === symbol && p.side === side);
        if (!position) return null;
        return { orderId: clientOrderId, symbol, side: direction === 'LONG' ? 'buy' : 'sell', amount: position.size, price: position.entryPrice, fee: 0 };
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 200 * (attempt + 1)));
      }
    }
    return null;
  }

  /**
   * Market-closes the bot's position and records the trade. A position already gone on the exchange is
   * closed on the record with the exchange's own exit (fetchClosedTrades) or the last price.
   * The caller holds the symbol's lock.
   */
  async closeBotLocked(bot: TradingBot, reason: CloseReason, exitRsi: number | null) {
    const symbol = bot.symbol;
    const order = await this.exchange.closePosition(symbol);
    if (!order) {
      await this.closeExternallyLocked(bot);
      return null;
    }
    const exitPrice = order.price && order.price > 0 ? order.price : await this.lastPrice(symbol, bot);
    await this.finishClose(bot, { exitPrice, reason, exitRsi, fee: order.fee });
    return order;
  }

  /** The exchange no longer has the bot's position (stop hit, liquidation, closed by hand): record the trade. */
  async closeExternallyLocked(bot: TradingBot): Promise<void> {
    const since = (bot.record.entry_timestamp ?? this.clock.now()) - 1000;
    const side = bot.side === 'LONG' ? 'Long' : 'Short';
    let match: ExchangeClosedTrade | undefined;
    try {
      match = (await this.exchange.fetchClosedTrades(since)).filter((t) => t.symbol === bot.symbol && t.side === side).sort((a, b) => b.closedAt - a.closedAt)[0];
    } catch (error) {
      this.logger.warn(`fetchClosedTrades failed for ${bot.symbol}: ${(error as Error).message}`);
    }
    const exitPrice = match?.exitPrice ?? (await this.lastPrice(bot.symbol, bot));
    const reason = this.externalReason(bot, match);
    const trade = await this.finishClose(bot, { exitPrice, reason, exitRsi: null, netPnl: match?.pnl, closedAt: match?.closedAt });
    await publishEvent(this.events, DomainEvent.ClosedOutside, {
      at: trade.close_time_ms, symbol: bot.symbol, side: trade.direction, reason, exitPrice: trade.exit_price, pnlUsdt: trade.pnl,
    }, this.logger);
  }

  /** Names an exchange-side close after what the bot's stop was at that moment. */
  private externalReason(bot: TradingBot, trade: ExchangeClosedTrade | undefined): CloseReason {
    const kind = trade?.reason === 'STOP_LOSS' || trade?.reason === 'TAKE_PROFIT' || trade?.reason === 'LIQUIDATION' ? trade.reason : 'OTHER';
    return exchangeCloseReason(kind, {
      trailingActive: bot.record.trailing_active, breakEvenActivated: bot.record.break_even_activated, breakEvenStopSet: bot.record.break_even_stop_set,
    });
  }

  private async finishClose(
    bot: TradingBot,
    exit: { exitPrice: number; reason: CloseReason; exitRsi: number | null; fee?: number; netPnl?: number; closedAt?: number },
  ): Promise<TradeRecord> {
    const trade = bot.closePosition({
      exitPrice: exit.exitPrice, nowMs: exit.closedAt ?? this.clock.now(), reason: exit.reason, exitRsi: exit.exitRsi,
      simulated: this.exchange.isPaper, fee: exit.fee, netPnl: exit.netPnl,
    });
    if (exit.reason === 'STOP_LOSS' || exit.reason === 'TAKE_PROFIT' || exit.reason === 'TRAILING_STOP') {
      this.history.log(exit.reason, bot.symbol, bot.record.id, `${exit.reason} at ${exit.exitPrice}`, { exit_price: exit.exitPrice, pnl: trade.pnl });
    }
    this.notePositionChange(bot.symbol);
    this.dirty = true;
    // The position is gone on the exchange: the close stays in memory whatever the disk says, both files are
    // attempted, and a failed save reaches the caller (kept in memory, retried by the auto-save).
    let failure: PersistenceError | null = null;
    let recorded = false;
    try {
      recorded = await this.history.recordTrade(trade);
      if (!recorded) this.logger.warn(`${bot.symbol}: trade of the position opened at ${trade.entry_timestamp} was already recorded; not counted twice`);
    } catch (error) {
      // Kept in memory: the trade is there and is announced; its save is retried.
      recorded = true;
      failure = PersistenceError.wrap('bot_history.json', error).kept();
    }
    this.logger.log(`${bot.symbol} ${trade.direction} closed (${exit.reason}) at ${exit.exitPrice}: PnL ${trade.pnl.toFixed(4)} USDT`);
    // Announced once per trade, like the record (the outbox has it before the close is acknowledged).
    if (recorded) {
      await publishEvent(this.events, DomainEvent.PositionClosed, {
        at: trade.close_time_ms, botId: trade.bot_id, symbol: trade.symbol, side: trade.direction, entryPrice: trade.entry_price, exitPrice: trade.exit_price,
        reason: exit.reason, pnlUsdt: trade.pnl, roiPercent: trade.roi, holdMs: trade.close_time_ms - trade.entry_timestamp, entryAt: trade.entry_timestamp,
      }, this.logger);
    }
    if (this.bots.get(bot.symbol) === bot) {
      try {
        await this.persist();
      } catch (error) {
        failure ??= PersistenceError.wrap(BOTS_STATE_FILE, error).kept();
      }
    }
    if (failure) throw failure;
    return trade;
  }

  private async lastPrice(symbol: string, bot: TradingBot): Promise<number> {
    try {
      const ticker = (await this.exchange.fetchTickers()).get(symbol);
      if (ticker && ticker.last > 0) return ticker.last;
    } catch (error) {
      this.logger.warn(`No ticker for ${symbol}: ${(error as Error).message}`);
    }
    return bot.record.current_price ?? bot.record.entry_price ?? 0;
  }

  /**
   * restart-service: configs, bots and history re-read from disk. Holds the action gate exclusive: it waits for
   * running actions and no action starts until it is done, so nothing acknowledged meanwhile is wiped. Unsaved
   * changes are saved first; when that fails nothing is reloaded (the memory holds the newest state).
   */
  async reloadFromDisk(): Promise<void> {
    await this.gate.exclusive(async () => {
      await this.flush();
      await this.history.flush();
      await this.reloadConfigs();
      await this.loadLocked();
      await this.history.load();
    });
  }

  /** The three settings files re-read from disk (alone, like a reload of the bots). */
  async reloadConfigs(): Promise<void> {
    await this.gate.exclusive(() => Promise.all([this.autoBotConfig.reload(), this.systemConfig.reload(), this.individualSettings.reload()]));
  }
}
