import type { EntrySignal, Trend } from '../rsi/rsi.types';
import type { EntryThresholds } from '../rsi/indicators/zones';

// The zone rules live with the indicators (the RSI service needs them too); re-exported for the filters.
export { baseSignal, rsiZone, type EntryThresholds } from '../rsi/indicators/zones';

/** What the effective signal reads from a coin record. */
export interface EffectiveSignalInput {
  rsi: number | null;
  signal: EntrySignal;
  trend: Trend | null | undefined;
  /** The enhanced RSI verdict; only read when the analysis is enabled. */
  enhancedSignal?: EntrySignal | null;
  blockedByScope: boolean;
  blockedByExitScam: boolean;
  blockedByRsiTime: boolean;
  blockedByLossReentry: boolean;
  isMature: boolean;
}

export interface EffectiveSignalSettings extends EntryThresholds {
  enhancedRsiEnabled: boolean;
  exitScamEnabled: boolean;
  rsiTimeFilterEnabled: boolean;
  lossReentryEnabled: boolean;
  maturityCheckEnabled: boolean;
  avoidDownTrend: boolean;
  avoidUpTrend: boolean;
}

export interface SignalVerdict {
  signal: EntrySignal;
  reason: string;
}

/**
 * The signal at decision time (docs/trading-logic.md §5.2), checked in order; the first block answers WAIT with its
 * reason.
 */
export function effectiveSignal(input: EffectiveSignalInput, settings: EffectiveSignalSettings): SignalVerdict {
  const wait = (reason: string): SignalVerdict => ({ signal: 'WAIT', reason });
  if (input.rsi === null || !Number.isFinite(input.rsi)) return wait('no RSI on the current timeframe');
  if (input.signal === 'WAIT') return wait('RSI outside the entry zones');
  let signal = input.signal;
  if (settings.enhancedRsiEnabled) {
    if (!input.enhancedSignal || input.enhancedSignal === 'WAIT') return wait('enhanced RSI did not confirm');
    signal = input.enhancedSignal;
  }
  if (input.blockedByScope) return wait('blocked by whitelist/blacklist scope');
  if (settings.exitScamEnabled && input.blockedByExitScam) return wait('blocked by the exit-scam filter');
  if (settings.rsiTimeFilterEnabled && input.blockedByRsiTime) return wait('blocked by the RSI time filter');
  if (settings.lossReentryEnabled && input.blockedByLossReentry) return wait('blocked by loss re-entry protection');
  if (settings.maturityCheckEnabled && !input.isMature) return wait('coin is not mature');
  if (signal === 'ENTER_LONG' && input.rsi > settings.longThreshold) {
    return wait(`RSI ${input.rsi} above the long threshold ${settings.longThreshold}`);
  }
  if (signal === 'ENTER_SHORT' && input.rsi < settings.shortThreshold) {
    return wait(`RSI ${input.rsi} below the short threshold ${settings.shortThreshold}`);
  }
  const trend = input.trend ?? 'NEUTRAL';
  if (settings.avoidUpTrend && signal === 'ENTER_SHORT' && trend === 'UP') return wait('no SHORT in an UP trend');
  if (settings.avoidDownTrend && signal === 'ENTER_LONG' && trend === 'DOWN') return wait('no LONG in a DOWN trend');
  return {
    signal,
    reason:
      signal === 'ENTER_LONG'
        ? 'RSI in the long zone, all filters passed'
        : 'RSI in the short zone, all filters passed',
  };
}

/** rsi_exit_* keys: the level a position closes at, with or against the trend it was opened in. */
export interface ExitThresholds {
  longWithTrend: number;
  longAgainstTrend: number;
  shortWithTrend: number;
  shortAgainstTrend: number;
}

export const DEFAULT_EXIT_THRESHOLDS: ExitThresholds = {
  longWithTrend: 65,
  longAgainstTrend: 65,
  shortWithTrend: 35,
  shortAgainstTrend: 35,
};

export interface ExitVerdict {
  signal: 'EXIT_LONG' | 'EXIT_SHORT' | 'WAIT';
  exit: boolean;
  rsi: number | null;
  threshold: number;
  reason: string;
}

/**
 * RSI exit for a bot in position (§5.3): LONG closes at RSI >= threshold (with-trend level when it was opened in an
 * UP trend, else against-trend), SHORT at RSI <= threshold (with-trend when opened in a DOWN trend). No RSI: no exit.
 */
export function exitSignal(
  rsi: number | null,
  side: 'LONG' | 'SHORT',
  entryTrend: Trend | null | undefined,
  thresholds: ExitThresholds,
): ExitVerdict {
  const isLong = side === 'LONG';
  const withTrend = isLong ? entryTrend === 'UP' : entryTrend === 'DOWN';
  const threshold = isLong
    ? withTrend
      ? thresholds.longWithTrend
      : thresholds.longAgainstTrend
    : withTrend
      ? thresholds.shortWithTrend
      : thresholds.shortAgainstTrend;
  const label = withTrend ? 'with trend' : 'against trend';
  if (rsi === null || !Number.isFinite(rsi)) {
    return { signal: 'WAIT', exit: false, rsi: null, threshold, reason: 'no RSI on the entry timeframe' };
  }
  if (isLong && rsi >= threshold) {
    return { signal: 'EXIT_LONG', exit: true, rsi, threshold, reason: `RSI ${rsi} >= ${threshold} (${label})` };
  }
  if (!isLong && rsi <= threshold) {
    return { signal: 'EXIT_SHORT', exit: true, rsi, threshold, reason: `RSI ${rsi} <= ${threshold} (${label})` };
  }
  return { signal: 'WAIT', exit: false, rsi, threshold, reason: `RSI ${rsi} has not reached ${threshold} (${label})` };
}

/** A configured level of 0 (or missing) counts as unset; fall back to the next source. */
export function pickLevel(...candidates: unknown[]): number | undefined {
  for (const c of candidates) {
    const n = Number(c);
    if (c !== undefined && c !== null && Number.isFinite(n) && n !== 0) return n;
  }
  return undefined;
}
