import type { BacktestRunner } from '../backtest/backtest-runner.service';
import type { CandleFillProgress, CandleStoreService } from '../candles/candle-store.service';
import { ConfigValidationError } from '../config/config-validation.error';
import { TIMEFRAME_MS, type Timeframe } from '../exchange/exchange.types';
import type { ReplaySetup } from './backtest-evaluator';
import type { StartOptimizationDto } from './dto/start-optimization.dto';
import { RUN_DEFAULTS } from './run-request';
import type { CandleStoreDatasetSpec } from './shared-candles';

export type BacktestRunData = { dataset: CandleStoreDatasetSpec; context: ReplaySetup };

/**
 * A backtest-evaluator run's data (docs/optimizer.md, "Data"): the last `data.candles` candles before now of the
 * chosen coins, validated by BacktestRunner.prepare exactly like a backtest request (symbols against the exchange,
 * settings through the setting specs, per-coin settings, warm-up), frozen into a data set descriptor and a replay
 * setup saved with the run. A field error names the request's field (`data.coins`).
 */
export async function prepareBacktestRunData(
  runner: BacktestRunner,
  dto: StartOptimizationDto,
  input: { symbol: string | null; now: number; timeframe: Timeframe; tradable: readonly string[] },
): Promise<BacktestRunData> {
  const tfMs = TIMEFRAME_MS[input.timeframe];
  const candles = dto.data?.candles ?? RUN_DEFAULTS.candles;
  const to = Math.floor(input.now / tfMs) * tfMs;
  const from = to - candles * tfMs;
  const symbols = input.symbol
    ? [input.symbol]
    : (dto.data?.coins ?? (dto.data?.symbols ? input.tradable.slice(0, dto.data.symbols) : undefined));
  let spec;
  try {
    spec = await runner.prepare({ from, to, symbols });
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    const field = error.key === 'symbols' ? (input.symbol ? 'symbol' : 'data.coins') : `data.${error.key}`;
    throw new ConfigValidationError(field, error.message);
  }
  const dataset: CandleStoreDatasetSpec = {
    kind: 'candle-store',
    candleRoot: spec.candleRoot,
    timeframe: spec.timeframe,
    timeframeMs: tfMs,
    symbols: spec.entries.map((entry) => entry.symbol),
    startTime: spec.loadFromMs,
    candles: Math.ceil((spec.toMs - spec.loadFromMs) / tfMs),
    tradeFromMs: spec.fromMs,
  };
  const context: ReplaySetup = {
    timeframe: spec.timeframe,
    config: spec.config,
    coins: spec.entries,
    startingBalance: spec.startingBalance,
    feeRate: spec.feeRate,
    spreadTicks: spec.spreadTicks,
    tradeFromMs: spec.fromMs,
  };
  return { dataset, context };
}

/** Fetches what the store lacks of a run's candles before the run evaluates (docs/candle-store.md). */
export async function fillRunCandles(
  store: CandleStoreService,
  dataset: CandleStoreDatasetSpec,
  onProgress: (fraction: number) => void,
): Promise<void> {
  const end = dataset.startTime + dataset.candles * dataset.timeframeMs;
  const fill = await store.ensure(dataset.symbols, dataset.timeframe, dataset.startTime, end, (p: CandleFillProgress) =>
    onProgress(p.pagesTotal > 0 ? p.pagesDone / p.pagesTotal : 0),
  );
  if (fill.failed.length === dataset.symbols.length) {
    throw new Error(`no candles could be fetched: ${fill.failed[0]?.error ?? 'unknown error'}`);
  }
  onProgress(1);
}
