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

// LazyPort moved to src/common/lazy-port.ts (health uses it too); re-exported for the rsi module's callers.
export { LazyPort } from '../common/lazy-port';

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
