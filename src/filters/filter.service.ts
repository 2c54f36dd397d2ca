import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { AutoBotConfig } from '../config/defaults';
import { IndividualSettingsService } from '../config/individual-settings.service';
import { ExchangeService } from '../exchange/exchange.service';
import { TIMEFRAME_MS } from '../exchange/exchange.types';
import { MaturityService } from '../maturity/maturity.service';
import { RsiService, type CoinMarketView } from '../rsi/rsi.service';
import type { CoinRecordEnricher, RecordPatch } from '../rsi/ports';
import type { CoinRecord, EntrySignal } from '../rsi/rsi.types';
import { DelistingService, DELISTING_STATUSES } from './delisting.service';
import type { EntryCheck, EntryDirection, FilterDecision } from './filter.types';
import { checkExitScam, EXIT_SCAM_FILTER } from './rules/exit-scam';
import { checkLossReentry, LOSS_REENTRY_FILTER } from './rules/loss-reentry';
import { checkRsiTimeFilter, RSI_TIME_FILTER, RSI_TIME_FILTER_MIN_CANDLES } from './rules/rsi-time-filter';
import { checkScope, compileScope, SCOPE_FILTER, type CompiledScope } from './rules/scope';
import { TRADE_HISTORY, type TradeHistoryPort } from './trade-history.port';
import { DELISTED_FILTER, MATURITY_FILTER, runEntryFilters } from './rules/entry-chain';
import { FLAG_MIN_CANDLES, exitScamParams, lossReentryParams, rsiTimeFilterParams } from './rules/filter-params';
import {
  baseSignal,
  effectiveSignal,
  rsiZone,
  type EffectiveSignalSettings,
  type SignalVerdict,
} from '../rules/signal';

export { MATURITY_FILTER, DELISTED_FILTER };
// Pure parameter mappers shared with the backtest replay (src/filters/rules/filter-params.ts).
export { FLAG_MIN_CANDLES, exitScamParams, lossReentryParams, rsiTimeFilterParams };

/**
 * Entry filters and signals: completes every coin record with its signal, filter flags and effective signal after
 * each RSI round, and answers the bots module's questions (effective signal, entry check, exit signal, delisting).
 */
@Injectable()
export class FilterService implements CoinRecordEnricher {
  private readonly logger = new Logger('Filters');

  constructor(
    private readonly rsi: RsiService,
    private readonly maturity: MaturityService,
    private readonly individualSettings: IndividualSettingsService,
    private readonly exchange: ExchangeService,
    private readonly delisting: DelistingService,
    @Optional() @Inject(TRADE_HISTORY) private readonly tradeHistory?: TradeHistoryPort,
  ) {}

  isDelisted(symbol: string): boolean {
    if (this.delisting.isDelisted(symbol)) return true;
    const status = this.exchange.market(symbol)?.status;
    return status !== undefined && DELISTING_STATUSES.has(status);
  }

  /** The signal at decision time (§5.2) with the current settings; WAIT with the reason otherwise. */
  effectiveSignal(symbol: string): { signal: 'ENTER_LONG' | 'ENTER_SHORT' | 'WAIT'; reason: string } {
    const record = this.rsi.getCoin(symbol);
    if (!record) return { signal: 'WAIT', reason: 'unknown symbol or no RSI data yet' };
    const view = this.rsi.getMarketView(symbol);
    if (!view) return { signal: 'WAIT', reason: 'waiting for live market data' };
    // Re-run the record's filters so settings changed since the last round count (a query: the record is not written).
    const fields = this.filterFields(
      record,
      view,
      this.individualSettings.effectiveConfig(symbol),
      new Map(),
      this.tradeHistory ?? null,
    );
    return { signal: fields.effective_signal ?? 'WAIT', reason: String(fields.effective_signal_reason ?? '') };
  }

  /**
   * The auto-bot's entry filters in order: maturity, RSI time filter, exit-scam (anti-pump), scope, delisted.
   * Each honours its enable flag; the first refusal stops the check; every decision made is reported.
   */
  checkEntry(symbol: string, direction: EntryDirection, config: AutoBotConfig): EntryCheck {
    const view = this.rsi.getMarketView(symbol);
    return runEntryFilters(
      symbol,
      direction,
      {
        maturity: config.enable_maturity_check,
        rsiTime: config.rsi_time_filter_enabled,
        exitScam: config.exit_scam_enabled,
      },
      {
        maturity: () => this.maturityDecision(symbol, config),
        rsiTime: () => this.rsiTimeDecision(view, direction, config),
        exitScam: () => this.exitScamDecision(view, config),
        scope: () => checkScope(symbol, compileScope(config)),
        delisted: () => this.delistedDecision(symbol),
      },
    );
  }

  /** Exit-scam verdict on the cached candles with the coin's effective settings (test endpoints). */
  testExitScam(symbol: string): FilterDecision {
    const config = this.individualSettings.effectiveConfig(symbol);
    return this.exitScamDecision(this.rsi.getMarketView(symbol), config);
  }

  /** RSI time filter for both directions, plus the one matching the coin's current zone (test endpoint). */
  testRsiTimeFilter(symbol: string): {
    direction: EntryDirection;
    decision: FilterDecision;
    decisions: Record<EntryDirection, FilterDecision>;
  } {
    const config = this.individualSettings.effectiveConfig(symbol);
    const view = this.rsi.getMarketView(symbol);
    const decisions = {
      LONG: this.rsiTimeDecision(view, 'LONG', config),
      SHORT: this.rsiTimeDecision(view, 'SHORT', config),
    };
    const rsi = this.rsi.getCoin(symbol)?.rsi ?? null;
    const direction: EntryDirection = rsi !== null && rsi >= 50 ? 'SHORT' : 'LONG';
    return { direction, decision: decisions[direction], decisions };
  }

  // ---------------------------------------------------------------- record enrichment (COIN_RECORD_ENRICHER)

  /**
   * The derived fields of coin records after each change of the coin table: maturity flag, signal, scope, filter
   * flags, delisting, effective signal. Reads the records; RsiService applies the returned patches and versions them.
   */
  enrich(records: readonly CoinRecord[]): Map<string, RecordPatch> {
    const patches = new Map<string, RecordPatch>();
    let maturity: Map<string, boolean> = new Map();
    try {
      maturity = this.maturity.maturityFlags(records);
    } catch (error) {
      this.logger.error(`Maturity flags failed: ${(error as Error).stack ?? String(error)}`);
    }
    const scopes = new Map<AutoBotConfig, CompiledScope>();
    const trades = this.tradeHistory ?? null;
    for (const record of records) {
      const patch: RecordPatch = {};
      const mature = maturity.get(record.symbol);
      if (mature !== undefined) patch.is_mature = mature;
      const view = this.rsi.getMarketView(record.symbol);
      if (!view) {
        // Served from the cache at start-up: keep its flags, but no entry until live data arrives.
        patch.effective_signal = 'WAIT';
        patch.effective_signal_reason = 'waiting for live market data';
      } else {
        Object.assign(
          patch,
          this.filterFields(record, view, this.individualSettings.effectiveConfig(record.symbol), scopes, trades),
        );
      }
      patches.set(record.symbol, patch);
    }
    return patches;
  }

  /** Filter fields of one record (a pure read of the record, the candles, the settings and the trade history). */
  private filterFields(
    record: CoinRecord,
    view: CoinMarketView,
    config: AutoBotConfig,
    scopes: Map<AutoBotConfig, CompiledScope>,
    trades: TradeHistoryPort | null,
  ): RecordPatch {
    const symbol = record.symbol;
    const thresholds = { longThreshold: config.rsi_long_threshold, shortThreshold: config.rsi_short_threshold };
    let scope = scopes.get(config);
    if (!scope) scopes.set(config, (scope = compileScope(config)));
    const scopeDecision = checkScope(symbol, scope);
    const signal: EntrySignal = scopeDecision.allowed ? baseSignal(record.rsi, thresholds) : 'WAIT';
    const fields: RecordPatch = {
      rsi_zone: rsiZone(record.rsi, thresholds),
      blocked_by_scope: !scopeDecision.allowed,
      signal,
      blocked_by_rsi_time: false,
      blocked_by_exit_scam: false,
      blocked_by_loss_reentry: false,
      time_filter_info: undefined,
      exit_scam_info: undefined,
      loss_reentry_info: undefined,
    };
    const direction = directionOf(signal);
    const candles = view.series.length;
    if (direction) {
      if (candles >= RSI_TIME_FILTER_MIN_CANDLES) {
        const decision = this.rsiTimeDecision(view, direction, config);
        fields.blocked_by_rsi_time = !decision.allowed;
        fields.time_filter_info = decision;
      }
      if (candles >= FLAG_MIN_CANDLES) {
        const decision = this.exitScamDecision(view, config);
        fields.blocked_by_exit_scam = !decision.allowed;
        fields.exit_scam_info = decision;
      }
      if (config.loss_reentry_protection && candles >= FLAG_MIN_CANDLES && trades) {
        const decision = this.lossReentryDecision(symbol, view, config, trades);
        fields.blocked_by_loss_reentry = !decision.allowed;
        fields.loss_reentry_info = decision;
      }
    }
    const market = this.exchange.market(symbol);
    if (market) fields.trading_status = market.status;
    fields.is_delisting = this.isDelisted(symbol);

    const verdict = this.verdictFor(record, fields, view, config);
    fields.effective_signal = verdict.signal;
    fields.effective_signal_reason = verdict.reason;
    return fields;
  }

  /** The effective signal from the record's indicator fields and the filter fields just computed for it. */
  private verdictFor(
    record: CoinRecord,
    fields: RecordPatch,
    view: CoinMarketView,
    config: AutoBotConfig,
  ): SignalVerdict {
    if (!view.live) return { signal: 'WAIT', reason: 'waiting for live market data' };
    if (fields.is_delisting) return { signal: 'WAIT', reason: 'coin is being delisted' };
    const enhanced = record.enhanced_rsi;
    const settings: EffectiveSignalSettings = {
      longThreshold: config.rsi_long_threshold,
      shortThreshold: config.rsi_short_threshold,
      enhancedRsiEnabled: enhanced?.enabled === true,
      exitScamEnabled: config.exit_scam_enabled,
      rsiTimeFilterEnabled: config.rsi_time_filter_enabled,
      lossReentryEnabled: config.loss_reentry_protection,
      maturityCheckEnabled: config.enable_maturity_check,
      avoidDownTrend: config.avoid_down_trend,
      avoidUpTrend: config.avoid_up_trend,
    };
    return effectiveSignal(
      {
        rsi: record.rsi,
        signal: fields.signal ?? 'WAIT',
        trend: record.trend,
        enhancedSignal: (enhanced?.signal as EntrySignal | undefined) ?? null,
        blockedByScope: fields.blocked_by_scope === true,
        blockedByExitScam: fields.blocked_by_exit_scam === true,
        blockedByRsiTime: fields.blocked_by_rsi_time === true,
        blockedByLossReentry: fields.blocked_by_loss_reentry === true,
        isMature: this.maturity.isMature(record.symbol),
      },
      settings,
    );
  }

  // ---------------------------------------------------------------- single decisions

  private maturityDecision(symbol: string, config: AutoBotConfig): FilterDecision {
    if (!config.enable_maturity_check) return disabled(MATURITY_FILTER);
    const verdict = this.maturity.check(symbol);
    if (!verdict) return { filter: MATURITY_FILTER, allowed: false, reason: 'no cached candles to check maturity' };
    return {
      filter: MATURITY_FILTER,
      allowed: verdict.is_mature,
      reason: verdict.is_mature ? 'coin is mature' : (verdict.reason ?? 'coin is not mature'),
      details: { ...verdict.details },
    };
  }

  private rsiTimeDecision(
    view: CoinMarketView | undefined,
    direction: EntryDirection,
    config: AutoBotConfig,
  ): FilterDecision {
    if (!view) return { filter: RSI_TIME_FILTER, allowed: false, reason: 'no cached candles' };
    return checkRsiTimeFilter(
      { candlesCount: view.series.length, rsiHistory: view.analysis.history, currentRsi: view.analysis.rsi, direction },
      rsiTimeFilterParams(config),
    );
  }

  private exitScamDecision(view: CoinMarketView | undefined, config: AutoBotConfig): FilterDecision {
    if (!view) return { filter: EXIT_SCAM_FILTER, allowed: false, reason: 'no cached candles' };
    return checkExitScam({ open: view.series.opens(), close: view.series.closes() }, exitScamParams(config));
  }

  private lossReentryDecision(
    symbol: string,
    view: CoinMarketView,
    config: AutoBotConfig,
    history: TradeHistoryPort,
  ): FilterDecision {
    try {
      const trades = [...history.closedTradesOf(symbol)].sort((a, b) => b.exitTime - a.exitTime);
      return checkLossReentry(
        { trades, candleTimes: view.series.times(), timeframeMs: TIMEFRAME_MS[view.timeframe] },
        lossReentryParams(config),
      );
    } catch (error) {
      // The rule says an error allows the entry.
      this.logger.warn(`Loss re-entry check for ${symbol} failed: ${(error as Error).message}`);
      return {
        filter: LOSS_REENTRY_FILTER,
        allowed: true,
        reason: `check failed (${(error as Error).message}); allowed`,
      };
    }
  }

  private delistedDecision(symbol: string): FilterDecision {
    const delisted = this.isDelisted(symbol);
    const entry = this.delisting.snapshot().delisted_coins[symbol];
    return {
      filter: DELISTED_FILTER,
      allowed: !delisted,
      reason: delisted
        ? (entry?.reason ?? `instrument status ${this.exchange.market(symbol)?.status}`)
        : 'not delisted',
    };
  }
}

function disabled(filter: string): FilterDecision {
  return { filter, allowed: true, reason: 'filter disabled' };
}

function directionOf(signal: EntrySignal): EntryDirection | null {
  return signal === 'ENTER_LONG' ? 'LONG' : signal === 'ENTER_SHORT' ? 'SHORT' : null;
}

export { SCOPE_FILTER };
