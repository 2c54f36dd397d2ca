import type { Timeframe } from '../exchange/exchange.types';
import type { CandleSeries } from './candle-series';
import type { CoinAnalysis } from './coin-analysis';
import type { RecordPatch } from './ports';
import type { CoinRecord } from './rsi.types';

/** What maturity and filters read of a coin besides its record. */
export interface CoinMarketView {
  symbol: string;
  timeframe: Timeframe;
  /** The candles the signal reads (without the forming one when signal_candle is 'closed'). */
  series: CandleSeries;
  analysis: CoinAnalysis;
  /** False until the coin was computed from exchange data in this process (cache-only records are not live). */
  live: boolean;
}

/** A coin's candles and their analysis (the series is the only copy of the candles). */
export interface SymbolState {
  series: CandleSeries;
  /**
   * The candles the analysis and the record are computed on (coin-record.ts signalSeries): `series` itself, or a view
   * on it without the forming candle when signal_candle is 'closed'. Rebuilt with every install.
   */
  signal: CandleSeries;
  analysis: CoinAnalysis;
  live: boolean;
}

/**
 * The coin table: per coin its candles + analysis (state) and the record the UI reads, and the data version that
 * changes with every write. Only RsiService writes here; other modules read records and views.
 */
export class CoinTable {
  private readonly states = new Map<string, SymbolState>();
  private readonly records = new Map<string, CoinRecord>();
  private dataVersion = 0;
  private contentRevision = 0;
  /** Changed since the cache file was last written. */
  dirty = false;

  get version(): number {
    return this.dataVersion;
  }

  /** Records a change: the UI sees a new version; the cache file is due. */
  bump(): void {
    this.dataVersion++;
    this.contentRevision++;
    this.dirty = true;
  }

  /**
   * Changes with every write of a record, also between versions (a load writes coin after coin and bumps the
   * version at its end): what serialised copies of the records are keyed on.
   */
  get revision(): number {
    return this.contentRevision;
  }

  get size(): number {
    return this.records.size;
  }

  get stateCount(): number {
    return this.states.size;
  }

  record(symbol: string): CoinRecord | undefined {
    return this.records.get(symbol);
  }

  has(symbol: string): boolean {
    return this.records.has(symbol);
  }

  allRecords(): CoinRecord[] {
    return [...this.records.values()];
  }

  recordEntries(): IterableIterator<[string, CoinRecord]> {
    return this.records.entries();
  }

  symbols(): string[] {
    return [...this.records.keys()];
  }

  state(symbol: string): SymbolState | undefined {
    return this.states.get(symbol);
  }

  stateEntries(): IterableIterator<[string, SymbolState]> {
    return this.states.entries();
  }

  view(symbol: string, timeframe: Timeframe): CoinMarketView | undefined {
    const state = this.states.get(symbol);
    if (!state) return undefined;
    return { symbol, timeframe, series: state.signal, analysis: state.analysis, live: state.live };
  }

  setState(symbol: string, state: SymbolState): void {
    this.states.set(symbol, state);
  }

  /** The coin's record, created with `empty` when missing. */
  recordFor(symbol: string, empty: () => CoinRecord): CoinRecord {
    let record = this.records.get(symbol);
    if (!record) {
      this.records.set(symbol, (record = empty()));
      this.contentRevision++;
    }
    return record;
  }

  /** Writes fields into a record of this table; an undefined value removes the key. */
  apply(record: CoinRecord, patch: RecordPatch): void {
    this.contentRevision++;
    for (const key of Object.keys(patch)) {
      const value = patch[key];
      if (value === undefined) delete record[key];
      else record[key] = value;
    }
  }

  remove(symbol: string): void {
    this.contentRevision++;
    this.records.delete(symbol);
    this.states.delete(symbol);
  }

  clear(): void {
    this.contentRevision++;
    this.records.clear();
    this.states.clear();
  }

  /** Records from the cache file, served until live data replaces them. */
  serveCached(records: Map<string, CoinRecord>): void {
    this.contentRevision++;
    for (const [symbol, record] of records) this.records.set(symbol, record);
  }
}
