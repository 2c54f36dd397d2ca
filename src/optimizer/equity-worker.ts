import type { EvaluatorContext, EvaluatorModule } from './evaluation-port';
import { equityCurves, type EquityCandidate, type RunEquity } from './candidate-equity';
import { attachSharedCandles, loadDataset, type DatasetSpec } from './shared-candles';

/** One task: the curves of a finished run's best candidates (docs/optimizer.md, "Report"). Plain data only. */
export type EquityTask = {
  evaluatorModule: string;
  dataset: DatasetSpec;
  context: EvaluatorContext;
  candidates: EquityCandidate[];
  range: { start: number; end: number };
  maxPoints: number;
};

/**
 * Piscina task handler: reads the run's candles here (the store's files, or the synthetic data), not on the main
 * thread, replays each candidate and answers the downsampled curves.
 */
export default async function equityTask(task: EquityTask): Promise<Pick<RunEquity, 'source' | 'candidates'>> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const evaluator = require(task.evaluatorModule) as EvaluatorModule;
  const data = attachSharedCandles(await loadDataset(task.dataset));
  return equityCurves(evaluator, data, task.context, task.candidates, task.range, task.maxPoints);
}
