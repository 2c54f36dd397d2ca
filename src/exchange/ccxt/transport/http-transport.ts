/**
 * The transport under a ccxt client (docs/exchanges.md, "Transport"): every HTTP request waits for the rate limiter
 * (trading before analysis reads) before ccxt signs it, is cut off by a hard timeout, and its answer is inspected
 * once (rate-limit answers pause the limiter, malformed ones throw) and the parsed JSON handed to ccxt.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Exchange } from 'ccxt';
import { ExchangeUnavailableError } from '../../exchange.errors';
import { parseJsonOrUndefined, rateLimitPauseMs } from '../ccxt-errors';
import { urlPath } from '../mappers';
import { RateLimiter, type RequestPriority } from './rate-limiter';

/** Grace after ccxt's own (headers-only) timeout before our guard gives up on a stalled body. */
const TIMEOUT_GUARD_MARGIN_MS = 250;

/** How the exchange signals a rate limit and a malformed answer (from the dialect). */
export interface AnswerRules {
  isRateLimitAnswer(status: number, parsed: unknown): boolean;
  malformedReason(status: number, url: string, text: string, parsed: unknown): string | undefined;
}

export interface HttpTransportOptions {
  /** For log lines. */
  exchangeName: string;
  timeoutMs: number;
  requestsPerWindow: number;
  windowMs: number;
  maxConcurrent: number;
  rules: AnswerRules;
  logger?: { warn(message: string): void };
}

type Fetch2 = (...args: unknown[]) => Promise<unknown>;

export class HttpTransport {
  readonly limiter: RateLimiter;
  /** The limiter class of the adapter call a request belongs to (set around each call, read by the fetch hooks). */
  private readonly callPriority = new AsyncLocalStorage<RequestPriority>();
  /** Set inside a patched fetch2 that already holds a limiter slot, so the fetch under it does not take a second. */
  private readonly slotHeld = new AsyncLocalStorage<boolean>();

  constructor(private readonly options: HttpTransportOptions) {
    const start = performance.now();
    this.limiter = new RateLimiter({
      requestsPerWindow: options.requestsPerWindow,
      windowMs: options.windowMs,
      maxConcurrent: options.maxConcurrent,
      now: () => performance.now() - start,
      schedule: (callback, ms) => setTimeout(callback, ms),
    });
  }

  /** The priority class of the current call, if one was set. */
  currentPriority(): RequestPriority | undefined {
    return this.callPriority.getStore();
  }

  /** Runs `task` with its requests in the given limiter class. */
  withPriority<T>(priority: RequestPriority, task: () => T): T {
    return this.callPriority.run(priority, task);
  }

  /** Rate limiter + hard timeout around every HTTP request of `client`; answer inspection (malformed, rate limited). */
  install(client: Exchange): void {
    const guardMs = this.options.timeoutMs + TIMEOUT_GUARD_MARGIN_MS;
    const originalDispatcherOptions = client.getDispatcherOptions.bind(client);
    // undici's own body timeout is 300 s; a stalled body should free its socket soon after our guard.
    client.getDispatcherOptions = (isPlainAgent?: boolean) => ({
      ...originalDispatcherOptions(isPlainAgent),
      bodyTimeout: guardMs + 1000,
      headersTimeout: guardMs + 1000,
    });

    // The limiter wait happens before ccxt signs the request (fetch2 = sign + fetch): a request signed before a long
    // wait would reach the exchange with a stale timestamp and be refused outside its receive window.
    const originalFetch2 = client.fetch2.bind(client) as Fetch2;
    client.fetch2 = (async (...args: unknown[]) => {
      const release = await this.limiter.acquire(this.callPriority.getStore() ?? 'trading');
      try {
        return await this.slotHeld.run(true, () => originalFetch2(...args));
      } finally {
        release();
      }
    }) as Exchange['fetch2'];
    const originalFetch = client.fetch.bind(client);
    client.fetch = async (url: string, method = 'GET', headers?: unknown, body?: unknown) => {
      // A request that did not come through fetch2 still passes the limiter.
      const release = this.slotHeld.getStore()
        ? undefined
        : await this.limiter.acquire(this.callPriority.getStore() ?? 'trading');
      let timer: NodeJS.Timeout | undefined;
      try {
        const request = originalFetch(url, method, headers, body);
        request.catch(() => undefined); // may settle after the guard fired
        const guard = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new ExchangeUnavailableError(`${method} ${urlPath(url)} timed out after ${guardMs} ms`)),
            guardMs,
          );
        });
        return await Promise.race([request, guard]);
      } finally {
        clearTimeout(timer);
        release?.();
      }
    };

    // ccxt calls parseJson(text) right after onRestResponse returned that text, in the same synchronous step; our
    // inspection already parsed it, so ccxt gets that object instead of parsing a 70 kB kline answer a second time.
    let inspectedText: string | undefined;
    let inspectedValue: unknown;
    const originalOnRestResponse = client.onRestResponse.bind(client);
    client.onRestResponse = (
      status: number,
      statusText: string,
      url: string,
      method: string,
      responseHeaders: Record<string, string>,
      responseBody: string,
      requestHeaders: unknown,
      requestBody: unknown,
    ) => {
      inspectedText = inspectedValue = undefined;
      const text: string = originalOnRestResponse(
        status,
        statusText,
        url,
        method,
        responseHeaders,
        responseBody,
        requestHeaders,
        requestBody,
      );
      const parsed = this.inspectAnswer(status, url, method, responseHeaders ?? {}, text);
      inspectedText = text;
      inspectedValue = parsed;
      return text;
    };
    const originalParseJson = client.parseJson.bind(client);
    client.parseJson = (text: string) => {
      const parsed = inspectedValue;
      const reusable = text === inspectedText && parsed !== null && typeof parsed === 'object';
      inspectedText = inspectedValue = undefined;
      // Same result as ccxt's own parseJson: objects and arrays only, re-parsed with quoted numbers when asked to.
      if (
        reusable &&
        (text[0] === '{' || text[0] === '[') &&
        !(client.quoteJsonNumbers && client.hasUnsafeInteger(parsed))
      ) {
        return parsed;
      }
      return originalParseJson(text);
    };
  }

  /**
   * Pauses the limiter on a rate-limit answer, throws on a malformed one; returns the parsed body (undefined if not
   * JSON).
   */
  private inspectAnswer(
    status: number,
    url: string,
    method: string,
    headers: Record<string, string>,
    text: string,
  ): unknown {
    const parsed = parseJsonOrUndefined(text);
    const { rules, logger, exchangeName } = this.options;
    if (rules.isRateLimitAnswer(status, parsed)) {
      const pauseMs = rateLimitPauseMs(headers, Date.now());
      // One line per pause, not one per refused request of a mass load.
      if (!this.limiter.isPaused()) {
        logger?.warn(`${exchangeName} rate limit answer on ${urlPath(url)}: holding requests for ${pauseMs} ms`);
      }
      this.limiter.pause(pauseMs);
      return parsed;
    }
    const reason = rules.malformedReason(status, url, text, parsed);
    if (reason) throw new ExchangeUnavailableError(`malformed answer to ${method} ${urlPath(url)}: ${reason}`);
    return parsed;
  }
}
