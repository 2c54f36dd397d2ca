/**
 * Decides when the exchange counts as failing and when it recovered: failing once every call for
 * `thresholdMs` has failed (one success resets it), announced once; recovered at the first success after that.
 */
export type HealthDecision =
  | { kind: 'failing'; since: number; lastError: string | null }
  | { kind: 'recovered'; since: number; lastError: string | null }
  | null;

export class ExchangeHealthRule {
  private failingSince: number | null = null;
  private announced = false;
  private lastError: string | null = null;

  /** One exchange call's outcome at `at` (clock ms). */
  record(ok: boolean, at: number, error: string | null = null): HealthDecision {
    if (ok) {
      const since = this.failingSince;
      const wasAnnounced = this.announced;
      const lastError = this.lastError;
      this.failingSince = null;
      this.announced = false;
      this.lastError = null;
      return wasAnnounced && since !== null ? { kind: 'recovered', since, lastError } : null;
    }
    if (this.failingSince === null) this.failingSince = at;
    if (error) this.lastError = error;
    return null;
  }

  /** Called on a timer and after failures: announces a failure that has lasted `thresholdMs`. */
  check(now: number, thresholdMs: number): HealthDecision {
    if (this.failingSince === null || this.announced || now - this.failingSince < thresholdMs) return null;
    this.announced = true;
    return { kind: 'failing', since: this.failingSince, lastError: this.lastError };
  }
}
