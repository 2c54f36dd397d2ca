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
import { JsonStore } from '../persistence/json-store.service';
import { StateRegistry } from '../persistence/state-registry.service';
import { RsiService } from '../rsi/rsi.service';
import type { Trend } from '../rsi/rsi.types';
import type { EffectiveBotConfig } from '../config/effective-bot-config';
import { entryTakeProfitPercent } from './engine/bot-settings';
import { VOLUME_MODES, type BotRecord, type CloseReason, type Direction, type TradeRecord, type VolumeMode } from './engine/bot.types';
import { globalStats, restoreBots, validateBotsStateFile, type BotsStateFile } from './engine/bots-state';
import { stopLossPercentWithinLiquidation, stopLossPrice, takeProfitPrice } from './engine/protection';
import { orderQuantity, positionNotionalUsdt, roundToTick } from './engine/sizing';
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

/** Filters a manual create turns off for its bot (the user chose the coin). */
const SKIPPED_FILTERS = { avoid_down_trend: false, avoid_up_trend: false, rsi_time_filter_enabled: false, enable_maturity_check: false };


/**
 * Owns the bots: the registry keyed by bare symbol, one mutex per symbol (requests and workers never act
 * on one bot at once), bots_state.json, and the two exchange-touching transitions, entry and close.
 */
@Injectable()
export class BotManager implements OnModuleInit {
  private readonly logger = new Logger('BotManager');
  private readonly bots = new Map<string, TradingBot>();
  private readonly locks = new Map<string, Mutex>();
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
    if (this.dirty) await this.save();
  }

  async save(): Promise<void> {
    this.dirty = false;
    const now = isoLocal(this.clock.now());
    const file: BotsStateFile = {
      bots: Object.fromEntries([...this.bots.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([s, b]) => [s, b.record])),
      auto_bot_config: { ...this.autoBotConfig.get() },
      global_stats: globalStats(this.bots.values()),
      last_saved: now,
      version: '1.0',
    };
    try {
      await this.store.save(BOTS_STATE_FILE, file);
      this.lastSaved = now;
    } catch (error) {
      this.dirty = true;
      throw error;
    }
  }

  /** Saves now; a failed write is logged and left for the auto-save (the in-memory state is still right). */
  async persist(): Promise<void> {
    try {
      await this.save();
    } catch (error) {
      this.logger.error(`Saving ${BOTS_STATE_FILE} failed: ${(error as Error).message}`);
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

  /** Runs `fn` holding the symbol's mutex. */
  withLock<T>(symbol: string, fn: () => Promise<T> | T): Promise<T> {
    let mutex = this.locks.get(symbol);
    if (!mutex) this.locks.set(symbol, (mutex = new Mutex()));
    return mutex.runExclusive(fn).finally(() => this.dropIdleLock(symbol, mutex));
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
      this.bots.set(symbol, created);
      if (position) created.applyExchangePosition(position, this.clock.now(), this.coinTrend(symbol), this.timeframe);
      this.history.log('BOT_START', symbol, created.record.id, `Bot created${position ? ' on an existing position' : ''}`, {
        direction: created.side, config: { volume_mode: volumeMode, volume_value: created.record.volume_value, leverage: created.record.leverage },
      });
      await this.persist();
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
      if (bot.resume(this.clock.now())) {
        this.history.log('BOT_START', symbol, bot.record.id, 'Bot started by user', { direction: bot.side, config: bot.record.config });
        await this.persist();
      }
      return bot.record;
    });
  }

  /** stop and pause: the bot is paused; its position (if any) and the exchange stops stay. */
  async pause(symbol: string, reason: string): Promise<BotRecord> {
    return this.withLock(symbol, async () => {
      const bot = this.require(symbol);
      bot.pause(this.clock.now(), reason);
      this.history.log('BOT_STOP', symbol, bot.record.id, `Bot paused: ${reason}`, { reason, pnl: bot.record.unrealized_pnl_usdt });
      await this.persist();
      return bot.record;
    });
  }

  /** Removes the bot; nothing happens on the exchange (an open position then shows as a manual one). */
  async delete(symbol: string, reason: string): Promise<void> {
    await this.withLock(symbol, async () => {
      const bot = this.require(symbol);
      this.bots.delete(symbol);
      this.history.log('BOT_STOP', symbol, bot.record.id, `Bot deleted: ${reason}`, { reason, pnl: bot.record.realized_pnl });
      await this.persist();
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
  async enterPosition(bot: TradingBot, direction: Direction, source: 'auto' | 'manual'): Promise<EntryOutcome> {
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
      const sl = stopLossPrice(direction, price, stopLossPercentWithinLiquidation(config.max_loss_percent, leverage));
      // The bot's own take-profit (per-coin → bot → global), the level the protection engine also closes at.
      const tp = takeProfitPrice(direction, price, entryTakeProfitPercent(config));
      const stopLoss = sl === null ? undefined : roundToTick(sl, market.tickSize);
      const takeProfit = tp === null ? undefined : roundToTick(tp, market.tickSize);
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
      const now = this.clock.now();
      bot.openPosition({
        direction, entryPrice, quantity, leverage, orderId: order.orderId, stopLoss: stopLoss ?? null, takeProfit: takeProfit ?? null,
        entryTrend: this.coinTrend(symbol), entryTimeframe: this.timeframe, entryRsi: this.coinRsi(symbol), nowMs: now, fee: order.fee,
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
    switch (trade?.reason) {
      case 'STOP_LOSS':
        if (bot.record.trailing_active) return 'TRAILING_STOP';
        if (bot.record.break_even_activated && bot.record.break_even_stop_set) return 'BREAK_EVEN';
        return 'STOP_LOSS';
      case 'TAKE_PROFIT':
        return 'TAKE_PROFIT';
      case 'LIQUIDATION':
        return 'LIQUIDATION';
      default:
        return 'CLOSED_ON_EXCHANGE';
    }
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
    await this.history.recordTrade(trade);
    this.logger.log(`${bot.symbol} ${trade.direction} closed (${exit.reason}) at ${exit.exitPrice}: PnL ${trade.pnl.toFixed(4)} USDT`);
    this.dirty = true;
    await publishEvent(this.events, DomainEvent.PositionClosed, {
      at: trade.close_time_ms, botId: trade.bot_id, symbol: trade.symbol, side: trade.direction, entryPrice: trade.entry_price, exitPrice: trade.exit_price,
      reason: exit.reason, pnlUsdt: trade.pnl, roiPercent: trade.roi, holdMs: trade.close_time_ms - trade.entry_timestamp, entryAt: trade.entry_timestamp,
    }, this.logger);
    if (this.bots.get(bot.symbol) === bot) await this.persist();
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

  /** restart-service: configs and bots re-read from disk (a bot in the middle of an action keeps its lock). */
  async reloadFromDisk(): Promise<void> {
    await this.flush();
    await this.reloadConfigs();
    await this.load();
  }

  /** The three settings files re-read from disk. */
  async reloadConfigs(): Promise<void> {
    await Promise.all([this.autoBotConfig.reload(), this.systemConfig.reload(), this.individualSettings.reload()]);
  }
}
