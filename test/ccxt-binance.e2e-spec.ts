/**
 * CcxtExchange (Binance USDⓈ-M, ccxt's binanceusdm) over ccxt's real HTTP path against the local fake Binance
 * server, backed by the paper exchange: every adapter method with values checked against the backend, the errors
 * that must not be retried, retries of transient failures, and order de-duplication after a lost answer.
 */
import type { CcxtExchange, CcxtExchangeOptions } from '../src/exchange/ccxt/ccxt-exchange';
import {
  ExchangeAuthError,
  ExchangeUnavailableError,
  InsufficientFundsError,
  InvalidOrderError,
  UnknownSymbolError,
} from '../src/exchange/exchange.errors';
import type { ExchangeAdapter, MarketInfo } from '../src/exchange/exchange.types';
import type { PaperExchange } from '../src/exchange/paper/paper-exchange';
import { FakeBinance, FakeBinanceOptions, MalformedVariant, startFakeBinance } from './fake-exchange/fake-binance';
import { amountFor, ccxtSpecKit, newBackend, tradableMarket } from './support/ccxt-spec-helpers';

const SECRET = 'e2e-binance-secret-do-not-leak-5c2e';
const API_KEY = 'e2e-binance-key-81d4';

const { seenText, outcomes, expectFailure, newAdapter, useFakeServer } = ccxtSpecKit({
  exchangeId: 'binance',
  apiKey: API_KEY,
  secret: SECRET,
});

async function startFake(backend: ExchangeAdapter, options: Partial<FakeBinanceOptions> = {}): Promise<FakeBinance> {
  return startFakeBinance({ backend, apiKey: API_KEY, secret: SECRET, ...options });
}

/** The request parameters (query string and form body together), signature left out. */
function paramsOf(request: { query: string; body: string }): Record<string, string> {
  const params = {
    ...Object.fromEntries(new URLSearchParams(request.query)),
    ...Object.fromEntries(new URLSearchParams(request.body)),
  };
  delete params.signature;
  return params;
}

describe('CcxtExchange (binance) against the fake Binance USDⓈ-M server', () => {
  let backend: PaperExchange;
  let fake: FakeBinance;
  let exchange: CcxtExchange;

  function adapter(overrides: Partial<CcxtExchangeOptions> = {}, server: FakeBinance = fake): CcxtExchange {
    return newAdapter(server.url, overrides);
  }

  /** The index-th tradable symbol with a price, chosen from what the backend lists (never hard-coded). */
  const tradable = (index = 0) => tradableMarket(backend, index);

  useFakeServer(startFake, (suite) => ({ backend, fake, exchange } = suite));

  describe('adapter methods', () => {
    it("selects ccxt binanceusdm: every request goes to the fake's /fapi/ paths, markets from one exchangeInfo", async () => {
      const fresh = adapter();
      await fresh.init();
      expect(fresh.name).toBe('binance');
      expect(fake.stats.sent('/fapi/v1/exchangeInfo')).toHaveLength(1);
      expect([...fake.stats.requests.keys()]).toEqual(['/fapi/v1/exchangeInfo']);
    });

    it('lists every market of the backend with status, tick size, qty step, minimums and launch time', async () => {
      // 540 paper symbols include delisted (Closed), Delivering and PreLaunch ones
      const wide = newBackend(540);
      await wide.init();
      const wideFake = await startFake(wide);
      try {
        const client = adapter({}, wideFake);
        await client.init();
        const markets = await client.listMarkets();
        const expected = await wide.listMarkets();
        expect(new Set(expected.map((m) => m.status)).size).toBeGreaterThan(1);
        const bySymbol = (list: MarketInfo[]) => [...list].sort((a, b) => a.symbol.localeCompare(b.symbol));
        // exchangeInfo carries no maximum leverage (that is /fapi/v1/leverageBracket): compare everything else
        const withoutLeverage = (list: MarketInfo[]) =>
          bySymbol(list).map(({ maxLeverage: _ignored, ...rest }) => rest);
        expect(withoutLeverage(markets)).toEqual(withoutLeverage(expected));
        expect(markets.every((m) => m.maxLeverage > 0)).toBe(true);
      } finally {
        await wideFake.close();
      }
    });

    it('fetches 6h candles equal to the backend candles (GET /fapi/v1/klines interval=6h)', async () => {
      const { market } = await tradable();
      const candles = await exchange.fetchCandles(market.symbol, '6h', { limit: 50 });
      const expected = await backend.fetchCandles(market.symbol, '6h', { limit: 50 });
      expect(candles).toHaveLength(50);
      candles.forEach((c, i) => {
        expect(c.time).toBe(expected[i].time);
        expect(c.open).toBeCloseTo(expected[i].open, 8);
        expect(c.high).toBeCloseTo(expected[i].high, 8);
        expect(c.low).toBeCloseTo(expected[i].low, 8);
        expect(c.close).toBeCloseTo(expected[i].close, 8);
        expect(c.volume).toBeCloseTo(expected[i].volume, 6);
      });
      expect(fake.stats.sent('/fapi/v1/klines').map(paramsOf)).toEqual([
        { interval: '6h', limit: '50', symbol: market.exchangeSymbol },
      ]);
    });

    it('honours since (startTime) and gives the same candles as columns', async () => {
      const { market } = await tradable();
      const all = await exchange.fetchCandles(market.symbol, '1h', { limit: 200 });
      const since = all[all.length - 10].time;
      const recent = await exchange.fetchCandles(market.symbol, '1h', { since });
      expect(recent.map((c) => c.time)).toEqual(all.slice(-10).map((c) => c.time));
      expect(paramsOf(fake.stats.sent('/fapi/v1/klines')[1]).startTime).toBe(String(since));
      const columns = await exchange.fetchCandleColumns(market.symbol, '1h', { limit: 200 });
      expect(Array.from(columns.time)).toEqual(all.map((c) => c.time));
      expect(Array.from(columns.close)).toEqual(all.map((c) => c.close));
    });

    it('fetches all tickers in one request, keyed by bare symbol', async () => {
      const tickers = await exchange.fetchTickers();
      const expected = await backend.fetchTickers();
      expect([...tickers.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [symbol, t] of expected) {
        const got = tickers.get(symbol)!;
        expect(got.last).toBeCloseTo(t.last, 8);
        expect(got.high24h).toBeCloseTo(t.high24h, 8);
        expect(got.low24h).toBeCloseTo(t.low24h, 8);
        expect(got.change24hPercent).toBeCloseTo(t.change24hPercent, 6);
        expect(got.volume24h).toBeCloseTo(t.volume24h, 4);
        expect(got.turnover24h / t.turnover24h).toBeCloseTo(1, 9); // sent with 12 significant digits
        // /fapi/v1/ticker/24hr has no bid/ask/mark: the adapter falls back to the last price
        expect(got.bid).toBe(got.last);
        expect(got.mark).toBe(got.last);
      }
      expect(fake.stats.count('/fapi/v1/ticker/24hr')).toBe(1);
      expect(fake.stats.total).toBe(1);
    });

    it('opens a position with stop-loss and take-profit, reads it back, moves the stop, closes it', async () => {
      const { market, price } = await tradable();
      const amount = amountFor(market, price, 50);
      const order = await exchange.createMarketOrder({
        symbol: market.symbol,
        side: 'buy',
        amount,
        stopLoss: price * 0.9,
        takeProfit: price * 1.2,
      });
      expect(order).toEqual(expect.objectContaining({ symbol: market.symbol, side: 'buy', amount }));
      expect(order.orderId).toMatch(/^\d+$/);
      const [create] = fake.stats
        .sent('/fapi/v1/order')
        .filter((r) => r.method === 'POST')
        .map(paramsOf);
      expect(create).toEqual(
        expect.objectContaining({
          symbol: market.exchangeSymbol,
          side: 'BUY',
          type: 'MARKET',
          quantity: String(amount),
        }),
      );
      expect(create.newClientOrderId).toMatch(/^[A-Za-z0-9_-]{1,36}$/);

      // stops are close-position conditional orders on the algo service
      const stops = fake.stats
        .sent('/fapi/v1/algoOrder')
        .filter((r) => r.method === 'POST')
        .map(paramsOf);
      expect(stops).toEqual([
        expect.objectContaining({
          algoType: 'CONDITIONAL',
          type: 'STOP_MARKET',
          side: 'SELL',
          closePosition: 'true',
          symbol: market.exchangeSymbol,
        }),
        expect.objectContaining({
          algoType: 'CONDITIONAL',
          type: 'TAKE_PROFIT_MARKET',
          side: 'SELL',
          closePosition: 'true',
        }),
      ]);
      expect(Math.abs(Number(stops[0].triggerPrice) - price * 0.9)).toBeLessThanOrEqual(market.tickSize);
      expect(Math.abs(Number(stops[1].triggerPrice) - price * 1.2)).toBeLessThanOrEqual(market.tickSize);

      const [position] = (await exchange.fetchPositions()).filter((p) => p.symbol === market.symbol);
      const [truth] = (await backend.fetchPositions()).filter((p) => p.symbol === market.symbol);
      expect(position).toEqual(
        expect.objectContaining({ symbol: market.symbol, side: 'Long', size: truth.size, leverage: truth.leverage }),
      );
      expect(position.entryPrice).toBeCloseTo(truth.entryPrice, 8);
      expect(position.markPrice).toBeCloseTo(truth.markPrice, 8);
      expect(position.unrealizedPnl).toBeCloseTo(truth.unrealizedPnl, 6);
      expect(truth.stopLoss).toBeCloseTo(Number(stops[0].triggerPrice), 8);
      expect(truth.takeProfit).toBeCloseTo(Number(stops[1].triggerPrice), 8);
      // the resting stop orders are read back onto the position (position sync must see them)
      expect(position.stopLoss).toBeCloseTo(Number(stops[0].triggerPrice), 8);
      expect(position.takeProfit).toBeCloseTo(Number(stops[1].triggerPrice), 8);

      // moving the stop replaces the resting STOP_MARKET (Binance refuses a second one with -4130); the TP stays
      const newStop = Number((price * 0.95).toFixed(6));
      fake.stats.reset();
      await exchange.setTradingStop(market.symbol, { stopLoss: newStop });
      expect(fake.stats.sent('/fapi/v1/algoOrder').map((r) => r.method)).toEqual(['DELETE', 'POST']);
      const resting = fake.algoOrders(market.exchangeSymbol);
      expect(resting.map((o) => o.orderType).sort()).toEqual(['STOP_MARKET', 'TAKE_PROFIT_MARKET']);
      const [moved] = (await backend.fetchPositions()).filter((p) => p.symbol === market.symbol);
      expect(Math.abs(moved.stopLoss! - newStop)).toBeLessThanOrEqual(market.tickSize);
      expect(moved.stopLoss).toBeCloseTo(Number(resting.find((o) => o.orderType === 'STOP_MARKET')!.triggerPrice), 8);
      expect(moved.takeProfit).toBeCloseTo(truth.takeProfit!, 8);

      fake.stats.reset();
      const closed = await exchange.closePosition(market.symbol);
      expect(closed).toEqual(expect.objectContaining({ symbol: market.symbol, side: 'sell', amount: truth.size }));
      const [closeParams] = fake.stats.sent('/fapi/v1/order').map(paramsOf);
      expect(closeParams).toEqual(
        expect.objectContaining({ side: 'SELL', reduceOnly: 'true', quantity: String(truth.size) }),
      );
      expect((await backend.fetchPositions()).filter((p) => p.symbol === market.symbol)).toEqual([]);
      expect(fake.algoOrders(market.exchangeSymbol)).toEqual([]);
      expect(await exchange.closePosition(market.symbol)).toBeNull();
    });

    it('a short position: stops go on the buy side; a stop of 0 lifts it', async () => {
      const { market, price } = await tradable(1);
      await exchange.createMarketOrder({ symbol: market.symbol, side: 'sell', amount: amountFor(market, price, 40) });
      await exchange.setTradingStop(market.symbol, { stopLoss: price * 1.1, takeProfit: price * 0.8 });
      expect(fake.algoOrders(market.exchangeSymbol).map((o) => o.side)).toEqual(['BUY', 'BUY']);
      const [short] = (await exchange.fetchPositions()).filter((p) => p.symbol === market.symbol);
      expect(short.side).toBe('Short');
      await exchange.setTradingStop(market.symbol, { stopLoss: 0 });
      expect(fake.algoOrders(market.exchangeSymbol).map((o) => o.orderType)).toEqual(['TAKE_PROFIT_MARKET']);
      const [truth] = (await backend.fetchPositions()).filter((p) => p.symbol === market.symbol);
      expect(truth.stopLoss).toBeNull();
      expect(truth.takeProfit).not.toBeNull();
      const [lifted] = (await exchange.fetchPositions()).filter((p) => p.symbol === market.symbol);
      expect(lifted.stopLoss).toBeNull();
      expect(lifted.takeProfit).toBeCloseTo(truth.takeProfit!, 8);
      await exchange.closePosition(market.symbol);
    });

    it('reports the balance the backend holds, positions included (GET /fapi/v3/account)', async () => {
      const { market, price } = await tradable();
      await exchange.createMarketOrder({ symbol: market.symbol, side: 'sell', amount: amountFor(market, price, 40) });
      const balance = await exchange.fetchBalance();
      const truth = await backend.fetchBalance();
      expect(balance.currency).toBe('USDT');
      for (const key of [
        'totalEquity',
        'walletBalance',
        'availableBalance',
        'unrealizedPnl',
        'marginBalance',
        'positionValue',
      ] as const) {
        expect(balance[key]).toBeCloseTo(truth[key], 4);
      }
      expect(balance.activePositions).toBe(truth.activePositions);
      expect(balance.activePositions).toBeGreaterThan(0);
      expect(fake.stats.count('/fapi/v3/account')).toBe(1);
      await exchange.closePosition(market.symbol);
    });

    it('sets leverage (POST /fapi/v1/leverage); a position opened afterwards carries it', async () => {
      const { market, price } = await tradable(2);
      const leverage = Math.min(7, market.maxLeverage);
      await exchange.setLeverage(market.symbol, leverage);
      expect(fake.stats.sent('/fapi/v1/leverage').map(paramsOf)).toEqual([
        expect.objectContaining({ symbol: market.exchangeSymbol, leverage: String(leverage) }),
      ]);
      await exchange.createMarketOrder({ symbol: market.symbol, side: 'buy', amount: amountFor(market, price, 30) });
      const [position] = (await exchange.fetchPositions()).filter((p) => p.symbol === market.symbol);
      const [truth] = (await backend.fetchPositions()).filter((p) => p.symbol === market.symbol);
      expect(truth.leverage).toBe(leverage);
      expect(position.leverage).toBe(leverage);
      expect(position.margin).toBeCloseTo((position.size * position.markPrice) / leverage, 4);
      await exchange.closePosition(market.symbol);
    });

    it('cancelling an order the exchange does not have is an InvalidOrderError (-2011), not retried', async () => {
      const { market } = await tradable();
      await expectFailure(exchange.cancelOrder(market.symbol, '123456'), InvalidOrderError);
      expect(fake.stats.sent('/fapi/v1/order').map((r) => r.method)).toEqual(['DELETE']);
    });
  });

  describe('errors that are never retried', () => {
    it('a wrong secret is an ExchangeAuthError (-1022) after exactly one request, naming neither key nor secret', async () => {
      const wrongSecret = 'wrong-binance-secret-e2e-44aa';
      const wrong = adapter({ secret: wrongSecret });
      await wrong.init(); // public market data needs no signature
      fake.stats.reset();
      const error = await expectFailure(wrong.fetchPositions(), ExchangeAuthError);
      expect(fake.stats.authFailures).toBe(1);
      expect(fake.stats.total).toBe(1);
      expect(error.message).toMatch(/-1022/);
      expect(error.message).not.toContain(wrongSecret);
      expect(error.message).not.toContain(API_KEY);
    });

    it('a wrong API key is an ExchangeAuthError (-2015) after one request', async () => {
      const wrongKey = 'not-the-binance-key-1234';
      const wrong = adapter({ apiKey: wrongKey });
      await wrong.init();
      fake.stats.reset();
      const error = await expectFailure(wrong.fetchBalance(), ExchangeAuthError);
      expect(fake.stats.count('/fapi/v3/account')).toBeLessThanOrEqual(1);
      expect(fake.stats.total).toBeLessThanOrEqual(2); // balance and positions run side by side
      expect(fake.stats.authFailures).toBe(fake.stats.total);
      expect(error.message).not.toContain(wrongKey);
      expect(error.message).not.toContain(SECRET);
    });

    it('insufficient margin is an InsufficientFundsError (-2019) after one request and no order', async () => {
      const { market, price } = await tradable();
      const balance = await backend.fetchBalance();
      fake.stats.reset();
      const amount = amountFor(market, price, balance.totalEquity * 100);
      const error = await expectFailure(
        exchange.createMarketOrder({ symbol: market.symbol, side: 'buy', amount }),
        InsufficientFundsError,
      );
      expect(error.message).toMatch(/-2019/);
      expect(fake.stats.count('/fapi/v1/order')).toBe(1);
      expect(fake.stats.ordersCreated).toBe(0);
    });

    it('an unknown symbol is an UnknownSymbolError: without a request, or -1121 from the exchange after a delisting', async () => {
      await expectFailure(exchange.fetchCandles('NOSUCHCOIN', '6h'), UnknownSymbolError);
      await expectFailure(
        exchange.createMarketOrder({ symbol: 'NOSUCHCOIN', side: 'buy', amount: 1 }),
        UnknownSymbolError,
      );
      expect(fake.stats.total).toBe(0);

      const wide = newBackend(12);
      await wide.init();
      const delisting = await startFake(wide);
      try {
        const client = adapter({}, delisting);
        await client.init();
        const { market } = await tradable(3);
        delisting.delist(market.exchangeSymbol);
        delisting.stats.reset();
        const error = await expectFailure(client.fetchCandles(market.symbol, '1h', { limit: 5 }), UnknownSymbolError);
        expect(error.message).toMatch(/-1121/);
        expect(delisting.stats.count('/fapi/v1/klines')).toBe(1);
      } finally {
        await delisting.close();
      }
    });

    it('an invalid order is an InvalidOrderError after one request: below the minimum notional (-4164), reduce-only without a position (-2022)', async () => {
      const { market, price } = await tradable(4);
      const tooSmall = Math.max(market.minOrderQty, market.qtyStep);
      expect(tooSmall * price).toBeLessThan(market.minNotional); // the backend's rules make it a refused order
      let error = await expectFailure(
        exchange.createMarketOrder({ symbol: market.symbol, side: 'buy', amount: tooSmall }),
        InvalidOrderError,
      );
      expect(error.message).toMatch(/-4164/);
      expect(fake.stats.count('/fapi/v1/order')).toBe(1);
      error = await expectFailure(
        exchange.createMarketOrder({
          symbol: market.symbol,
          side: 'sell',
          amount: amountFor(market, price, 20),
          reduceOnly: true,
        }),
        InvalidOrderError,
      );
      expect(error.message).toMatch(/-2022/);
      expect(fake.stats.count('/fapi/v1/order')).toBe(2);
      expect(fake.stats.ordersCreated).toBe(0);
    });
  });

  describe('retries', () => {
    it('two 5xx answers, then success: 3 requests in all', async () => {
      fake.faults.add({ kind: 'http5xx', path: '/fapi/v1/ticker/24hr', times: 2, status: 502 });
      const tickers = await exchange.fetchTickers();
      expect(tickers.size).toBe((await backend.fetchTickers()).size);
      expect(fake.stats.count('/fapi/v1/ticker/24hr')).toBe(3);
      expect(outcomes).toEqual([
        ['fetchTickers', 'retry'],
        ['fetchTickers', 'retry'],
        ['fetchTickers', 'ok'],
      ]);
    });

    it('gives up with ExchangeUnavailableError after exactly 3 requests', async () => {
      fake.faults.add({ kind: 'http5xx', path: '/fapi/v1/ticker/24hr', times: 5 });
      await expectFailure(exchange.fetchTickers(), ExchangeUnavailableError);
      expect(fake.stats.count('/fapi/v1/ticker/24hr')).toBe(3);
      expect(outcomes.map(([, o]) => o)).toEqual(['retry', 'retry', 'error']);
    });

    it('a request that is never answered times out and is retried', async () => {
      const quick = adapter({ timeoutMs: 300 });
      await quick.init();
      fake.stats.reset();
      fake.faults.add({ kind: 'timeout', path: '/fapi/v1/klines' });
      const { market } = await tradable();
      const candles = await quick.fetchCandles(market.symbol, '6h', { limit: 10 });
      expect(candles.map((c) => c.time)).toEqual(
        (await backend.fetchCandles(market.symbol, '6h', { limit: 10 })).map((c) => c.time),
      );
      expect(fake.stats.count('/fapi/v1/klines')).toBe(2);
    });

    it.each<MalformedVariant>(['garbage', 'empty', 'truncated'])(
      'a malformed answer (%s) is detected and retried',
      async (variant) => {
        const { market } = await tradable();
        fake.faults.add({ kind: 'malformed', path: '/fapi/v1/klines', variant });
        const candles = await exchange.fetchCandles(market.symbol, '6h', { limit: 20 });
        expect(candles).toHaveLength(20);
        expect(fake.stats.count('/fapi/v1/klines')).toBe(2);
        expect(outcomes).toEqual([
          ['fetchCandles', 'retry'],
          ['fetchCandles', 'ok'],
        ]);
      },
    );

    it('a rate-limit answer (429, -1003, Retry-After) pauses the requests and the call recovers', async () => {
      fake.faults.add({ kind: 'rateLimit', path: '/fapi/v3/positionRisk', times: 2, retryAfterMs: 100 });
      const positions = await exchange.fetchPositions();
      expect(positions).toHaveLength((await backend.fetchPositions()).length);
      expect(fake.stats.count('/fapi/v3/positionRisk')).toBe(3);
      expect(fake.stats.rateLimited).toBe(2);
      expect(outcomes).toEqual([
        ['fetchPositions', 'retry'],
        ['fetchPositions', 'retry'],
        ['fetchPositions', 'ok'],
      ]);
    });

    it("the fake's own IP limit refuses with 429 and the adapter waits for the window to pass", async () => {
      const strict = await startFake(backend, { rateLimit: { requestsPerWindow: 4, windowMs: 300 } });
      try {
        const client = adapter({}, strict);
        await client.init(); // 1 of the 4
        strict.stats.reset();
        const results = await Promise.all(Array.from({ length: 5 }, () => client.fetchTickers()));
        expect(results.every((r) => r.size > 0)).toBe(true);
        expect(strict.stats.rateLimited).toBeGreaterThanOrEqual(1);
        expect(strict.stats.count('/fapi/v1/ticker/24hr')).toBe(5 + strict.stats.rateLimited);
      } finally {
        await strict.close();
      }
    });
  });

  describe('orders are never duplicated by a retry', () => {
    it.each([
      ['the answer never comes', { kind: 'timeout' as const }],
      ['the answer is a 502', { kind: 'http5xx' as const, status: 502 }],
    ])(
      '%s after the exchange executed the order: the retry is refused (-4116) and the order is looked up',
      async (_label, fault) => {
        const quick = adapter({ timeoutMs: 400 });
        await quick.init();
        const { market, price } = await tradable();
        const before = (await backend.fetchPositions()).find((p) => p.symbol === market.symbol)?.size ?? 0;
        fake.stats.reset();
        fake.faults.add({ ...fault, path: '/fapi/v1/order', method: 'POST', afterProcessing: true });
        const amount = amountFor(market, price, 30);
        const order = await quick.createMarketOrder({ symbol: market.symbol, side: 'buy', amount });

        const posts = fake.stats
          .sent('/fapi/v1/order')
          .filter((r) => r.method === 'POST')
          .map(paramsOf);
        expect(posts).toHaveLength(2);
        expect(posts[0].newClientOrderId).toBe(posts[1].newClientOrderId);
        expect(fake.stats.ordersCreated).toBe(1);
        expect(fake.stats.duplicateOrderLinks).toBe(1);
        const lookups = fake.stats
          .sent('/fapi/v1/order')
          .filter((r) => r.method === 'GET')
          .map(paramsOf);
        expect(lookups).toEqual([
          expect.objectContaining({ symbol: market.exchangeSymbol, origClientOrderId: posts[0].newClientOrderId }),
        ]);
        const after = (await backend.fetchPositions()).find((p) => p.symbol === market.symbol)!.size;
        expect(after - before).toBeCloseTo(amount, 10);
        expect(order.orderId).toMatch(/^\d+$/);
        await quick.closePosition(market.symbol);
      },
    );

    it("keeps the caller's client order id across attempts", async () => {
      const { market, price } = await tradable();
      fake.faults.add({ kind: 'http5xx', path: '/fapi/v1/order', method: 'POST' });
      const clientOrderId = 'bots-e2e-binance-fixed-1';
      await exchange.createMarketOrder({
        symbol: market.symbol,
        side: 'buy',
        amount: amountFor(market, price, 20),
        clientOrderId,
      });
      expect(
        fake.stats
          .sent('/fapi/v1/order')
          .filter((r) => r.method === 'POST')
          .map((r) => paramsOf(r).newClientOrderId),
      ).toEqual([clientOrderId, clientOrderId]);
      expect(fake.stats.ordersCreated).toBe(1);
      await exchange.closePosition(market.symbol);
    });
  });

  it('no error message or log line ever contained the API key or the secret', () => {
    expect(seenText.length).toBeGreaterThan(5);
    for (const text of seenText) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(API_KEY);
    }
  });
});
