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
import {
  ExchangeAuthError,
  ExchangeError,
  ExchangeRateLimitError,
  ExchangeUnavailableError,
  InsufficientFundsError,
  InvalidOrderError,
  UnknownSymbolError,
} from '../../src/exchange/exchange.errors';
import type { Balance, MarketInfo, Position, Ticker, Timeframe } from '../../src/exchange/exchange.types';
import {
  type Answer,
  dec,
  nginxErrorPage,
  decimals,
  FakeExchangeServer,
  type FakeServerHandle,
  type FakeServerOptions,
  json,
  type RateLimitWindow,
} from './fake-server';

export { FakeFaults, FakeStats } from './fake-server';
export type { ChaosSpec, FaultKind, FaultSpec, LoggedRequest, MalformedVariant } from './fake-server';

/** Fake test credentials (they open nothing but this local server). */
export const FAKE_BYBIT_API_KEY = 'fake-bybit-test-key';
export const FAKE_BYBIT_SECRET = 'fake-bybit-test-secret';

export interface FakeRateLimit extends Partial<RateLimitWindow> {
  /** 'retCode': HTTP 200 + retCode 10006 "Too many visits!" (Bybit's usual); 'http429': HTTP 429. */
  mode?: 'retCode' | 'http429';
}

export interface FakeBybitOptions extends FakeServerOptions {
  rateLimit?: FakeRateLimit;
}

export type FakeBybit = FakeServerHandle;

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
  constructor(
    readonly retCode: number,
    readonly retMsg: string,
  ) {
    super(retMsg);
  }
}

const INTERVAL_TO_TIMEFRAME: Record<string, Timeframe> = {
  '1': '1m',
  '3': '3m',
  '5': '5m',
  '15': '15m',
  '30': '30m',
  '60': '1h',
  '120': '2h',
  '240': '4h',
  '360': '6h',
  '720': '12h',
  D: '1d',
  W: '1w',
  M: '1M',
};

const PRIVATE_PREFIXES = ['/v5/account/', '/v5/position/', '/v5/order/', '/v5/user/', '/v5/asset/', '/v5/execution/'];
const RECV_WINDOW_DEFAULT = 5000;

function errorPage(status: number): string {
  return nginxErrorPage(status, 'openresty');
}

export function startFakeBybit(options: FakeBybitOptions): Promise<FakeBybit> {
  return new FakeBybitServer(options).start();
}

class FakeBybitServer extends FakeExchangeServer {
  private readonly mode: 'retCode' | 'http429';
  private readonly orders = new Map<string, OrderRecord>(); // by orderId
  private readonly orderIdByLink = new Map<string, string>();
  private readonly pendingLinks = new Set<string>();
  private readonly leverage = new Map<string, number>();

  constructor(options: FakeBybitOptions) {
    super(
      options,
      { apiKey: FAKE_BYBIT_API_KEY, secret: FAKE_BYBIT_SECRET, requestsPerWindow: 600, windowMs: 5000 },
      { errorPage, stallStart: '{"retCode":0,"retMsg":"OK","result":{', malformedBody },
    );
    this.mode = options.rateLimit?.mode ?? 'retCode';
  }

  /** Bybit names the reset time of its IP limit in X-Bapi-Limit-Reset-Timestamp. */
  protected rateLimitAnswer(now: number, resetAt: number): Answer {
    const headers = {
      'X-Bapi-Limit': String(this.limit.requestsPerWindow),
      'X-Bapi-Limit-Status': '0',
      'X-Bapi-Limit-Reset-Timestamp': String(resetAt),
    };
    if (this.mode === 'http429') {
      return { status: 429, body: 'Too Many Requests', headers: { ...headers, 'Content-Type': 'text/plain' } };
    }
    return json(200, { retCode: 10006, retMsg: 'Too many visits!', result: {}, retExtInfo: {}, time: now }, headers);
  }

  /** Bybit v5 signs in headers: X-BAPI-API-KEY and X-BAPI-SIGN. */
  protected isSigned(_rawQuery: string, _body: string, headers: http.IncomingHttpHeaders): boolean {
    return headers['x-bapi-api-key'] !== undefined || headers['x-bapi-sign'] !== undefined;
  }

  // ------------------------------------------------------------------ routing

  protected async route(
    method: string,
    path: string,
    rawQuery: string,
    body: string,
    headers: http.IncomingHttpHeaders,
  ): Promise<Answer> {
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
      if (!handler) return this.htmlAnswer(404);
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

  private handlerFor(
    method: string,
    path: string,
  ): ((query: Record<string, string>, body: Record<string, unknown>) => Promise<unknown>) | undefined {
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
        id: '1',
        note: 'fake',
        apiKey: this.apiKey,
        readOnly: 0,
        secret: '',
        permissions: { ContractTrade: ['Order', 'Position'], Wallet: ['AccountTransfer'] },
        ips: ['*'],
        type: 1,
        deadlineDay: 90,
        expiredAt: '',
        createdAt: '',
        unified: 0,
        uta: 1,
        userID: 1,
        inviterID: 0,
        vipLevel: 'No VIP',
        mktMakerLevel: '0',
        affiliateID: 0,
        isMaster: true,
      }),
      'GET /v5/account/info': async () => ({
        unifiedMarginStatus: 6,
        marginMode: 'REGULAR_MARGIN',
        isMasterTrader: false,
        spotHedgingStatus: 'OFF',
        updatedTime: String(Date.now()),
        dcpStatus: 'OFF',
        timeWindow: 10,
        smpGroup: 0,
      }),
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
      throw new BybitError(
        10002,
        `invalid request, please check your server timestamp or recv_window param. req_timestamp[${timestamp}],server_timestamp[${now}],recv_window[${recvWindow}]`,
      );
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
      if (path === '/v5/position/trading-stop') {
        return fail(10001, `can not set tp/sl/ts for zero position (${message})`);
      }
      return fail(/reduce/i.test(message) ? 110017 : 110003, message);
    }
    if (error instanceof ExchangeRateLimitError) return fail(10006, 'Too many visits!');
    if (error instanceof ExchangeAuthError) return fail(10003, 'API key is invalid.');
    if (error instanceof ExchangeUnavailableError) return this.htmlAnswer(503);
    if (error instanceof ExchangeError) return fail(10016, `System error. Please try again later. (${message})`);
    return fail(10016, `System error. Please try again later. (${message})`);
  }

  // ------------------------------------------------------------------ market data

  private async market(exchangeSymbol: unknown): Promise<MarketInfo> {
    if (typeof exchangeSymbol !== 'string' || exchangeSymbol.length === 0) {
      throw new BybitError(10001, 'params error: symbol is required');
    }
    const found = (await this.markets()).byExchangeSymbol.get(exchangeSymbol);
    if (!found) throw new BybitError(10001, 'Not supported symbols');
    return found;
  }

  private requireLinear(category: unknown): void {
    if (category !== 'linear') {
      throw new BybitError(10001, `params error: this fake only serves category=linear (got ${String(category)})`);
    }
  }

  private async instruments(q: Record<string, string>): Promise<unknown> {
    if (q.category !== 'linear') return { category: q.category ?? '', list: [], nextPageCursor: '' };
    const { list } = await this.markets(true);
    const wanted = list.filter(
      (m) =>
        (q.symbol ? m.exchangeSymbol === q.symbol : true) &&
        (q.status ? m.status === q.status : m.status !== 'PreLaunch'),
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
          maxOrderQty: '10000000',
          minOrderQty: dec(m.minOrderQty),
          qtyStep: dec(m.qtyStep),
          postOnlyMaxOrderQty: '10000000',
          maxMktOrderQty: '10000000',
          minNotionalValue: dec(m.minNotional),
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
    // `end` is inclusive; the backend's `until` exclusive.
    const candles = await this.options.backend.fetchCandles(market.symbol, timeframe, {
      limit,
      since,
      until: end === undefined ? undefined : end + 1,
    });
    const rows = candles
      .filter((c) => (since === undefined || c.time >= since) && (end === undefined || c.time <= end))
      .sort((a, b) => b.time - a.time) // Bybit answers newest first
      .map((c) => [
        String(c.time),
        dec(c.open),
        dec(c.high),
        dec(c.low),
        dec(c.close),
        dec(c.volume),
        dec(c.volume * c.close),
      ]);
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
    if (q.accountType !== 'UNIFIED' && q.accountType !== 'CONTRACT') {
      throw new BybitError(10001, 'accountType only support UNIFIED.');
    }
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
    if (!q.symbol && !q.settleCoin) {
      throw new BybitError(10001, 'Missing some parameters that must be filled in, symbol or settleCoin');
    }
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
      .filter(
        (o) =>
          (!q.symbol || o.symbol === q.symbol) &&
          (!q.orderId || o.orderId === q.orderId) &&
          (!q.orderLinkId || o.orderLinkId === q.orderLinkId),
      )
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
    if (!(buy >= 1) || buy !== sell) {
      throw new BybitError(10001, 'params error: buyLeverage must equal sellLeverage in one-way mode');
    }
    if (buy > market.maxLeverage) {
      throw new BybitError(110013, `cannot set leverage [${buy}] gt maxLeverage [${market.maxLeverage}] by risk limit`);
    }
    if (this.leverage.get(market.exchangeSymbol) === buy) throw new BybitError(110043, 'leverage not modified');
    await this.options.backend.setLeverage(market.symbol, buy);
    this.leverage.set(market.exchangeSymbol, buy);
    return {};
  }
}

// -------------------------------------------------------------------- answer shapes

function ok(result: unknown): Answer {
  return json(200, { retCode: 0, retMsg: 'OK', result, retExtInfo: {}, time: Date.now() });
}

function fail(retCode: number, retMsg: string): Answer {
  return json(200, { retCode, retMsg, result: {}, retExtInfo: {}, time: Date.now() });
}

function malformedBody(variant: 'truncated' | 'nullResult' | 'noRetCode', path: string): string {
  switch (variant) {
    case 'truncated':
      return '{"retCode":0,"retMsg":"OK","result":{"list":[["1700000';
    case 'nullResult':
      return JSON.stringify({ retCode: 0, retMsg: 'OK', result: null, time: Date.now() });
    case 'noRetCode':
      return JSON.stringify({ result: { list: [] }, path });
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
    positionIdx: 0,
    riskId: 1,
    riskLimitValue: '2000000',
    symbol: exchangeSymbol,
    side: '',
    size: '0',
    avgPrice: '0',
    positionValue: '0',
    tradeMode: 0,
    autoAddMargin: 0,
    positionStatus: 'Normal',
    leverage: dec(leverage),
    markPrice: '0',
    liqPrice: '',
    bustPrice: '',
    positionIM: '0',
    positionMM: '0',
    positionBalance: '0',
    tpslMode: 'Full',
    takeProfit: '',
    stopLoss: '',
    trailingStop: '0',
    unrealisedPnl: '',
    curRealisedPnl: '0',
    cumRealisedPnl: '0',
    adlRankIndicator: 0,
    createdTime: '0',
    updatedTime: '0',
    seq: 0,
    isReduceOnly: false,
  };
}

function orderRow(o: OrderRecord): Record<string, unknown> {
  return {
    orderId: o.orderId,
    orderLinkId: o.orderLinkId,
    blockTradeId: '',
    symbol: o.symbol,
    price: '0',
    qty: o.qty,
    side: o.side,
    isLeverage: '',
    positionIdx: 0,
    orderStatus: o.status,
    cancelType: 'UNKNOWN',
    rejectReason: 'EC_NoError',
    avgPrice: o.avgPrice,
    leavesQty: '0',
    leavesValue: '0',
    cumExecQty: o.status === 'Filled' ? o.qty : '0',
    cumExecValue: dec(Number(o.qty) * Number(o.avgPrice)),
    cumExecFee: o.cumExecFee,
    timeInForce: 'IOC',
    orderType: 'Market',
    stopOrderType: '',
    orderIv: '',
    triggerPrice: '',
    takeProfit: o.takeProfit,
    stopLoss: o.stopLoss,
    tpTriggerBy: '',
    slTriggerBy: '',
    triggerDirection: 0,
    triggerBy: '',
    lastPriceOnCreated: o.avgPrice,
    reduceOnly: o.reduceOnly,
    closeOnTrigger: false,
    smpType: 'None',
    smpGroup: 0,
    smpOrderId: '',
    tpslMode: 'Full',
    createdTime: String(o.createdTime),
    updatedTime: String(o.createdTime),
  };
}
