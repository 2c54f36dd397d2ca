/**
 * One adapter call = attempts with exponential backoff on transient failures, every failure mapped to our
 * ExchangeError classes (secrets redacted), one metrics outcome per attempt (docs/exchanges.md, "Transport").
 */
import { isRetryableExchangeError, mapCcxtError } from '../ccxt-errors';
import { withRetry } from './retry';

export type RequestOutcome = 'ok' | 'error' | 'retry';

export interface CallRunnerOptions {
  exchangeName: string;
  attempts: number;
  baseDelayMs: number;
  /** Values that must never appear in an error message or log line. */
  secrets: ReadonlyArray<string | undefined>;
  logger?: { warn(message: string): void };
  /** Metrics hook: one call per attempt of an adapter method. */
  onRequest?: (method: string, outcome: RequestOutcome) => void;
}

export class CallRunner {
  constructor(private readonly options: CallRunnerOptions) {}

  async run<T>(method: string, attemptOnce: (attempt: number) => Promise<T>): Promise<T> {
    const { attempts, baseDelayMs, secrets, logger, onRequest, exchangeName } = this.options;
    try {
      return await withRetry(
        async (attempt) => {
          try {
            const value = await attemptOnce(attempt);
            onRequest?.(method, 'ok');
            return value;
          } catch (error) {
            throw mapCcxtError(error, { method, secrets });
          }
        },
        {
          attempts,
          baseDelayMs,
          isRetryable: isRetryableExchangeError,
          sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
          onRetry: (error, attempt, delayMs) => {
            onRequest?.(method, 'retry');
            const message = error instanceof Error ? error.message : String(error);
            logger?.warn(
              `${exchangeName} ${method}: attempt ${attempt}/${attempts} failed (${message}); retrying in ${delayMs} ms`,
            );
          },
        },
      );
    } catch (error) {
      onRequest?.(method, 'error');
      throw error;
    }
  }
}
