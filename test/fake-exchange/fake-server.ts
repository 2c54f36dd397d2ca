/**
 * What the fake exchange servers (fake-bybit.ts, fake-binance.ts, fake-okx.ts) have in common: the HTTP plumbing
 * (listen, close, held sockets and timers), the request skeleton (request log, IP rate-limit window, latency, injected
 * faults), the fault vocabulary and the request statistics. Each fake keeps what is its exchange's own: routes,
 * signatures, answer shapes, error codes and the form of a rate-limit refusal.
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ExchangeAdapter, MarketInfo } from '../../src/exchange/exchange.types';
import { seededRandom } from './seeded-random';

export type FaultKind = 'latency' | 'timeout' | 'stall' | 'http5xx' | 'rateLimit' | 'malformed';
export type MalformedVariant = 'garbage' | 'empty' | 'truncated' | 'nullResult' | 'noRetCode';

export interface FaultSpec {
  kind: FaultKind;
  /** Exact path ('/v5/order/create'), a prefix ending in '*' ('/v5/market/*'), or a RegExp; none = every path. */
  path?: string | RegExp;
  method?: 'GET' | 'POST';
  /** How many matching requests it hits (default 1; Infinity = until cleared). */
  times?: number;
  /** 'latency': extra delay before the answer (default 200). */
  latencyMs?: number;
  /** 'http5xx': status (default 503). */
  status?: number;
  /** 'malformed': what kind of broken answer (default 'garbage'). */
  variant?: MalformedVariant;
  /** 'rateLimit': when the limit resets, from now (default 200 ms; sent in the exchange's own header). */
  retryAfterMs?: number;
  /**
   * Process the request through the backend first, then lose the answer (timeout / stall / 5xx /
   * malformed): the exchange did the work, the client never heard. Default false.
   */
  afterProcessing?: boolean;
}

export interface ChaosSpec {
  seed: number;
  /** Chance per matching request of a fault, 0..1. */
  probability: number;
  kinds?: FaultKind[];
  path?: string | RegExp;
  latencyMs?: number;
}

function pathMatches(pattern: string | RegExp | undefined, path: string): boolean {
  if (pattern === undefined) return true;
  if (pattern instanceof RegExp) return pattern.test(path);
  return pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : path === pattern;
}

export class FakeFaults {
  private queue: Array<FaultSpec & { left: number }> = [];
  private chaosSpec: (ChaosSpec & { random: () => number }) | undefined;

  /** Queues a fault; the oldest matching fault with hits left applies to a request. */
  add(spec: FaultSpec): this {
    this.queue.push({ ...spec, left: spec.times ?? 1 });
    return this;
  }

  /** Random faults: each matching request gets one of `kinds` with `probability` (seeded). */
  chaos(spec: ChaosSpec): this {
    this.chaosSpec = { ...spec, random: seededRandom(spec.seed) };
    return this;
  }

  clear(): void {
    this.queue = [];
    this.chaosSpec = undefined;
  }

  /** Fault hits still queued (Infinity when one is unlimited). */
  get pending(): number {
    return this.queue.reduce((sum, f) => sum + f.left, 0);
  }

  /** @internal consumes and returns the fault for this request, if any. */
  take(method: string, path: string): FaultSpec | undefined {
    const index = this.queue.findIndex(
      (f) => f.left > 0 && pathMatches(f.path, path) && (!f.method || f.method === method),
    );
    if (index >= 0) {
      const fault = this.queue[index];
      fault.left--;
      if (fault.left <= 0) this.queue.splice(index, 1);
      return fault;
    }
    const chaos = this.chaosSpec;
    if (chaos && pathMatches(chaos.path, path) && chaos.random() < chaos.probability) {
      const kinds = chaos.kinds ?? ['http5xx', 'malformed', 'rateLimit', 'latency'];
      return { kind: kinds[Math.floor(chaos.random() * kinds.length)], latencyMs: chaos.latencyMs };
    }
    return undefined;
  }
}

export interface LoggedRequest {
  method: string;
  path: string;
  /** Raw query string as sent. */
  query: string;
  /** Raw body as sent. */
  body: string;
  at: number;
}

export class FakeStats {
  /** Requests seen per path (every request, refused and faulted ones included). */
  readonly requests = new Map<string, number>();
  /** The last 500 requests, oldest first. */
  readonly log: LoggedRequest[] = [];
  total = 0;
  /** Orders the backend actually executed. */
  ordersCreated = 0;
  /** Orders refused because their client order id was seen before (Bybit 110072, Binance -4116). */
  duplicateOrderLinks = 0;
  rateLimited = 0;
  authFailures = 0;
  /** Requests that carried an API key or a signature (valid or not): a dry run must send none. */
  signedRequests = 0;
  faultsInjected = 0;
  /** Most requests accepted within one rate-limit window. */
  maxRequestsInWindow = 0;

  count(path?: string): number {
    return path === undefined ? this.total : (this.requests.get(path) ?? 0);
  }

  /** Logged requests to `path`, oldest first. */
  sent(path: string): LoggedRequest[] {
    return this.log.filter((r) => r.path === path);
  }

  reset(): void {
    this.requests.clear();
    this.log.length = 0;
    this.total = 0;
    this.ordersCreated = 0;
    this.duplicateOrderLinks = 0;
    this.rateLimited = 0;
    this.authFailures = 0;
    this.signedRequests = 0;
    this.faultsInjected = 0;
    this.maxRequestsInWindow = 0;
  }

  /** @internal */
  record(request: LoggedRequest): void {
    const path = request.path;
    this.log.push(request);
    if (this.log.length > 500) this.log.shift();
    this.total++;
    this.requests.set(path, (this.requests.get(path) ?? 0) + 1);
  }
}

export interface Answer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

export function json(status: number, value: unknown, headers?: Record<string, string>): Answer {
  return { status, body: JSON.stringify(value), headers };
}

/** An nginx-style HTML error page, as the gateways before Bybit (openresty) and OKX answer; `server` is its footer. */
export function nginxErrorPage(status: number, server: string): string {
  const title = `${status} ${http.STATUS_CODES[status] ?? ''}`;
  return `<html><head><title>${title}</title></head><body><center><h1>${title}</h1></center><hr><center>${server}</center></body></html>`;
}

/** Decimal string without exponent notation (neither exchange ever sends 1e-7). */
export function dec(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '0';
  if (value !== 0 && Math.abs(value) < 1e-6) return value.toFixed(12).replace(/\.?0+$/, '');
  return String(Number(value.toPrecision(12)));
}

/** Decimal places of a step (0.001 -> 3). */
export function decimals(step: number): number {
  const text = dec(step);
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

export interface FakeServerOptions {
  backend: ExchangeAdapter;
  /** 0 (default) = a free port. */
  port?: number;
  host?: string;
  /** Added to every answer. */
  latencyMs?: number;
  apiKey?: string;
  secret?: string;
  /** The IP limit; what is left out takes the exchange's own value. */
  rateLimit?: Partial<RateLimitWindow>;
}

export interface RateLimitWindow {
  requestsPerWindow: number;
  windowMs: number;
  /** false: count only, never refuse. */
  enabled: boolean;
}

/** How an exchange's front answers when things go wrong outside its API. */
export interface FaultDialect {
  /** The HTML page of an error status (5xx faults, 404, an unavailable backend). */
  errorPage(status: number): string;
  /** What a 'stall' fault writes before it stops writing. */
  stallStart: string;
  /**
   * The body of a 'malformed' answer that looks like the exchange's own but is broken ('garbage' and 'empty' are alike
   * everywhere).
   */
  malformedBody(variant: Exclude<MalformedVariant, 'garbage' | 'empty'>, path: string): string;
}

/** What a test sees of a running fake server. */
export interface FakeServerHandle {
  /** http://127.0.0.1:PORT — pass as CcxtExchange apiUrl. */
  url: string;
  port: number;
  apiKey: string;
  secret: string;
  faults: FakeFaults;
  stats: FakeStats;
  close(): Promise<void>;
}

export abstract class FakeExchangeServer {
  readonly faults = new FakeFaults();
  readonly stats = new FakeStats();
  readonly apiKey: string;
  readonly secret: string;
  port = 0;
  protected readonly limit: RateLimitWindow;
  private readonly http: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private windowStart = -Infinity;
  /** Requests accepted in the current rate-limit window. */
  protected windowCount = 0;
  /** Arrival times of accepted requests within the last windowMs (ascending), for the stats. */
  private sliding: number[] = [];
  private marketCache: { at: number; list: MarketInfo[]; byExchangeSymbol: Map<string, MarketInfo> } | undefined;
  private closed = false;

  /** `defaults`: the exchange's test credentials and IP limit, for what `options` leaves out. */
  protected constructor(
    protected readonly options: FakeServerOptions,
    defaults: { apiKey: string; secret: string; requestsPerWindow: number; windowMs: number },
    private readonly dialect: FaultDialect,
  ) {
    this.apiKey = options.apiKey ?? defaults.apiKey;
    this.secret = options.secret ?? defaults.secret;
    this.limit = {
      requestsPerWindow: options.rateLimit?.requestsPerWindow ?? defaults.requestsPerWindow,
      windowMs: options.rateLimit?.windowMs ?? defaults.windowMs,
      enabled: options.rateLimit?.enabled ?? true,
    };
    this.http = http.createServer(
      (req, res) =>
        // A bug in the fake must show, not hang the client: log it and drop the connection.
        void this.handle(req, res).catch((error: Error) => {
          console.error(`fake exchange: ${req.method} ${req.url} failed: ${error.stack ?? error.message}`);
          res.destroy();
        }),
    );
    this.http.keepAliveTimeout = 30_000;
    this.http.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** The exchange's answer to a request that got through the rate limit and the faults. */
  protected abstract route(
    method: string,
    path: string,
    rawQuery: string,
    body: string,
    headers: http.IncomingHttpHeaders,
  ): Promise<Answer>;

  /** Whether the request carries this exchange's API key or signature (counted in stats.signedRequests). */
  protected abstract isSigned(rawQuery: string, body: string, headers: http.IncomingHttpHeaders): boolean;

  /** The exchange's refusal of a request over the rate limit, which resets at `resetAt` (ms). */
  protected abstract rateLimitAnswer(now: number, resetAt: number): Answer;

  get url(): string {
    return `http://${this.options.host ?? '127.0.0.1'}:${this.port}`;
  }

  /** Listens, then returns what the tests use. */
  async start(): Promise<FakeServerHandle> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => {
        this.port = (this.http.address() as AddressInfo).port;
        resolve();
      });
    });
    return {
      url: this.url,
      port: this.port,
      apiKey: this.apiKey,
      secret: this.secret,
      faults: this.faults,
      stats: this.stats,
      close: () => this.close(),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    // Held (never answered / stalled) requests and keep-alive sockets would keep close() waiting.
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  /** The backend's markets as this exchange lists them. */
  protected listMarkets(): Promise<MarketInfo[]> {
    return this.options.backend.listMarkets();
  }

  /** The markets, read from the backend at most once a second unless `refresh`. */
  protected async markets(refresh = false): Promise<{ list: MarketInfo[]; byExchangeSymbol: Map<string, MarketInfo> }> {
    if (!this.marketCache || refresh || Date.now() - this.marketCache.at > 1000) {
      const list = await this.listMarkets();
      this.marketCache = { at: Date.now(), list, byExchangeSymbol: new Map(list.map((m) => [m.exchangeSymbol, m])) };
    }
    return this.marketCache;
  }

  protected htmlAnswer(status: number): Answer {
    return { status, body: this.dialect.errorPage(status), headers: { 'Content-Type': 'text/html' } };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
    const method = (req.method ?? 'GET').toUpperCase();
    const body = await readBody(req);
    const arrival = Date.now();
    this.stats.record({ method, path, query: rawQuery, body, at: arrival });
    if (this.isSigned(rawQuery, body, req.headers)) this.stats.signedRequests++;

    const limited = this.checkRateLimit(arrival);
    if (limited) return this.send(res, limited);

    if (this.options.latencyMs) await this.sleep(this.options.latencyMs);
    const fault = this.faults.take(method, path);
    if (fault) this.stats.faultsInjected++;
    if (fault?.kind === 'latency') await this.sleep(fault.latencyMs ?? 200);
    if (this.closed) return;

    const lost = fault && fault.kind !== 'latency' ? fault : undefined;
    if (lost && !lost.afterProcessing) return this.sendFault(res, lost, path);
    const answer = await this.route(method, path, rawQuery, body, req.headers);
    if (lost) return this.sendFault(res, lost, path);
    this.send(res, answer);
  }

  /**
   * An IP limit as both exchanges apply it: at most requestsPerWindow per window, the window starting with its
   * first request; a refused request learns when the window ends. stats.maxRequestsInWindow is measured over a
   * sliding window, the strictest reading.
   */
  private checkRateLimit(now: number): Answer | undefined {
    const { requestsPerWindow, windowMs, enabled } = this.limit;
    if (now >= this.windowStart + windowMs) {
      this.windowStart = now;
      this.windowCount = 0;
    }
    if (enabled && this.windowCount >= requestsPerWindow) {
      this.stats.rateLimited++;
      return this.rateLimitAnswer(now, this.windowStart + windowMs);
    }
    this.windowCount++;
    let expired = 0;
    while (expired < this.sliding.length && this.sliding[expired] <= now - windowMs) expired++;
    if (expired > 0) this.sliding = this.sliding.slice(expired);
    this.sliding.push(now);
    this.stats.maxRequestsInWindow = Math.max(this.stats.maxRequestsInWindow, this.sliding.length);
    return undefined;
  }

  private sendFault(res: http.ServerResponse, fault: FaultSpec, path: string): void {
    switch (fault.kind) {
      case 'timeout':
        return; // never answer; close() destroys the socket
      case 'stall':
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write(this.dialect.stallStart); // ... and nothing more
        return;
      case 'http5xx':
        return this.send(res, this.htmlAnswer(fault.status ?? 503));
      case 'rateLimit': {
        this.stats.rateLimited++;
        const now = Date.now();
        return this.send(res, this.rateLimitAnswer(now, now + (fault.retryAfterMs ?? 200)));
      }
      case 'malformed':
        return this.send(res, this.malformedAnswer(fault.variant ?? 'garbage', path));
      default:
        return;
    }
  }

  private malformedAnswer(variant: MalformedVariant, path: string): Answer {
    if (variant === 'garbage') {
      return {
        status: 200,
        body: '<html><body>Service temporarily busy</body></html>',
        headers: { 'Content-Type': 'text/html' },
      };
    }
    if (variant === 'empty') return { status: 200, body: '' };
    return { status: 200, body: this.dialect.malformedBody(variant, path) };
  }

  private send(res: http.ServerResponse, answer: Answer): void {
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(answer.status, {
      'Content-Type': 'application/json',
      ...answer.headers,
      'Content-Length': Buffer.byteLength(answer.body),
    });
    res.end(answer.body);
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}
