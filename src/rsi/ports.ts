import type { ModuleRef } from '@nestjs/core';
import type { CoinRecord } from './rsi.types';

/**
 * Port through which the coin table learns about exchange positions (has_existing_position, manual_positions of
 * coins-with-rsi). Declared here, below the bots module, which provides it (`{ provide: POSITIONS_VIEW, ... }`).
 * Optional: without a provider no coin has a position.
 */
export const POSITIONS_VIEW = Symbol('POSITIONS_VIEW');

export interface PositionsView {
  /** Symbols with an open position on the exchange (last known). */
  openPositionSymbols(): Iterable<string>;
  /** Symbols with an exchange position that no bot manages. */
  manualPositionSymbols(): string[] | Promise<string[]>;
}

/**
 * A port provided by a module above the one using it, looked up in the whole container when first needed.
 * Constructor injection would close a provider cycle (BotManager needs RsiService, whose port BotManager provides)
 * and would need the provider's module imported here; a lookup at use time depends on no init order, since Nest
 * creates every provider before any lifecycle hook or request. A missing provider reads as null.
 */
export class LazyPort<T> {
  private resolved: T | null = null;

  constructor(
    private readonly moduleRef: Pick<ModuleRef, 'get'> | undefined,
    private readonly token: symbol,
  ) {}

  get(): T | null {
    if (this.resolved !== null || !this.moduleRef) return this.resolved;
    try {
      this.resolved = (this.moduleRef.get<T>(this.token, { strict: false }) as T | undefined) ?? null;
    } catch {
      // Not provided in this application (e.g. a test module without bots): ask again next time.
      return null;
    }
    return this.resolved;
  }
}

/**
 * Port through which the coin table's derived fields (maturity, filter flags, signals, effective signal) are
 * computed after each change. Declared here; the filters module provides it. The enricher reads the records and
 * returns the fields to change; only the coin table writes its records and bumps its data version.
 */
export const COIN_RECORD_ENRICHER = Symbol('COIN_RECORD_ENRICHER');

/** Fields to change in one record; a key whose value is undefined is removed from the record. */
export type RecordPatch = Partial<CoinRecord>;

export interface CoinRecordEnricher {
  enrich(records: readonly CoinRecord[]): Map<string, RecordPatch>;
}
