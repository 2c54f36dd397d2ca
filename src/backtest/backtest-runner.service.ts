import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import { CandleStoreService } from '../candles/candle-store.service';
import { Clock } from '../common/clock';
import { MAX_SYMBOL_LIST, normalizeSymbol } from '../common/symbol';
import { exchangeConfig } from '../config/app.config';
import { AutoBotConfigService } from '../config/auto-bot-config.service';
import { ConfigValidationError } from '../config/config-validation.error';
import { AUTO_BOT_SPECS, type AutoBotConfig } from '../config/defaults';
import { COIN_SETTING_SPECS, IndividualSettingsService } from '../config/individual-settings.service';
import { coerceSettings } from '../config/setting-spec';
import { SystemConfigService } from '../config/system-config.service';
import { refuseUnsupportedSettings } from '../config/unsupported-settings';
import { ExchangeService } from '../exchange/exchange.service';
import { TIMEFRAME_MS } from '../exchange/exchange.types';
import type { UniverseEntry } from './engine/candle-source';
import { DamagedCandlesError, type BacktestSpec } from './jobs/backtest-job.types';
import { runInWorker, type WorkerRun } from './jobs/run-in-worker';
import type { BacktestResult, BacktestStatistics, JsonObject } from './result/backtest-result';
import { instrumentRules } from './engine/backtest.types';

/** What a caller asks for (API body or CLI flags), before validation. */
export interface BacktestRequest {
  from: unknown;
  to: unknown;
  symbols?: unknown;
  scope?: unknown;
  overrides?: unknown;
  detail?: unknown;
  starting_balance?: unknown;
}

/** The paper exchange's taker fee and quote (one tick either side): docs/backtest-engine.md, "Fills". */
export const PAPER_FEE_RATE = 0.00055;
export const PAPER_SPREAD_TICKS = 1;
/** Candles replayed per coin at most (bounds a job's memory: 583 coins × 20 000 candles ≈ 0.5 GB would be refused). */
export const MAX_RANGE_CANDLES = 10_000;
/** Candles before `from` that warm the RSI up, on top of the maturity minimum. */
const WARMUP_EXTRA_CANDLES = 50;

export type BacktestStage = 'candles' | 'load' | 'replay' | 'assemble';

export interface ExecuteHandlers {
  /** Overall progress 0–1 and the stage it is in. */
  onProgress?(fraction: number, stage: BacktestStage): void;
  /** Receives the running worker, so the caller can cancel it. */
  onWorker?(run: WorkerRun): void;
}

export interface ExecutedBacktest {
  /** Null when the worker wrote it to spec.resultFile. */
  result: BacktestResult | null;
  statistics: BacktestStatistics;
  bars: number;
  detailBars: number;
  replayMs: number;
}

function fieldError(field: string, message: string): never {
  throw new ConfigValidationError(field, message);
}

/** `2026-01-01`, `2026-01-01T06:00` (UTC when no zone is given) or epoch ms. */
export function parseTime(field: string, value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  if (typeof value === 'string' && value.length <= 40) {
    if (/^\d{1,16}$/.test(value)) return Number(value);
    const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?)?$/.test(value)
      ? `${value.length === 10 ? `${value}T00:00` : value}Z`
      : value;
    const ms = Date.parse(iso);
    if (Number.isFinite(ms)) return ms;
  }
  return fieldError(
    field,
    `${field} must be a date (2026-01-01, 2026-01-01T06:00 UTC) or epoch milliseconds (got ${JSON.stringify(value)?.slice(0, 40)})`,
  );
}

/**
 * Turns a backtest request into a validated BacktestSpec (settings through the same setting specs as any settings
 * change, symbols against the exchange's market list) and runs it: candles filled through the candle store, the
 * replay in a worker thread. Shared by the API's jobs and the CLI (docs/backtest.md).
 */
@Injectable()
export class BacktestRunner {
  constructor(
    private readonly exchange: ExchangeService,
    private readonly store: CandleStoreService,
    private readonly autoBot: AutoBotConfigService,
    private readonly coins: IndividualSettingsService,
    private readonly system: SystemConfigService,
    private readonly clock: Clock,
    @Inject(exchangeConfig.KEY) private readonly exchangeSettings: ConfigType<typeof exchangeConfig>,
  ) {}

  /** Validates the request (400 naming the field via ConfigValidationError) and builds the worker's input. */
  async prepare(
    request: BacktestRequest,
    id: string = randomUUID(),
    resultFile: string | null = null,
  ): Promise<BacktestSpec> {
    const now = this.clock.now();
    const timeframe = this.system.timeframe;
    const tfMs = TIMEFRAME_MS[timeframe];
    const from = parseTime('from', request.from);
    const to = Math.min(parseTime('to', request.to), now);
    if (from >= now) fieldError('from', 'from must be in the past: there is no data after now');
    if (!(from < to)) fieldError('to', 'to must be after from');
    if ((to - from) / tfMs > MAX_RANGE_CANDLES) {
      fieldError('to', `the range is longer than ${MAX_RANGE_CANDLES} ${timeframe} candles`);
    }

    const overrides = this.overrides(request.overrides);
    if (request.scope !== undefined && request.scope !== null) {
      overrides.scope = coerceSettings(AUTO_BOT_SPECS, { scope: request.scope }).values.scope;
    }
    const config = { ...this.autoBot.get(), ...overrides } as AutoBotConfig;

    const detail = request.detail === undefined || request.detail === null ? false : request.detail;
    if (typeof detail !== 'boolean') fieldError('detail', 'detail must be true or false');
    const balance = request.starting_balance ?? this.exchangeSettings.paper.startingBalance;
    if (typeof balance !== 'number' || !Number.isFinite(balance) || balance < 1 || balance > 1e12) {
      fieldError('starting_balance', 'starting_balance must be a number from 1 to 1000000000000');
    }

    const symbols = this.symbols(request.symbols);
    const entries: UniverseEntry[] = symbols.map((symbol) => {
      const market = this.exchange.market(symbol)!;
      const coin = this.coinLayer(symbol, overrides);
      return {
        symbol,
        rules: instrumentRules(market),
        ...(coin ? { overrides: coin } : {}),
      };
    });
    const warmup = (config.min_candles_for_maturity + WARMUP_EXTRA_CANDLES) * tfMs;
    await this.requireData(symbols[0], timeframe, from, to);
    return {
      id,
      candleRoot: this.store.root,
      timeframe,
      loadFromMs: Math.floor((from - warmup) / tfMs) * tfMs,
      fromMs: from,
      toMs: to,
      entries,
      config,
      startingBalance: balance,
      feeRate: PAPER_FEE_RATE,
      spreadTicks: PAPER_SPREAD_TICKS,
      detail,
      parameters: {
        from_ms: from,
        to_ms: to,
        symbols,
        timeframe,
        detail: detail ? '1m' : null,
        starting_balance: balance,
        settings_overrides: overrides as JsonObject,
        seed: this.exchangeSettings.name === 'paper' ? this.exchangeSettings.paper.seed : null,
      },
      generatedAtMs: now,
      resultFile,
    };
  }

  /**
   * Fills the candles the spec needs (0–50 %), then replays them in a worker thread (50–100 %). The fill reads only
   * headers of files that cover the range: the worker reads and verifies every file anyway, and a damaged one it
   * finds is fetched again (a verifying fill of that coin) before the job runs once more.
   */
  async execute(spec: BacktestSpec, handlers: ExecuteHandlers = {}): Promise<ExecutedBacktest> {
    const symbols = spec.entries.map((e) => e.symbol);
    const fill = await this.store.ensure(
      symbols,
      spec.timeframe,
      spec.loadFromMs,
      spec.toMs,
      (p) => handlers.onProgress?.(p.pagesTotal > 0 ? (0.5 * p.pagesDone) / p.pagesTotal : 0.5, 'candles'),
      { verifyPayload: false },
    );
    if (fill.failed.length === symbols.length) {
      throw new Error(`no candles could be fetched: ${fill.failed[0]?.error ?? 'unknown error'}`);
    }
    try {
      return await this.replay(spec, handlers);
    } catch (error) {
      if (!(error instanceof DamagedCandlesError)) throw error;
      const repaired = await this.store.ensure([error.symbol], spec.timeframe, spec.loadFromMs, spec.toMs);
      if (repaired.failed.length > 0) throw new Error(`${error.message}; fetching it again failed`);
      return this.replay(spec, handlers);
    }
  }

  private async replay(spec: BacktestSpec, handlers: ExecuteHandlers): Promise<ExecutedBacktest> {
    handlers.onProgress?.(0.5, 'load');
    const stageBase = { load: 0.5, replay: 0.6, assemble: 0.9 } as const;
    const stageSpan = { load: 0.1, replay: 0.3, assemble: 0.05 } as const;
    const run = runInWorker(spec, {
      onProgress: (stage, fraction) => handlers.onProgress?.(stageBase[stage] + stageSpan[stage] * fraction, stage),
      loadDetail: async (symbol, fromMs, toMs) => {
        await this.store.ensure([symbol], '1m', fromMs, toMs);
        return this.store.load(symbol, '1m', fromMs, toMs);
      },
    });
    handlers.onWorker?.(run);
    const done = await run.done;
    return {
      result: done.result,
      statistics: done.statistics,
      bars: done.bars,
      detailBars: done.detailBars,
      replayMs: done.replayMs,
    };
  }

  private overrides(input: unknown): Record<string, unknown> {
    if (input === undefined || input === null) return {};
    if (typeof input !== 'object' || Array.isArray(input)) {
      fieldError('overrides', 'overrides must be an object of auto-bot settings');
    }
    try {
      const { values } = coerceSettings(AUTO_BOT_SPECS, input as Record<string, unknown>);
      refuseUnsupportedSettings(values);
      return values;
    } catch (error) {
      if (error instanceof ConfigValidationError) {
        throw new ConfigValidationError(`overrides.${error.key}`, `overrides.${error.message}`);
      }
      throw error;
    }
  }

  /** The coin's individual settings with the request's overrides on top (the overrides win over every layer). */
  private coinLayer(symbol: string, overrides: Record<string, unknown>): Record<string, unknown> | null {
    const stored = this.coins.get(symbol);
    if (!stored) return null;
    const { values } = coerceSettings(COIN_SETTING_SPECS, stored);
    const layer = { ...values, ...overrides };
    return Object.keys(layer).length ? layer : null;
  }

  private symbols(input: unknown): string[] {
    const tradable = this.exchange.tradableSymbols();
    if (input === undefined || input === null) {
      if (tradable.length === 0) fieldError('symbols', `the exchange ${this.exchange.name} lists no tradable symbol`);
      return tradable;
    }
    const list = typeof input === 'string' ? input.split(',') : input;
    if (!Array.isArray(list) || list.length === 0 || list.length > MAX_SYMBOL_LIST) {
      fieldError('symbols', `symbols must be a list of 1 to ${MAX_SYMBOL_LIST} coins`);
    }
    const known = new Set(tradable);
    const out = new Set<string>();
    for (const item of list) {
      const symbol = normalizeSymbol(typeof item === 'string' ? item.trim() : item);
      if (symbol === null) fieldError('symbols', `symbols: ${JSON.stringify(item)?.slice(0, 30)} is not a coin symbol`);
      if (!known.has(symbol)) {
        fieldError('symbols', `symbols: ${symbol} is not a tradable symbol on ${this.exchange.name}`);
      }
      out.add(symbol);
    }
    return [...out];
  }

  /** A range with no candles at all is the caller's mistake: probed on one coin before the job is accepted. */
  private async requireData(
    symbol: string,
    timeframe: BacktestSpec['timeframe'],
    from: number,
    to: number,
  ): Promise<void> {
    await this.store.ensure([symbol], timeframe, from, to).catch(() => undefined);
    const probe = await this.store.load(symbol, timeframe, from, to).catch(() => null);
    if (!probe || probe.length === 0) fieldError('from', `no ${timeframe} candles of ${symbol} between from and to`);
  }
}
