/** What every filter answers: its decision and why, so an operator can see why a coin was skipped. */
export interface FilterDecision {
  filter: string;
  allowed: boolean;
  reason: string;
  details?: Record<string, unknown>;
}

export type EntryDirection = 'LONG' | 'SHORT';

/** The result of running the auto-bot's entry filters, in their documented order. */
export interface EntryCheck {
  symbol: string;
  direction: EntryDirection;
  allowed: boolean;
  /** The first filter that refused, when not allowed. */
  blockedBy?: string;
  reason: string;
  decisions: FilterDecision[];
}
