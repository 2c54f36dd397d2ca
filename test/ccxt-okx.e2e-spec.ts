/**
 * CcxtExchange (OKX v5 USDT swaps, ccxt's okx) over ccxt's real HTTP path against the local fake OKX server, backed
 * by the paper exchange: every adapter method with values checked against the backend (sizes converted between
 * coins and contracts), the errors that must not be retried, retries of transient failures, and order
 * de-duplication after a lost answer.
 */
import type { CcxtExchange, CcxtExchangeOptions } from '../src/exchange/ccxt/ccxt-exchange';
import {
  ExchangeAuthError,
  ExchangeError,
  InsufficientFundsError,
  InvalidOrderError,
  UnknownSymbolError,
} from '../src/exchange/exchange.errors';
import type { ExchangeAdapter, MarketInfo } from '../src/exchange/exchange.types';
import type { PaperExchange } from '../src/exchange/paper/paper-exchange';
import { type FakeOkx, type FakeOkxOptions, type MalformedVariant, startFakeOkx } from './fake-exchange/fake-okx';
import { amountFor, ccxtSpecKit, newBackend, tradableMarket } from './support/ccxt-spec-helpers';

const SECRET = 'e2e-okx-secret-do-not-leak-7a1f';
const API_KEY = 'e2e-okx-key-3b9c';
const PASSPHRASE = 'e2e-okx-passphrase-do-not-leak-19';

// The kit's base options name key and secret; the passphrase rides along in the same object.
const base = { exchangeId: 'okx' as const, apiKey: API_KEY, secret: SECRET, password: PASSPHRASE };
const { seenText, outcomes, expectFailure, newAdapter, useFakeServer } = ccxtSpecKit(base);

async function startFake(backend: ExchangeAdapter, options: Partial<FakeOkxOptions> = {}): Promise<FakeOkx> {
  return startFakeOkx({ backend, apiKey: API_KEY, secret: SECRET, passphrase: PASSPHRASE, ...options });
}

/** Query parameters of a logged request. */
function queryOf(request: { query: string }): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(request.query));
}

/** The JSON body of a logged request. */
function bodyOf(request: { body: string }): any {
  return JSON.parse(request.body);
}

describe('CcxtExchange (okx) against the fake OKX v5 server', () => {
  let backend: PaperExchange;
  let fake: FakeOkx;
  let exchange: CcxtExchange;

  function adapter(overrides: Partial<CcxtExchangeOptions> = {}, server: FakeOkx = fake): CcxtExchange {
    return newAdapter(server.url, overrides);
  }

  const tradable = (index = 0) => tradableMarket(backend, index);
  const posts = (path: string) =>
    fake.stats
      .sent(path)
      .filter((r) => r.method === 'POST')
      .map(bodyOf);

  useFakeServer(startFake, (suite) => ({ backend, fake, exchange } = suite));

  describe('adapter methods', () => {
    it('selects ccxt okx: markets come from one SWAP instruments request under /api/v5/', async () => {
      const fresh = adapter();
      await fresh.init();
      expect(fresh.name).toBe('okx');
      expect([...fake.stats.requests.keys()]).toEqual(['/api/v5/public/instruments']);
      expect(fake.stats.sent('/api/v5/public/instruments').map(queryOf)).toEqual([{ instType: 'SWAP' }]);
    });

    it('lists every market of the backend in coins (contract value × lot), with status, tick size, leverage and launch time', async () => {
      const wide = newBackend(540);
      await wide.init();
      const wideFake = await startFake(wide);
      try {
        const client = adapter({}, wideFake);
        await client.init();
        const markets = await client.listMarkets();
        const expected = await wide.listMarkets();
        expect(new Set(expected.map((m) => m.status)).size).toBeGreaterThan(1);
        const sorted = (list: MarketInfo[]) => [...list].sort((a, b) => a.symbol.localeCompare(b.symbol));
        // OKX has no notional minimum (minNotional is the adapter's guard), calls Delivering "settlement" too, and its
        // minimum is whole contracts: at least one qty step.
        const comparable = (list: MarketInfo[]) =>
          sorted(list).map(({ minNotional: _n, exchangeSymbol: _e, status, minOrderQty, ...rest }) => ({
            ...rest,
            status: status === 'Delivering' ? 'Settling' : status,
            minOrderQty: Number((Math.max(1, Math.round(minOrderQty / rest.qtyStep)) * rest.qtyStep).toPrecision(12)),
          }));
        expect(comparable(markets)).toEqual(comparable(expected));
        expect(markets.every((m) => m.exchangeSymbol === wideFake.instId(m.symbol) && m.minNotional === 5)).toBe(true);
      } finally {
        await wideFake.close();
      }
    });

    it('fetches 6h candles equal to the backend candles (GET /api/v5/market/candles bar=6Hutc)', async () => {
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
      });
      expect(fake.stats.sent('/api/v5/market/candles').map(queryOf)).toEqual([
        { instId: fake.instId(market.symbol), bar: '6Hutc', limit: '50' },
      ]);
    });

    it('honours since and gives the same candles as columns', async () => {
      const { market } = await tradable();
      const all = await exchange.fetchCandles(market.symbol, '1h', { limit: 200 });
      const since = all[all.length - 10].time;
      const recent = await exchange.fetchCandles(market.symbol, '1h', { since, limit: 10 });
      expect(recent.map((c) => c.time)).toEqual(all.slice(-10).map((c) => c.time));
      // ccxt picks /market/history-candles for a `since` older than 1440 candles before the wall clock (the paper clock
      // is)
      const sinceRequest = [
        ...fake.stats.sent('/api/v5/market/candles'),
        ...fake.stats.sent('/api/v5/market/history-candles'),
      ]
        .map(queryOf)
        .find((q) => q.before);
      expect(sinceRequest?.before).toBe(String(since - 1));
      const columns = await exchange.fetchCandleColumns(market.symbol, '1h', { limit: 200 });
      expect(Array.from(columns.close)).toEqual(all.map((c) => c.close));
    });

    it('pages for more than the 300 candles one OKX request holds: the newest 1000, and a 1000-candle window', async () => {
      const { market } = await tradable();
      const expected = await backend.fetchCandles(market.symbol, '1h', { limit: 1000 });
      fake.stats.reset();
      const many = await exchange.fetchCandles(market.symbol, '1h', { limit: 1000 });
      expect(many.map((c) => c.time)).toEqual(expected.map((c) => c.time));
      expect(many.map((c) => c.close)).toEqual(expected.map((c) => c.close));
      const pages = [
        ...fake.stats.sent('/api/v5/market/candles'),
        ...fake.stats.sent('/api/v5/market/history-candles'),
      ];
      expect(pages).toHaveLength(4); // 300 + 300 + 300 + 100
      expect(pages.every((r) => Number(queryOf(r).limit) <= 300)).toBe(true);

      // the candle store's window: [since, until) of 1000 one-hour candles ending 100 hours ago
      const until = expected[900].time;
      const since = until - 1000 * 3_600_000;
      const window = await exchange.fetchCandleColumns(market.symbol, '1h', { since, until, limit: 1000 });
      const inWindow = (await backend.fetchCandles(market.symbol, '1h', { since, until, limit: 1000 })).map(
        (c) => c.time,
      );
      expect(inWindow.length).toBeGreaterThan(300);
      expect(Array.from(window.time)).toEqual(inWindow);
    });

    it('fetches all tickers in one request, keyed by bare symbol', async () => {
      const tickers = await exchange.fetchTickers();
      const expected = await backend.fetchTickers();
      expect([...tickers.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [symbol, t] of expected) {
        const got = tickers.get(symbol)!;
        expect(got.last).toBeCloseTo(t.last, 8);
        expect(got.bid).toBeCloseTo(t.bid, 8);
        expect(got.ask).toBeCloseTo(t.ask, 8);
        expect(got.high24h).toBeCloseTo(t.high24h, 8);
        expect(got.low24h).toBeCloseTo(t.low24h, 8);
      }
      expect(fake.stats.sent('/api/v5/market/tickers').map(queryOf)).toEqual([{ instType: 'SWAP' }]);
      expect(fake.stats.total).toBe(1);
    });

    it('opens a position with attached SL/TP in contracts, reads the stops back, moves the stop, closes it', async () => {
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
      const [create] = posts('/api/v5/trade/order');
      expect(create).toEqual(
        expect.objectContaining({
          instId: fake.instId(market.symbol),
          side: 'buy',
          ordType: 'market',
          tdMode: 'cross',
        }),
      );
      // sz is in contracts of one qty step each
      expect(Number(create.sz)).toBe(Math.round(amount / market.qtyStep));
      expect(create.clOrdId).toMatch(/^[A-Za-z0-9]{1,32}$/);
      expect(create.attachAlgoOrds).toEqual([
        expect.objectContaining({
          slTriggerPx: expect.any(String),
          tpTriggerPx: expect.any(String),
          slOrdPx: '-1',
          tpOrdPx: '-1',
        }),
      ]);
      expect(fake.algoOrders(fake.instId(market.symbol))).toEqual([
        expect.objectContaining({ side: 'sell', ordType: 'oco' }),
      ]);

      const [position] = (await exchange.fetchPositions()).filter((p) => p.symbol === market.symbol);
      const held = (await backend.fetchPositions()).find((p) => p.symbol === market.symbol)!;
      expect(position).toEqual(expect.objectContaining({ side: 'Long', size: held.size, leverage: held.leverage }));
      expect(position.entryPrice).toBeCloseTo(held.entryPrice, 8);
      expect(position.stopLoss).toBeCloseTo(price * 0.9, -Math.log10(market.tickSize) - 1);
      expect(position.takeProfit).toBeCloseTo(price * 1.2, -Math.log10(market.tickSize) - 1);
      expect(queryOf(fake.stats.sent('/api/v5/trade/orders-algo-pending')[0])).toEqual({
        instType: 'SWAP',
        ordType: 'conditional,oco',
      });

      // moving the stop amends the resting algo order: the take profit stays
      fake.stats.reset();
      await exchange.setTradingStop(market.symbol, { stopLoss: price * 0.95 });
      expect(posts('/api/v5/trade/amend-algos')).toEqual([
        expect.objectContaining({ instId: fake.instId(market.symbol), newSlTriggerPx: expect.any(String) }),
      ]);
      expect(posts('/api/v5/trade/order-algo')).toEqual([]);
      const moved = (await backend.fetchPositions()).find((p) => p.symbol === market.symbol)!;
      expect(moved.stopLoss).toBeCloseTo(price * 0.95, -Math.log10(market.tickSize) - 1);
      expect(moved.takeProfit).toBeCloseTo(price * 1.2, -Math.log10(market.tickSize) - 1);

      const closed = await exchange.closePosition(market.symbol);
      expect(closed).toEqual(expect.objectContaining({ side: 'sell', amount: held.size }));
      expect(posts('/api/v5/trade/order').at(-1)).toEqual(expect.objectContaining({ side: 'sell', reduceOnly: true }));
      expect((await backend.fetchPositions()).find((p) => p.symbol === market.symbol)).toBeUndefined();
      expect(fake.algoOrders(fake.instId(market.symbol))).toEqual([]);
      expect(await exchange.closePosition(market.symbol)).toBeNull();
    });

    it('a short position without stops: setTradingStop places a close-position algo on the buy side; 0 lifts a leg, lifting both cancels it', async () => {
      const { market, price } = await tradable(1);
      await exchange.createMarketOrder({ symbol: market.symbol, side: 'sell', amount: amountFor(market, price, 30) });
      expect(fake.algoOrders(fake.instId(market.symbol))).toEqual([]);
      fake.stats.reset();
      await exchange.setTradingStop(market.symbol, { stopLoss: price * 1.1 });
      expect(posts('/api/v5/trade/order-algo')).toEqual([
        expect.objectContaining({
          instId: fake.instId(market.symbol),
          side: 'buy',
          ordType: 'conditional',
          closeFraction: '1',
          tdMode: 'cross',
          slOrdPx: '-1',
        }),
      ]);
      await exchange.setTradingStop(market.symbol, { takeProfit: price * 0.8 });
      expect(fake.algoOrders(fake.instId(market.symbol))).toEqual([
        expect.objectContaining({ side: 'buy', ordType: 'oco' }),
      ]);
      await exchange.setTradingStop(market.symbol, { takeProfit: 0 });
      let held = (await backend.fetchPositions()).find((p) => p.symbol === market.symbol)!;
      expect(held.takeProfit).toBeNull();
      expect(held.stopLoss).toBeCloseTo(price * 1.1, -Math.log10(market.tickSize) - 1);
      await exchange.setTradingStop(market.symbol, { stopLoss: 0 });
      expect(posts('/api/v5/trade/cancel-algos')).toHaveLength(1);
      expect(fake.algoOrders(fake.instId(market.symbol))).toEqual([]);
      held = (await backend.fetchPositions()).find((p) => p.symbol === market.symbol)!;
      expect(held.stopLoss).toBeNull();
      await exchange.closePosition(market.symbol);
    });

    it('reports the balance the backend holds, positions included (GET /api/v5/account/balance)', async () => {
      const { market, price } = await tradable(2);
      await exchange.createMarketOrder({ symbol: market.symbol, side: 'buy', amount: amountFor(market, price, 40) });
      const balance = await exchange.fetchBalance();
      const expected = await backend.fetchBalance();
      expect(balance.currency).toBe('USDT');
      expect(balance.walletBalance).toBeCloseTo(expected.walletBalance, 6);
      expect(balance.totalEquity).toBeCloseTo(expected.totalEquity, 6);
      expect(balance.availableBalance).toBeCloseTo(expected.availableBalance, 6);
      expect(balance.activePositions).toBe(expected.activePositions);
      expect(balance.positionValue).toBeCloseTo(expected.positionValue, 4);
      await exchange.closePosition(market.symbol);
    });

    it('sets leverage in cross margin (POST /api/v5/account/set-leverage); a position opened afterwards carries it', async () => {
      const { market, price } = await tradable(3);
      await exchange.setLeverage(market.symbol, 7);
      expect(posts('/api/v5/account/set-leverage')).toEqual([
        { instId: fake.instId(market.symbol), lever: 7, mgnMode: 'cross' },
      ]);
      await exchange.createMarketOrder({ symbol: market.symbol, side: 'buy', amount: amountFor(market, price, 20) });
      expect((await exchange.fetchPositions()).find((p) => p.symbol === market.symbol)?.leverage).toBe(7);
      await exchange.closePosition(market.symbol);
    });

    it('cancelling an order the exchange does not have is an InvalidOrderError (51400), not retried', async () => {
      const { market } = await tradable();
      const error = await expectFailure(exchange.cancelOrder(market.symbol, '123456'), InvalidOrderError);
      expect(error.message).toMatch(/51400/);
      expect(fake.stats.count('/api/v5/trade/cancel-order')).toBe(1);
    });
  });

  describe('errors that are never retried', () => {
    it('a wrong secret is an ExchangeAuthError (50113) after exactly one request, naming neither key nor secret', async () => {
      const wrongSecret = 'wrong-okx-secret-e2e-55bb';
      const wrong = adapter({ secret: wrongSecret });
      await wrong.init(); // public market data needs no signature
      fake.stats.reset();
      const error = await expectFailure(wrong.fetchPositions(), ExchangeAuthError);
      expect(fake.stats.authFailures).toBe(1);
      expect(fake.stats.total).toBe(1);
      expect(error.message).toMatch(/50113/);
      expect(error.message).not.toContain(wrongSecret);
      expect(error.message).not.toContain(API_KEY);
    });

    it('a wrong passphrase is an ExchangeAuthError (50105); a key without passphrase is refused before any request', async () => {
      const wrongPassphrase = 'wrong-okx-passphrase-77';
      const wrong = adapter({ password: wrongPassphrase });
      await wrong.init();
      fake.stats.reset();
      const error = await expectFailure(wrong.fetchPositions(), ExchangeAuthError);
      expect(error.message).toMatch(/50105/);
      expect(error.message).not.toContain(wrongPassphrase);
      const missing = adapter({ password: undefined });
      await expect(missing.init()).rejects.toThrow(/passphrase/);
      expect(fake.stats.total).toBe(1);
    });

    it('insufficient margin is an InsufficientFundsError (51008) after one request and no order', async () => {
      const { market, price } = await tradable();
      const balance = await backend.fetchBalance();
      fake.stats.reset();
      const error = await expectFailure(
        exchange.createMarketOrder({
          symbol: market.symbol,
          side: 'buy',
          amount: amountFor(market, price, balance.totalEquity * 100),
        }),
        InsufficientFundsError,
      );
      expect(error.message).toMatch(/51008/);
      expect(fake.stats.count('/api/v5/trade/order')).toBe(1);
      expect(fake.stats.ordersCreated).toBe(0);
    });

    it('an unknown symbol is an UnknownSymbolError without a request', async () => {
      await expectFailure(exchange.fetchCandles('NOSUCHCOIN', '6h'), UnknownSymbolError);
      await expectFailure(
        exchange.createMarketOrder({ symbol: 'NOSUCHCOIN', side: 'buy', amount: 1 }),
        UnknownSymbolError,
      );
      expect(fake.stats.total).toBe(0);
    });

    it('reduce-only without a position is refused (51169) after one request', async () => {
      const { market, price } = await tradable(4);
      const error = await expectFailure(
        exchange.createMarketOrder({
          symbol: market.symbol,
          side: 'sell',
          amount: amountFor(market, price, 20),
          reduceOnly: true,
        }),
        ExchangeError,
      );
      expect(error.message).toMatch(/51169/);
      expect(error.retryable).toBe(false);
      expect(fake.stats.count('/api/v5/trade/order')).toBe(1);
      expect(fake.stats.ordersCreated).toBe(0);
    });
  });

  describe('retries', () => {
    it('two 5xx answers, then success: 3 requests in all', async () => {
      fake.faults.add({ kind: 'http5xx', path: '/api/v5/market/tickers', times: 2, status: 502 });
      const tickers = await exchange.fetchTickers();
      expect(tickers.size).toBe((await backend.fetchTickers()).size);
      expect(fake.stats.count('/api/v5/market/tickers')).toBe(3);
      expect(outcomes).toEqual([
        ['fetchTickers', 'retry'],
        ['fetchTickers', 'retry'],
        ['fetchTickers', 'ok'],
      ]);
    });

    it('a request that is never answered times out and is retried', async () => {
      const quick = adapter({ timeoutMs: 300 });
      await quick.init();
      fake.stats.reset();
      fake.faults.add({ kind: 'timeout', path: '/api/v5/market/candles' });
      const { market } = await tradable();
      const candles = await quick.fetchCandles(market.symbol, '6h', { limit: 10 });
      expect(candles.map((c) => c.time)).toEqual(
        (await backend.fetchCandles(market.symbol, '6h', { limit: 10 })).map((c) => c.time),
      );
      expect(fake.stats.count('/api/v5/market/candles')).toBe(2);
    });

    it.each<MalformedVariant>(['garbage', 'empty', 'truncated', 'nullResult', 'noRetCode'])(
      'a malformed answer (%s) is detected and retried',
      async (variant) => {
        const { market } = await tradable();
        fake.faults.add({ kind: 'malformed', path: '/api/v5/market/candles', variant });
        const candles = await exchange.fetchCandles(market.symbol, '6h', { limit: 20 });
        expect(candles).toHaveLength(20);
        expect(fake.stats.count('/api/v5/market/candles')).toBe(2);
        expect(outcomes).toEqual([
          ['fetchCandles', 'retry'],
          ['fetchCandles', 'ok'],
        ]);
      },
    );

    it('a rate-limit answer (429, 50011) pauses the requests and the call recovers', async () => {
      fake.faults.add({ kind: 'rateLimit', path: '/api/v5/account/positions', times: 1 });
      const positions = await exchange.fetchPositions();
      expect(positions).toHaveLength((await backend.fetchPositions()).length);
      expect(fake.stats.count('/api/v5/account/positions')).toBe(2);
      expect(fake.stats.rateLimited).toBe(1);
      expect(outcomes).toEqual([
        ['fetchPositions', 'retry'],
        ['fetchPositions', 'ok'],
      ]);
    });
  });

  describe('orders are never duplicated by a retry', () => {
    it.each([
      ['the answer never comes', { kind: 'timeout' as const }],
      ['the answer is a 502', { kind: 'http5xx' as const, status: 502 }],
    ])(
      '%s after the exchange executed the order: the retry is refused (51016) and the order is looked up',
      async (_label, fault) => {
        const quick = adapter({ timeoutMs: 400 });
        await quick.init();
        const { market, price } = await tradable();
        const before = (await backend.fetchPositions()).find((p) => p.symbol === market.symbol)?.size ?? 0;
        fake.stats.reset();
        fake.faults.add({ ...fault, path: '/api/v5/trade/order', method: 'POST', afterProcessing: true });
        const amount = amountFor(market, price, 30);
        const order = await quick.createMarketOrder({ symbol: market.symbol, side: 'buy', amount });

        const sent = posts('/api/v5/trade/order');
        expect(sent).toHaveLength(2);
        expect(sent[0].clOrdId).toBe(sent[1].clOrdId);
        expect(fake.stats.ordersCreated).toBe(1);
        expect(fake.stats.duplicateOrderLinks).toBe(1);
        const lookups = fake.stats
          .sent('/api/v5/trade/order')
          .filter((r) => r.method === 'GET')
          .map(queryOf);
        expect(lookups).toEqual([{ instId: fake.instId(market.symbol), clOrdId: sent[0].clOrdId }]);
        const after = (await backend.fetchPositions()).find((p) => p.symbol === market.symbol)!.size;
        expect(after - before).toBeCloseTo(amount, 10);
        expect(order.orderId).toMatch(/^\d+$/);
        await quick.closePosition(market.symbol);
      },
    );

    it("keeps the caller's client order id across attempts, in OKX's alphabet", async () => {
      const { market, price } = await tradable();
      fake.faults.add({ kind: 'http5xx', path: '/api/v5/trade/order', method: 'POST' });
      await exchange.createMarketOrder({
        symbol: market.symbol,
        side: 'buy',
        amount: amountFor(market, price, 20),
        clientOrderId: 'bot-7-1764892800000',
      });
      expect(posts('/api/v5/trade/order').map((b) => b.clOrdId)).toEqual(['bot71764892800000', 'bot71764892800000']);
      expect(fake.stats.ordersCreated).toBe(1);
      await exchange.closePosition(market.symbol);
    });
  });

  it('no error message or log line ever contained the API key, the secret or the passphrase', () => {
    expect(seenText.length).toBeGreaterThan(5);
    for (const text of seenText) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain(PASSPHRASE);
    }
  });
});
