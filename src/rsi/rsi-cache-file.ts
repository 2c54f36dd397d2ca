import type { Logger } from '@nestjs/common';
import type { Clock } from '../common/clock';
import { isoLocal } from '../common/clock';
import { normalizeSymbol } from '../common/symbol';
import type { Timeframe } from '../exchange/exchange.types';
import type { JsonStore } from '../persistence/json-store.service';
import type { CoinRecord } from './rsi.types';

export const RSI_CACHE_FILE = 'rsi_cache.json';
export const OPTIMAL_EMA_FILE = 'optimal_ema.json';
/** A cache older than this is not served at start-up (docs/api-contract.md §5). */
export const CACHE_MAX_AGE_MS = 6 * 3600_000;

export interface LoadStats {
  total_coins: number;
  successful_coins: number;
  failed_coins: number;
}

interface RsiCacheFileContent {
  timestamp?: string;
  saved_at?: number;
  timeframe?: string;
  coins: Record<string, CoinRecord>;
  stats?: LoadStats;
}

/** What start-up may serve from the cache file. */
export interface CachedTable {
  /** When the file was written (null when unknown), also for a file not served. */
  savedAt: number | null;
  /** The records to serve until the live load finishes; null when the file is absent, stale or of another timeframe. */
  coins: Map<string, CoinRecord> | null;
  stats: LoadStats | null;
}

function validateCache(value: unknown): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'expected a JSON object';
  const coins = (value as { coins?: unknown }).coins;
  if (coins === null || typeof coins !== 'object' || Array.isArray(coins)) return 'coins must be an object';
  return null;
}

/** data/rsi_cache.json: the coin table written after each load and served at start-up while the first load runs. */
export class RsiCacheFile {
  constructor(
    private readonly store: JsonStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async load(timeframe: Timeframe): Promise<CachedTable> {
    const cache = await this.store.load<RsiCacheFileContent | null>(RSI_CACHE_FILE, {
      defaults: () => null,
      validate: validateCache,
    });
    if (!cache) return { savedAt: null, coins: null, stats: null };
    const parsed =
      typeof cache.saved_at === 'number' ? cache.saved_at : cache.timestamp ? Date.parse(cache.timestamp) : NaN;
    const savedAt = Number.isFinite(parsed) ? parsed : null;
    if (cache.timeframe && cache.timeframe !== timeframe) {
      this.logger.log(
        `${RSI_CACHE_FILE} holds ${cache.timeframe} data; the system timeframe is ${timeframe}: not served`,
      );
      return { savedAt, coins: null, stats: null };
    }
    if (savedAt === null || this.clock.now() - savedAt > CACHE_MAX_AGE_MS) {
      this.logger.log(`${RSI_CACHE_FILE} is older than 6 h: not served`);
      return { savedAt, coins: null, stats: null };
    }
    const coins = new Map<string, CoinRecord>();
    for (const [symbol, record] of Object.entries(cache.coins)) {
      if (!record || typeof record !== 'object') continue;
      // No entry from a cached record: effective signals wait for live data.
      coins.set(symbol, {
        ...record,
        symbol,
        data_source: 'cache',
        effective_signal: 'WAIT',
        effective_signal_reason: 'waiting for live market data',
      });
    }
    return { savedAt, coins, stats: cache.stats ? { ...cache.stats } : null };
  }

  /** Writes the table (atomic, through the JSON store); resolves once on disk. */
  async save(
    timeframe: Timeframe,
    coins: Iterable<[string, CoinRecord]>,
    stats: LoadStats,
    now: number,
  ): Promise<void> {
    const bySymbol: Record<string, CoinRecord> = {};
    for (const [symbol, record] of coins) bySymbol[symbol] = record;
    await this.store.save(RSI_CACHE_FILE, {
      timestamp: isoLocal(now),
      saved_at: now,
      timeframe,
      coins: bySymbol,
      stats,
    } satisfies RsiCacheFileContent);
  }

  /** Optional, read-only: the optimal-EMA search was removed upstream, but a file left by it is honoured. */
  async loadOptimalEma(): Promise<Map<string, { fast: number; slow: number }>> {
    const out = new Map<string, { fast: number; slow: number }>();
    if (!(await this.store.exists(OPTIMAL_EMA_FILE))) return out;
    const data = await this.store.load<Record<string, unknown>>(OPTIMAL_EMA_FILE, { defaults: () => ({}) });
    if (!data || typeof data !== 'object' || Array.isArray(data)) return out;
    for (const [symbol, value] of Object.entries(data)) {
      const v = value as { ema_short?: unknown; ema_long?: unknown } | null;
      const fast = Number(v?.ema_short);
      const slow = Number(v?.ema_long);
      const coin = normalizeSymbol(symbol);
      if (
        coin !== null &&
        Number.isInteger(fast) &&
        Number.isInteger(slow) &&
        fast >= 2 &&
        slow > fast &&
        slow <= 600
      ) {
        out.set(coin, { fast, slow });
      }
    }
    if (out.size > 0) this.logger.log(`Optimal EMA periods for ${out.size} coins from ${OPTIMAL_EMA_FILE}`);
    return out;
  }
}
