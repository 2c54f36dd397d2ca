import { Inject, Injectable, Optional } from '@nestjs/common';
import { isoLocal } from '../common/clock';
import { ENTRY_GUARD, type EntryBlock, type EntryGuard } from '../common/entry-guard';
import { CoinsJsonCache, type CoinLockField } from './coins-json-cache';
import type { CoinsWithRsiResponseDto } from './dto/rsi-responses.dto';
import { RsiService } from './rsi.service';

/**
 * The body of GET /api/bots/coins-with-rsi (CoinsWithRsiResponseDto, docs/api-contract.md §2.4) as JSON bytes:
 * the coins object comes from a cache keyed by the coin table's revision, the few small fields are serialised per
 * request.
 */
@Injectable()
export class CoinsWithRsiResponder {
  private readonly cache = new CoinsJsonCache();
  /**
   * The last whole body: polls between changes get the same bytes without a new 480 kB buffer each (allocated
   * outside the JS heap, such buffers pile up between collections and raised the peak RSS under polling).
   */
  private last: { coins: Buffer; rest: string; body: Buffer } | null = null;

  constructor(
    private readonly rsi: RsiService,
    @Optional() @Inject(ENTRY_GUARD) private readonly entryGuard?: EntryGuard,
  ) {}

  async body(): Promise<Buffer> {
    const guard = this.entryGuard;
    const { json, total } = this.cache.get(
      this.rsi.contentRevision,
      () => this.rsi.getCoins(),
      guard ? (symbol) => guard.lockFor(symbol) : null,
      lockField,
    );
    const progress = this.rsi.getLoadProgress();
    const rest: Omit<CoinsWithRsiResponseDto, 'success' | 'coins'> = {
      total,
      last_update: progress.lastUpdate === null ? null : isoLocal(progress.lastUpdate),
      update_in_progress: progress.inProgress,
      data_version: this.rsi.dataVersion,
      manual_positions: await this.rsi.manualPositions(),
      cache_info: this.rsi.cacheInfo(),
      stats: this.rsi.stats(),
      timeframe: this.rsi.timeframe,
    };
    const restJson = JSON.stringify(rest);
    if (this.last && this.last.coins === json && this.last.rest === restJson) return this.last.body;
    // {"success":true,"coins":<cached>,"total":...}: the same fields in the same order as before the cache.
    const body = Buffer.concat([PREFIX, json, Buffer.from(`,${restJson.slice(1)}`)]);
    this.last = { coins: json, rest: restJson, body };
    return body;
  }

  /** Times the coins JSON was built (a spec checks it is rebuilt only when the table changed). */
  get builds(): number {
    return this.cache.builds;
  }
}

const PREFIX = Buffer.from('{"success":true,"coins":');

function lockField(lock: EntryBlock): CoinLockField {
  return {
    rule: lock.rule,
    reason: lock.reason,
    lock_id: lock.lockId,
    until: lock.until === null ? null : isoLocal(lock.until),
  };
}
