import type { CcxtExchangeId } from './dialects';
import type { RequestOutcome } from './transport/call-runner';

/** How the ccxt adapter is built (docs/exchanges.md). */

/** Any logger with warn (Nest's Logger fits). */
export interface CcxtExchangeLogger {
  warn(message: string): void;
  debug?(message: string): void;
}

export interface CcxtExchangeOptions {
  exchangeId: CcxtExchangeId;
  apiKey?: string;
  secret?: string;
  /** The API key's passphrase, for exchanges whose capabilities say needsPassword (OKX). */
  password?: string;
  /** Use the exchange's testnet URLs. */
  testnet?: boolean;
  /** Replaces the origin (scheme://host[:port]) of every REST URL: a proxy, a mirror, or the local fake. */
  apiUrl?: string;
  /** Per HTTP request; a stalled answer is cut off shortly after. Default 10000. */
  timeoutMs?: number;
  /** Attempts in total (default 3) and the first backoff (default 100 ms, doubling). */
  retry?: { attempts?: number; baseDelayMs?: number };
  /** Requests allowed per window (default 600 per 5000 ms, Bybit's IP limit) and in flight at once (default 50). */
  rateLimit?: { requestsPerWindow?: number; windowMs?: number; maxConcurrent?: number };
  logger?: CcxtExchangeLogger;
  /** Metrics hook: one call per attempt of an adapter method. */
  onRequest?: (method: string, outcome: RequestOutcome) => void;
}
