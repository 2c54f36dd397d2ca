import type { EntryBlock } from '../common/entry-guard';
import type { CoinRecord } from './rsi.types';

/** The protection lock shown on a locked coin of coins-with-rsi (docs/protections.md). */
export interface CoinLockField {
  rule: string;
  reason: string;
  lock_id: string | null;
  until: string | null;
}

/**
 * The `coins` object of coins-with-rsi serialised once per content of the coin table: ~470 kB of JSON for 540 coins
 * took ~10 ms to build and serialise on every poll. The key is the table's revision (bumped on every record write,
 * so a load in progress is seen as before) plus the protection locks shown on coins. One entry: the size is bounded.
 */
export class CoinsJsonCache {
  private cached: { revision: number; locks: string; json: Buffer; total: number } | null = null;
  /** How many times the JSON was built (tests and diagnostics). */
  builds = 0;

  /**
   * `lockFor` gives the lock a coin shows (null: none); `lockField` turns it into the served field.
   * Returns the JSON of the coins object (UTF-8) and the number of coins.
   */
  get(
    revision: number,
    records: () => readonly CoinRecord[],
    lockFor: ((symbol: string) => EntryBlock | null) | null,
    lockField: (block: EntryBlock) => CoinLockField,
  ): { json: Buffer; total: number } {
    const list = records();
    const locked = lockFor ? lockedCoins(list, lockFor) : [];
    const locks = locked
      .map(([symbol, block]) => `${symbol}|${block.rule}|${block.lockId}|${block.until}|${block.reason}`)
      .join('\n');
    if (this.cached && this.cached.revision === revision && this.cached.locks === locks) return this.cached;
    const lockBySymbol = new Map(locked);
    const coins: Record<string, CoinRecord> = {};
    for (const record of list) {
      // Only locked coins are copied (adding a null to every record would double the cost).
      const lock = lockBySymbol.get(record.symbol);
      coins[record.symbol] = lock ? { ...record, protection_lock: lockField(lock) } : record;
    }
    this.builds++;
    this.cached = { revision, locks, json: Buffer.from(JSON.stringify(coins)), total: list.length };
    return this.cached;
  }
}

function lockedCoins(
  records: readonly CoinRecord[],
  lockFor: (symbol: string) => EntryBlock | null,
): Array<[string, EntryBlock]> {
  const out: Array<[string, EntryBlock]> = [];
  for (const record of records) {
    const lock = lockFor(record.symbol);
    if (lock) out.push([record.symbol, lock]);
  }
  return out;
}
