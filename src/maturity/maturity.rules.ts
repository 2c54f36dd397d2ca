import { computeRsiSeries, round2, RSI_PERIOD } from '../rsi/indicators/rsi';

/** The config values a maturity verdict depends on (auto-bot config + the system timeframe). */
export interface MaturityParams {
  minCandles: number;
  minRsiLow: number;
  maxRsiHigh: number;
  timeframe: string;
}

export interface MaturityDetails {
  candles_count: number;
  min_required: number;
  config_min_rsi_low: number;
  config_max_rsi_high: number;
  rsi_min: number | null;
  rsi_max: number | null;
  timeframe: string;
}

export interface MaturityVerdict {
  is_mature: boolean;
  details: MaturityDetails;
  reason?: string;
}

/** One stored record of data/mature_coins.json (docs/api-contract.md §5). */
export interface MatureCoinRecord {
  timestamp: number;
  maturity_data: MaturityVerdict;
  last_verified?: number;
}

export type MatureCoinsFile = Record<string, MatureCoinRecord>;

/**
 * A coin is mature when it has at least `minCandles` candles and the RSI over the last `minCandles` closes has been
 * at or below `minRsiLow` and at or above `maxRsiHigh`: it has completed a full oscillation
 * (docs/trading-logic.md §3).
 */
export function checkMaturity(closes: ArrayLike<number>, params: MaturityParams): MaturityVerdict {
  const count = closes.length;
  const details: MaturityDetails = {
    candles_count: count,
    min_required: params.minCandles,
    config_min_rsi_low: params.minRsiLow,
    config_max_rsi_high: params.maxRsiHigh,
    rsi_min: null,
    rsi_max: null,
    timeframe: params.timeframe,
  };
  if (count < params.minCandles) {
    return { is_mature: false, details, reason: `only ${count} candles, needs ${params.minCandles}` };
  }
  const window = Math.max(params.minCandles, RSI_PERIOD + 2);
  const start = Math.max(0, count - window);
  const tail = ArrayBuffer.isView(closes)
    ? (closes as Float64Array).subarray(start)
    : Array.prototype.slice.call(closes, start);
  const { history } = computeRsiSeries(tail as ArrayLike<number>);
  if (history.length === 0) {
    return { is_mature: false, details, reason: 'not enough closes for an RSI history' };
  }
  let rawMin = Infinity;
  let rawMax = -Infinity;
  for (let i = 0; i < history.length; i++) {
    const value = history[i];
    if (value < rawMin) rawMin = value;
    if (value > rawMax) rawMax = value;
  }
  // Rounding is monotonic, so rounding the extremes equals the extremes of the rounded history.
  const min = round2(rawMin);
  const max = round2(rawMax);
  details.rsi_min = min;
  details.rsi_max = max;
  const reachedLow = min <= params.minRsiLow;
  const reachedHigh = max >= params.maxRsiHigh;
  if (reachedLow && reachedHigh) return { is_mature: true, details };
  const missing: string[] = [];
  if (!reachedLow) missing.push(`RSI min ${min} > ${params.minRsiLow}`);
  if (!reachedHigh) missing.push(`RSI max ${max} < ${params.maxRsiHigh}`);
  return { is_mature: false, details, reason: missing.join('; ') };
}

/** A stored record stays valid only while it was made with the current timeframe, candle minimum and RSI limits. */
export function isRecordValid(record: MatureCoinRecord, params: MaturityParams): boolean {
  const details = record?.maturity_data?.details;
  if (!details) return false;
  return (
    details.timeframe === params.timeframe &&
    Number(details.min_required) === params.minCandles &&
    Number(details.config_min_rsi_low) === params.minRsiLow &&
    Number(details.config_max_rsi_high) === params.maxRsiHigh
  );
}

/** Shape check for data/mature_coins.json; returns an error text or null. */
export function validateMatureCoinsFile(value: unknown): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'mature_coins.json must be an object';
  for (const [symbol, record] of Object.entries(value as Record<string, unknown>)) {
    const r = record as Partial<MatureCoinRecord> | null;
    if (
      !r ||
      typeof r !== 'object' ||
      typeof r.timestamp !== 'number' ||
      !r.maturity_data ||
      typeof r.maturity_data !== 'object'
    ) {
      return `mature_coins.json: bad record for ${symbol}`;
    }
  }
  return null;
}
