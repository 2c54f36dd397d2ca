/**
 * A local Bybit v5 REST look-alike for testing the ccxt adapter offline.
 *
 * It is an HTTP facade over any ExchangeAdapter (normally the PaperExchange): market data, orders,
 * positions and balance come from the backend, in Bybit's answer shapes. On top it behaves like
 * Bybit where the adapter's robustness matters: HMAC-signed private requests (bad sign -> 10004),
 * an IP rate limit (600 per 5 s -> retCode 10006, or HTTP 429), orderLinkId de-duplication
 * (110072), and injectable faults (latency, no answer, stalled body, 5xx HTML, rate limit, malformed).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import {
  ExchangeAuthError,
  ExchangeError,
  ExchangeRateLimitError,
  ExchangeUnavailableError,
  InsufficientFundsError,
  InvalidOrderError,
  UnknownSymbolError,
} from '../../src/exchange/exchange.errors';
import type { Balance, ExchangeAdapter, MarketInfo, Position, Ticker, Timeframe } from '../../src/exchange/exchange.types';
import { seededRandom } from './seeded-random';

/** Fake test credentials (they open nothing but this local server). */
export const FAKE_BYBIT_API_KEY = 'fake-bybit-test-key';
export const FAKE_BYBIT_SECRET = 'fake-bybit-test-secret';

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
  /** 'rateLimit': when the limit resets, from now (default 200 ms; sent as X-Bapi-Limit-Reset-Timestamp). */
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

export interface FakeRateLimit {
  requestsPerWindow?: number;
  windowMs?: number;
  /** 'retCode': HTTP 200 + retCode 10006 "Too many visits!" (Bybit's usual); 'http429': HTTP 429. */
  mode?: 'retCode' | 'http429';
  /** false: count only, never refuse. */
  enabled?: boolean;
}

export interface FakeBybitOptions {
  backend: ExchangeAdapter;
  /** 0 (default) = a free port. */
  port?: number;
  host?: string;
  /** Added to every answer. */
  latencyMs?: number;
  rateLimit?: FakeRateLimit;
  apiKey?: string;
  secret?: string;
}

export interface FakeBybit {
  /** http://127.0.0.1:PORT — pass as CcxtExchange apiUrl. */
  url: string;
  port: number;
  apiKey: string;
  secret: string;
  faults: FakeFaults;
  stats: FakeStats;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

interface OrderRecord {
  orderId: string;
  orderLinkId: string;
  symbol: string;
  side: 'Buy' | 'Sell';
  qty: string;
  avgPrice: string;
  cumExecFee: string;
  reduceOnly: boolean;
  stopLoss: string;
  takeProfit: string;
  createdTime: number;
  status: 'Pending' | 'Filled' | 'Cancelled';
}

class BybitError extends Error {
  constructor(readonly retCode: number, readonly retMsg: string) {
    super(retMsg);
  }
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
    const index = this.queue.findIndex((f) => f.left > 0 && pathMatches(f.path, path) && (!f.method || f.method === method));
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
  /** order/create answered 110072 (orderLinkId seen before). */
  duplicateOrderLinks = 0;
  rateLimited = 0;
  authFailures = 0;
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

const INTERVAL_TO_TIMEFRAME: Record<string, Timeframe> = {
  '1': '1m', '3': '3m', '5': '5m', '15': '15m', '30': '30m', '60': '1h', '120': '2h', '240': '4h', '360': '6h',
  '720': '12h', D: '1d', W: '1w', M: '1M',
};

const PRIVATE_PREFIXES = ['/v5/account/', '/v5/position/', '/v5/order/', '/v5/user/', '/v5/asset/', '/v5/execution/'];
const RECV_WINDOW_DEFAULT = 5000;

/** Decimal string without exponent notation (Bybit never sends 1e-7). */
function dec(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '0';
  if (value !== 0 && Math.abs(value) < 1e-6) return value.toFixed(12).replace(/\.?0+$/, '');
  return String(Number(value.toPrecision(12)));
}

function decimals(step: number): number {
  const text = dec(step);
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

function html(status: number): string {
  return `<html><head><title>${status} ${http.STATUS_CODES[status] ?? ''}</title></head><body><center><h1>${status} ${http.STATUS_CODES[status] ?? ''}</h1></center><hr><center>openresty</center></body></html>`;
}

export async function startFakeBybit(options: FakeBybitOptions): Promise<FakeBybit> {
  const server = new FakeBybitServer(options);
  await server.listen();
  return {
    url: server.url,
    port: server.port,
    apiKey: server.apiKey,
    secret: server.secret,
    faults: server.faults,
    stats: server.stats,
    close: () => server.close(),
  };
}

class FakeBybitServer {
  readonly faults = new FakeFaults();
  readonly stats = new FakeStats();
  readonly apiKey: string;
  readonly secret: string;
  port = 0;
  private readonly http: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly limit: Required<FakeRateLimit>;
  private windowStart = -Infinity;
  private windowCount = 0;
  /** Arrival times of accepted requests within the last windowMs (ascending), for the stats. */
  private sliding: number[] = [];
  private readonly orders = new Map<string, OrderRecord>(); // by orderId
  private readonly orderIdByLink = new Map<string, string>();
  private readonly pendingLinks = new Set<string>();
  private readonly leverage = new Map<string, number>();
  private marketCache: { at: number; list: MarketInfo[]; byExchangeSymbol: Map<string, MarketInfo> } | undefined;
  private closed = false;

  constructor(private readonly options: FakeBybitOptions) {
    this.apiKey = options.apiKey ?? FAKE_BYBIT_API_KEY;
    this.secret = options.secret ?? FAKE_BYBIT_SECRET;
    this.limit = {
      requestsPerWindow: options.rateLimit?.requestsPerWindow ?? 600,
      windowMs: options.rateLimit?.windowMs ?? 5000,
      mode: options.rateLimit?.mode ?? 'retCode',
      enabled: options.rateLimit?.enabled ?? true,
    };
    this.http = http.createServer((req, res) => void this.handle(req, res));
    this.http.keepAliveTimeout = 30_000;
    this.http.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  get url(): string {
    return `http://${this.options.host ?? '127.0.0.1'}:${this.port}`;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => {
        this.port = (this.http.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    // Held (never answered / stalled) requests and keep-alive sockets would keep close() waiting.
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
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
   * Bybit-like IP limit: at most requestsPerWindow per window, the window starting with its first
   * request; a refused request learns when the window ends (X-Bapi-Limit-Reset-Timestamp).
   * stats.maxRequestsInWindow is measured over a sliding window, the strictest reading.
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

  private rateLimitAnswer(now: number, resetAt: number): Answer {
    const headers = {
      'X-Bapi-Limit': String(this.limit.requestsPerWindow),
      'X-Bapi-Limit-Status': '0',
      'X-Bapi-Limit-Reset-Timestamp': String(resetAt),
    };
    if (this.limit.mode === 'http429') return { status: 429, body: 'Too Many Requests', headers: { ...headers, 'Content-Type': 'text/plain' } };
    return { status: 200, body: JSON.stringify({ retCode: 10006, retMsg: 'Too many visits!', result: {}, retExtInfo: {}, time: now }), headers };
  }

  private sendFault(res: http.ServerResponse, fault: FaultSpec, path: string): void {
    switch (fault.kind) {
      case 'timeout':
        return; // never answer; close() destroys the socket
      case 'stall':
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('{"retCode":0,"retMsg":"OK","result":{'); // ... and nothing more
        return;
      case 'http5xx': {
        const status = fault.status ?? 503;
        return this.send(res, { status, body: html(status), headers: { 'Content-Type': 'text/html' } });
      }
      case 'rateLimit':
        this.stats.rateLimited++;
        return this.send(res, this.rateLimitAnswer(Date.now(), Date.now() + (fault.retryAfterMs ?? 200)));
      case 'malformed':
        return this.send(res, malformedAnswer(fault.variant ?? 'garbage', path));
      default:
        return;
    }
  }

  private send(res: http.ServerResponse, answer: Answer): void {
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers, 'Content-Length': Buffer.byteLength(answer.body) });
    res.end(answer.body);
  }

  // ------------------------------------------------------------------ routing

  private async route(method: string, path: string, rawQuery: string, body: string, headers: http.IncomingHttpHeaders): Promise<Answer> {
    const isPrivate = PRIVATE_PREFIXES.some((prefix) => path.startsWith(prefix));
    try {
      if (isPrivate) this.verifySignature(method, rawQuery, body, headers);
      const query = Object.fromEntries(new URLSearchParams(rawQuery));
      let params: Record<string, unknown> = {};
      if (method === 'POST' && body.length > 0) {
        try {
          params = JSON.parse(body) as Record<string, unknown>;
        } catch {
          throw new BybitError(10001, 'params error: request body is not valid JSON');
        }
      }
      const handler = this.handlerFor(method, path);
      if (!handler) return { status: 404, body: html(404), headers: { 'Content-Type': 'text/html' } };
      const result = await handler(query, params);
      return ok(result);
    } catch (error) {
      if (error instanceof BybitError) {
        if (error.retCode === 10003 || error.retCode === 10004) this.stats.authFailures++;
        return fail(error.retCode, error.retMsg);
      }
      return this.backendFailure(error, path);
    }
  }

  private handlerFor(method: string, path: string): ((query: Record<string, string>, body: Record<string, unknown>) => Promise<unknown>) | undefined {
    const routes: Record<string, (query: Record<string, string>, body: Record<string, unknown>) => Promise<unknown>> = {
      'GET /v5/market/time': async () => {
        const now = Date.now();
        return { timeSecond: String(Math.floor(now / 1000)), timeNano: `${now}000000` };
      },
      'GET /v5/market/instruments-info': (q) => this.instruments(q),
      'GET /v5/market/kline': (q) => this.kline(q),
      'GET /v5/market/tickers': (q) => this.tickers(q),
      'GET /v5/account/wallet-balance': (q) => this.walletBalance(q),
      'GET /v5/position/list': (q) => this.positions(q),
      'GET /v5/order/realtime': async (q) => this.orderList(q, true),
      'GET /v5/order/history': async (q) => this.orderList(q, false),
      'POST /v5/order/create': (_q, b) => this.createOrder(b),
      'POST /v5/order/cancel': (_q, b) => this.cancelOrder(b),
      'POST /v5/position/trading-stop': (_q, b) => this.tradingStop(b),
      'POST /v5/position/set-leverage': (_q, b) => this.setLeverage(b),
      'GET /v5/user/query-api': async () => ({
        id: '1', note: 'fake', apiKey: this.apiKey, readOnly: 0, secret: '', permissions: { ContractTrade: ['Order', 'Position'], Wallet: ['AccountTransfer'] },
        ips: ['*'], type: 1, deadlineDay: 90, expiredAt: '', createdAt: '', unified: 0, uta: 1, userID: 1, inviterID: 0, vipLevel: 'No VIP', mktMakerLevel: '0', affiliateID: 0, isMaster: true,
      }),
      'GET /v5/account/info': async () => ({ unifiedMarginStatus: 6, marginMode: 'REGULAR_MARGIN', isMasterTrader: false, spotHedgingStatus: 'OFF', updatedTime: String(Date.now()), dcpStatus: 'OFF', timeWindow: 10, smpGroup: 0 }),
    };
    return routes[`${method} ${path}`];
  }

  private verifySignature(method: string, rawQuery: string, body: string, headers: http.IncomingHttpHeaders): void {
    const key = String(headers['x-bapi-api-key'] ?? '');
    const timestamp = String(headers['x-bapi-timestamp'] ?? '');
    const recvWindow = String(headers['x-bapi-recv-window'] ?? RECV_WINDOW_DEFAULT);
    const sign = String(headers['x-bapi-sign'] ?? '');
    if (!key || key !== this.apiKey) throw new BybitError(10003, 'API key is invalid.');
    const ts = Number(timestamp);
    const now = Date.now();
    if (!Number.isFinite(ts) || ts < now - Number(recvWindow) || ts >= now + 1000) {
      throw new BybitError(10002, `invalid request, please check your server timestamp or recv_window param. req_timestamp[${timestamp}],server_timestamp[${now}],recv_window[${recvWindow}]`);
    }
    const payload = timestamp + key + recvWindow + (method === 'GET' ? rawQuery : body);
    const expected = createHmac('sha256', this.secret).update(payload).digest('hex');
    const given = Buffer.from(sign, 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected, 'utf8'))) {
      // Like Bybit, the message shows the signed string (which contains the API key, never the secret).
      throw new BybitError(10004, `error sign! origin_string[${payload}]`);
    }
  }

  /** Backend exceptions as Bybit would report them. */
  private backendFailure(error: unknown, path: string): Answer {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof InsufficientFundsError) return fail(110007, 'ab not enough for new order');
    if (error instanceof UnknownSymbolError) return fail(10001, 'Not supported symbols');
    if (error instanceof InvalidOrderError) {
      if (path === '/v5/order/cancel') return fail(110001, 'Order does not exist');
      if (path === '/v5/position/trading-stop') return fail(10001, `can not set tp/sl/ts for zero position (${message})`);
      return fail(/reduce/i.test(message) ? 110017 : 110003, message);
    }
    if (error instanceof ExchangeRateLimitError) return fail(10006, 'Too many visits!');
    if (error instanceof ExchangeAuthError) return fail(10003, 'API key is invalid.');
    if (error instanceof ExchangeUnavailableError) return { status: 503, body: html(503), headers: { 'Content-Type': 'text/html' } };
    if (error instanceof ExchangeError) return fail(10016, `System error. Please try again later. (${message})`);
    return fail(10016, `System error. Please try again later. (${message})`);
  }

  // ------------------------------------------------------------------ market data

  private async markets(refresh = false): Promise<{ list: MarketInfo[]; byExchangeSymbol: Map<string, MarketInfo> }> {
    if (!this.marketCache || refresh || Date.now() - this.marketCache.at > 1000) {
      const list = await this.options.backend.listMarkets();
      this.marketCache = { at: Date.now(), list, byExchangeSymbol: new Map(list.map((m) => [m.exchangeSymbol, m])) };
    }
    return this.marketCache;
  }

  private async market(exchangeSymbol: unknown): Promise<MarketInfo> {
    if (typeof exchangeSymbol !== 'string' || exchangeSymbol.length === 0) throw new BybitError(10001, 'params error: symbol is required');
    const found = (await this.markets()).byExchangeSymbol.get(exchangeSymbol);
    if (!found) throw new BybitError(10001, 'Not supported symbols');
    return found;
  }

  private requireLinear(category: unknown): void {
    if (category !== 'linear') throw new BybitError(10001, `params error: this fake only serves category=linear (got ${String(category)})`);
  }

  private async instruments(q: Record<string, string>): Promise<unknown> {
    if (q.category !== 'linear') return { category: q.category ?? '', list: [], nextPageCursor: '' };
    const { list } = await this.markets(true);
    const wanted = list.filter((m) =>
      (q.symbol ? m.exchangeSymbol === q.symbol : true) && (q.status ? m.status === q.status : m.status !== 'PreLaunch'),
    );
    return {
      category: 'linear',
      nextPageCursor: '',
      list: wanted.map((m) => ({
        symbol: m.exchangeSymbol,
        contractType: 'LinearPerpetual',
        status: m.status,
        baseCoin: m.symbol,
        quoteCoin: 'USDT',
        settleCoin: 'USDT',
        launchTime: String(m.launchTime ?? 0),
        deliveryTime: '0',
        deliveryFeeRate: '',
        priceScale: String(decimals(m.tickSize)),
        leverageFilter: { minLeverage: '1', maxLeverage: dec(m.maxLeverage), leverageStep: '0.01' },
        priceFilter: { minPrice: dec(m.tickSize), maxPrice: '1999999', tickSize: dec(m.tickSize) },
        lotSizeFilter: {
          maxOrderQty: '10000000', minOrderQty: dec(m.minOrderQty), qtyStep: dec(m.qtyStep),
          postOnlyMaxOrderQty: '10000000', maxMktOrderQty: '10000000', minNotionalValue: dec(m.minNotional),
        },
        unifiedMarginTrade: true,
        fundingInterval: 480,
        copyTrading: 'both',
        upperFundingRate: '0.005',
        lowerFundingRate: '-0.005',
        isPreListing: m.status === 'PreLaunch',
        preListingInfo: null,
      })),
    };
  }

  private async kline(q: Record<string, string>): Promise<unknown> {
    this.requireLinear(q.category);
    const market = await this.market(q.symbol);
    const timeframe = INTERVAL_TO_TIMEFRAME[q.interval ?? ''];
    if (!timeframe) throw new BybitError(10001, 'Invalid period!');
    const limit = Math.min(1000, Math.max(1, Number(q.limit ?? 200) || 200));
    const since = q.start !== undefined ? Number(q.start) : undefined;
    const end = q.end !== undefined ? Number(q.end) : undefined;
    const candles = await this.options.backend.fetchCandles(market.symbol, timeframe, { limit, since });
    const rows = candles
      .filter((c) => (since === undefined || c.time >= since) && (end === undefined || c.time <= end))
      .sort((a, b) => b.time - a.time) // Bybit answers newest first
      .map((c) => [String(c.time), dec(c.open), dec(c.high), dec(c.low), dec(c.close), dec(c.volume), dec(c.volume * c.close)]);
    return { category: 'linear', symbol: market.exchangeSymbol, list: rows };
  }

  private async tickers(q: Record<string, string>): Promise<unknown> {
    this.requireLinear(q.category);
    const { list } = await this.markets();
    const exchangeSymbolOf = new Map(list.map((m) => [m.symbol, m.exchangeSymbol]));
    if (q.symbol) await this.market(q.symbol);
    const tickers = await this.options.backend.fetchTickers();
    const rows: unknown[] = [];
    for (const ticker of tickers.values()) {
      const exchangeSymbol = exchangeSymbolOf.get(ticker.symbol) ?? `${ticker.symbol}USDT`;
      if (q.symbol && q.symbol !== exchangeSymbol) continue;
      rows.push(tickerRow(exchangeSymbol, ticker));
    }
    return { category: 'linear', list: rows };
  }

  // ------------------------------------------------------------------ account

  private async walletBalance(q: Record<string, string>): Promise<unknown> {
    if (q.accountType !== 'UNIFIED' && q.accountType !== 'CONTRACT') throw new BybitError(10001, 'accountType only support UNIFIED.');
    const balance: Balance = await this.options.backend.fetchBalance();
    const positionIM = Math.max(0, balance.totalEquity - balance.availableBalance);
    return {
      list: [
        {
          accountType: 'UNIFIED',
          totalEquity: dec(balance.totalEquity),
          totalWalletBalance: dec(balance.walletBalance),
          totalMarginBalance: dec(balance.marginBalance),
          totalAvailableBalance: dec(balance.availableBalance),
          totalPerpUPL: dec(balance.unrealizedPnl),
          totalInitialMargin: dec(positionIM),
          totalMaintenanceMargin: '0',
          accountIMRate: '0',
          accountMMRate: '0',
          accountLTV: '0',
          coin: [
            {
              coin: 'USDT',
              equity: dec(balance.totalEquity),
              usdValue: dec(balance.totalEquity),
              walletBalance: dec(balance.walletBalance),
              unrealisedPnl: dec(balance.unrealizedPnl),
              cumRealisedPnl: '0',
              totalPositionIM: dec(positionIM),
              totalPositionMM: '0',
              totalOrderIM: '0',
              locked: '0',
              availableToWithdraw: dec(balance.availableBalance),
              borrowAmount: '0',
              accruedInterest: '0',
              bonus: '0',
              marginCollateral: true,
              collateralSwitch: true,
            },
          ],
        },
      ],
    };
  }

  private async positions(q: Record<string, string>): Promise<unknown> {
    this.requireLinear(q.category);
    if (!q.symbol && !q.settleCoin) throw new BybitError(10001, 'Missing some parameters that must be filled in, symbol or settleCoin');
    const market = q.symbol ? await this.market(q.symbol) : undefined;
    const { list } = await this.markets();
    const exchangeSymbolOf = new Map(list.map((m) => [m.symbol, m.exchangeSymbol]));
    const open = (await this.options.backend.fetchPositions()).filter((p) => !market || p.symbol === market.symbol);
    const rows = open.map((p) => positionRow(exchangeSymbolOf.get(p.symbol) ?? `${p.symbol}USDT`, p));
    if (market && rows.length === 0) {
      // Bybit lists a symbol asked for by name even without a position: a zero-size row.
      rows.push(emptyPositionRow(market.exchangeSymbol, this.leverage.get(market.exchangeSymbol) ?? 10));
    }
    return { category: 'linear', list: rows, nextPageCursor: '' };
  }

  // ------------------------------------------------------------------ trading

  private async createOrder(b: Record<string, unknown>): Promise<unknown> {
    this.requireLinear(b.category);
    const market = await this.market(b.symbol);
    if (b.side !== 'Buy' && b.side !== 'Sell') throw new BybitError(10001, 'params error: side invalid');
    if (b.orderType !== 'Market') throw new BybitError(10001, 'params error: this fake only executes Market orders');
    const qty = Number(b.qty);
    if (typeof b.qty !== 'string' || !(qty > 0)) throw new BybitError(10001, 'Qty invalid');
    const orderLinkId = typeof b.orderLinkId === 'string' ? b.orderLinkId : '';
    if (orderLinkId.length > 36) throw new BybitError(10001, 'params error: orderLinkId too long');
    if (orderLinkId && (this.orderIdByLink.has(orderLinkId) || this.pendingLinks.has(orderLinkId))) {
      this.stats.duplicateOrderLinks++;
      throw new BybitError(110072, 'OrderLinkedID is duplicate');
    }
    if (orderLinkId) this.pendingLinks.add(orderLinkId);
    try {
      const reduceOnly = b.reduceOnly === true;
      const stopLoss = b.stopLoss !== undefined ? Number(b.stopLoss) : undefined;
      const takeProfit = b.takeProfit !== undefined ? Number(b.takeProfit) : undefined;
      const result = await this.options.backend.createMarketOrder({
        symbol: market.symbol,
        side: b.side === 'Buy' ? 'buy' : 'sell',
        amount: qty,
        reduceOnly,
        stopLoss: stopLoss && stopLoss > 0 ? stopLoss : undefined,
        takeProfit: takeProfit && takeProfit > 0 ? takeProfit : undefined,
        clientOrderId: orderLinkId || undefined,
      });
      this.stats.ordersCreated++;
      const record: OrderRecord = {
        orderId: result.orderId,
        orderLinkId,
        symbol: market.exchangeSymbol,
        side: b.side,
        qty: dec(result.amount),
        avgPrice: dec(result.price ?? 0),
        cumExecFee: dec(result.fee),
        reduceOnly,
        stopLoss: dec(stopLoss ?? 0),
        takeProfit: dec(takeProfit ?? 0),
        createdTime: Date.now(),
        status: 'Filled',
      };
      this.orders.set(record.orderId, record);
      if (orderLinkId) this.orderIdByLink.set(orderLinkId, record.orderId);
      return { orderId: record.orderId, orderLinkId };
    } finally {
      if (orderLinkId) this.pendingLinks.delete(orderLinkId);
    }
  }

  private async cancelOrder(b: Record<string, unknown>): Promise<unknown> {
    this.requireLinear(b.category);
    const market = await this.market(b.symbol);
    const orderId = typeof b.orderId === 'string' ? b.orderId : this.orderIdByLink.get(String(b.orderLinkId ?? ''));
    if (!orderId) throw new BybitError(10001, 'params error: orderId or orderLinkId is required');
    await this.options.backend.cancelOrder(market.symbol, orderId);
    const record = this.orders.get(orderId);
    if (record) record.status = 'Cancelled';
    return { orderId, orderLinkId: record?.orderLinkId ?? '' };
  }

  private orderList(q: Record<string, string>, open: boolean): unknown {
    this.requireLinear(q.category);
    const records = [...this.orders.values()]
      .filter((o) => (!q.symbol || o.symbol === q.symbol) && (!q.orderId || o.orderId === q.orderId) && (!q.orderLinkId || o.orderLinkId === q.orderLinkId))
      // order/realtime lists open orders, and closed ones only when asked by id (as on Bybit)
      .filter((o) => !open || o.status === 'Pending' || q.orderId || q.orderLinkId)
      .sort((a, b) => b.createdTime - a.createdTime)
      .slice(0, Math.min(50, Number(q.limit ?? 20) || 20));
    return { category: 'linear', nextPageCursor: '', list: records.map(orderRow) };
  }

  private async tradingStop(b: Record<string, unknown>): Promise<unknown> {
    this.requireLinear(b.category);
    const market = await this.market(b.symbol);
    const stopLoss = b.stopLoss !== undefined ? Number(b.stopLoss) : undefined;
    const takeProfit = b.takeProfit !== undefined ? Number(b.takeProfit) : undefined;
    if ((stopLoss !== undefined && !(stopLoss >= 0)) || (takeProfit !== undefined && !(takeProfit >= 0))) {
      throw new BybitError(10001, 'params error: stopLoss / takeProfit must be numbers');
    }
    if (stopLoss === undefined && takeProfit === undefined) throw new BybitError(10001, 'params error: nothing to set');
    await this.options.backend.setTradingStop(market.symbol, { stopLoss, takeProfit });
    return {};
  }

  private async setLeverage(b: Record<string, unknown>): Promise<unknown> {
    this.requireLinear(b.category);
    const market = await this.market(b.symbol);
    const buy = Number(b.buyLeverage);
    const sell = Number(b.sellLeverage);
    if (!(buy >= 1) || buy !== sell) throw new BybitError(10001, 'params error: buyLeverage must equal sellLeverage in one-way mode');
    if (buy > market.maxLeverage) throw new BybitError(110013, `cannot set leverage [${buy}] gt maxLeverage [${market.maxLeverage}] by risk limit`);
    if (this.leverage.get(market.exchangeSymbol) === buy) throw new BybitError(110043, 'leverage not modified');
    await this.options.backend.setLeverage(market.symbol, buy);
    this.leverage.set(market.exchangeSymbol, buy);
    return {};
  }
}

// -------------------------------------------------------------------- answer shapes

function ok(result: unknown): Answer {
  return { status: 200, body: JSON.stringify({ retCode: 0, retMsg: 'OK', result, retExtInfo: {}, time: Date.now() }) };
}

function fail(retCode: number, retMsg: string): Answer {
  return { status: 200, body: JSON.stringify({ retCode, retMsg, result: {}, retExtInfo: {}, time: Date.now() }) };
}

function malformedAnswer(variant: MalformedVariant, path: string): Answer {
  switch (variant) {
    case 'empty':
      return { status: 200, body: '' };
    case 'truncated':
      return { status: 200, body: '{"retCode":0,"retMsg":"OK","result":{"list":[["1700000' };
    case 'nullResult':
      return { status: 200, body: JSON.stringify({ retCode: 0, retMsg: 'OK', result: null, time: Date.now() }) };
    case 'noRetCode':
      return { status: 200, body: JSON.stringify({ result: { list: [] }, path }) };
    default:
      return { status: 200, body: '<html><body>Service temporarily busy</body></html>', headers: { 'Content-Type': 'text/html' } };
  }
}

function tickerRow(exchangeSymbol: string, t: Ticker): Record<string, string> {
  const prev = t.last / (1 + t.change24hPercent / 100);
  return {
    symbol: exchangeSymbol,
    lastPrice: dec(t.last),
    indexPrice: dec(t.mark),
    markPrice: dec(t.mark),
    prevPrice24h: dec(prev),
    price24hPcnt: dec(t.change24hPercent / 100),
    highPrice24h: dec(t.high24h),
    lowPrice24h: dec(t.low24h),
    prevPrice1h: dec(t.last),
    openInterest: '0',
    openInterestValue: '0',
    turnover24h: dec(t.turnover24h),
    volume24h: dec(t.volume24h),
    fundingRate: '0.0001',
    nextFundingTime: '0',
    predictedDeliveryPrice: '',
    basisRate: '',
    deliveryFeeRate: '',
    deliveryTime: '0',
    ask1Size: '1',
    bid1Price: dec(t.bid),
    ask1Price: dec(t.ask),
    bid1Size: '1',
    basis: '',
  };
}

function positionRow(exchangeSymbol: string, p: Position): Record<string, unknown> {
  return {
    positionIdx: 0,
    riskId: 1,
    riskLimitValue: '2000000',
    symbol: exchangeSymbol,
    side: p.side === 'Long' ? 'Buy' : 'Sell',
    size: dec(p.size),
    avgPrice: dec(p.entryPrice),
    positionValue: dec(p.positionValue),
    tradeMode: 0,
    autoAddMargin: 0,
    positionStatus: 'Normal',
    leverage: dec(p.leverage),
    markPrice: dec(p.markPrice),
    liqPrice: p.liquidationPrice === null ? '' : dec(p.liquidationPrice),
    bustPrice: '',
    positionIM: dec(p.margin),
    positionMM: '0',
    positionBalance: dec(p.margin),
    tpslMode: 'Full',
    takeProfit: dec(p.takeProfit ?? 0),
    stopLoss: dec(p.stopLoss ?? 0),
    trailingStop: '0',
    unrealisedPnl: dec(p.unrealizedPnl),
    curRealisedPnl: dec(p.realizedPnl),
    cumRealisedPnl: dec(p.realizedPnl),
    adlRankIndicator: 2,
    createdTime: String(p.createdAt),
    updatedTime: String(p.updatedAt),
    seq: 1,
    isReduceOnly: false,
  };
}

function emptyPositionRow(exchangeSymbol: string, leverage: number): Record<string, unknown> {
  return {
    positionIdx: 0, riskId: 1, riskLimitValue: '2000000', symbol: exchangeSymbol, side: '', size: '0', avgPrice: '0',
    positionValue: '0', tradeMode: 0, autoAddMargin: 0, positionStatus: 'Normal', leverage: dec(leverage), markPrice: '0',
    liqPrice: '', bustPrice: '', positionIM: '0', positionMM: '0', positionBalance: '0', tpslMode: 'Full', takeProfit: '',
    stopLoss: '', trailingStop: '0', unrealisedPnl: '', curRealisedPnl: '0', cumRealisedPnl: '0', adlRankIndicator: 0,
    createdTime: '0', updatedTime: '0', seq: 0, isReduceOnly: false,
  };
}

function orderRow(o: OrderRecord): Record<string, unknown> {
  return {
    orderId: o.orderId, orderLinkId: o.orderLinkId, blockTradeId: '', symbol: o.symbol, price: '0', qty: o.qty, side: o.side,
    isLeverage: '', positionIdx: 0, orderStatus: o.status, cancelType: 'UNKNOWN', rejectReason: 'EC_NoError',
    avgPrice: o.avgPrice, leavesQty: '0', leavesValue: '0', cumExecQty: o.status === 'Filled' ? o.qty : '0',
    cumExecValue: dec(Number(o.qty) * Number(o.avgPrice)), cumExecFee: o.cumExecFee, timeInForce: 'IOC', orderType: 'Market',
    stopOrderType: '', orderIv: '', triggerPrice: '', takeProfit: o.takeProfit, stopLoss: o.stopLoss, tpTriggerBy: '',
    slTriggerBy: '', triggerDirection: 0, triggerBy: '', lastPriceOnCreated: o.avgPrice, reduceOnly: o.reduceOnly,
    closeOnTrigger: false, smpType: 'None', smpGroup: 0, smpOrderId: '', tpslMode: 'Full', createdTime: String(o.createdTime),
    updatedTime: String(o.createdTime),
  };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}
