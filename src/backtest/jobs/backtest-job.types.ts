import type { AutoBotConfig } from '../../config/defaults';
import type { CandleColumns, Timeframe } from '../../exchange/exchange.types';
import type { UniverseEntry } from '../engine/candle-source';
import type { BacktestResult, BacktestRunParameters, BacktestStatistics } from '../result/backtest-result';

/**
 * Everything a worker thread needs to replay one backtest: plain data only (it crosses the thread boundary by
 * structured clone). Built and validated on the main thread by BacktestRunner.prepare (docs/backtest.md).
 */
export interface BacktestSpec {
  id: string;
  /** The candle store's folder (DATA_DIR/candles): the worker reads the files itself. */
  candleRoot: string;
  timeframe: Timeframe;
  /** First candle loaded: `from` minus the warm-up the indicators and maturity need. */
  loadFromMs: number;
  /** First entry decision (the requested `from`). */
  fromMs: number;
  toMs: number;
  entries: UniverseEntry[];
  config: AutoBotConfig;
  startingBalance: number;
  feeRate: number;
  spreadTicks: number;
  /** 1m detail while positions are open. */
  detail: boolean;
  parameters: BacktestRunParameters;
  generatedAtMs: number;
  /**
   * Where the worker writes the result (atomically) instead of posting it back: the serialisation of a
   * multi-megabyte result then happens off the main thread too. Null: the result comes back in the message.
   */
  resultFile: string | null;
}

/** Worker → main thread. */
export type WorkerMessage =
  | { type: 'progress'; stage: 'load' | 'replay' | 'assemble'; fraction: number }
  /** The worker lacks 1m candles of one window: the main thread fills the store and answers with `detail`. */
  | { type: 'need-detail'; requestId: number; symbol: string; fromMs: number; toMs: number }
  | {
      type: 'done';
      result: BacktestResult | null;
      statistics: BacktestStatistics;
      bars: number;
      detailBars: number;
      replayMs: number;
    }
  /** damagedSymbol: that coin's candle file failed its check (the main thread has it fetched again). */
  | { type: 'error'; message: string; damagedSymbol?: string };

/** Main thread → worker: the answer to `need-detail`. */
export interface DetailAnswer {
  type: 'detail';
  requestId: number;
  candles: CandleColumns | null;
  error?: string;
}

/**
 * A candle file the job thread found damaged (its payload failed decodeCandles' checks). The job's fill trusts
 * checked headers (EnsureOptions.verifyPayload false), so the runner answers with a verifying fill of that coin,
 * which moves the file aside and fetches it again, and runs the job once more (docs/whole-service-bench.md).
 */
export class DamagedCandlesError extends Error {
  constructor(
    readonly symbol: string,
    message: string,
  ) {
    super(message);
    this.name = 'DamagedCandlesError';
  }
}
