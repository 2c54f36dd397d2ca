/**
 * A local OKX v5 REST look-alike (https://www.okx.com) for testing the ccxt adapter offline, USDT swaps only.
 *
 * Like fake-bybit.ts and fake-binance.ts it is an HTTP facade over any ExchangeAdapter (normally the PaperExchange),
 * in OKX's answer shapes ({"code":"0","msg":"","data":[...]}), limited to what ccxt's okx asks for on behalf of
 * CcxtExchange. It behaves like OKX where the adapter's robustness matters: signed requests (OK-ACCESS-KEY, -SIGN =
 * base64 HMAC-SHA256 of timestamp + method + path + body, -TIMESTAMP within 30 s, -PASSPHRASE), sizes in contracts
 * of `ctVal` coins, client order id de-duplication (sCode 51016), per-order errors in data[].sCode under code "1",
 * TP/SL attached to the order or placed as close-position algo orders (one per position, a second -> 51088) and
 * moved with amend-algos, an IP request limit (HTTP 429 / 50011), and the injectable faults of fake-server.ts.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import {
  ExchangeAuthError,
  ExchangeRateLimitError,
  ExchangeUnavailableError,
  InsufficientFundsError,
  InvalidOrderError,
  UnknownSymbolError,
} from '../../src/exchange/exchange.errors';
import {
  type Balance,
  FETCHABLE_TIMEFRAMES,
  type MarketInfo,
  type Position,
  type Timeframe,
} from '../../src/exchange/exchange.types';
import {
  type Answer,
  dec,
  nginxErrorPage,
  FakeExchangeServer,
  type FakeServerHandle,
  type FakeServerOptions,
  json,
} from './fake-server';

export { FakeFaults, FakeStats } from './fake-server';
export type { ChaosSpec, FaultKind, FaultSpec, LoggedRequest, MalformedVariant } from './fake-server';

/** Fake test credentials (they open nothing but this local server). */
export const FAKE_OKX_API_KEY = 'fake-okx-test-key';
export const FAKE_OKX_SECRET = 'fake-okx-test-secret';
export const FAKE_OKX_PASSPHRASE = 'fake-okx-test-passphrase';

export interface FakeOkxOptions extends FakeServerOptions {
  passphrase?: string;
}

/** A resting TP/SL algo order that closes the whole position (attached to an order, or placed with closeFraction 1). */
export interface FakeOkxAlgo {
  algoId: string;
  instId: string;
  side: 'buy' | 'sell';
  ordType: 'conditional' | 'oco';
  slTriggerPx: string;
  tpTriggerPx: string;
  cTime: number;
}

export interface FakeOkx extends FakeServerHandle {
  passphrase: string;
  /** The resting TP/SL algo orders, oldest first. */
  algoOrders(instId?: string): FakeOkxAlgo[];
  /** OKX's instrument id of a backend symbol ("BTC" -> "BTC-USDT-SWAP"). */
  instId(symbol: string): string;
}

interface OrderRecord {
  ordId: string;
  clOrdId: string;
  instId: string;
  side: 'buy' | 'sell';
  sz: string;
  avgPx: string;
  reduceOnly: boolean;
  time: number;
}

/** A refusal as OKX words it: `code` at the top, or per order in data[].sCode under code "1". */
class OkxError extends Error {
  constructor(
    readonly code: string,
    readonly msg: string,
    readonly perOrder = false,
    readonly status = 200,
  ) {
    super(msg);
  }
}

const STATE: Record<MarketInfo['status'], string> = {
  Trading: 'live',
  PreLaunch: 'preopen',
  Settling: 'settlement',
  Delivering: 'settlement',
  Closed: 'suspend',
};
const FIRST_ORDER_ID = 700_000_000_001;
const FIRST_ALGO_ID = 900_000_001;
/** OKX accepts a request signed up to 30 s ago. */
const RECEIVE_WINDOW_MS = 30_000;
const MALFORMED_BODIES = {
  truncated: '{"code":"0","msg":"","data":[["1700000000000","1.2","1.3',
  nullResult: '{"code":"0","msg":"","data":null}',
  noRetCode: '{"msg":"","data":[]}',
};

function errorPage(status: number): string {
  return nginxErrorPage(status, 'okx');
}

export async function startFakeOkx(options: FakeOkxOptions): Promise<FakeOkx> {
  const server = new FakeOkxServer(options);
  return {
    ...(await server.start()),
    passphrase: server.passphrase,
    algoOrders: (instId) => server.algoList(instId),
    instId: (symbol) => instIdOf(symbol),
  };
}

function instIdOf(symbol: string): string {
  return `${symbol}-USDT-SWAP`;
}

/** OKX bar -> our timeframe ("1H" -> "1h", "6Hutc" -> "6h", "1Dutc" -> "1d"; minutes and "1M" month stay). */
function timeframeOf(bar: string): Timeframe | undefined {
  const plain = bar.replace(/utc$/i, '');
  const unit = plain.slice(-1);
  const converted = unit === 'm' || unit === 'M' ? plain : plain.slice(0, -1) + unit.toLowerCase();
  return (FETCHABLE_TIMEFRAMES as readonly string[]).includes(converted) ? (converted as Timeframe) : undefined;
}

class FakeOkxServer extends FakeExchangeServer {
  readonly passphrase: string;
  private nextOrderId = FIRST_ORDER_ID;
  private nextAlgoId = FIRST_ALGO_ID;
  private readonly orders = new Map<string, OrderRecord>();
  private readonly ordIdByClOrdId = new Map<string, string>();
  private readonly pendingClOrdIds = new Set<string>();
  private algos: FakeOkxAlgo[] = [];

  constructor(options: FakeOkxOptions) {
    // OKX limits each endpoint on its own (e.g. 20 requests per 2 s); the fake keeps one IP window.
    super(
      options,
      { apiKey: FAKE_OKX_API_KEY, secret: FAKE_OKX_SECRET, requestsPerWindow: 600, windowMs: 5000 },
      { errorPage, stallStart: '{"code":"0","msg":"","data":[', malformedBody: (variant) => MALFORMED_BODIES[variant] },
    );
    this.passphrase = options.passphrase ?? FAKE_OKX_PASSPHRASE;
  }

  algoList(instId?: string): FakeOkxAlgo[] {
    return this.algos.filter((a) => !instId || a.instId === instId).map((a) => ({ ...a }));
  }

  /** HTTP 429 with code 50011, no Retry-After (OKX sends none). */
  protected rateLimitAnswer(): Answer {
    return json(429, { code: '50011', msg: 'Too Many Requests', data: [] });
  }

  protected isSigned(_rawQuery: string, _body: string, headers: http.IncomingHttpHeaders): boolean {
    return headers['ok-access-key'] !== undefined || headers['ok-access-sign'] !== undefined;
  }

  // ------------------------------------------------------------------ routing

  protected async route(
    method: string,
    path: string,
    rawQuery: string,
    body: string,
    headers: http.IncomingHttpHeaders,
  ): Promise<Answer> {
    try {
      if (path.startsWith('/api/v5/account/') || path.startsWith('/api/v5/trade/')) {
        this.verifySignature(method, path, rawQuery, body, headers);
      }
      const query = Object.fromEntries(new URLSearchParams(rawQuery));
      const parsed: unknown = body ? JSON.parse(body) : {};
      const handler = this.handlerFor(method, path);
      if (!handler) return this.htmlAnswer(404);
      return json(200, { code: '0', msg: '', data: await handler(query, parsed) });
    } catch (error) {
      if (error instanceof OkxError) {
        if (['50111', '50113', '50105', '50104', '50102'].includes(error.code)) this.stats.authFailures++;
        if (error.perOrder) {
          return json(error.status, {
            code: '1',
            msg: 'All operations failed',
            data: [{ ordId: '', clOrdId: '', sCode: error.code, sMsg: error.msg }],
          });
        }
        return json(error.status, { code: error.code, msg: error.msg, data: [] });
      }
      return this.backendFailure(error, path);
    }
  }

  private handlerFor(
    method: string,
    path: string,
  ): ((query: Record<string, string>, body: any) => Promise<unknown[]>) | undefined {
    const routes: Record<string, (query: Record<string, string>, body: any) => Promise<unknown[]>> = {
      'GET /api/v5/public/time': async () => [{ ts: String(Date.now()) }],
      'GET /api/v5/public/instruments': (q) => this.instruments(q),
      'GET /api/v5/market/candles': (q) => this.candles(q),
      'GET /api/v5/market/history-candles': (q) => this.candles(q),
      'GET /api/v5/market/tickers': (q) => this.tickers(q),
      'GET /api/v5/account/balance': () => this.balance(),
      'GET /api/v5/account/positions': (q) => this.positions(q),
      'POST /api/v5/account/set-leverage': (_q, b) => this.setLeverage(b),
      'POST /api/v5/trade/order': (_q, b) => this.createOrder(b),
      'GET /api/v5/trade/order': (q) => this.queryOrder(q),
      'POST /api/v5/trade/cancel-order': (_q, b) => this.cancelOrder(b),
      'GET /api/v5/trade/orders-algo-pending': (q) => this.pendingAlgos(q),
      'POST /api/v5/trade/order-algo': (_q, b) => this.placeAlgo(b),
      'POST /api/v5/trade/amend-algos': (_q, b) => this.amendAlgo(b),
      'POST /api/v5/trade/cancel-algos': (_q, b) => this.cancelAlgos(b),
    };
    return routes[`${method} ${path}`];
  }

  /** OK-ACCESS-SIGN = base64(HMAC-SHA256(secret, timestamp + method + path[?query] + body)). */
  private verifySignature(
    method: string,
    path: string,
    rawQuery: string,
    body: string,
    headers: http.IncomingHttpHeaders,
  ): void {
    const header = (name: string) => String(headers[name] ?? '');
    if (!header('ok-access-key')) {
      throw new OkxError('50103', 'Request header "OK-ACCESS-KEY" cannot be empty.', false, 401);
    }
    if (header('ok-access-key') !== this.apiKey) throw new OkxError('50111', 'Invalid OK-ACCESS-KEY.', false, 401);
    if (!header('ok-access-passphrase')) {
      throw new OkxError('50104', 'Request header "OK-ACCESS-PASSPHRASE" cannot be empty.', false, 401);
    }
    if (header('ok-access-passphrase') !== this.passphrase) {
      throw new OkxError('50105', 'Request header "OK-ACCESS-PASSPHRASE" incorrect.', false, 401);
    }
    const timestamp = header('ok-access-timestamp');
    const sentAt = Date.parse(timestamp);
    if (!Number.isFinite(sentAt) || sentAt < Date.now() - RECEIVE_WINDOW_MS || sentAt > Date.now() + 1000) {
      throw new OkxError('50102', 'Timestamp request expired.', false, 401);
    }
    const expected = createHmac('sha256', this.secret)
      .update(timestamp + method + path + (rawQuery ? `?${rawQuery}` : '') + body)
      .digest('base64');
    const given = Buffer.from(header('ok-access-sign'), 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected, 'utf8'))) {
      throw new OkxError('50113', 'Invalid Sign.', false, 401);
    }
  }

  /** Backend exceptions as OKX would report them (per order where OKX does). */
  private backendFailure(error: unknown, path: string): Answer {
    const message = error instanceof Error ? error.message : String(error);
    const perOrder = (code: string, msg: string) =>
      json(200, {
        code: '1',
        msg: 'All operations failed',
        data: [{ ordId: '', clOrdId: '', sCode: code, sMsg: msg }],
      });
    if (error instanceof InsufficientFundsError) {
      return perOrder('51008', 'Order failed. Insufficient USDT margin in account');
    }
    if (error instanceof UnknownSymbolError) {
      return json(200, { code: '51001', msg: "Instrument ID doesn't exist.", data: [] });
    }
    if (error instanceof InvalidOrderError) {
      if (path === '/api/v5/account/set-leverage') {
        return json(200, { code: '51000', msg: `Parameter lever error (${message})`, data: [] });
      }
      if (/reduce/i.test(message)) {
        return perOrder(
          '51169',
          "Order failed because you don't have any positions in this direction for this contract to reduce or close.",
        );
      }
      return perOrder('51000', `Parameter sz error (${message})`);
    }
    if (error instanceof ExchangeRateLimitError) return this.rateLimitAnswer();
    if (error instanceof ExchangeAuthError) {
      return json(401, { code: '50111', msg: 'Invalid OK-ACCESS-KEY.', data: [] });
    }
    if (error instanceof ExchangeUnavailableError) return this.htmlAnswer(503);
    return json(500, { code: '50000', msg: `Body cannot be empty. (${message})`, data: [] });
  }

  // ------------------------------------------------------------------ market data

  private async market(instId: unknown): Promise<MarketInfo> {
    if (typeof instId !== 'string' || !instId) throw new OkxError('50014', 'Parameter instId cannot be empty.');
    const found = (await this.markets()).list.find((m) => instIdOf(m.symbol) === instId);
    if (!found) throw new OkxError('51001', "Instrument ID doesn't exist.");
    return found;
  }

  /** Contracts of one qty step: sizes go out in whole contracts, lotSz 1. */
  private contractValue(market: MarketInfo): number {
    return market.qtyStep;
  }

  private async instruments(q: Record<string, string>): Promise<unknown[]> {
    if (q.instType !== 'SWAP') throw new OkxError('51000', 'Parameter instType error (this fake lists SWAP only)');
    const { list } = await this.markets(true);
    return list.map((m) => ({
      instType: 'SWAP',
      instId: instIdOf(m.symbol),
      uly: `${m.symbol}-USDT`,
      instFamily: `${m.symbol}-USDT`,
      baseCcy: '',
      quoteCcy: '',
      settleCcy: 'USDT',
      ctVal: dec(this.contractValue(m)),
      ctMult: '1',
      ctValCcy: m.symbol,
      ctType: 'linear',
      optType: '',
      stk: '',
      listTime: String(m.launchTime ?? 0),
      expTime: '',
      lever: String(m.maxLeverage),
      tickSz: dec(m.tickSize),
      lotSz: '1',
      minSz: dec(Math.max(1, Math.round(m.minOrderQty / m.qtyStep))),
      maxLmtSz: '100000000',
      maxMktSz: '100000000',
      state: STATE[m.status],
      ruleType: 'normal',
    }));
  }

  /** `after`: older than (exclusive), `before`: newer than (exclusive); newest first, at most `limit` (300). */
  private async candles(q: Record<string, string>): Promise<unknown[]> {
    const market = await this.market(q.instId);
    const timeframe = timeframeOf(q.bar ?? '1m');
    if (!timeframe) throw new OkxError('51000', 'Parameter bar error');
    const limit = Math.min(300, Math.max(1, Number(q.limit ?? 100) || 100));
    const after = q.after !== undefined ? Number(q.after) : undefined;
    const before = q.before !== undefined ? Number(q.before) : undefined;
    const candles = await this.options.backend.fetchCandles(market.symbol, timeframe, { limit: 1000, until: after });
    const kept = candles
      .filter((c) => (after === undefined || c.time < after) && (before === undefined || c.time > before))
      .sort((a, b) => b.time - a.time);
    // With only `before` OKX answers the candles just after it; otherwise the newest ones.
    const rows = before !== undefined && after === undefined ? kept.slice(-limit) : kept.slice(0, limit);
    return rows.map((c) => [
      String(c.time),
      dec(c.open),
      dec(c.high),
      dec(c.low),
      dec(c.close),
      dec(c.volume / this.contractValue(market)),
      dec(c.volume),
      dec(c.volume * c.close),
      '1',
    ]);
  }

  private async tickers(q: Record<string, string>): Promise<unknown[]> {
    if (q.instType !== 'SWAP') throw new OkxError('51000', 'Parameter instType error');
    const { list } = await this.markets();
    const listed = new Map(list.map((m) => [m.symbol, m]));
    const rows: unknown[] = [];
    for (const t of (await this.options.backend.fetchTickers()).values()) {
      const market = listed.get(t.symbol);
      if (!market) continue;
      const open = t.last / (1 + t.change24hPercent / 100);
      rows.push({
        instType: 'SWAP',
        instId: instIdOf(t.symbol),
        last: dec(t.last),
        lastSz: '1',
        askPx: dec(t.ask),
        askSz: '10',
        bidPx: dec(t.bid),
        bidSz: '10',
        open24h: dec(open),
        high24h: dec(t.high24h),
        low24h: dec(t.low24h),
        volCcy24h: dec(t.volume24h),
        vol24h: dec(t.volume24h / this.contractValue(market)),
        sodUtc0: dec(open),
        sodUtc8: dec(open),
        ts: String(t.timestamp),
      });
    }
    return rows;
  }

  // ------------------------------------------------------------------ account

  private async openPositions(): Promise<Array<{ market: MarketInfo; position: Position }>> {
    const { list } = await this.markets();
    const bySymbol = new Map(list.map((m) => [m.symbol, m]));
    const open = (await this.options.backend.fetchPositions()).flatMap((position) => {
      const market = bySymbol.get(position.symbol);
      return market ? [{ market, position }] : [];
    });
    // Close-position algo orders go when their position goes (closed by hand, by a stop, or liquidated).
    const held = new Set(open.map((o) => instIdOf(o.market.symbol)));
    this.algos = this.algos.filter((a) => held.has(a.instId));
    return open;
  }

  private async balance(): Promise<unknown[]> {
    const balance: Balance = await this.options.backend.fetchBalance();
    const now = String(Date.now());
    return [
      {
        totalEq: dec(balance.totalEquity),
        adjEq: dec(balance.marginBalance),
        isoEq: '0',
        ordFroz: '0',
        imr: '0',
        mmr: '0',
        notionalUsd: dec(balance.positionValue),
        uTime: now,
        details: [
          {
            ccy: 'USDT',
            eq: dec(balance.totalEquity),
            cashBal: dec(balance.walletBalance),
            availBal: dec(balance.availableBalance),
            availEq: dec(balance.availableBalance),
            frozenBal: dec(balance.walletBalance - balance.availableBalance),
            upl: dec(balance.unrealizedPnl),
            eqUsd: dec(balance.totalEquity),
            uTime: now,
          },
        ],
      },
    ];
  }

  private async positions(q: Record<string, string>): Promise<unknown[]> {
    const wanted = q.instId ? new Set(q.instId.split(',')) : undefined;
    return (await this.openPositions())
      .filter((o) => !wanted || wanted.has(instIdOf(o.market.symbol)))
      .map(({ market, position: p }) => {
        const contracts = p.size / this.contractValue(market);
        return {
          instType: 'SWAP',
          instId: instIdOf(p.symbol),
          mgnMode: 'cross',
          posId: `pos-${p.symbol}`,
          posSide: 'net',
          pos: dec(p.side === 'Long' ? contracts : -contracts),
          posCcy: '',
          availPos: '',
          avgPx: dec(p.entryPrice),
          markPx: dec(p.markPrice),
          upl: dec(p.unrealizedPnl),
          lever: dec(p.leverage),
          liqPx: dec(p.liquidationPrice ?? 0),
          imr: dec(p.positionValue / p.leverage),
          margin: '',
          mmr: dec(p.positionValue * 0.004),
          notionalUsd: dec(p.positionValue),
          realizedPnl: dec(p.realizedPnl),
          ccy: 'USDT',
          cTime: String(p.createdAt),
          uTime: String(p.updatedAt),
          closeOrderAlgo: [],
        };
      });
  }

  private async setLeverage(b: Record<string, unknown>): Promise<unknown[]> {
    const market = await this.market(b.instId);
    if (b.mgnMode !== 'cross' && b.mgnMode !== 'isolated') throw new OkxError('51000', 'Parameter mgnMode error');
    const lever = Number(b.lever);
    if (!Number.isFinite(lever) || lever < 1 || lever > market.maxLeverage) {
      throw new OkxError('51000', `Parameter lever error`);
    }
    await this.options.backend.setLeverage(market.symbol, lever);
    return [{ instId: b.instId, lever: String(b.lever), mgnMode: b.mgnMode, posSide: 'net' }];
  }

  // ------------------------------------------------------------------ trading

  private async createOrder(b: Record<string, any>): Promise<unknown[]> {
    const market = await this.market(b.instId);
    if (b.side !== 'buy' && b.side !== 'sell') throw new OkxError('51000', 'Parameter side error', true);
    if (b.ordType !== 'market') {
      throw new OkxError('51000', 'Parameter ordType error (this fake executes market orders only)', true);
    }
    if (b.tdMode !== 'cross') {
      throw new OkxError('51000', 'Parameter tdMode error (this fake trades cross margin)', true);
    }
    const contracts = Number(b.sz);
    if (!(contracts > 0) || !Number.isInteger(contracts)) throw new OkxError('51000', 'Parameter sz error', true);
    const clOrdId = typeof b.clOrdId === 'string' ? b.clOrdId : '';
    if (clOrdId && !/^[A-Za-z0-9]{1,32}$/.test(clOrdId)) throw new OkxError('51000', 'Parameter clOrdId error', true);
    if (clOrdId && (this.ordIdByClOrdId.has(clOrdId) || this.pendingClOrdIds.has(clOrdId))) {
      this.stats.duplicateOrderLinks++;
      throw new OkxError('51016', 'Duplicated clOrdId', true);
    }
    const attached = Array.isArray(b.attachAlgoOrds)
      ? (b.attachAlgoOrds[0] as Record<string, string> | undefined)
      : undefined;
    if (clOrdId) this.pendingClOrdIds.add(clOrdId);
    try {
      const reduceOnly = b.reduceOnly === true || b.reduceOnly === 'true';
      const result = await this.options.backend.createMarketOrder({
        symbol: market.symbol,
        side: b.side,
        amount: Number((contracts * this.contractValue(market)).toPrecision(12)),
        reduceOnly,
        clientOrderId: clOrdId || undefined,
      });
      this.stats.ordersCreated++;
      const record: OrderRecord = {
        ordId: String(this.nextOrderId++),
        clOrdId,
        instId: instIdOf(market.symbol),
        side: b.side,
        sz: String(contracts),
        avgPx: dec(result.price ?? 0),
        reduceOnly,
        time: Date.now(),
      };
      this.orders.set(record.ordId, record);
      if (clOrdId) this.ordIdByClOrdId.set(clOrdId, record.ordId);
      await this.openPositions(); // a closing order takes the position's algo orders with it
      if (attached && (Number(attached.slTriggerPx) > 0 || Number(attached.tpTriggerPx) > 0)) {
        await this.addAlgo(market, b.side === 'buy' ? 'sell' : 'buy', attached.slTriggerPx, attached.tpTriggerPx);
      }
      return [{ ordId: record.ordId, clOrdId, tag: '', ts: String(record.time), sCode: '0', sMsg: 'Order placed' }];
    } finally {
      if (clOrdId) this.pendingClOrdIds.delete(clOrdId);
    }
  }

  private async queryOrder(q: Record<string, string>): Promise<unknown[]> {
    await this.market(q.instId);
    if (!q.ordId && !q.clOrdId) throw new OkxError('51000', 'Parameter ordId or clOrdId error');
    const record = this.orders.get(q.ordId ?? this.ordIdByClOrdId.get(q.clOrdId) ?? '');
    if (!record || record.instId !== q.instId) throw new OkxError('51603', 'Order does not exist');
    return [
      {
        instType: 'SWAP',
        instId: record.instId,
        ordId: record.ordId,
        clOrdId: record.clOrdId,
        tag: '',
        px: '',
        sz: record.sz,
        ordType: 'market',
        side: record.side,
        posSide: 'net',
        tdMode: 'cross',
        accFillSz: record.sz,
        fillPx: record.avgPx,
        avgPx: record.avgPx,
        state: 'filled',
        lever: '',
        fee: '0',
        feeCcy: 'USDT',
        reduceOnly: String(record.reduceOnly),
        cTime: String(record.time),
        uTime: String(record.time),
      },
    ];
  }

  private async cancelOrder(b: Record<string, unknown>): Promise<unknown[]> {
    await this.market(b.instId);
    // Market orders fill at once: nothing is ever left to cancel.
    throw new OkxError(
      '51400',
      'Order cancellation failed as the order has been filled, canceled or does not exist',
      true,
    );
  }

  private async pendingAlgos(q: Record<string, string>): Promise<unknown[]> {
    const types = new Set((q.ordType ?? '').split(','));
    if (![...types].every((t) => t === 'conditional' || t === 'oco')) {
      throw new OkxError('51000', 'Parameter ordType error (this fake keeps conditional and oco)');
    }
    if (q.instId) await this.market(q.instId);
    await this.openPositions();
    return this.algos
      .filter((a) => (!q.instId || a.instId === q.instId) && types.has(a.ordType))
      .map((a) => algoRow(a));
  }

  /** A close-position TP/SL (closeFraction 1) kept on the backend as the position's stops. */
  private async placeAlgo(b: Record<string, any>): Promise<unknown[]> {
    const market = await this.market(b.instId);
    if (b.ordType !== 'conditional' && b.ordType !== 'oco') {
      throw new OkxError('51000', 'Parameter ordType error', true);
    }
    if (String(b.closeFraction) !== '1') {
      throw new OkxError('51000', 'Parameter closeFraction error (this fake keeps close-position TP/SL only)', true);
    }
    if (b.tdMode !== 'cross') throw new OkxError('51000', 'Parameter tdMode error', true);
    const algo = await this.addAlgo(market, b.side, b.slTriggerPx, b.tpTriggerPx);
    return [{ algoId: algo.algoId, clOrdId: '', algoClOrdId: String(b.algoClOrdId ?? ''), sCode: '0', sMsg: '' }];
  }

  private async addAlgo(
    market: MarketInfo,
    side: unknown,
    slTriggerPx: unknown,
    tpTriggerPx: unknown,
  ): Promise<FakeOkxAlgo> {
    const position = (await this.openPositions()).find((o) => o.market.symbol === market.symbol)?.position;
    const closing = position?.side === 'Long' ? 'sell' : 'buy';
    if (!position || side !== closing) {
      throw new OkxError(
        '51169',
        "Order failed because you don't have any positions in this direction for this contract to reduce or close.",
        true,
      );
    }
    if (this.algos.some((a) => a.instId === instIdOf(market.symbol))) {
      throw new OkxError('51088', 'You can only place 1 TP/SL order to close an entire position', true);
    }
    const sl = Number(slTriggerPx ?? 0);
    const tp = Number(tpTriggerPx ?? 0);
    await this.options.backend.setTradingStop(market.symbol, {
      ...(sl > 0 ? { stopLoss: sl } : {}),
      ...(tp > 0 ? { takeProfit: tp } : {}),
    });
    const algo: FakeOkxAlgo = {
      algoId: String(this.nextAlgoId++),
      instId: instIdOf(market.symbol),
      side: closing,
      ordType: sl > 0 && tp > 0 ? 'oco' : 'conditional',
      slTriggerPx: sl > 0 ? dec(sl) : '',
      tpTriggerPx: tp > 0 ? dec(tp) : '',
      cTime: Date.now(),
    };
    this.algos.push(algo);
    return algo;
  }

  /** newSlTriggerPx / newTpTriggerPx: a price moves the leg, "0" deletes it; with no leg left the order goes. */
  private async amendAlgo(b: Record<string, unknown>): Promise<unknown[]> {
    const market = await this.market(b.instId);
    await this.openPositions();
    const algo = this.algos.find((a) => a.algoId === b.algoId && a.instId === b.instId);
    if (!algo) throw new OkxError('51603', 'Order does not exist', true);
    if (b.newSlTriggerPx === undefined && b.newTpTriggerPx === undefined) {
      throw new OkxError('51000', 'Parameter newSlTriggerPx error', true);
    }
    const stops: { stopLoss?: number; takeProfit?: number } = {};
    if (b.newSlTriggerPx !== undefined) {
      const sl = Number(b.newSlTriggerPx);
      algo.slTriggerPx = sl > 0 ? dec(sl) : '';
      stops.stopLoss = sl > 0 ? sl : 0;
    }
    if (b.newTpTriggerPx !== undefined) {
      const tp = Number(b.newTpTriggerPx);
      algo.tpTriggerPx = tp > 0 ? dec(tp) : '';
      stops.takeProfit = tp > 0 ? tp : 0;
    }
    await this.options.backend.setTradingStop(market.symbol, stops);
    if (!algo.slTriggerPx && !algo.tpTriggerPx) this.algos = this.algos.filter((a) => a !== algo);
    else algo.ordType = algo.slTriggerPx && algo.tpTriggerPx ? 'oco' : 'conditional';
    return [{ algoId: algo.algoId, algoClOrdId: '', reqId: '', sCode: '0', sMsg: '' }];
  }

  private async cancelAlgos(b: unknown): Promise<unknown[]> {
    if (!Array.isArray(b)) throw new OkxError('51000', 'Parameter body error (a list of {instId, algoId})');
    await this.openPositions();
    const answers: unknown[] = [];
    for (const entry of b as Array<Record<string, unknown>>) {
      const algo = this.algos.find((a) => a.algoId === entry.algoId && a.instId === entry.instId);
      if (!algo) throw new OkxError('51603', 'Order does not exist', true);
      this.algos = this.algos.filter((a) => a !== algo);
      const market = await this.market(algo.instId);
      // Lifting the order lifts the position's stops (0 = none on the backend).
      await this.options.backend.setTradingStop(market.symbol, {
        ...(algo.slTriggerPx ? { stopLoss: 0 } : {}),
        ...(algo.tpTriggerPx ? { takeProfit: 0 } : {}),
      });
      answers.push({ algoId: algo.algoId, sCode: '0', sMsg: '' });
    }
    return answers;
  }
}

function algoRow(a: FakeOkxAlgo): Record<string, unknown> {
  return {
    instType: 'SWAP',
    instId: a.instId,
    algoId: a.algoId,
    algoClOrdId: '',
    ordType: a.ordType,
    side: a.side,
    posSide: 'net',
    tdMode: 'cross',
    sz: '',
    closeFraction: '1',
    reduceOnly: 'true',
    state: 'live',
    slTriggerPx: a.slTriggerPx,
    slOrdPx: a.slTriggerPx ? '-1' : '',
    slTriggerPxType: 'last',
    tpTriggerPx: a.tpTriggerPx,
    tpOrdPx: a.tpTriggerPx ? '-1' : '',
    tpTriggerPxType: 'last',
    cTime: String(a.cTime),
    uTime: String(a.cTime),
  };
}
