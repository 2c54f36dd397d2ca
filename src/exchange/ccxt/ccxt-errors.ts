/**
 * Translates ccxt's error classes (and the raw transport errors that slip past ccxt) into the
 * service's exchange errors. Matching goes by class name along the prototype chain, so this file
 * does not need ccxt loaded and stays a plain function.
 */
import {
  ExchangeAuthError,
  ExchangeError,
  ExchangeRateLimitError,
  ExchangeUnavailableError,
  InsufficientFundsError,
  InvalidOrderError,
  UnknownSymbolError,
} from '../exchange.errors';

const MAX_MESSAGE_LENGTH = 400;

/** ccxt class name -> our error class; the first name found walking up the prototype chain wins. */
const CCXT_CLASS_MAP: Record<string, new (message: string, method?: string) => ExchangeError> = {
  RateLimitExceeded: ExchangeRateLimitError,
  RequestTimeout: ExchangeUnavailableError,
  ExchangeNotAvailable: ExchangeUnavailableError,
  DDoSProtection: ExchangeUnavailableError,
  InvalidNonce: ExchangeUnavailableError,
  NetworkError: ExchangeUnavailableError,
  BadResponse: ExchangeUnavailableError, // includes NullResponse: a malformed answer
  AuthenticationError: ExchangeAuthError, // includes PermissionDenied, AccountSuspended
  InsufficientFunds: InsufficientFundsError,
  InvalidOrder: InvalidOrderError, // includes OrderNotFound
  BadSymbol: UnknownSymbolError,
  ExchangeError: ExchangeError,
  OperationFailed: ExchangeUnavailableError,
};

/** Transport failures that reach us raw (e.g. undici's body timeout while reading a stalled answer). */
const TRANSPORT_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_ABORTED',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
]);

export function ccxtClassChain(error: unknown): string[] {
  const names: string[] = [];
  if (typeof error !== 'object' || error === null) return names;
  for (
    let proto = Object.getPrototypeOf(error);
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    const name = proto.constructor?.name;
    if (typeof name === 'string') names.push(name);
  }
  return names;
}

/** Replaces every occurrence of the given secrets (API key, secret) and trims the text to a sane length. */
export function redactSecrets(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let result = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) result = result.split(secret).join('***');
  }
  return result.length > MAX_MESSAGE_LENGTH ? `${result.slice(0, MAX_MESSAGE_LENGTH)}…` : result;
}

/** The Bybit retCode quoted in a ccxt error message (ccxt puts the raw JSON body into it). */
export function bybitRetCode(error: unknown): number | undefined {
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  const match = /"ret_?[cC]ode"\s*:\s*"?(-?\d+)/.exec(message);
  return match ? Number(match[1]) : undefined;
}

/** The Binance error code quoted in a ccxt error message, e.g. {"code":-4116,...}. */
export function binanceErrorCode(error: unknown): number | undefined {
  const message = error instanceof Error ? error.message : '';
  const match = /"code"\s*:\s*"?(-?\d+)/.exec(message);
  return match ? Number(match[1]) : undefined;
}

export interface MapErrorContext {
  /** The adapter method, put in front of the message and into ExchangeError.method. */
  method: string;
  /** Values that must never appear in a message. */
  secrets: ReadonlyArray<string | undefined>;
}

export function mapCcxtError(error: unknown, context: MapErrorContext): ExchangeError {
  const raw = error instanceof Error ? error.message : String(error);
  const message = `${context.method}: ${redactSecrets(raw, context.secrets)}`;
  if (error instanceof ExchangeError) {
    // Already ours (e.g. a malformed answer detected in the response hook); keep its class.
    const ErrorClass = error.constructor as new (message: string, method?: string) => ExchangeError;
    return new ErrorClass(
      error.message.startsWith(`${context.method}:`) ? redactSecrets(error.message, context.secrets) : message,
      context.method,
    );
  }
  for (const name of ccxtClassChain(error)) {
    const ErrorClass = CCXT_CLASS_MAP[name];
    if (ErrorClass) return new ErrorClass(message, context.method);
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && TRANSPORT_ERROR_CODES.has(code)) {
    return new ExchangeUnavailableError(message, context.method);
  }
  return new ExchangeError(message, context.method);
}

export function isRetryableExchangeError(error: unknown): boolean {
  return error instanceof ExchangeError && error.retryable;
}

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/**
 * How long to hold all requests after a rate-limit answer: Retry-After (seconds), else Bybit's
 * X-Bapi-Limit-Reset-Timestamp (epoch ms), else `fallbackMs`; clamped to [50 ms, maxMs].
 */
export function rateLimitPauseMs(headers: Headers, nowEpochMs: number, fallbackMs = 1000, maxMs = 10_000): number {
  const clamp = (ms: number) => Math.min(maxMs, Math.max(50, Math.ceil(ms)));
  const retryAfter = Number(header(headers, 'retry-after'));
  if (Number.isFinite(retryAfter) && retryAfter > 0) return clamp(retryAfter * 1000);
  const reset = Number(header(headers, 'x-bapi-limit-reset-timestamp'));
  if (Number.isFinite(reset) && reset > nowEpochMs && reset - nowEpochMs <= maxMs) return clamp(reset - nowEpochMs);
  return clamp(fallbackMs);
}

/** Bybit answers a rate limit with HTTP 200 + retCode 10006/10018, or HTTP 429 / 403. */
export function isBybitRateLimitAnswer(status: number, body: unknown): boolean {
  if (status === 429 || status === 403) return true;
  const code = Number((body as { retCode?: unknown } | null)?.retCode);
  return code === 10006 || code === 10018;
}

/** Paths whose successful answer must carry `result.list`, and those that must carry `result.orderId`. */
const LIST_PATHS = [
  '/v5/market/instruments-info',
  '/v5/market/kline',
  '/v5/market/tickers',
  '/v5/account/wallet-balance',
  '/v5/position/list',
  '/v5/order/realtime',
  '/v5/order/history',
];
/** JSON.parse that answers undefined for an empty or invalid body. */
export function parseJsonOrUndefined(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const ORDER_ID_PATHS = ['/v5/order/create', '/v5/order/cancel'];

/**
 * ccxt does not throw for an HTTP 200 whose body is not JSON, is empty, or has `result: null`
 * (it then returns empty lists / an order without id). Returns why such an answer is malformed,
 * or undefined when it looks sound (error answers are left to ccxt's own error handling).
 */
export function bybitMalformedReason(
  status: number,
  url: string,
  body: string,
  parsed: unknown = parseJsonOrUndefined(body),
): string | undefined {
  if (status < 200 || status >= 300) return undefined;
  if (parsed === undefined) return body.length === 0 ? 'empty body' : 'body is not JSON';
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'body is not a JSON object';
  const answer = parsed as { retCode?: unknown; result?: unknown };
  if (answer.retCode === undefined || answer.retCode === null) return 'no retCode';
  if (String(answer.retCode) !== '0') return undefined;
  const result = answer.result;
  if (typeof result !== 'object' || result === null) return 'result missing';
  const path = url.replace(/^[a-z]+:\/\/[^/]+/i, '').split('?')[0];
  if (LIST_PATHS.some((p) => path.endsWith(p)) && !Array.isArray((result as { list?: unknown }).list)) {
    return 'result.list missing';
  }
  if (ORDER_ID_PATHS.some((p) => path.endsWith(p))) {
    const id = (result as { orderId?: unknown }).orderId;
    if (typeof id !== 'string' || id.length === 0) return 'result.orderId missing';
  }
  return undefined;
}
