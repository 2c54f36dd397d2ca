import { Injectable } from '@nestjs/common';
import { NotFoundError, ValidationError } from '../common/errors';
import { normalizeSymbol, SYMBOL_INPUT_MAX_LENGTH } from '../common/symbol';
import { IndividualSettingsService, type CoinSettings } from '../config/individual-settings.service';
import { isTimeframe, type Timeframe } from '../exchange/exchange.types';
import { RsiService } from '../rsi/rsi.service';
import { isPlainObject } from './bots-config.service';
import {
  fitExitScam,
  MIN_CANDLES_FOR_LEARNING,
  type Aggressiveness,
  type ExitScamFit,
} from './settings/exit-scam-learning';

const EXIT_SCAM_KEYS = [
  'exit_scam_enabled',
  'exit_scam_candles',
  'exit_scam_single_candle_percent',
  'exit_scam_multi_candle_count',
  'exit_scam_multi_candle_percent',
];

/** Individual (per-coin) settings operations beyond plain get/set: copy, exit-scam learning, bulk resets. */
@Injectable()
export class CoinSettingsService {
  constructor(
    private readonly settings: IndividualSettingsService,
    private readonly rsi: RsiService,
  ) {}

  /** A well-formed symbol the service does not know is a 404. */
  requireKnown(symbol: string): void {
    if (!this.rsi.isKnownSymbol(symbol)) throw new NotFoundError(`Unknown symbol ${symbol}`);
  }

  get(symbol: string): CoinSettings {
    const found = this.settings.get(symbol);
    if (!found) throw new NotFoundError('Individual settings not found');
    return found;
  }

  /** Replaces the coin's overrides (null values dropped, validated against the auto-bot key table). */
  async set(symbol: string, body: unknown): Promise<CoinSettings> {
    if (!isPlainObject(body)) throw new ValidationError(null, 'Invalid settings payload');
    this.requireKnown(symbol);
    const { updated_at: _u, ...overrides } = body;
    return this.settings.set(symbol, overrides);
  }

  async remove(symbol: string): Promise<void> {
    if (!(await this.settings.remove(symbol))) throw new NotFoundError('Individual settings not found');
  }

  /** Copies the coin's overrides to `targets` or to every coin of the RSI list but itself. */
  async copyToAll(symbol: string, targets: string[] | undefined): Promise<{ copied_count: number; message?: string }> {
    const source = this.settings.get(symbol);
    if (!source) return { copied_count: 0, message: `${symbol} has no individual settings to copy` };
    const { updated_at: _u, ...overrides } = source;
    const unique = [
      ...new Set((targets ?? this.rsi.getCoins().map((c) => c.symbol)).map((t) => this.knownTarget(t))),
    ].filter((t) => t !== symbol);
    const count = await this.settings.setMany(Object.fromEntries(unique.map((t) => [t, { ...overrides }])));
    return { copied_count: count };
  }

  /**
   * A copy target is a coin key in the settings file: only well-formed symbols the service knows (docs/security.md).
   */
  private knownTarget(raw: string): string {
    const target = normalizeSymbol(raw);
    if (target === null || !this.rsi.isKnownSymbol(target)) {
      throw new ValidationError(
        'targets',
        `targets: ${JSON.stringify(String(raw).slice(0, SYMBOL_INPUT_MAX_LENGTH))} is not a listed coin`,
      );
    }
    return target;
  }

  private fit(symbol: string, timeframe: Timeframe, aggressiveness: Aggressiveness): ExitScamFit | null {
    const config = this.settings.effectiveConfig(symbol);
    return fitExitScam(this.rsi.getCandles(symbol, timeframe), aggressiveness, {
      candles: config.exit_scam_candles,
      multiCount: config.exit_scam_multi_candle_count,
    });
  }

  private timeframeOf(value: string | undefined): Timeframe {
    return value && isTimeframe(value) ? value : this.rsi.timeframe;
  }

  /** Fits the exit-scam thresholds to the coin's cached candles and merges them into its overrides. */
  async learnExitScam(symbol: string, aggressiveness: Aggressiveness = 'normal', timeframeInput?: string) {
    this.requireKnown(symbol);
    const timeframe = this.timeframeOf(timeframeInput);
    const fit = this.fit(symbol, timeframe, aggressiveness);
    if (!fit) {
      throw new ValidationError(
        null,
        `Not enough candles for ${symbol} on ${timeframe} (need at least ${MIN_CANDLES_FOR_LEARNING})`,
        { symbol, timeframe },
      );
    }
    const { updated_at: _u, ...current } = this.settings.get(symbol) ?? {};
    await this.settings.set(symbol, { ...current, ...fit.params });
    return { symbol, timeframe, params: fit.params, stats: fit.stats };
  }

  async learnExitScamAll(aggressiveness: Aggressiveness = 'normal', timeframeInput?: string) {
    const timeframe = this.timeframeOf(timeframeInput);
    const symbols = this.rsi.getCoins().map((c) => c.symbol);
    if (symbols.length === 0) throw new ValidationError(null, 'No coins loaded yet');
    const updates: Record<string, Record<string, unknown>> = {};
    const samples: Array<{ symbol: string } & ExitScamFit['params']> = [];
    let failed = 0;
    for (const symbol of symbols) {
      const fit = this.fit(symbol, timeframe, aggressiveness);
      if (!fit) {
        failed++;
        continue;
      }
      const { updated_at: _u, ...current } = this.settings.get(symbol) ?? {};
      updates[symbol] = { ...current, ...fit.params };
      // Flat items: the UI reads sample.symbol and sample.exit_scam_* directly.
      if (samples.length < 10) samples.push({ symbol, ...fit.params });
    }
    const updated = Object.keys(updates);
    if (updated.length === 0) {
      throw new ValidationError(null, `No coin has enough candles on ${timeframe} to learn from`);
    }
    await this.settings.setMany(updates);
    return {
      updated_count: updated.length,
      failed_count: failed,
      timeframe,
      symbols_updated: updated.slice(0, 50),
      sample_params: samples,
    };
  }

  async resetExitScamAll(): Promise<number> {
    return this.settings.editAll((_symbol, coin) => {
      const had = EXIT_SCAM_KEYS.some((k) => k in coin);
      for (const k of EXIT_SCAM_KEYS) delete coin[k];
      return had;
    });
  }

  resetAll(): Promise<number> {
    return this.settings.clear();
  }
}
