import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { Clock, isoLocal } from '../common/clock';
import { ENTRY_GUARD, type EntryGuard } from '../common/entry-guard';
import { AutoBotConfigService } from '../config/auto-bot-config.service';
import type { EffectiveBotConfig } from '../config/effective-bot-config';
import { IndividualSettingsService } from '../config/individual-settings.service';
import { TIMEFRAME_MS, type Position } from '../exchange/exchange.types';
import type { EntryDirection } from '../filters/filter.types';
import { FilterService } from '../filters/filter.service';
import { RsiService } from '../rsi/rsi.service';
import { BotHistoryService } from './history/bot-history.service';
import { BotManager } from './bot-manager.service';
import { cooldownLeftMs, screenCandidate } from './engine/candidate-screen';
import { TradingBot } from './engine/trading-bot';

export interface AutoBotDecision {
  symbol: string;
  direction: EntryDirection;
  rsi: number | null;
  action: 'created' | 'skipped';
  /** The rule that refused (filter name, "max_concurrent", "cooldown", ...). */
  filter?: string;
  reason: string;
}

export interface AutoBotRound {
  started_at: string;
  finished_at: string | null;
  enabled: boolean;
  note: string | null;
  active_bots: number;
  max_concurrent: number;
  coins_checked: number;
  candidates: number;
  created: string[];
  decisions: AutoBotDecision[];
}

/**
 * The auto-bot pass (docs/trading-logic.md §6.C): coins whose effective signal is an entry (scope, time filter,
 * exit-scam, loss re-entry, maturity and trend flags already applied by FilterService) go through max_concurrent,
 * no bot / no exchange position, the entry filters in their documented order (checkEntry) and the 1-candle
 * cooldown; those that pass get a bot that enters at once (registered only when the entry succeeds).
 * Every skip is recorded with its reason; the last round stays visible.
 */
@Injectable()
export class AutoBotService {
  private readonly logger = new Logger('AutoBot');
  private last: AutoBotRound | null = null;

  constructor(
    private readonly manager: BotManager,
    private readonly history: BotHistoryService,
    private readonly autoBotConfig: AutoBotConfigService,
    private readonly individualSettings: IndividualSettingsService,
    private readonly rsi: RsiService,
    private readonly filters: FilterService,
    private readonly clock: Clock,
    @Optional() @Inject(ENTRY_GUARD) private readonly entryGuard?: EntryGuard,
  ) {}

  lastRound(): AutoBotRound | null {
    return this.last;
  }

  async tick(): Promise<AutoBotRound> {
    const config = this.autoBotConfig.get();
    const round: AutoBotRound = {
      started_at: isoLocal(this.clock.now()),
      finished_at: null,
      enabled: config.enabled,
      note: null,
      active_bots: 0,
      max_concurrent: config.max_concurrent,
      coins_checked: 0,
      candidates: 0,
      created: [],
      decisions: [],
    };
    this.last = round;
    try {
      await this.run(round);
    } finally {
      round.finished_at = isoLocal(this.clock.now());
    }
    return round;
  }

  private async run(round: AutoBotRound): Promise<void> {
    const config = this.autoBotConfig.get();
    if (!config.enabled) {
      round.note = 'auto-bot disabled';
      return;
    }
    const coins = this.rsi.getCoins();
    if (coins.length === 0) {
      round.note = 'no coin data yet';
      return;
    }
    await this.idleNeutralBots();
    let active = this.manager.countBots().active;
    round.active_bots = active;
    if (active >= config.max_concurrent) {
      round.note = `max_concurrent reached (${active}/${config.max_concurrent})`;
      return;
    }
    // A failed fetch aborts the round: an error never reads as "no positions".
    const positions = await this.manager.fetchPositions();
    const held = new Map<string, Position>(positions.map((p) => [p.symbol, p]));

    for (const coin of coins) {
      round.coins_checked++;
      const screened = this.screen(coin.symbol, held, active, config.max_concurrent);
      if (!screened) continue;
      round.candidates++;
      if (screened.skip) {
        round.decisions.push(screened.skip);
        continue;
      }
      const { symbol, direction, rsi, coinConfig, filtersPassed } = screened.pass;
      const outcome = await this.manager.withLock(symbol, async () => {
        const current = this.manager.find(symbol);
        if (current && current.status !== 'idle') {
          return { ok: false as const, reason: `a bot already exists (${current.status})` };
        }
        const bot =
          current ??
          TradingBot.create({
            symbol,
            nowMs: this.clock.now(),
            volumeMode: coinConfig.default_position_mode,
            volumeValue: coinConfig.default_position_size,
            leverage: coinConfig.leverage,
            autoManaged: true,
          });
        if (current) {
          current.takeOverByAutobot(this.clock.now());
          current.resume(this.clock.now());
        }
        const result = await this.manager.enterPosition(bot, direction, 'auto', filtersPassed);
        if (result.ok && !current) {
          this.manager.registerLocked(bot);
          this.history.log('BOT_START', symbol, bot.record.id, `Auto-bot created a ${direction} bot (RSI ${rsi})`, {
            direction,
            config: {},
          });
          await this.manager.persist();
        }
        if (!result.ok && current) current.markIdle(this.clock.now());
        return result;
      });
      if (outcome.ok) {
        active++;
        round.created.push(symbol);
        round.decisions.push({
          symbol,
          direction,
          rsi,
          action: 'created',
          reason: `entered ${direction} at ${outcome.entryPrice}`,
        });
        this.logger.log(`Auto-bot: ${symbol} ${direction} entered at ${outcome.entryPrice} (RSI ${rsi})`);
      } else {
        round.decisions.push({ symbol, direction, rsi, action: 'skipped', filter: 'entry', reason: outcome.reason });
      }
    }
  }

  /**
   * Decisions the auto-bot would take now, without entering anything (auto-bot/test-signals). Runs whether the
   * auto-bot is enabled or not.
   */
  async dryRun(): Promise<AutoBotDecision[]> {
    const config = this.autoBotConfig.get();
    const positions = await this.manager.fetchPositions();
    const held = new Map<string, Position>(positions.map((p) => [p.symbol, p]));
    let active = this.manager.countBots().active;
    const decisions: AutoBotDecision[] = [];
    for (const coin of this.rsi.getCoins()) {
      const screened = this.screen(coin.symbol, held, active, config.max_concurrent);
      if (!screened) continue;
      if (screened.skip) {
        decisions.push(screened.skip);
      } else {
        const { symbol, direction, rsi } = screened.pass;
        decisions.push({ symbol, direction, rsi, action: 'created', reason: 'would enter (dry run)' });
        active++;
      }
    }
    return decisions;
  }

  /**
   * One coin through the pipeline, in order: base signal (null = not in an entry zone), effective signal,
   * max_concurrent, existing bot, exchange position, the entry filters, cooldown, RSI re-check.
   */
  private screen(
    symbol: string,
    held: Map<string, Position>,
    active: number,
    maxConcurrent: number,
  ):
    | { skip: AutoBotDecision; pass?: undefined }
    | {
        skip?: undefined;
        pass: {
          symbol: string;
          direction: EntryDirection;
          rsi: number;
          coinConfig: EffectiveBotConfig;
          filtersPassed: string[];
        };
      }
    | null {
    const signalVerdict = this.filters.effectiveSignal(symbol);
    const base = this.rsi.getCoin(symbol)?.signal;
    const signal = signalVerdict.signal !== 'WAIT' ? signalVerdict.signal : base;
    if (signal !== 'ENTER_LONG' && signal !== 'ENTER_SHORT') return null;
    const direction: EntryDirection = signal === 'ENTER_LONG' ? 'LONG' : 'SHORT';
    const rsi = this.manager.coinRsi(symbol);
    const existing = this.manager.find(symbol);
    let coinConfig: EffectiveBotConfig | null = null;
    const configOf = () => (coinConfig ??= this.individualSettings.effectiveConfig(symbol));
    const verdict = screenCandidate({
      direction,
      rsi,
      effectiveSignal: signalVerdict,
      lock: this.entryGuard?.lockFor(symbol),
      activeBots: active,
      maxConcurrent,
      busyBotStatus: existing && existing.status !== 'idle' ? existing.status : null,
      exchangeHoldsPosition: held.has(symbol),
      entryCheck: () => this.filters.checkEntry(symbol, direction, configOf()),
      cooldownLeftMs: this.cooldownLeft(symbol, existing),
      timeframe: this.manager.timeframe,
      thresholds: () => ({ long: configOf().rsi_long_threshold, short: configOf().rsi_short_threshold }),
      guard: () => {
        const config = configOf();
        return this.entryGuard?.checkEntry({
          symbol,
          openPositions: [...held.values()],
          volumeMode: config.default_position_mode,
          volumeValue: config.default_position_size,
          leverage: config.leverage,
        });
      },
    });
    if (!verdict.ok) {
      return {
        skip: { symbol, direction, rsi, action: 'skipped', filter: verdict.skip.filter, reason: verdict.skip.reason },
      };
    }
    return {
      pass: {
        symbol,
        direction,
        rsi: rsi as number,
        coinConfig: configOf(),
        filtersPassed: verdict.check.decisions.map((d) => d.filter),
      },
    };
  }

  /**
   * Housekeeping: auto-created bots still waiting while their coin's RSI is back between the thresholds go idle
   * (each bot's own thresholds: its effective config).
   */
  private async idleNeutralBots(): Promise<void> {
    let changed = false;
    for (const bot of this.manager.all()) {
      if (bot.status !== 'running' || bot.holdsPosition || !bot.record.auto_managed) continue;
      const rsi = this.manager.coinRsi(bot.symbol);
      const { rsi_long_threshold: longThreshold, rsi_short_threshold: shortThreshold } =
        this.manager.effectiveConfig(bot);
      if (rsi === null || rsi <= longThreshold || rsi >= shortThreshold) continue;
      await this.manager.withLock(bot.symbol, () => {
        if (bot.markIdle(this.clock.now())) changed = true;
      });
    }
    if (changed) await this.manager.persist();
  }

  /** ms left of the one-candle cooldown after the symbol's last close (0 = none). */
  private cooldownLeft(symbol: string, bot: TradingBot | undefined): number {
    const lastClose = Math.max(bot?.record.last_position_close_timestamp ?? 0, this.history.lastCloseTime(symbol) ?? 0);
    return cooldownLeftMs(lastClose, TIMEFRAME_MS[this.manager.timeframe], this.clock.now());
  }
}
