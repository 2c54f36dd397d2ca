import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { Clock, isoLocal } from '../../common/clock';
import type { EffectiveBotConfig } from '../../config/effective-bot-config';
import { IndividualSettingsService } from '../../config/individual-settings.service';
import { DomainEvent } from '../../events/domain-events';
import { publishEvent } from '../../events/publish';
import { ExchangeError, InsufficientFundsError } from '../../exchange/exchange.errors';
import { ExchangeService } from '../../exchange/exchange.service';
import type { ExchangeClosedTrade, OrderResult, Position } from '../../exchange/exchange.types';
import { FilterService } from '../../filters/filter.service';
import { PersistenceError } from '../../persistence/persistence.error';
import type { CloseReason, Direction, EntryDecisionAudit, TradeRecord } from '../engine/bot.types';
import { botLeverage } from '../engine/bot-settings';
import { entryLevels, exchangeCloseReason } from '../engine/entry-levels';
import { orderQuantity, positionNotionalUsdt } from '../engine/sizing';
import type { TradingBot } from '../engine/trading-bot';
import { BotHistoryService } from '../history/bot-history.service';
import { BotMarketData } from '../registry/bot-market-data.service';
import { BOTS_STATE_FILE, BotRegistry } from '../registry/bot-registry.service';

/** Position look-ups after an entry whose answer was lost (each already retried by the adapter). */
const UNCERTAIN_ENTRY_LOOKUPS = 3;

export type EntryOutcome =
  { ok: true; direction: Direction; entryPrice: number; quantity: number } | { ok: false; reason: string };

/**
 * The two exchange-touching transitions of a bot: the market entry and the close (the trade recorded once and
 * announced once). The caller holds the symbol's lock.
 */
@Injectable()
export class PositionExecution {
  private readonly logger = new Logger('BotManager');

  constructor(
    private readonly clock: Clock,
    private readonly registry: BotRegistry,
    private readonly market: BotMarketData,
    private readonly exchange: ExchangeService,
    private readonly filters: FilterService,
    private readonly individualSettings: IndividualSettingsService,
    private readonly history: BotHistoryService,
    private readonly events: EventEmitter2,
  ) {}

  /**
   * Entry gate and market entry (docs/trading-logic.md §6.D, §7.2): delisted / already in position / any exchange
   * position → refuse; size the order; set leverage; market order with the stop-loss (and take-profit) attached.
   * Failures never throw: they answer the reason. `filtersPassed` (the entry filters that ran and passed) goes into
   * the entry's decision audit.
   */
  async enterPosition(
    bot: TradingBot,
    direction: Direction,
    source: 'auto' | 'manual',
    filtersPassed: readonly string[] = [],
  ): Promise<EntryOutcome> {
    const symbol = bot.symbol;
    const fail = (reason: string): EntryOutcome => {
      this.logger.warn(`Entry ${direction} ${symbol} refused: ${reason}`);
      if (this.registry.isRegistered(bot)) {
        this.history.log('ERROR', symbol, bot.record.id, `Entry ${direction} failed: ${reason}`, { direction });
      }
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
        positions = await this.market.fetchPositions();
      } catch (error) {
        return fail(`positions_unavailable: ${(error as Error).message}`);
      }
      if (positions.some((p) => p.symbol === symbol)) return fail('exchange_position_exists');

      const config = this.individualSettings.effectiveConfig(symbol, bot.record.config);
      if (config.trading_enabled === false) return fail('trading_disabled');
      const ticker = (await this.exchange.fetchTickers()).get(symbol);
      // A market buy fills near the ask, a sell near the bid: size and place the stops from there.
      const price = (direction === 'LONG' ? ticker?.ask : ticker?.bid) || ticker?.last || 0;
      if (!(price > 0)) return fail('no_price');
      const balance = await this.exchange.fetchBalance();
      this.market.noteAvailableBalance(balance.availableBalance);
      const leverage = botLeverage(bot.record.leverage, config.leverage, market.maxLeverage);
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
        this.market.noteInsufficientFunds();
        return fail(
          `insufficient_funds: margin ${sizing.marginUsdt.toFixed(2)} USDT > available ${balance.availableBalance.toFixed(2)} USDT`,
        );
      }

      await this.exchange.setLeverage(symbol, leverage);
      const decidedAt = this.clock.now();
      const decisionRsi = this.market.coinRsi(symbol);
      const decisionTrend = this.market.coinTrend(symbol);
      // Placed with the order from the quote; re-anchored on the fill below so both levels measure from the fill.
      const quoted = entryLevels(direction, price, config, leverage, market.tickSize);
      let stopLoss = quoted.stopLoss ?? undefined;
      let takeProfit = quoted.takeProfit ?? undefined;
      const clientOrderId = `${bot.record.id}-${this.clock.now()}`;
      let order: OrderResult;
      try {
        order = await this.exchange.createMarketOrder({
          symbol,
          side: direction === 'LONG' ? 'buy' : 'sell',
          amount: sizing.quantity,
          stopLoss,
          takeProfit,
          clientOrderId,
        });
      } catch (error) {
        // When every attempt lost its answer the order may still have filled: look before giving up, so a live
        // position never stays on the exchange without its bot.
        const adopted =
          error instanceof ExchangeError && error.retryable
            ? await this.findUncertainEntry(symbol, direction, clientOrderId)
            : null;
        if (!adopted) throw error;
        this.logger.warn(
          `Entry ${direction} ${symbol}: the order answer was lost (${(error as Error).message}) but the position exists; taking it over`,
        );
        order = adopted;
      }
      const entryPrice = order.price && order.price > 0 ? order.price : price;
      const quantity = order.amount > 0 ? order.amount : sizing.quantity;
      ({ stopLoss, takeProfit } = await this.reanchorLevels(
        symbol,
        direction,
        entryPrice,
        config,
        leverage,
        market.tickSize,
        { stopLoss, takeProfit },
      ));
      const now = this.clock.now();
      const decision: EntryDecisionAudit = {
        decision_time: isoLocal(decidedAt),
        decision_time_ms: decidedAt,
        decision_price: price,
        decision_rsi: decisionRsi,
        decision_candle_time: this.market.decisionCandleTime(symbol),
        decision_trend: decisionTrend,
        filters_passed: [...filtersPassed],
        stop_loss_set: stopLoss ?? null,
        take_profit_set: takeProfit ?? null,
      };
      bot.openPosition({
        direction,
        entryPrice,
        quantity,
        leverage,
        orderId: order.orderId,
        stopLoss: stopLoss ?? null,
        takeProfit: takeProfit ?? null,
        entryTrend: this.market.coinTrend(symbol),
        entryTimeframe: this.market.timeframe,
        entryRsi: this.market.coinRsi(symbol),
        nowMs: now,
        fee: order.fee,
        openedByAutobot: source === 'auto',
        decision,
      });
      this.market.notePositionChange(symbol);
      this.history.log(
        'POSITION_OPENED',
        symbol,
        bot.record.id,
        `${direction} ${quantity} @ ${entryPrice} (${source})`,
        {
          direction,
          size: quantity,
          entry_price: entryPrice,
          stop_loss: stopLoss ?? null,
          take_profit: takeProfit ?? null,
          decision_source: source === 'auto' ? 'SCRIPT' : 'MANUAL',
          rsi: bot.record.entry_rsi,
          trend: bot.record.entry_trend,
          is_simulated: this.exchange.isPaper,
        },
      );
      if (stopLoss !== undefined) {
        this.history.log('STOP_LOSS_SET', symbol, bot.record.id, `Stop-loss at ${stopLoss}`, { stop_loss: stopLoss });
      }
      if (takeProfit !== undefined) {
        this.history.log('TAKE_PROFIT_SET', symbol, bot.record.id, `Take-profit at ${takeProfit}`, {
          take_profit: takeProfit,
        });
      }
      this.registry.markDirty();
      // Durable in the notifications outbox before the entry is acknowledged (docs/notifications.md).
      await publishEvent(
        this.events,
        DomainEvent.PositionOpened,
        {
          at: now,
          botId: bot.record.id,
          symbol,
          side: direction,
          price: entryPrice,
          quantity,
          leverage,
          stopLoss: stopLoss ?? null,
          takeProfit: takeProfit ?? null,
          source,
        },
        this.logger,
      );
      if (this.registry.isRegistered(bot)) await this.registry.persist();
      return { ok: true, direction, entryPrice, quantity };
    } catch (error) {
      if (error instanceof InsufficientFundsError) this.market.noteInsufficientFunds();
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
    symbol: string,
    direction: Direction,
    fillPrice: number,
    config: EffectiveBotConfig,
    leverage: number,
    tickSize: number,
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
      this.logger.warn(
        `${symbol}: moving the entry stops to the fill price failed (${(error as Error).message}); the quoted ones stay`,
      );
      return placed;
    }
  }

  /** After an entry whose outcome is unknown: the position the order opened, if the exchange has one. */
  private async findUncertainEntry(
    symbol: string,
    direction: Direction,
    clientOrderId: string,
  ): Promise<OrderResult | null> {
    const side = direction === 'LONG' ? 'Long' : 'Short';
    for (let attempt = 0; attempt < UNCERTAIN_ENTRY_LOOKUPS; attempt++) {
      try {
        const position = (await this.exchange.fetchPositions()).find((p) => p.symbol === symbol && p.side === side);
        if (!position) return null;
        return {
          orderId: clientOrderId,
          symbol,
          side: direction === 'LONG' ? 'buy' : 'sell',
          amount: position.size,
          price: position.entryPrice,
          fee: 0,
        };
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 200 * (attempt + 1)));
      }
    }
    return null;
  }

  /**
   * Market-closes the bot's position and records the trade. A position already gone on the exchange is
   * closed on the record with the exchange's own exit (fetchClosedTrades) or the last price.
   */
  async closeBotLocked(bot: TradingBot, reason: CloseReason, exitRsi: number | null): Promise<OrderResult | null> {
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

  /** Market-closes a position no bot holds (a manual one); null when the exchange had nothing to close. */
  closeUnmanaged(symbol: string): Promise<OrderResult | null> {
    return this.exchange.closePosition(symbol);
  }

  /** The exchange no longer has the bot's position (stop hit, liquidation, closed by hand): record the trade. */
  async closeExternallyLocked(bot: TradingBot): Promise<void> {
    const since = (bot.record.entry_timestamp ?? this.clock.now()) - 1000;
    const side = bot.side === 'LONG' ? 'Long' : 'Short';
    let match: ExchangeClosedTrade | undefined;
    try {
      match = (await this.exchange.fetchClosedTrades(since))
        .filter((t) => t.symbol === bot.symbol && t.side === side)
        .sort((a, b) => b.closedAt - a.closedAt)[0];
    } catch (error) {
      this.logger.warn(`fetchClosedTrades failed for ${bot.symbol}: ${(error as Error).message}`);
    }
    const exitPrice = match?.exitPrice ?? (await this.lastPrice(bot.symbol, bot));
    const reason = externalCloseReason(bot, match);
    const trade = await this.finishClose(bot, {
      exitPrice,
      reason,
      exitRsi: null,
      netPnl: match?.pnl,
      closedAt: match?.closedAt,
    });
    await publishEvent(
      this.events,
      DomainEvent.ClosedOutside,
      {
        at: trade.close_time_ms,
        symbol: bot.symbol,
        side: trade.direction,
        reason,
        exitPrice: trade.exit_price,
        pnlUsdt: trade.pnl,
      },
      this.logger,
    );
  }

  private async finishClose(
    bot: TradingBot,
    exit: {
      exitPrice: number;
      reason: CloseReason;
      exitRsi: number | null;
      fee?: number;
      netPnl?: number;
      closedAt?: number;
    },
  ): Promise<TradeRecord> {
    const trade = bot.closePosition({
      exitPrice: exit.exitPrice,
      nowMs: exit.closedAt ?? this.clock.now(),
      reason: exit.reason,
      exitRsi: exit.exitRsi,
      simulated: this.exchange.isPaper,
      fee: exit.fee,
      netPnl: exit.netPnl,
    });
    if (exit.reason === 'STOP_LOSS' || exit.reason === 'TAKE_PROFIT' || exit.reason === 'TRAILING_STOP') {
      this.history.log(exit.reason, bot.symbol, bot.record.id, `${exit.reason} at ${exit.exitPrice}`, {
        exit_price: exit.exitPrice,
        pnl: trade.pnl,
      });
    }
    this.market.notePositionChange(bot.symbol);
    this.registry.markDirty();
    // The position is gone on the exchange: the close stays in memory whatever the disk says, both files are
    // attempted, and a failed save reaches the caller (kept in memory, retried by the auto-save).
    let failure: PersistenceError | null = null;
    let recorded = false;
    try {
      recorded = await this.history.recordTrade(trade);
      if (!recorded) {
        this.logger.warn(
          `${bot.symbol}: trade of the position opened at ${trade.entry_timestamp} was already recorded; not counted twice`,
        );
      }
    } catch (error) {
      // Kept in memory: the trade is there and is announced; its save is retried.
      recorded = true;
      failure = PersistenceError.wrap('bot_history.json', error).kept();
    }
    this.logger.log(
      `${bot.symbol} ${trade.direction} closed (${exit.reason}) at ${exit.exitPrice}: PnL ${trade.pnl.toFixed(4)} USDT`,
    );
    // Announced once per trade, like the record (the outbox has it before the close is acknowledged).
    if (recorded) {
      await publishEvent(
        this.events,
        DomainEvent.PositionClosed,
        {
          at: trade.close_time_ms,
          botId: trade.bot_id,
          symbol: trade.symbol,
          side: trade.direction,
          entryPrice: trade.entry_price,
          exitPrice: trade.exit_price,
          reason: exit.reason,
          pnlUsdt: trade.pnl,
          roiPercent: trade.roi,
          holdMs: trade.close_time_ms - trade.entry_timestamp,
          entryAt: trade.entry_timestamp,
        },
        this.logger,
      );
    }
    if (this.registry.isRegistered(bot)) {
      try {
        await this.registry.persist();
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
}

/** Names an exchange-side close after what the bot's stop was at that moment (the pure rule: exchangeCloseReason). */
export function externalCloseReason(
  bot: TradingBot,
  trade: Pick<ExchangeClosedTrade, 'reason'> | undefined,
): CloseReason {
  const kind =
    trade?.reason === 'STOP_LOSS' || trade?.reason === 'TAKE_PROFIT' || trade?.reason === 'LIQUIDATION'
      ? trade.reason
      : 'OTHER';
  return exchangeCloseReason(kind, {
    trailingActive: bot.record.trailing_active,
    breakEvenActivated: bot.record.break_even_activated,
    breakEvenStopSet: bot.record.break_even_stop_set,
  });
}
