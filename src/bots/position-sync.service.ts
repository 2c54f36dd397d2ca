import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { Clock } from '../common/clock';
import { SystemConfigService } from '../config/system-config.service';
import { DomainEvent } from '../events/domain-events';
import { publishEvent } from '../events/publish';
import { ExchangeService } from '../exchange/exchange.service';
import type { Position } from '../exchange/exchange.types';
import { BotHistoryService } from './history/bot-history.service';
import { BotManager, type ManualPosition } from './bot-manager.service';
import { botLeverage, stopLossPercent } from './engine/bot-settings';
import type { Direction } from './engine/bot.types';
import { isTighterStop, stopLossPrice, tightestStop } from './engine/protection';
import { roundToTick } from './engine/sizing';
import type { TradingBot } from './engine/trading-bot';

export interface SyncReport {
  synced: boolean;
  updated: string[];
  closed: string[];
  adopted: string[];
  stops_restored: string[];
  manual_positions: ManualPosition[];
}

export interface CleanupReport {
  cleaned: boolean;
  removed: string[];
}

/** New bots waiting for a signal are left alone this long before cleanup may remove them. */
const NEW_BOT_GRACE_MS = 300_000;

/**
 * Reconciles bots with the exchange's positions (docs/trading-logic.md §7.1 / §8): a vanished position closes its
 * bot with the exchange's exit, an unknown position is adopted by a non-paused bot of its symbol or reported as a
 * manual one, and a missing stop-loss is placed again. A failed positions fetch throws: it never reads as "none".
 */
@Injectable()
export class PositionSyncService {
  private readonly logger = new Logger('PositionSync');

  constructor(
    private readonly manager: BotManager,
    private readonly history: BotHistoryService,
    private readonly exchange: ExchangeService,
    private readonly systemConfig: SystemConfigService,
    private readonly clock: Clock,
    private readonly events: EventEmitter2,
  ) {}

  async sync(): Promise<SyncReport> {
    const mark = this.manager.positionChangeMark;
    const positions = await this.manager.fetchPositions();
    const bySymbol = new Map(positions.map((p) => [p.symbol, p]));
    const report: SyncReport = {
      synced: false,
      updated: [],
      closed: [],
      adopted: [],
      stops_restored: [],
      manual_positions: [],
    };

    for (const symbol of this.manager.symbols()) {
      await this.manager.withLock(symbol, async () => {
        const bot = this.manager.find(symbol);
        if (!bot) return;
        // Entered or closed after the snapshot was taken: the snapshot cannot judge it this round.
        if (this.manager.changedSince(symbol, mark)) return;
        await this.syncBot(bot, bySymbol.get(symbol) ?? null, report);
      });
    }
    report.manual_positions = this.manager.manualPositions(positions);
    report.synced =
      report.updated.length + report.closed.length + report.adopted.length + report.stops_restored.length > 0;
    if (report.synced) await this.manager.persist();
    return report;
  }

  private async syncBot(bot: TradingBot, position: Position | null, report: SyncReport): Promise<void> {
    const now = this.clock.now();
    if (bot.holdsPosition) {
      if (!position) {
        this.logger.log(`${bot.symbol}: position gone from the exchange; recording the close`);
        await this.manager.closeExternallyLocked(bot);
        report.closed.push(bot.symbol);
        return;
      }
      bot.applyExchangePosition(position, now, this.manager.coinTrend(bot.symbol), this.manager.timeframe);
      report.updated.push(bot.symbol);
      if (bot.inPosition && position.stopLoss === null && (await this.restoreStop(bot, position))) {
        report.stops_restored.push(bot.symbol);
      }
      return;
    }
    if (!position) return;
    const wasPaused = bot.status === 'paused';
    bot.applyExchangePosition(position, now, this.manager.coinTrend(bot.symbol), this.manager.timeframe);
    if (!wasPaused) {
      this.history.log(
        'POSITION_OPENED',
        bot.symbol,
        bot.record.id,
        `Adopted the exchange's ${position.side} position`,
        {
          direction: bot.side,
          size: position.size,
          entry_price: position.entryPrice,
          stop_loss: position.stopLoss,
          take_profit: position.takeProfit,
          decision_source: 'EXCHANGE_IMPORT',
          rsi: this.manager.coinRsi(bot.symbol),
          trend: bot.record.entry_trend,
          is_simulated: this.exchange.isPaper,
        },
      );
      report.adopted.push(bot.symbol);
      if (position.stopLoss === null && (await this.restoreStop(bot, position))) report.stops_restored.push(bot.symbol);
    } else {
      report.updated.push(bot.symbol);
    }
  }

  /**
   * Places the bot's stop again: the tightest of its fixed, break-even and trailing stops (never through the price).
   */
  private async restoreStop(bot: TradingBot, position: Position): Promise<boolean> {
    const r = bot.record;
    const side = bot.side as Direction;
    const config = this.manager.effectiveConfig(bot);
    const market = this.exchange.market(bot.symbol);
    // Measured at the position's leverage, as the entry stop and the monitor's max-loss check are.
    const leverage = botLeverage(r.leverage, config.leverage, market?.maxLeverage);
    const fixed = r.stop_loss ?? stopLossPrice(side, r.entry_price as number, stopLossPercent(config, leverage));
    const desired = tightestStop(side, position.markPrice, [
      fixed,
      r.break_even_activated ? r.break_even_stop_price : null,
      r.trailing_active ? r.trailing_stop_price : null,
    ]);
    if (desired === null) return false;
    // A stop at or through the mark would fire at once; the protection tick closes such a position instead.
    if (!isTighterStop(side, position.markPrice, desired)) return false;
    const stop = roundToTick(desired, market?.tickSize ?? 0);
    const takeProfit =
      r.take_profit !== null && position.takeProfit === null && isTighterStop(side, r.take_profit, position.markPrice)
        ? r.take_profit
        : undefined;
    try {
      await this.exchange.setTradingStop(bot.symbol, { stopLoss: stop, takeProfit });
    } catch (error) {
      this.logger.error(`${bot.symbol}: placing the stop-loss again failed: ${(error as Error).message}`);
      this.history.log('ERROR', bot.symbol, r.id, `Stop-loss restore failed: ${(error as Error).message}`);
      return false;
    }
    bot.stopPlaced(stop, this.clock.now(), false);
    if (r.stop_loss === null) r.stop_loss = stop;
    this.history.log('STOP_LOSS_SET', bot.symbol, r.id, `Stop-loss placed again at ${stop} (missing on the exchange)`, {
      stop_loss: stop,
    });
    this.logger.warn(`${bot.symbol}: stop-loss was missing on the exchange; placed at ${stop}`);
    await publishEvent(
      this.events,
      DomainEvent.StopReplaced,
      { at: this.clock.now(), symbol: bot.symbol, stopLoss: stop, takeProfit: takeProfit ?? null },
      this.logger,
    );
    return true;
  }

  /** Fresh manual positions (exchange positions no bot manages). */
  async refreshManualPositions(): Promise<ManualPosition[]> {
    return this.manager.manualPositions(await this.manager.fetchPositions());
  }

  /**
   * Removes bots without a position that nobody needs any more (docs/trading-logic.md §7.1): idle bots after
   * inactive_bot_timeout, auto-created bots still waiting after the 5-minute grace. Paused and manually created
   * bots stay until the user deletes them. Nothing is removed when the positions cannot be read.
   */
  async cleanupInactive(): Promise<CleanupReport> {
    const mark = this.manager.positionChangeMark;
    const snapshotAt = this.clock.now();
    const positions = await this.manager.fetchPositions();
    const held = new Set(positions.map((p) => p.symbol));
    const timeoutMs = this.systemConfig.get().inactive_bot_timeout * 1000;
    const removed: string[] = [];
    for (const symbol of this.manager.symbols()) {
      await this.manager.withLock(symbol, () => {
        const bot = this.manager.find(symbol);
        if (!bot || bot.holdsPosition || held.has(symbol) || this.manager.changedSince(symbol, mark)) return;
        const lastUpdate = Date.parse(bot.record.last_update) || 0;
        const createdAt = Date.parse(bot.record.created_at) || 0;
        if (lastUpdate >= snapshotAt) return;
        const idleExpired = bot.status === 'idle' && snapshotAt - lastUpdate >= timeoutMs;
        const autoWaitExpired =
          bot.status === 'running' && bot.record.auto_managed && snapshotAt - createdAt >= NEW_BOT_GRACE_MS;
        if (idleExpired || autoWaitExpired) {
          this.manager.removeLocked(
            symbol,
            idleExpired ? 'inactive (idle, no position)' : 'inactive (no entry within 5 minutes)',
          );
          removed.push(symbol);
        }
      });
    }
    if (removed.length) await this.manager.persist();
    return { cleaned: removed.length > 0, removed };
  }
}
