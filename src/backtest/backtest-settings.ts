import { EnvValidationError } from '../config/env';

/** BACKTEST_MAX_JOBS: backtest jobs running at once (each in its own worker thread); more answer 429. */
export const DEFAULT_BACKTEST_MAX_JOBS = 1;
/** Jobs kept under DATA_DIR/backtests (finished results included); a new job beyond it answers 409. */
export const MAX_STORED_BACKTESTS = 200;

export function backtestMaxJobs(env: Record<string, string | undefined> = process.env): number {
  const raw = env.BACKTEST_MAX_JOBS;
  if (raw === undefined || raw.trim() === '') return DEFAULT_BACKTEST_MAX_JOBS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 16) {
    throw new EnvValidationError(`Invalid BACKTEST_MAX_JOBS=${JSON.stringify(raw)}: must be an integer from 1 to 16`);
  }
  return value;
}
