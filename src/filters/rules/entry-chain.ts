import type { EntryCheck, EntryDirection, FilterDecision } from '../filter.types';
import { EXIT_SCAM_FILTER } from './exit-scam';
import { RSI_TIME_FILTER } from './rsi-time-filter';

export const MATURITY_FILTER = 'maturity';
export const DELISTED_FILTER = 'delisted';

/** Which entry filters are switched on (the coin's effective config). */
export interface EntryFilterSwitches {
  maturity: boolean;
  rsiTime: boolean;
  exitScam: boolean;
}

/** Each filter's decision, computed only when the chain reaches it. */
export interface EntryFilterSteps {
  maturity: () => FilterDecision;
  rsiTime: () => FilterDecision;
  exitScam: () => FilterDecision;
  scope: () => FilterDecision;
  delisted: () => FilterDecision;
}

export function disabledFilter(filter: string): FilterDecision {
  return { filter, allowed: true, reason: 'filter disabled' };
}

/**
 * The auto-bot's entry filters in their documented order: maturity, RSI time filter, exit-scam (anti-pump), scope,
 * delisted. Each honours its switch; the first refusal stops the chain; every decision taken is reported.
 * The live FilterService and the backtest both run it.
 */
export function runEntryFilters(
  symbol: string,
  direction: EntryDirection,
  switches: EntryFilterSwitches,
  steps: EntryFilterSteps,
): EntryCheck {
  const decisions: FilterDecision[] = [];
  const chain: Array<() => FilterDecision> = [
    () => (switches.maturity ? steps.maturity() : disabledFilter(MATURITY_FILTER)),
    () => (switches.rsiTime ? steps.rsiTime() : disabledFilter(RSI_TIME_FILTER)),
    () => (switches.exitScam ? steps.exitScam() : disabledFilter(EXIT_SCAM_FILTER)),
    steps.scope,
    steps.delisted,
  ];
  for (const step of chain) {
    const decision = step();
    decisions.push(decision);
    if (!decision.allowed) {
      return {
        symbol,
        direction,
        allowed: false,
        blockedBy: decision.filter,
        reason: `${decision.filter}: ${decision.reason}`,
        decisions,
      };
    }
  }
  return { symbol, direction, allowed: true, reason: 'all entry filters passed', decisions };
}
