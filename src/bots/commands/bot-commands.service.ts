import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { ConflictError, NotFoundError, UnavailableError, ValidationError } from '../../common/errors';
import { AutoBotConfigService } from '../../config/auto-bot-config.service';
import { IndividualSettingsService } from '../../config/individual-settings.service';
import { SystemConfigService } from '../../config/system-config.service';
import { ExchangeService } from '../../exchange/exchange.service';
import { MaturityService } from '../../maturity/maturity.service';
import { PersistenceError } from '../../persistence/persistence.error';
import { VOLUME_MODES, type BotRecord, type Direction, type VolumeMode } from '../engine/bot.types';
import { TradingBot } from '../engine/trading-bot';
import { PositionExecution } from '../execution/position-execution.service';
import { BotHistoryService } from '../history/bot-history.service';
import { BotMarketData } from '../registry/bot-market-data.service';
import { BotRegistry } from '../registry/bot-registry.service';

/** Keys a create request may set on the bot (docs/api-contract.md §2.2). */
export interface CreateBotRequest {
  symbol: string;
  config?: {
    volume_mode?: string;
    volume_value?: number;
    leverage?: number;
    status?: string;
    auto_managed?: boolean;
    margin_usdt?: number;
  };
  signal?: string | null;
  skipMaturityCheck?: boolean;
  forceManualEntry?: boolean;
}

export interface ManualCloseResult {
  closed: Array<{ side: string; size: number; order_id: string }>;
  errors: string[];
}

/** Filters a manual create turns off for its bot (the user chose the coin). */
const SKIPPED_FILTERS = {
  avoid_down_trend: false,
  avoid_up_trend: false,
  rsi_time_filter_enabled: false,
  enable_maturity_check: false,
};

/**
 * The user's lifecycle commands on bots: create, start, pause, delete, close a position, and the reloads from disk.
 * Each takes the symbol's lock; a change is on disk before it is visible (BotRegistry.commitChange).
 */
@Injectable()
export class BotCommands {
  private readonly logger = new Logger('BotManager');

  constructor(
    private readonly clock: Clock,
    private readonly registry: BotRegistry,
    private readonly market: BotMarketData,
    private readonly execution: PositionExecution,
    private readonly exchange: ExchangeService,
    private readonly maturity: MaturityService,
    private readonly systemConfig: SystemConfigService,
    private readonly autoBotConfig: AutoBotConfigService,
    private readonly individualSettings: IndividualSettingsService,
    private readonly history: BotHistoryService,
  ) {}

  /**
   * POST /create: builds the bot (global → coin → request overrides), checks maturity unless skipped,
   * adopts an existing exchange position or, after the answer, enters in the forced / RSI direction.
   */
  async create(req: CreateBotRequest): Promise<{ bot: BotRecord; existing_position: boolean }> {
    if (!this.exchange.isReady) throw new UnavailableError('Exchange not initialized');
    const symbol = req.symbol;
    const market = this.exchange.market(symbol);
    if (!market) throw new NotFoundError(`Unknown symbol ${symbol}`);
    const leverage = req.config?.leverage;
    if (leverage !== undefined && market.maxLeverage >= 1 && leverage > market.maxLeverage) {
      // A bot above the exchange's limit would stay running and fail every entry.
      throw new ValidationError(
        'leverage',
        `config.leverage: ${symbol} allows at most ${market.maxLeverage}x (asked ${leverage}x)`,
      );
    }
    const skipMaturity = Boolean(req.skipMaturityCheck || req.forceManualEntry);

    const { bot, existingPosition, direction } = await this.registry.withLock(symbol, async () => {
      const current = this.registry.find(symbol);
      if (current?.holdsPosition) throw new ConflictError(`Bot for ${symbol} already holds a position`);
      const positions = await this.market.fetchPositions().catch((error: Error) => {
        throw new UnavailableError(`Cannot read exchange positions: ${error.message}`);
      });
      const position = positions.find((p) => p.symbol === symbol) ?? null;
      const coinConfig = this.individualSettings.effectiveConfig(symbol);
      if (
        !skipMaturity &&
        !position &&
        coinConfig.enable_maturity_check &&
        this.maturity.check(symbol)?.is_mature !== true
      ) {
        throw new ValidationError(null, `Coin ${symbol} did not pass the maturity check (${this.market.timeframe})`);
      }
      const c = req.config ?? {};
      // Request overrides first, then the coin's saved volume (the UI stores it in its individual settings), then the
      // defaults.
      const isMode = (m: unknown): m is VolumeMode => VOLUME_MODES.includes(m as VolumeMode);
      const volumeMode = isMode(c.volume_mode)
        ? c.volume_mode
        : (coinConfig.volume_mode ?? coinConfig.default_position_mode);
      const savedValue = coinConfig.volume_value;
      const created = TradingBot.create({
        symbol,
        nowMs: this.clock.now(),
        volumeMode,
        volumeValue: c.volume_value ?? savedValue ?? coinConfig.default_position_size,
        leverage: c.leverage ?? coinConfig.leverage,
        autoManaged: c.auto_managed ?? false,
        marginUsdt: c.margin_usdt,
        config: skipMaturity ? { ...SKIPPED_FILTERS } : {},
      });
      if (c.status === 'paused') created.pause(this.clock.now(), 'created paused');
      if (position) {
        created.applyExchangePosition(position, this.clock.now(), this.market.coinTrend(symbol), this.market.timeframe);
      }
      // Registered only once it is on disk: a failed save answers the error and leaves no bot behind.
      await this.registry.commitChange(symbol, created.record, () => this.registry.applyRecord(symbol, created));
      this.history.log(
        'BOT_START',
        symbol,
        created.record.id,
        `Bot created${position ? ' on an existing position' : ''}`,
        {
          direction: created.side,
          config: {
            volume_mode: volumeMode,
            volume_value: created.record.volume_value,
            leverage: created.record.leverage,
          },
        },
      );
      return {
        bot: created,
        existingPosition: position !== null,
        direction: position ? null : this.createDirection(req, symbol, created),
      };
    });

    if (direction && bot.status === 'running') {
      // The original answered first and entered in the background; so do we.
      void this.registry
        .withLock(symbol, () =>
          this.registry.isRegistered(bot) && bot.canEnter()
            ? this.execution.enterPosition(bot, direction, 'manual')
            : null,
        )
        .catch((error: Error) => this.logger.error(`Background entry for ${symbol} failed: ${error.message}`));
    }
    return { bot: bot.record, existing_position: existingPosition };
  }

  /**
   * The forced direction (force_manual_entry + a LONG/SHORT signal), else the one RSI is in, else none (the bot waits).
   */
  private createDirection(req: CreateBotRequest, symbol: string, bot: TradingBot): Direction | null {
    const signal = (req.signal ?? '').toUpperCase();
    if (req.forceManualEntry && signal.includes('LONG')) return 'LONG';
    if (req.forceManualEntry && signal.includes('SHORT')) return 'SHORT';
    return this.rsiDirection(symbol, bot);
  }

  /** LONG when RSI ≤ the long threshold, SHORT when ≥ the short threshold (the bot's effective config). */
  rsiDirection(symbol: string, bot: TradingBot): Direction | null {
    const rsi = this.market.coinRsi(symbol);
    if (rsi === null) return null;
    const config = this.individualSettings.effectiveConfig(bot.symbol, bot.record.config);
    if (rsi <= config.rsi_long_threshold) return 'LONG';
    if (rsi >= config.rsi_short_threshold) return 'SHORT';
    return null;
  }

  async start(symbol: string): Promise<BotRecord> {
    return this.registry.withLock(symbol, async () => {
      const bot = this.registry.require(symbol);
      const draft = new TradingBot(structuredClone(bot.record));
      if (draft.resume(this.clock.now())) {
        await this.registry.commitChange(symbol, draft.record, () => (bot.record = draft.record));
        this.history.log('BOT_START', symbol, bot.record.id, 'Bot started by user', {
          direction: bot.side,
          config: bot.record.config,
        });
      }
      return bot.record;
    });
  }

  /** stop and pause: the bot is paused; its position (if any) and the exchange stops stay. */
  async pause(symbol: string, reason: string): Promise<BotRecord> {
    return this.registry.withLock(symbol, async () => {
      const bot = this.registry.require(symbol);
      const draft = new TradingBot(structuredClone(bot.record));
      draft.pause(this.clock.now(), reason);
      await this.registry.commitChange(symbol, draft.record, () => (bot.record = draft.record));
      this.history.log('BOT_STOP', symbol, bot.record.id, `Bot paused: ${reason}`, {
        reason,
        pnl: bot.record.unrealized_pnl_usdt,
      });
      return bot.record;
    });
  }

  /** Removes the bot; nothing happens on the exchange (an open position then shows as a manual one). */
  async delete(symbol: string, reason: string): Promise<void> {
    await this.registry.withLock(symbol, async () => {
      const bot = this.registry.require(symbol);
      await this.registry.commitChange(symbol, null, () => this.registry.applyRecord(symbol, null));
      this.history.log('BOT_STOP', symbol, bot.record.id, `Bot deleted: ${reason}`, {
        reason,
        pnl: bot.record.realized_pnl,
      });
    });
  }

  /** Removes a bot (cleanup); the caller holds the lock. */
  removeLocked(symbol: string, reason: string): void {
    const bot = this.registry.remove(symbol);
    if (bot) {
      this.history.log('BOT_STOP', symbol, bot.record.id, `Bot removed: ${reason}`, {
        reason,
        pnl: bot.record.realized_pnl,
      });
    }
  }

  /**
   * POST /close-position: market-closes the symbol's position; the bot (if any) goes idle and the trade is
   * recorded. Nothing to close → null.
   */
  async closePositionManually(symbol: string): Promise<ManualCloseResult | null> {
    return this.registry.withLock(symbol, async () => {
      const positions = await this.market.fetchPositions();
      const own = positions.filter((p) => p.symbol === symbol);
      if (own.length === 0) return null;
      const bot = this.registry.find(symbol);
      const closed: ManualCloseResult['closed'] = [];
      const errors: string[] = [];
      for (const position of own) {
        try {
          if (bot?.holdsPosition) {
            const order = await this.execution.closeBotLocked(bot, 'MANUAL_CLOSE', null);
            closed.push({ side: position.side, size: position.size, order_id: order?.orderId ?? '' });
          } else {
            const order = await this.execution.closeUnmanaged(symbol);
            if (order) closed.push({ side: position.side, size: position.size, order_id: order.orderId });
          }
        } catch (error) {
          // The position is closed but the record could not be saved: that is the answer, not a partial success.
          if (error instanceof PersistenceError) throw error;
          errors.push(`${position.side}: ${(error as Error).message}`);
        }
      }
      if (bot && closed.length && bot.settleAfterManualClose(this.clock.now())) await this.registry.persist();
      return { closed, errors };
    });
  }

  /**
   * restart-service: configs, bots and history re-read from disk. Holds the action gate exclusive: it waits for
   * running actions and no action starts until it is done, so nothing acknowledged meanwhile is wiped. Unsaved
   * changes are saved first; when that fails nothing is reloaded (the memory holds the newest state).
   */
  async reloadFromDisk(): Promise<void> {
    await this.registry.exclusive(async () => {
      await this.registry.flush();
      await this.history.flush();
      await this.reloadConfigs();
      await this.registry.loadLocked();
      await this.history.load();
    });
  }

  /** The three settings files re-read from disk (alone, like a reload of the bots). */
  async reloadConfigs(): Promise<void> {
    await this.registry.exclusive(() =>
      Promise.all([this.autoBotConfig.reload(), this.systemConfig.reload(), this.individualSettings.reload()]),
    );
  }
}
