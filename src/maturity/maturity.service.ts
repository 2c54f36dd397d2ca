import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Mutex } from 'async-mutex';
import { Clock } from '../common/clock';
import { AutoBotConfigService } from '../config/auto-bot-config.service';
import { JsonStore } from '../persistence/json-store.service';
import { StateRegistry } from '../persistence/state-registry.service';
import { RsiService } from '../rsi/rsi.service';
import type { CoinRecord } from '../rsi/rsi.types';
import {
  checkMaturity,
  isRecordValid,
  validateMatureCoinsFile,
  type MatureCoinRecord,
  type MatureCoinsFile,
  type MaturityParams,
  type MaturityVerdict,
} from './maturity.rules';

export const MATURE_COINS_FILE = 'mature_coins.json';
const MATURITY_KEYS = ['min_candles_for_maturity', 'min_rsi_low', 'max_rsi_high'];

/**
 * Coin maturity (docs/trading-logic.md §3): a coin is mature once its RSI has swung through both limits over the last
 * `min_candles_for_maturity` candles. Mature coins are stored (sticky) in data/mature_coins.json; a record made under
 * another timeframe, candle minimum or RSI limits is invalid and dropped. Immature coins are re-checked every round.
 */
@Injectable()
export class MaturityService implements OnModuleInit {
  private readonly logger = new Logger('Maturity');
  private readonly mutex = new Mutex();
  private store: MatureCoinsFile = {};
  private dirty = false;
  private pendingSave: Promise<void> | null = null;
  /** Set while the records only take the store's flags (after a removal), without re-checking candles. */
  private recheckPaused = false;

  constructor(
    private readonly rsi: RsiService,
    private readonly autoBotConfig: AutoBotConfigService,
    private readonly json: JsonStore,
    private readonly registry: StateRegistry,
    private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.reload();
    this.registry.register('mature coins', () => this.flush());
    this.autoBotConfig.onChange((_config, changes) => {
      if (changes.some((c) => MATURITY_KEYS.includes(c.key))) {
        this.logger.log('Maturity settings changed: the mature-coin store is cleared');
        void this.clear().catch((error: Error) =>
          this.logger.warn(`Clearing ${MATURE_COINS_FILE} failed: ${error.message}`),
        );
      }
    });
  }

  /** The current rule parameters (global auto-bot config + system timeframe). */
  params(): MaturityParams {
    const config = this.autoBotConfig.get();
    return {
      minCandles: config.min_candles_for_maturity,
      minRsiLow: config.min_rsi_low,
      maxRsiHigh: config.max_rsi_high,
      timeframe: this.rsi.timeframe,
    };
  }

  get checkEnabled(): boolean {
    return this.autoBotConfig.get().enable_maturity_check;
  }

  /** True when the coin is stored as mature under the current settings (always true with the check disabled). */
  isMature(symbol: string): boolean {
    if (!this.checkEnabled) return true;
    const record = this.store[symbol];
    return record !== undefined && isRecordValid(record, this.params());
  }

  /** Stored verdict, or a fresh one from the cached candles (null without candles). Stores the coin when mature. */
  check(symbol: string): MaturityVerdict | null {
    const params = this.params();
    const stored = this.store[symbol];
    if (stored && isRecordValid(stored, params)) return stored.maturity_data;
    const view = this.rsi.getMarketView(symbol);
    if (!view) return null;
    const verdict = checkMaturity(view.series.closes(), params);
    if (verdict.is_mature) this.remember(symbol, verdict);
    return verdict;
  }

  /** Coins in the mature-coin store. */
  count(): number {
    return Object.keys(this.store).length;
  }

  /** Stamps last_verified on stored coins not verified for `olderThanMs` (activate-trading-rules). Returns how many. */
  touchVerified(olderThanMs = 5 * 60_000): number {
    const nowSeconds = Math.floor(this.clock.now() / 1000);
    let touched = 0;
    for (const record of Object.values(this.store)) {
      const last = record.last_verified ?? record.timestamp;
      if (nowSeconds - last >= olderThanMs / 1000) {
        record.last_verified = nowSeconds;
        touched++;
      }
    }
    if (touched > 0) this.dirty = true;
    return touched;
  }

  matureSymbols(): string[] {
    return Object.keys(this.store).sort();
  }

  storageDetails(): MatureCoinsFile {
    return this.store;
  }

  has(symbol: string): boolean {
    return symbol in this.store;
  }

  /** Reloads data/mature_coins.json and drops records made under other settings. */
  async reload(): Promise<void> {
    await this.mutex.runExclusive(async () => {
      this.store = await this.json.load<MatureCoinsFile>(MATURE_COINS_FILE, {
        defaults: () => ({}),
        validate: validateMatureCoinsFile,
      });
      const dropped = this.dropInvalid();
      if (dropped > 0) {
        this.logger.log(`${dropped} stored mature coins were made under other settings and were dropped`);
        await this.json.save(MATURE_COINS_FILE, this.store);
      }
    });
  }

  /** Saved first, applied after: when the save fails the coins stay (memory equals the disk). */
  async remove(symbols: string[]): Promise<{ removed: string[]; notFound: string[] }> {
    return this.mutex.runExclusive(async () => {
      const removed: string[] = [];
      const notFound: string[] = [];
      const next = { ...this.store };
      for (const symbol of symbols) {
        if (symbol in next) {
          delete next[symbol];
          removed.push(symbol);
        } else {
          notFound.push(symbol);
        }
      }
      if (removed.length > 0) {
        await this.json.save(MATURE_COINS_FILE, next, { onFailure: 'refused' });
        this.store = next;
        this.refreshFlags(removed);
      }
      return { removed, notFound };
    });
  }

  async clear(): Promise<number> {
    return this.mutex.runExclusive(async () => {
      const count = Object.keys(this.store).length;
      await this.json.save(MATURE_COINS_FILE, {}, { onFailure: 'refused' });
      this.store = {};
      this.dirty = false;
      this.refreshFlags();
      return count;
    });
  }

  /** Writes the store when it changed; also waits for a write already under way (so callers see it on disk). */
  async flush(): Promise<void> {
    // Only waits for it: a failed write leaves the store dirty, and the write below tries again.
    if (this.pendingSave) await this.pendingSave.catch(() => undefined);
    if (!this.dirty) return;
    this.dirty = false;
    const save = this.mutex.runExclusive(() => this.json.save(MATURE_COINS_FILE, this.store));
    this.pendingSave = save;
    try {
      await save;
    } catch (error) {
      this.dirty = true;
      throw error;
    } finally {
      if (this.pendingSave === save) this.pendingSave = null;
    }
  }

  /**
   * The is_mature flag of each record (part of the coin-record enrichment, see FilterService.enrich): re-checks coins
   * not stored yet and stores those now mature (this service's own state). The records are only read.
   */
  maturityFlags(records: readonly CoinRecord[]): Map<string, boolean> {
    const flags = new Map<string, boolean>();
    const params = this.params();
    const enabled = this.checkEnabled;
    this.dropInvalid(params);
    let added = 0;
    for (const record of records) {
      const symbol = record.symbol;
      let mature = this.store[symbol] !== undefined;
      if (!mature && !this.recheckPaused) {
        const view = this.rsi.getMarketView(symbol);
        if (view) {
          const verdict = checkMaturity(view.series.closes(), params);
          if (verdict.is_mature) {
            this.remember(symbol, verdict);
            mature = true;
            added++;
          }
        }
      }
      flags.set(symbol, enabled ? mature : true);
    }
    if (added > 0) {
      void this.flush().catch((error: Error) =>
        this.logger.warn(`Saving ${MATURE_COINS_FILE} failed: ${error.message}`),
      );
    }
    return flags;
  }

  private remember(symbol: string, verdict: MaturityVerdict): void {
    const record: MatureCoinRecord = { timestamp: Math.floor(this.clock.now() / 1000), maturity_data: verdict };
    this.store[symbol] = record;
    this.dirty = true;
  }

  private dropInvalid(params = this.params()): number {
    let dropped = 0;
    for (const [symbol, record] of Object.entries(this.store)) {
      if (!isRecordValid(record, params)) {
        delete this.store[symbol];
        dropped++;
      }
    }
    if (dropped > 0) this.dirty = true;
    return dropped;
  }

  /** The store changed outside a round: the coin table (its owner) recomputes the records' derived fields. */
  private refreshFlags(symbols?: string[]): void {
    // Only the flags follow the store now; coins are re-checked at the next round (a clear leaves none mature).
    this.recheckPaused = true;
    try {
      this.rsi.reenrich(symbols);
    } finally {
      this.recheckPaused = false;
    }
  }
}
