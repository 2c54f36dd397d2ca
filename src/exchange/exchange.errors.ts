/**
 * Exchange failures, split by what the caller should do about them.
 * Retryable ones may succeed on another attempt; the others never will.
 */
export class ExchangeError extends Error {
  readonly retryable: boolean = false;
  constructor(
    message: string,
    readonly method?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Network failure, timeout, 5xx, malformed answer. */
export class ExchangeUnavailableError extends ExchangeError {
  override readonly retryable = true;
}

/** 429 / rate-limit answer. */
export class ExchangeRateLimitError extends ExchangeError {
  override readonly retryable = true;
}

export class ExchangeAuthError extends ExchangeError {}
export class InsufficientFundsError extends ExchangeError {}
export class InvalidOrderError extends ExchangeError {}
export class UnknownSymbolError extends ExchangeError {}
/** The adapter is not initialised (e.g. real mode whose start-up check failed). */
export class ExchangeNotReadyError extends ExchangeError {}
