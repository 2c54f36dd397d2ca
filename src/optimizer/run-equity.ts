import { Piscina } from 'piscina';
import { EQUITY_CANDIDATES, MAX_EQUITY_POINTS, type RunEquity } from './candidate-equity';
import type { EquityTask } from './equity-worker';
import { evaluatorModulePath } from './evaluation-port';
import { rankResults, type RunState } from './optimization-run';
import { workerFile } from './pool-executor';
import { datasetSpecRange } from './shared-candles';
import { foldWindows } from './walk-forward';

/**
 * The equity curves of a finished run's best scored candidates (docs/optimizer.md, "Report"), replayed in one
 * worker thread: the main thread only waits, so the API and the live workers keep their latency. A failure is
 * returned as the curves' `error` (the run itself stays what it was).
 */
export async function computeRunEquity(state: RunState, count = EQUITY_CANDIDATES): Promise<RunEquity> {
  const { spec } = state;
  const range = datasetSpecRange(spec.dataset);
  const windows = foldWindows(range, spec.walkForward);
  const base = {
    rangeStartMs: range.start,
    rangeEndMs: range.end,
    outOfSampleFromMs: windows[windows.length - 1]?.outOfSample.start ?? range.end,
  };
  const candidates = rankResults(state.results)
    .filter((r) => r.inSampleScore !== null)
    .slice(0, count)
    .map((r) => ({ index: r.index, params: r.params }));
  if (candidates.length === 0) return { ...base, source: 'replay', candidates: [], error: null };
  const task: EquityTask = {
    evaluatorModule: evaluatorModulePath(spec.evaluator),
    dataset: spec.dataset,
    context: spec.context ?? null,
    candidates,
    range,
    maxPoints: MAX_EQUITY_POINTS,
  };
  const pool = new Piscina({
    ...workerFile('equity-worker'),
    minThreads: 1,
    maxThreads: 1,
  });
  try {
    const curves = (await pool.run(task)) as Pick<RunEquity, 'source' | 'candidates'>;
    return { ...base, ...curves, error: null };
  } catch (error) {
    return { ...base, source: 'replay', candidates: [], error: error instanceof Error ? error.message : String(error) };
  } finally {
    await pool.destroy();
  }
}
