/**
 * A local Binance USDⓈ-M futures REST look-alike (https://fapi.binance.com) for testing the ccxt adapter offline.
 *
 * Like fake-bybit.ts it is an HTTP facade over any ExchangeAdapter (normally the PaperExchange), in Binance's answer
 * shapes, limited to what ccxt's binanceusdm asks for on behalf of CcxtExchange. It behaves like Binance where the
 * adapter's robustness matters: HMAC-SHA256 signed requests (X-MBX-APIKEY; bad signature -> -1022, bad key -> -2015),
 * a recvWindow check (-1021), an IP request limit (HTTP 429 / -1003 with Retry-After), client order id
 * de-duplication (-4116), Binance error codes for the backend's refusals, conditional close-position orders on the
 * algo service (one per direction, a second one -> -4130), and the injectable faults of fake-server.ts.
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
  isTimeframe,
  TIMEFRAME_MS,
  type Balance,
  type MarketInfo,
  type Position,
  type Ticker,
} from '../../src/exchange/exchange.types';
import {
  type Answer,
  dec,
  decimals,
  FakeExchangeServer,
  type FakeServerHandle,
  type FakeServerOptions,
  json,
} from './fake-server';

export { FakeFaults, FakeStats } from './fake-server';
export type { ChaosSpec, FaultKind, FaultSpec, LoggedRequest, MalformedVariant } from './fake-server';

/** Fake test credentials (they open nothing but this local server). */
export const FAKE_BINANCE_API_KEY = 'fake-binance-test-key';
export const FAKE_BINANCE_SECRET = 'fake-binance-test-secret';

export type FakeBinanceOptions = FakeServerOptions;

/** A resting conditional close-position order (STOP_MARKET / TAKE_PROFIT_MARKET) on the algo service. */
export interface FakeAlgoOrder {
  algoId: number;
  clientAlgoId: string;
  symbol: string;
  side: 'BUY' | 'SELL';
  orderType: 'STOP_MARKET' | 'TAKE_PROFIT_MARKET';
  triggerPrice: string;
  createTime: number;
}

export interface FakeBinance extends FakeServerHandle {
  /** The resting close-position algo orders, oldest first. */
  algoOrders(symbol?: string): FakeAlgoOrder[];
  /** From now on the exchange no longer knows this symbol (as after a delisting): requests naming it get -1121. */
  delist(exchangeSymbol: string): void;
}

interface OrderRecord {
  orderId: number;
  clientOrderId: string;
  symbol: string;
  side: 'BUY' | 'SELL';
  origQty: string;
  avgPrice: string;
  reduceOnly: boolean;
  time: number;
}

class BinanceError extends Error {
  constructor(
    readonly code: number,
    readonly msg: string,
    readonly status = 400,
  ) {
    super(msg);
  }
}

const STATUS: Record<MarketInfo['status'], string> = {
  Trading: 'TRADING',
  PreLaunch: 'PENDING_TRADING',
  Settling: 'SETTLING',
  Delivering: 'DELIVERING',
  Closed: 'CLOSE',
};
const PRIVATE_PATHS = new Set([
  '/fapi/v1/order',
  '/fapi/v1/algoOrder',
  '/fapi/v1/openAlgoOrders',
  '/fapi/v1/leverage',
  '/fapi/v1/leverageBracket',
  '/fapi/v2/account',
  '/fapi/v3/account',
  '/fapi/v2/positionRisk',
  '/fapi/v3/positionRisk',
  '/fapi/v2/balance',
  '/fapi/v3/balance',
]);
const FIRST_ORDER_ID = 4_100_000_001;
const FIRST_ALGO_ID = 2_000_001;
/** Broken answers in Binance's shapes (bare JSON, no envelope). */
const MALFORMED_BODIES = { truncated: '[[1700000000000,"1.2","1.3', nullResult: 'null', noRetCode: '{}' };

function errorPage(status: number): string {
  return `<html><head><title>${status} ${http.STATUS_CODES[status] ?? ''}</title></head><body><h1>${status} ${http.STATUS_CODES[status] ?? ''}</h1><p>CloudFront</p></body></html>`;
}

export async function startFakeBinance(options: FakeBinanceOptions): Promise<FakeBinance> {
  const server = new FakeBinanceServer(options);
  return {
    ...(await server.start()),
    algoOrders: (symbol) => server.algoOrderList(symbol),
    delist: (exchangeSymbol) => server.delisted.add(exchangeSymbol),
  };
}

class FakeBinanceServer extends FakeExchangeServer {
  readonly delisted = new Set<string>();
  private nextOrderId = FIRST_ORDER_ID;
  private nextAlgoId = FIRST_ALGO_ID;
  private readonly orders = new Map<number, OrderRecord>();
  private readonly orderIdByClientId = new Map<string, number>();
  private readonly pendingClientIds = new Set<string>();
  private algos: FakeAlgoOrder[] = [];
  private readonly leverage = new Map<string, number>();

  constructor(options: FakeBinanceOptions) {
    // Binance counts request weight, 2400 per minute; here one request weighs one.
    super(
      options,
      { apiKey: FAKE_BINANCE_API_KEY, secret: FAKE_BINANCE_SECRET, requestsPerWindow: 2400, windowMs: 60_000 },
      { errorPage, stallStart: '[{"symbol":"', malformedBody: (variant) => MALFORMED_BODIES[variant] },
    );
  }

  algoOrderList(symbol?: string): FakeAlgoOrder[] {
    return this.algos.filter((o) => !symbol || o.symbol === symbol).map((o) => ({ ...o }));
  }

  /** HTTP 429 with -1003; the wait is in Retry-After (s). */
  protected rateLimitAnswer(now: number, resetAt: number): Answer {
    // Binance sends whole seconds; fractions keep the tests short and parse the same way.
    const retryAfter = String(Math.max(0.05, (resetAt - now) / 1000));
    return json(
      429,
      {
        code: -1003,
        msg: `Too many requests; current limit of IP(127.0.0.1) is ${this.limit.requestsPerWindow} requests per ${this.limit.windowMs / 1000} s. Please use the websocket for live updates to avoid polling the API.`,
      },
      { 'Retry-After': retryAfter, 'X-MBX-USED-WEIGHT-1M': String(this.windowCount) },
    );
  }

  /** Binance sends the key in X-MBX-APIKEY and the signature as a `signature` parameter (query or form body). */
  protected isSigned(rawQuery: string, body: string, headers: http.IncomingHttpHeaders): boolean {
    const hasSignature = (raw: string) => /(^|&)signature=/.test(raw);
    return headers['x-mbx-apikey'] !== undefined || hasSignature(rawQuery) || hasSignature(body);
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
      if (PRIVATE_PATHS.has(path)) this.verifySignature(rawQuery, body, headers);
      // Binance reads parameters from the query string and the form body alike.
      const params: Record<string, string> = {
        ...Object.fromEntries(new URLSearchParams(rawQuery)),
        ...Object.fromEntries(new URLSearchParams(body)),
      };
      delete params.signature;
      const handler = this.handlerFor(method, path);
      if (!handler) return this.htmlAnswer(404);
      return json(200, await handler(params));
    } catch (error) {
      if (error instanceof BinanceError) {
        if (error.code === -1022 || error.code === -2014 || error.code === -2015) this.stats.authFailures++;
        return json(error.status, { code: error.code, msg: error.msg });
      }
      return this.backendFailure(error, path);
    }
  }

  private handlerFor(method: string, path: string): ((params: Record<string, string>) => Promise<unknown>) | undefined {
    const routes: Record<string, (params: Record<string, string>) => Promise<unknown>> = {
      'GET /fapi/v1/ping': async () => ({}),
      'GET /fapi/v1/time': async () => ({ serverTime: Date.now() }),
      'GET /fapi/v1/exchangeInfo': () => this.exchangeInfo(),
      'GET /fapi/v1/klines': (p) => this.klines(p),
      'GET /fapi/v1/ticker/24hr': (p) => this.tickers(p),
      'GET /fapi/v1/leverageBracket': (p) => this.leverageBrackets(p),
      'GET /fapi/v3/positionRisk': (p) => this.positionRisk(p),
      'GET /fapi/v2/positionRisk': (p) => this.positionRisk(p),
      'GET /fapi/v3/account': () => this.account(),
      'GET /fapi/v2/account': () => this.account(),
      'POST /fapi/v1/order': (p) => this.createOrder(p),
      'GET /fapi/v1/order': (p) => this.queryOrder(p),
      'DELETE /fapi/v1/order': (p) => this.cancelOrder(p),
      'POST /fapi/v1/algoOrder': (p) => this.createAlgoOrder(p),
      'GET /fapi/v1/openAlgoOrders': (p) => this.openAlgoOrders(p),
      'DELETE /fapi/v1/algoOrder': (p) => this.cancelAlgoOrder(p),
      'POST /fapi/v1/leverage': (p) => this.setLeverage(p),
    };
    return routes[`${method} ${path}`];
  }

  /**
   * Binance signs totalParams = query string + request body (each without its `signature` parameter) with
   * HMAC-SHA256 of the secret, hex; the key travels in X-MBX-APIKEY.
   */
  private verifySignature(rawQuery: string, body: string, headers: http.IncomingHttpHeaders): void {
    const key = String(headers['x-mbx-apikey'] ?? '');
    if (!key) throw new BinanceError(-2014, 'API-key format invalid.', 401);
    if (key !== this.apiKey) {
      throw new BinanceError(-2015, 'Invalid API-key, IP, or permissions for action, request ip: 127.0.0.1', 401);
    }
    const stripSignature = (raw: string) => {
      const match = /(^|&)signature=([^&]*)/.exec(raw);
      return {
        rest: match ? raw.slice(0, match.index) + raw.slice(match.index + match[0].length) : raw,
        signature: match?.[2],
      };
    };
    const query = stripSignature(rawQuery);
    const form = stripSignature(body);
    const sign = query.signature ?? form.signature ?? '';
    const params = new URLSearchParams(`${query.rest}&${form.rest}`);
    const timestamp = Number(params.get('timestamp'));
    const recvWindow = Number(params.get('recvWindow') ?? 5000);
    const now = Date.now();
    if (!Number.isFinite(timestamp)) {
      throw new BinanceError(-1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.");
    }
    if (timestamp < now - recvWindow || timestamp > now + 1000) {
      throw new BinanceError(-1021, 'Timestamp for this request is outside of the recvWindow.');
    }
    const expected = createHmac('sha256', this.secret)
      .update(query.rest + form.rest)
      .digest('hex');
    const given = Buffer.from(sign, 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected, 'utf8'))) {
      throw new BinanceError(-1022, 'Signature for this request is not valid.');
    }
  }

  /** Backend exceptions as Binance would report them. */
  private backendFailure(error: unknown, path: string): Answer {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof InsufficientFundsError) return json(400, { code: -2019, msg: 'Margin is insufficient.' });
    if (error instanceof UnknownSymbolError) return json(400, { code: -1121, msg: 'Invalid symbol.' });
    if (error instanceof InvalidOrderError) {
      if (path === '/fapi/v1/algoOrder') {
        return json(400, { code: -2021, msg: `Order would immediately trigger. (${message})` });
      }
      if (path === '/fapi/v1/leverage') return json(400, { code: -4028, msg: `Leverage is not valid (${message})` });
      if (/reduce/i.test(message)) return json(400, { code: -2022, msg: 'ReduceOnly Order is rejected.' });
      if (/USDT is below the minimum/.test(message)) {
        return json(400, {
          code: -4164,
          msg: `Order's notional must be no smaller than 5 (unless you choose reduce only). (${message})`,
        });
      }
      if (/qty .* below the minimum/.test(message)) {
        return json(400, { code: -4003, msg: 'Quantity less than or equal to zero.' });
      }
      return json(400, { code: -1111, msg: `Precision is over the maximum defined for this asset. (${message})` });
    }
    if (error instanceof ExchangeRateLimitError) return this.rateLimitAnswer(Date.now(), Date.now() + 1000);
    if (error instanceof ExchangeAuthError) {
      return json(401, { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' });
    }
    if (error instanceof ExchangeUnavailableError) return this.htmlAnswer(503);
    return json(500, { code: -1000, msg: `An unknown error occurred while processing the request. (${message})` });
  }

  // ------------------------------------------------------------------ market data

  protected override async listMarkets(): Promise<MarketInfo[]> {
    return (await this.options.backend.listMarkets()).filter((m) => !this.delisted.has(m.exchangeSymbol));
  }

  private async market(exchangeSymbol: string | undefined): Promise<MarketInfo> {
    if (!exchangeSymbol) {
      throw new BinanceError(-1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
    }
    const found = this.delisted.has(exchangeSymbol)
      ? undefined
      : (await this.markets()).byExchangeSymbol.get(exchangeSymbol);
    if (!found) throw new BinanceError(-1121, 'Invalid symbol.');
    return found;
  }

  private async exchangeInfo(): Promise<unknown> {
    const { list } = await this.markets(true);
    return {
      timezone: 'UTC',
      serverTime: Date.now(),
      futuresType: 'U_MARGINED',
      rateLimits: [
        { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 2400 },
        { rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: 1200 },
      ],
      exchangeFilters: [],
      assets: [{ asset: 'USDT', marginAvailable: true, autoAssetExchange: '-10000' }],
      symbols: list.map((m) => ({
        symbol: m.exchangeSymbol,
        pair: m.exchangeSymbol,
        contractType: 'PERPETUAL',
        deliveryDate: 4133404800000,
        onboardDate: m.launchTime ?? 0,
        status: STATUS[m.status],
        maintMarginPercent: '2.5000',
        requiredMarginPercent: '5.0000',
        baseAsset: m.symbol,
        quoteAsset: 'USDT',
        marginAsset: 'USDT',
        pricePrecision: decimals(m.tickSize),
        quantityPrecision: decimals(m.qtyStep),
        baseAssetPrecision: 8,
        quotePrecision: 8,
        underlyingType: 'COIN',
        underlyingSubType: [],
        settlePlan: 0,
        triggerProtect: '0.0500',
        liquidationFee: '0.012500',
        marketTakeBound: '0.05',
        maxMoveOrderLimit: 10000,
        filters: [
          { filterType: 'PRICE_FILTER', minPrice: dec(m.tickSize), maxPrice: '1000000', tickSize: dec(m.tickSize) },
          { filterType: 'LOT_SIZE', stepSize: dec(m.qtyStep), minQty: dec(m.minOrderQty), maxQty: '10000000' },
          { filterType: 'MARKET_LOT_SIZE', stepSize: dec(m.qtyStep), minQty: dec(m.minOrderQty), maxQty: '10000000' },
          { filterType: 'MAX_NUM_ORDERS', limit: 200 },
          { filterType: 'MAX_NUM_ALGO_ORDERS', limit: 10 },
          { filterType: 'MIN_NOTIONAL', notional: dec(m.minNotional) },
          { filterType: 'PERCENT_PRICE', multiplierUp: '1.0500', multiplierDown: '0.9500', multiplierDecimal: '4' },
        ],
        orderTypes: [
          'LIMIT',
          'MARKET',
          'STOP',
          'STOP_MARKET',
          'TAKE_PROFIT',
          'TAKE_PROFIT_MARKET',
          'TRAILING_STOP_MARKET',
        ],
        timeInForce: ['GTC', 'IOC', 'FOK', 'GTX', 'GTD'],
      })),
    };
  }

  private async klines(p: Record<string, string>): Promise<unknown> {
    const market = await this.market(p.symbol);
    const timeframe = p.interval;
    if (!isTimeframe(timeframe)) throw new BinanceError(-1120, 'Invalid interval.');
    const limit = Math.min(1500, Math.max(1, Number(p.limit ?? 500) || 500));
    const start = p.startTime !== undefined ? Number(p.startTime) : undefined;
    const end = p.endTime !== undefined ? Number(p.endTime) : undefined;
    // Binance: with startTime the oldest `limit` candles from there on, else the newest `limit`; oldest first.
    const candles = await this.options.backend.fetchCandles(market.symbol, timeframe, {
      limit: start === undefined ? Math.min(limit, 1000) : 1000,
      since: start,
      until: end === undefined ? undefined : end + 1, // endTime is inclusive
    });
    const kept = candles
      .filter((c) => (start === undefined || c.time >= start) && (end === undefined || c.time <= end))
      .sort((a, b) => a.time - b.time);
    const rows = start === undefined ? kept.slice(-limit) : kept.slice(0, limit);
    return rows.map((c) => [
      c.time,
      dec(c.open),
      dec(c.high),
      dec(c.low),
      dec(c.close),
      dec(c.volume),
      c.time + TIMEFRAME_MS[timeframe] - 1,
      dec(c.volume * c.close),
      100,
      dec(c.volume / 2),
      dec((c.volume * c.close) / 2),
      '0',
    ]);
  }

  private async tickers(p: Record<string, string>): Promise<unknown> {
    const { list } = await this.markets();
    const exchangeSymbolOf = new Map(list.map((m) => [m.symbol, m.exchangeSymbol]));
    if (p.symbol) await this.market(p.symbol);
    const rows: unknown[] = [];
    for (const ticker of (await this.options.backend.fetchTickers()).values()) {
      const exchangeSymbol = exchangeSymbolOf.get(ticker.symbol);
      if (!exchangeSymbol || (p.symbol && p.symbol !== exchangeSymbol)) continue;
      rows.push(tickerRow(exchangeSymbol, ticker));
    }
    return p.symbol ? rows[0] : rows;
  }

  // ------------------------------------------------------------------ account

  private async leverageBrackets(p: Record<string, string>): Promise<unknown> {
    const { list } = await this.markets();
    return list
      .filter((m) => !p.symbol || m.exchangeSymbol === p.symbol)
      .map((m) => ({
        symbol: m.exchangeSymbol,
        notionalCoef: 1,
        brackets: [
          {
            bracket: 1,
            initialLeverage: m.maxLeverage,
            notionalCap: 1_000_000_000,
            notionalFloor: 0,
            maintMarginRatio: 0.004,
            cum: 0,
          },
        ],
      }));
  }

  private async openPositions(): Promise<Array<{ exchangeSymbol: string; position: Position }>> {
    const { list } = await this.markets();
    const exchangeSymbolOf = new Map(list.map((m) => [m.symbol, m.exchangeSymbol]));
    const open = (await this.options.backend.fetchPositions()).map((position) => ({
      exchangeSymbol: exchangeSymbolOf.get(position.symbol) ?? `${position.symbol}USDT`,
      position,
    }));
    // Close-position orders go when their position goes (closed by hand, by a stop, or liquidated).
    const held = new Set(open.map((o) => o.exchangeSymbol));
    this.algos = this.algos.filter((o) => held.has(o.symbol));
    return open;
  }

  private async positionRisk(p: Record<string, string>): Promise<unknown> {
    const open = await this.openPositions();
    return open
      .filter((o) => !p.symbol || o.exchangeSymbol === p.symbol)
      .map((o) => positionRow(o.exchangeSymbol, o.position));
  }

  private async account(): Promise<unknown> {
    const balance: Balance = await this.options.backend.fetchBalance();
    const open = await this.openPositions();
    const initialMargin = open.reduce((sum, o) => sum + o.position.positionValue / o.position.leverage, 0);
    const now = Date.now();
    return {
      totalInitialMargin: dec(initialMargin),
      totalMaintMargin: '0',
      totalWalletBalance: dec(balance.walletBalance),
      totalUnrealizedProfit: dec(balance.unrealizedPnl),
      totalMarginBalance: dec(balance.marginBalance),
      totalPositionInitialMargin: dec(initialMargin),
      totalOpenOrderInitialMargin: '0',
      totalCrossWalletBalance: dec(balance.walletBalance),
      totalCrossUnPnl: dec(balance.unrealizedPnl),
      availableBalance: dec(balance.availableBalance),
      maxWithdrawAmount: dec(balance.availableBalance),
      assets: [
        {
          asset: 'USDT',
          walletBalance: dec(balance.walletBalance),
          unrealizedProfit: dec(balance.unrealizedPnl),
          marginBalance: dec(balance.marginBalance),
          maintMargin: '0',
          initialMargin: dec(initialMargin),
          positionInitialMargin: dec(initialMargin),
          openOrderInitialMargin: '0',
          crossWalletBalance: dec(balance.walletBalance),
          crossUnPnl: dec(balance.unrealizedPnl),
          availableBalance: dec(balance.availableBalance),
          maxWithdrawAmount: dec(balance.availableBalance),
          updateTime: now,
        },
      ],
      positions: open.map((o) => {
        const notional = (o.position.side === 'Long' ? 1 : -1) * o.position.positionValue;
        return {
          symbol: o.exchangeSymbol,
          positionSide: 'BOTH',
          positionAmt: dec(signedSize(o.position)),
          unrealizedProfit: dec(o.position.unrealizedPnl),
          isolatedMargin: '0',
          notional: dec(notional),
          isolatedWallet: '0',
          initialMargin: dec(o.position.positionValue / o.position.leverage),
          maintMargin: '0',
          updateTime: o.position.updatedAt,
        };
      }),
    };
  }

  // ------------------------------------------------------------------ trading

  private async createOrder(p: Record<string, string>): Promise<unknown> {
    const market = await this.market(p.symbol);
    if (p.side !== 'BUY' && p.side !== 'SELL') {
      throw new BinanceError(-1102, "Mandatory parameter 'side' was not sent, was empty/null, or malformed.");
    }
    if (p.type !== 'MARKET') {
      if (['STOP_MARKET', 'TAKE_PROFIT_MARKET', 'STOP', 'TAKE_PROFIT', 'TRAILING_STOP_MARKET'].includes(p.type ?? '')) {
        // Since December 2025 Binance takes conditional orders on the algo service only.
        throw new BinanceError(
          -4120,
          'Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.',
        );
      }
      throw new BinanceError(-1116, 'Invalid orderType. (this fake executes MARKET orders only)');
    }
    const qty = Number(p.quantity);
    if (!(qty > 0)) throw new BinanceError(-4003, 'Quantity less than or equal to zero.');
    if (decimals(qty) > decimals(market.qtyStep)) {
      throw new BinanceError(-1111, 'Precision is over the maximum defined for this asset.');
    }
    const clientOrderId = p.newClientOrderId ?? '';
    if (clientOrderId && !/^[.A-Za-z0-9:/_-]{1,36}$/.test(clientOrderId)) {
      throw new BinanceError(-4015, 'Client order id is not valid.');
    }
    if (clientOrderId && (this.orderIdByClientId.has(clientOrderId) || this.pendingClientIds.has(clientOrderId))) {
      this.stats.duplicateOrderLinks++;
      throw new BinanceError(-4116, 'ClientOrderId is duplicated.');
    }
    if (clientOrderId) this.pendingClientIds.add(clientOrderId);
    try {
      const reduceOnly = p.reduceOnly === 'true';
      const result = await this.options.backend.createMarketOrder({
        symbol: market.symbol,
        side: p.side === 'BUY' ? 'buy' : 'sell',
        amount: qty,
        reduceOnly,
        clientOrderId: clientOrderId || undefined,
      });
      this.stats.ordersCreated++;
      const record: OrderRecord = {
        orderId: this.nextOrderId++,
        clientOrderId: clientOrderId || `fake-${this.nextOrderId}`,
        symbol: market.exchangeSymbol,
        side: p.side,
        origQty: dec(result.amount),
        avgPrice: dec(result.price ?? 0),
        reduceOnly,
        time: Date.now(),
      };
      this.orders.set(record.orderId, record);
      this.orderIdByClientId.set(record.clientOrderId, record.orderId);
      await this.openPositions(); // a closing order takes the position's close-position orders with it
      return orderRow(record);
    } finally {
      if (clientOrderId) this.pendingClientIds.delete(clientOrderId);
    }
  }

  private async queryOrder(p: Record<string, string>): Promise<unknown> {
    await this.market(p.symbol);
    const id = p.orderId !== undefined ? Number(p.orderId) : this.orderIdByClientId.get(p.origClientOrderId ?? '');
    if (p.orderId === undefined && p.origClientOrderId === undefined) {
      throw new BinanceError(-1102, "Param 'orderId' or 'origClientOrderId' must be sent, but both were empty/null!");
    }
    const record = id !== undefined ? this.orders.get(id) : undefined;
    if (!record || record.symbol !== p.symbol) throw new BinanceError(-2013, 'Order does not exist.');
    return orderRow(record);
  }

  private async cancelOrder(p: Record<string, string>): Promise<unknown> {
    await this.market(p.symbol);
    // Market orders fill at once: nothing is ever left to cancel.
    throw new BinanceError(-2011, 'Unknown order sent.');
  }

  /**
   * STOP_MARKET / TAKE_PROFIT_MARKET with closePosition=true, kept on the backend as the position's stop-loss /
   * take-profit.
   */
  private async createAlgoOrder(p: Record<string, string>): Promise<unknown> {
    const market = await this.market(p.symbol);
    if (p.algoType !== 'CONDITIONAL') {
      throw new BinanceError(-1102, "Mandatory parameter 'algoType' was not sent, was empty/null, or malformed.");
    }
    if (p.side !== 'BUY' && p.side !== 'SELL') {
      throw new BinanceError(-1102, "Mandatory parameter 'side' was not sent, was empty/null, or malformed.");
    }
    if (p.type !== 'STOP_MARKET' && p.type !== 'TAKE_PROFIT_MARKET') {
      throw new BinanceError(-1116, 'Invalid orderType. (this fake keeps STOP_MARKET / TAKE_PROFIT_MARKET only)');
    }
    if (p.closePosition !== 'true') {
      throw new BinanceError(
        -1106,
        "Parameter 'closePosition' is required by this fake (only close-all conditional orders are kept).",
      );
    }
    if (p.quantity !== undefined) throw new BinanceError(-1106, "Parameter 'quantity' sent when not required.");
    const trigger = Number(p.triggerPrice);
    if (!(trigger > 0)) {
      throw new BinanceError(-1102, "Mandatory parameter 'triggerPrice' was not sent, was empty/null, or malformed.");
    }
    if (decimals(trigger) > decimals(market.tickSize)) {
      throw new BinanceError(-1111, 'Precision is over the maximum defined for this asset.');
    }
    const clientAlgoId = p.clientAlgoId ?? `fake-algo-${this.nextAlgoId}`;
    if (this.algos.some((o) => o.clientAlgoId === clientAlgoId)) {
      this.stats.duplicateOrderLinks++;
      throw new BinanceError(-4116, 'ClientOrderId is duplicated.');
    }
    const position = (await this.openPositions()).find((o) => o.exchangeSymbol === market.exchangeSymbol)?.position;
    const closingSide = position ? (position.side === 'Long' ? 'SELL' : 'BUY') : undefined;
    if (!position || p.side !== closingSide) throw new BinanceError(-2022, 'ReduceOnly Order is rejected.');
    if (this.algos.some((o) => o.symbol === market.exchangeSymbol && o.orderType === p.type && o.side === p.side)) {
      throw new BinanceError(
        -4130,
        'An open stop or take profit order with GTE and closePosition in the direction is existing.',
      );
    }
    await this.options.backend.setTradingStop(
      market.symbol,
      p.type === 'STOP_MARKET' ? { stopLoss: trigger } : { takeProfit: trigger },
    );
    const order: FakeAlgoOrder = {
      algoId: this.nextAlgoId++,
      clientAlgoId,
      symbol: market.exchangeSymbol,
      side: p.side,
      orderType: p.type,
      triggerPrice: dec(trigger),
      createTime: Date.now(),
    };
    this.algos.push(order);
    return algoRow(order, 'NEW');
  }

  private async openAlgoOrders(p: Record<string, string>): Promise<unknown> {
    if (p.symbol) await this.market(p.symbol);
    await this.openPositions();
    return this.algos.filter((o) => !p.symbol || o.symbol === p.symbol).map((o) => algoRow(o, 'NEW'));
  }

  private async cancelAlgoOrder(p: Record<string, string>): Promise<unknown> {
    await this.openPositions();
    const index = this.algos.findIndex((o) =>
      p.algoId !== undefined ? String(o.algoId) === p.algoId : o.clientAlgoId === p.clientAlgoId,
    );
    if (index < 0) throw new BinanceError(-2011, 'Unknown order sent.');
    const [order] = this.algos.splice(index, 1);
    const market = await this.market(order.symbol);
    // Lifting the order lifts the position's stop (0 = none on the backend).
    await this.options.backend.setTradingStop(
      market.symbol,
      order.orderType === 'STOP_MARKET' ? { stopLoss: 0 } : { takeProfit: 0 },
    );
    return { algoId: order.algoId, clientAlgoId: order.clientAlgoId, code: '200', msg: 'success' };
  }

  private async setLeverage(p: Record<string, string>): Promise<unknown> {
    const market = await this.market(p.symbol);
    const leverage = Number(p.leverage);
    if (!Number.isInteger(leverage) || leverage < 1 || leverage > market.maxLeverage) {
      throw new BinanceError(-4028, `Leverage ${p.leverage} is not valid`);
    }
    await this.options.backend.setLeverage(market.symbol, leverage);
    this.leverage.set(market.exchangeSymbol, leverage);
    return { leverage, maxNotionalValue: '1000000000', symbol: market.exchangeSymbol };
  }
}

// -------------------------------------------------------------------- answer shapes

function signedSize(p: Position): number {
  return p.side === 'Long' ? p.size : -p.size;
}

function tickerRow(exchangeSymbol: string, t: Ticker): Record<string, unknown> {
  // /fapi/v1/ticker/24hr carries no bid, ask or mark price (those live on other endpoints).
  const open = t.last / (1 + t.change24hPercent / 100);
  return {
    symbol: exchangeSymbol,
    priceChange: dec(t.last - open),
    priceChangePercent: dec(t.change24hPercent),
    weightedAvgPrice: dec(t.volume24h > 0 ? t.turnover24h / t.volume24h : t.last),
    lastPrice: dec(t.last),
    lastQty: '1',
    openPrice: dec(open),
    highPrice: dec(t.high24h),
    lowPrice: dec(t.low24h),
    volume: dec(t.volume24h),
    quoteVolume: dec(t.turnover24h),
    openTime: t.timestamp - 86_400_000,
    closeTime: t.timestamp,
    firstId: 1,
    lastId: 1000,
    count: 1000,
  };
}

function positionRow(exchangeSymbol: string, p: Position): Record<string, unknown> {
  const notional = (p.side === 'Long' ? 1 : -1) * p.size * p.markPrice;
  // v3: no leverage field; Binance's initialMargin is |notional| / leverage at the mark price.
  const initialMargin = Math.abs(notional) / p.leverage;
  return {
    symbol: exchangeSymbol,
    positionSide: 'BOTH',
    positionAmt: dec(signedSize(p)),
    entryPrice: dec(p.entryPrice),
    breakEvenPrice: dec(p.entryPrice),
    markPrice: dec(p.markPrice),
    unRealizedProfit: dec(p.unrealizedPnl),
    liquidationPrice: dec(p.liquidationPrice ?? 0),
    isolatedMargin: '0',
    notional: dec(notional),
    marginAsset: 'USDT',
    isolatedWallet: '0',
    initialMargin: dec(initialMargin),
    maintMargin: dec(Math.abs(notional) * 0.004),
    positionInitialMargin: dec(initialMargin),
    openOrderInitialMargin: '0',
    adl: 1,
    bidNotional: '0',
    askNotional: '0',
    updateTime: p.updatedAt,
  };
}

function orderRow(o: OrderRecord): Record<string, unknown> {
  return {
    orderId: o.orderId,
    symbol: o.symbol,
    status: 'FILLED',
    clientOrderId: o.clientOrderId,
    price: '0.00',
    avgPrice: o.avgPrice,
    origQty: o.origQty,
    executedQty: o.origQty,
    cumQty: o.origQty,
    cumQuote: dec(Number(o.origQty) * Number(o.avgPrice)),
    timeInForce: 'GTC',
    type: 'MARKET',
    reduceOnly: o.reduceOnly,
    closePosition: false,
    side: o.side,
    positionSide: 'BOTH',
    stopPrice: '0.00',
    workingType: 'CONTRACT_PRICE',
    priceProtect: false,
    origType: 'MARKET',
    priceMatch: 'NONE',
    selfTradePreventionMode: 'EXPIRE_MAKER',
    goodTillDate: 0,
    time: o.time,
    updateTime: o.time,
  };
}

function algoRow(o: FakeAlgoOrder, algoStatus: string): Record<string, unknown> {
  return {
    algoId: o.algoId,
    clientAlgoId: o.clientAlgoId,
    algoType: 'CONDITIONAL',
    orderType: o.orderType,
    symbol: o.symbol,
    side: o.side,
    positionSide: 'BOTH',
    timeInForce: 'GTC',
    quantity: '0',
    algoStatus,
    actualOrderId: '',
    actualPrice: '0',
    triggerPrice: o.triggerPrice,
    price: '0',
    workingType: 'CONTRACT_PRICE',
    priceMatch: 'NONE',
    closePosition: true,
    priceProtect: false,
    reduceOnly: true,
    createTime: o.createTime,
    updateTime: o.createTime,
    triggerTime: 0,
    goodTillDate: 0,
  };
}
