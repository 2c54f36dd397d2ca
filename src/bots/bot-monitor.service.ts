import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { Clock } from '../common/clock';
import { ENTRY_GUARD, type EntryGuard } from '../common/entry-guard';
import { DomainEvent } from '../events/domain-events';
import { publishEvent } from '../events/publish';
import { ExchangeError } from '../exchange/exchange.errors';
import { ExchangeService } from '../exchange/exchange.service';
import { FilterService } from '../filters/filter.service';
import type { Ticker } from '../exchange/exchange.types';
import { BotHistoryService } from './history/bot-history.service';
import { BotManager } from './bot-manager.service';
import {
  botLeverage,
  exitDelays,
  exitThresholds,
  protectionSettings,
  waitBreakevenWhenLoss,
} from './engine/bot-settings';
import type { CloseReason, Direction } from './engine/bot.types';
import { stopRatchet } from './engine/stop-ratchet';
import type { TradingBot } from './engine/trading-bot';

export interface MonitorReport {
  checked: number;
  closed: Array<{ symbol: string; reason: CloseReason }>;
  stops_moved: Array<{ symbol: string; stop: number }>;
  entered: string[];
  errors: Array<{ symbol: string; error: string }>;
}

/**
 * The per-bot trading pass (every bot_status_update_interval): emergency close of delisted coins, protections
 * (stop-loss, take-profit, max hold, break-even, trailing) with the exchange stop ratcheted to follow, then the RSI
 * exit on the entry timeframe;
 * manually created bots that wait for their signal enter when RSI reaches a zone.
 */
@Injectable()
export class BotMonitorService {
  private readonly logger = new Logger('BotMonitor');

  constructor(
    private readonly manager: BotManager,
    private readonly history: BotHistoryService,
    private readonly exchange: ExchangeService,
    private readonly filters: FilterService,
    private readonly clock: Clock,
    private readonly events: EventEmitter2,
    @Optional() @Inject(ENTRY_GUARD) private readonly entryGuard?: EntryGuard,
  ) {}

  async tick(): Promise<MonitorReport> {
    const report: MonitorReport = { checked: 0, closed: [], stops_moved: [], entered: [], errors: [] };
    const tickers = await this.exchange.fetchTickers();
    for (const symbol of this.manager.symbols()) {
      await this.manager.withLock(symbol, async () => {
        const bot = this.manager.find(symbol);
        if (!bot) return;
        try {
          if (bot.inPosition && !bot.record.needs_exchange_sync) {
            report.checked++;
            await this.managePosition(bot, tickers.get(symbol), report);
          } else if (
            bot.status === 'running' &&
            !bot.holdsPosition &&
            !bot.record.auto_managed &&
            !this.entryGuard?.lockFor(symbol)
          ) {
            const direction = this.manager.rsiDirection(symbol, bot);
            if (direction && (await this.manager.enterPosition(bot, direction, 'manual')).ok) {
              report.entered.push(symbol);
            }
          }
        } catch (error) {
          const message = (error as Error).message;
          // An exchange refusal (e.g. the position was stopped out a moment ago) is settled by the next position sync.
          if (error instanceof ExchangeError) this.logger.warn(`${symbol}: ${message}`);
          else this.logger.error(`${symbol}: ${message}`);
          report.errors.push({ symbol, error: message });
        }
      });
    }
    if (report.checked || report.entered.length) this.manager.markDirty();
    return report;
  }

  private async managePosition(bot: TradingBot, ticker: Ticker | undefined, report: MonitorReport): Promise<void> {
    const price = ticker ? (ticker.mark > 0 ? ticker.mark : ticker.last) : 0;
    if (!(price > 0)) return;
    if (this.filters.isDelisted(bot.symbol)) {
      // A coin being delisted is closed at market at once (docs/trading-logic.md §8).
      await this.close(bot, 'DELISTING_EMERGENCY', null, report);
      return;
    }
    const now = this.clock.now();
    const config = this.manager.effectiveConfig(bot);
    // The max loss at the position's own leverage, the one its exchange stop was placed at.
    const leverage = botLeverage(bot.record.leverage, config.leverage, this.exchange.market(bot.symbol)?.maxLeverage);
    const settings = protectionSettings(config, leverage);
    const result = bot.evaluateProtections(
      { price, nowMs: now, cumRealisedPnl: bot.record.exchange_position?.realized_pnl ?? 0 },
      settings,
    );
    if (result.close) {
      await this.close(bot, result.close, null, report);
      return;
    }
    await this.ratchetExchangeStop(bot, result.desiredStop, price, settings.trailingUpdateIntervalSec, report);

    const timeframe = bot.record.entry_timeframe ?? this.manager.timeframe;
    const rsi = await this.manager.rsiOn(bot.symbol, timeframe);
    if (rsi === null) return;
    const outcome = bot.evaluateRsiExit({
      rsi,
      price,
      nowMs: now,
      thresholds: exitThresholds(config),
      delays: exitDelays(config),
      waitWhenLoss: waitBreakevenWhenLoss(config),
    });
    if (outcome.step.action === 'close') await this.close(bot, outcome.step.reason, rsi, report);
  }

  private async close(bot: TradingBot, reason: CloseReason, rsi: number | null, report: MonitorReport): Promise<void> {
    await this.manager.closeBotLocked(bot, reason, rsi);
    report.closed.push({ symbol: bot.symbol, reason });
  }

  /**
   * Moves the exchange stop to the tightest protective level when it improves on the current one. Trailing
   * moves are spaced by trailing_update_interval; a stop at or through the price is never sent.
   */
  private async ratchetExchangeStop(
    bot: TradingBot,
    desired: number | null,
    price: number,
    spacingSec: number,
    report: MonitorReport,
  ): Promise<void> {
    if (desired === null) return;
    const r = bot.record;
    const now = this.clock.now();
    const move = stopRatchet({
      side: bot.side as Direction,
      desired,
      price,
      tickSize: this.exchange.market(bot.symbol)?.tickSize ?? 0,
      currentStop: r.stop_loss_price,
      trailingActive: r.trailing_active,
      trailingStop: r.trailing_stop_price,
      lastTrailingUpdateSec: r.trailing_last_update_ts,
      nowMs: now,
      spacingSec,
    });
    if (!move) return;
    const { stop, trailing } = move;
    const previous = r.stop_loss_price;
    await this.exchange.setTradingStop(bot.symbol, { stopLoss: stop });
    bot.stopPlaced(stop, now, trailing);
    const kind = trailing ? 'trailing' : r.break_even_activated ? 'break_even' : null;
    this.history.log(
      'STOP_LOSS_UPDATED',
      bot.symbol,
      r.id,
      `Stop-loss ${previous ?? 'none'} → ${stop}${kind ? ` (${kind.replace('_', '-')})` : ''}`,
      {
        stop_loss: stop,
        previous_stop_loss: previous,
        trailing,
      },
    );
    report.stops_moved.push({ symbol: bot.symbol, stop });
    if (kind) {
      await publishEvent(
        this.events,
        DomainEvent.StopMoved,
        { at: now, botId: r.id, symbol: bot.symbol, kind, stopLoss: stop },
        this.logger,
      );
    }
  }
}
