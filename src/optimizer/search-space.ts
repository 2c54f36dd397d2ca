import { AUTO_BOT_SPECS, DEFAULT_AUTO_BOT_CONFIG } from '../config/defaults';

/** One tunable setting: a numeric range (integer or real) or an on/off switch. Keys are auto-bot setting keys. */
export type ParameterRange =
  { key: TunableKey; type: 'int' | 'number'; min: number; max: number } | { key: TunableKey; type: 'bool' };

export type SearchSpace = ParameterRange[];
/** A candidate: one value per parameter of the space, typed like the setting it tunes. */
export type CandidateParams = Record<string, number | boolean>;

/**
 * The strategy settings the optimizer may tune (docs/optimizer.md, "Search space"): RSI entry/exit thresholds,
 * stop-loss, take-profit, trailing stop, break-even, hold time, leverage, RSI time filter, exit-scam filter and the
 * filters' on/off switches. Everything else (scope, lists, exchange, AI) is never touched by an optimization.
 */
export const TUNABLE_KEYS = [
  'rsi_long_threshold',
  'rsi_short_threshold',
  'rsi_exit_long_with_trend',
  'rsi_exit_long_against_trend',
  'rsi_exit_short_with_trend',
  'rsi_exit_short_against_trend',
  'max_loss_percent',
  'take_profit_percent',
  'trailing_stop_activation',
  'trailing_stop_distance',
  'break_even_trigger',
  'max_position_hours',
  'leverage',
  'rsi_time_filter_enabled',
  'rsi_time_filter_candles',
  'rsi_time_filter_upper',
  'rsi_time_filter_lower',
  'exit_scam_enabled',
  'exit_scam_candles',
  'exit_scam_single_candle_percent',
  'exit_scam_multi_candle_count',
  'exit_scam_multi_candle_percent',
  'trend_detection_enabled',
] as const;
export type TunableKey = (typeof TUNABLE_KEYS)[number];

const TUNABLE = new Set<string>(TUNABLE_KEYS);
export function isTunableKey(key: string): key is TunableKey {
  return TUNABLE.has(key);
}

/** Half-widths of the default ranges around the current value, for settings where "±x" reads better than a ratio. */
const DEFAULT_HALF_WIDTH: Partial<Record<TunableKey, number>> = {
  rsi_long_threshold: 10,
  rsi_short_threshold: 10,
  rsi_exit_long_with_trend: 10,
  rsi_exit_long_against_trend: 10,
  rsi_exit_short_with_trend: 10,
  rsi_exit_short_against_trend: 10,
  rsi_time_filter_upper: 10,
  rsi_time_filter_lower: 10,
  rsi_time_filter_candles: 5,
  exit_scam_candles: 4,
  exit_scam_multi_candle_count: 2,
  leverage: 5,
};
/** Upper ends used when the current value is 0 ("off") and a ratio around it would be empty. */
const DEFAULT_UPPER_WHEN_ZERO: Partial<Record<TunableKey, number>> = { max_position_hours: 168 };

/**
 * The default range of one setting: ±half-width (thresholds, counts) or ×0.5…×2 (percentages, hours) around the
 * current value, clipped to the setting's own allowed range in AUTO_BOT_SPECS.
 */
export function defaultRange(key: TunableKey, current: unknown = DEFAULT_AUTO_BOT_CONFIG[key]): ParameterRange {
  const spec = AUTO_BOT_SPECS[key];
  if (spec.type === 'bool') return { key, type: 'bool' };
  if (spec.type !== 'int' && spec.type !== 'number') throw new Error(`${key} is not numeric`);
  const value =
    typeof current === 'number' && Number.isFinite(current) ? current : Number(DEFAULT_AUTO_BOT_CONFIG[key]);
  const half = DEFAULT_HALF_WIDTH[key];
  let min: number;
  let max: number;
  if (half !== undefined) [min, max] = [value - half, value + half];
  else if (value === 0) [min, max] = [0, DEFAULT_UPPER_WHEN_ZERO[key] ?? 10];
  else [min, max] = [value * 0.5, value * 2];
  min = Math.max(spec.min, min);
  max = Math.min(spec.max, max);
  if (spec.type === 'int') [min, max] = [Math.ceil(min), Math.floor(max)];
  return { key, type: spec.type, min, max };
}

/** A range as a client may send it; missing bounds default to defaultRange. */
export type RangeRequest = { key: string; min?: number; max?: number };

export class SearchSpaceError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Builds a validated space from a request: known tunable keys only, no duplicates, bounds inside the setting's
 * allowed range, min ≤ max. `current` is the configuration the defaults are centred on.
 * Throws SearchSpaceError naming the field (`space[i].min`…).
 */
export function buildSearchSpace(
  requests: RangeRequest[] | undefined,
  current: Partial<Record<string, unknown>> = DEFAULT_AUTO_BOT_CONFIG,
): SearchSpace {
  const keys: RangeRequest[] = requests && requests.length > 0 ? requests : DEFAULT_SPACE_KEYS.map((key) => ({ key }));
  const seen = new Set<string>();
  return keys.map((request, i) => {
    const field = `space[${i}]`;
    if (!isTunableKey(request.key)) {
      throw new SearchSpaceError(`${field}.key`, `${field}.key must be one of ${TUNABLE_KEYS.join(', ')}`);
    }
    if (seen.has(request.key)) throw new SearchSpaceError(`${field}.key`, `${field}.key ${request.key} appears twice`);
    seen.add(request.key);
    const range = defaultRange(request.key, current[request.key]);
    if (range.type === 'bool') return range;
    const spec = AUTO_BOT_SPECS[request.key] as { type: 'int' | 'number'; min: number; max: number };
    const min = request.min ?? range.min;
    const max = request.max ?? range.max;
    for (const [name, bound] of [
      ['min', min],
      ['max', max],
    ] as const) {
      if (
        !Number.isFinite(bound) ||
        bound < spec.min ||
        bound > spec.max ||
        (range.type === 'int' && !Number.isInteger(bound))
      ) {
        throw new SearchSpaceError(
          `${field}.${name}`,
          `${field}.${name} must be ${range.type === 'int' ? 'an integer' : 'a number'} from ${spec.min} to ${spec.max}`,
        );
      }
    }
    if (min > max) throw new SearchSpaceError(`${field}.min`, `${field}.min must not exceed ${field}.max`);
    return { key: request.key, type: range.type, min, max };
  });
}

/** Tuned when the request names no keys: entries, exits, risk exits and leverage. */
export const DEFAULT_SPACE_KEYS: TunableKey[] = [
  'rsi_long_threshold',
  'rsi_short_threshold',
  'rsi_exit_long_with_trend',
  'rsi_exit_short_with_trend',
  'max_loss_percent',
  'take_profit_percent',
  'trailing_stop_activation',
  'trailing_stop_distance',
  'break_even_trigger',
  'leverage',
];

/**
 * Maps a point of the unit cube (one coordinate per parameter, each in [0, 1]) to typed parameter values:
 * integers rounded, switches on above 0.5. The sampler works in the unit cube; settings never leave their range.
 */
export function decodeCandidate(space: SearchSpace, unit: readonly number[]): CandidateParams {
  const params: CandidateParams = {};
  space.forEach((range, i) => {
    const u = Math.min(1, Math.max(0, unit[i]));
    if (range.type === 'bool') params[range.key] = u >= 0.5;
    else {
      const value = range.min + u * (range.max - range.min);
      params[range.key] = range.type === 'int' ? Math.round(value) : Math.round(value * 1e6) / 1e6;
    }
  });
  return params;
}
