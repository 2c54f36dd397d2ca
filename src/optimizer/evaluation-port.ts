import type { ReplaySetup } from './backtest-evaluator';
import type { TradeResult } from './objective';
import type { CandidateParams } from './search-space';

/**
 * The evaluation port (docs/optimizer.md, "Plugging in the backtest engine"). An evaluator module exports
 * `createEvaluator(data)`, called once per worker with the shared candle columns; the returned function runs one
 * candidate over the whole time range and returns its closed trades. Walk-forward scoring is done by the optimizer
 * from those trades, so an evaluator knows nothing of folds or objectives.
 */
export type CandleColumns = {
  symbols: string[];
  /** Candles per symbol; every symbol has the same open times. */
  candles: number;
  timeframeMs: number;
  /** Open times, `candles` long. */
  time: Float64Array;
  /** Row-major per symbol: symbol s, candle i is at s * candles + i. */
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
};

export type EvaluateCandidate = (params: CandidateParams) => TradeResult[];
/** What an evaluator needs besides the candles, saved with the run: the replay's settings and fills, or nothing. */
export type EvaluatorContext = ReplaySetup | null;
/** A candidate's equity curve, percent of the starting balance, at ascending times (epoch ms). */
export type ReplayEquity = (params: CandidateParams) => { time: Float64Array; equity: Float64Array };
export type EvaluatorModule = {
  createEvaluator(data: CandleColumns, context: EvaluatorContext): EvaluateCandidate;
  /**
   * Optional: the account value over time (balance + unrealised) for the report's equity curves; without it the
   * curve is built from the closed trades (candidate-equity.ts).
   */
  createEquityReplay?(data: CandleColumns, context: EvaluatorContext): ReplayEquity;
};

/**
 * Evaluators a run may name. A name, not a path, travels in requests and Redis jobs, so nothing a caller sends
 * chooses which code a worker loads. `backtest` is the replay engine (the default); `synthetic` has a known
 * optimum (tests, bench).
 */
export const EVALUATORS = ['backtest', 'synthetic'] as const;
export type EvaluatorName = (typeof EVALUATORS)[number];

/** The module path of a named evaluator, in the same flavour (.ts under jest/swc, .js in dist/) as this file. */
export function evaluatorModulePath(name: EvaluatorName): string {
  const ext = __filename.endsWith('.ts') ? '.ts' : '.js';
  switch (name) {
    case 'backtest':
      return require.resolve(`./backtest-evaluator${ext}`);
    case 'synthetic':
      return require.resolve(`./synthetic-evaluator${ext}`);
  }
}
