/**
 * CcxtExchange (Bybit) over ccxt's real HTTP path against the local fake Bybit server,
 * backed by the paper exchange: every adapter method, retries and backoff, timeouts, malformed
 * answers, rate limits, the errors that must not be retried, and order de-duplication.
 */
import type { CcxtExchange, CcxtExchangeOptions } from '../src/exchange/ccxt/ccxt-exchange';
import {
  ExchangeAuthError,
  ExchangeError,
  ExchangeUnavailableError,
  InsufficientFundsError,
  InvalidOrderError,
  UnknownSymbolError,
} from '../src/exchange/exchange.errors';
import type { ExchangeAdapter, MarketInfo } from '../src/exchange/exchange.types';
import type { PaperExchange } from '../src/exchange/paper/paper-exchange';
import { FakeBybit, FakeBybitOptions, MalformedVariant, startFakeBybit } from './fake-exchange/fake-bybit';
import { amountFor, ccxtSpecKit, newBackend, tradableMarket } from './support/ccxt-spec-helpers';

const SECRET = 'e2e-secret-do-not-leak-7d1f';
const API_KEY = 'e2e-key-3b9a';

const { seenText, outcomes, expectFailure, newAdapter, useFakeServer } = ccxtSpecKit({
  exchangeId: 'bybit',
  apiKey: API_KEY,
  secret: SECRET,
});

async function startFake(backend: ExchangeAdapter, options: Partial<FakeBybitOptions> = {}): Promise<FakeBybit> {
  return startFakeBybit({ backend, apiKey: API_KEY, secret: SECRET, ...options });
}

describe('CcxtExchange (bybit) against the fake Bybit server', () => {
  let backend: PaperExchange;
  let fake: FakeBybit;
  let exchange: CcxtExchange;

  function adapter(overrides: Partial<CcxtExchangeOptions> = {}, server: FakeBybit = fake): CcxtExchange {
    return newAdapter(server.url, overrides);
  }

  /** A tradable symbol with a price, chosen from what the backend lists (never hard-coded). */
  const tradable = () => tradableMarket(backend);

  useFakeServer(startFake, (suite) => ({ backend, fake, exchange } = suite));

  describe('adapter methods', () => {
    it('lists every market of the backend with status and trading rules (both instruments-info requests)', async () => {
      // 540 paper symbols include delisted (Closed) and Delivering ones
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
        expect(bySymbol(markets)).toEqual(bySymbol(expected));
        const queries = wideFake.stats.sent('/v5/market/instruments-info').map((r) => r.query);
        expect(queries).toEqual(
          expect.arrayContaining(['category=linear&limit=1000', 'category=linear&limit=1000&status=PreLaunch']),
        );
      } finally {
        await wideFake.close();
      }
    });

    it('fetches 6h candles as interval 360, equal to the backend candles', async () => {
      const { market } = await tradable();
      const candles = await exchange.fetchCandles(market.symbol, '6h', { limit: 50 });
      const expected = await backend.fetchCandles(market.symbol, '6h', { limit: 50 });
      expect(candles).toHaveLength(50);
      candles.forEach((c, i) => {
        expect(c.time).toBe(expected[i].time);
        expect(c.close).toBeCloseTo(expected[i].close, 8);
        expect(c.high).toBeCloseTo(expected[i].high, 8);
        expect(c.volume).toBeCloseTo(expected[i].volume, 6);
      });
      expect(fake.stats.sent('/v5/market/kline').map((r) => r.query)).toEqual([
        `symbol=${market.exchangeSymbol}&limit=50&interval=360&category=linear`,
      ]);
    });

    it('fetches the same candles as columns', async () => {
      const { market } = await tradable();
      const candles = await exchange.fetchCandles(market.symbol, '6h', { limit: 40 });
      const columns = await exchange.fetchCandleColumns(market.symbol, '6h', { limit: 40 });
      expect(columns.length).toBe(40);
      expect(Array.from(columns.time)).toEqual(candles.map((c) => c.time));
      expect(Array.from(columns.open)).toEqual(candles.map((c) => c.open));
      expect(Array.from(columns.high)).toEqual(candles.map((c) => c.high));
      expect(Array.from(columns.low)).toEqual(candles.map((c) => c.low));
      expect(Array.from(columns.close)).toEqual(candles.map((c) => c.close));
      expect(Array.from(columns.volume)).toEqual(candles.map((c) => c.volume));
    });

    it('caps the candle limit at 1000 and honours since', async () => {
      const { market } = await tradable();
      const all = await exchange.fetchCandles(market.symbol, '6h', { limit: 5000 });
      expect(all.length).toBeLessThanOrEqual(1000);
      expect(fake.stats.sent('/v5/market/kline')[0].query).toContain('limit=1000');
      const since = all[all.length - 10].time;
      const recent = await exchange.fetchCandles(market.symbol, '6h', { since });
      expect(recent.map((c) => c.time)).toEqual(all.slice(-10).map((c) => c.time));
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
        expect(got.mark).toBeCloseTo(t.mark, 8);
        expect(got.change24hPercent).toBeCloseTo(t.change24hPercent, 6);
        expect(got.volume24h).toBeCloseTo(t.volume24h, 4);
      }
      expect(fake.stats.count('/v5/market/tickers')).toBe(1);
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
      expect(order.orderId).toEqual(expect.any(String));
      const [create] = fake.stats.sent('/v5/order/create');
      const body = JSON.parse(create.body);
      expect(body).toEqual(
        expect.objectContaining({
          symbol: market.exchangeSymbol,
          side: 'Buy',
          orderType: 'Market',
          category: 'linear',
          qty: String(amount),
        }),
      );
      expect(body.orderLinkId).toMatch(/^[A-Za-z0-9_-]{1,36}$/);
      expect(Math.abs(Number(body.stopLoss) - price * 0.9)).toBeLessThanOrEqual(market.tickSize);
      expect(Math.abs(Number(body.takeProfit) - price * 1.2)).toBeLessThanOrEqual(market.tickSize);

      const [position] = (await exchange.fetchPositions()).filter((p) => p.symbol === market.symbol);
      const [truth] = (await backend.fetchPositions()).filter((p) => p.symbol === market.symbol);
      expect(position).toEqual(expect.objectContaining({ symbol: market.symbol, side: 'Long', size: truth.size }));
      expect(position.entryPrice).toBeCloseTo(truth.entryPrice, 8);
      expect(position.stopLoss).toBeCloseTo(truth.stopLoss!, 8);
      expect(position.takeProfit).toBeCloseTo(truth.takeProfit!, 8);

      const newStop = Number((price * 0.95).toFixed(6));
      await exchange.setTradingStop(market.symbol, { stopLoss: newStop });
      const stopBody = JSON.parse(fake.stats.sent('/v5/position/trading-stop')[0].body);
      expect(stopBody).toEqual(
        expect.objectContaining({
          symbol: market.exchangeSymbol,
          tpslMode: 'Full',
          positionIdx: 0,
          category: 'linear',
        }),
      );
      const [moved] = (await backend.fetchPositions()).filter((p) => p.symbol === market.symbol);
      expect(moved.stopLoss).toBeCloseTo(Number(stopBody.stopLoss), 8);
      expect(Math.abs(moved.stopLoss! - newStop)).toBeLessThanOrEqual(market.tickSize);

      const closed = await exchange.closePosition(market.symbol);
      expect(closed).toEqual(expect.objectContaining({ symbol: market.symbol, side: 'sell', amount: truth.size }));
      const closeBody = JSON.parse(fake.stats.sent('/v5/order/create')[1].body);
      expect(closeBody).toEqual(expect.objectContaining({ side: 'Sell', reduceOnly: true, qty: String(truth.size) }));
      expect((await backend.fetchPositions()).filter((p) => p.symbol === market.symbol)).toEqual([]);
      expect(await exchange.closePosition(market.symbol)).toBeNull();
    });

    it('reports the balance the backend holds, positions included', async () => {
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
      expect(fake.stats.sent('/v5/account/wallet-balance')[0].query).toBe('accountType=UNIFIED');
      await exchange.closePosition(market.symbol);
    });

    it('sets leverage; "leverage not modified" (110043) counts as success', async () => {
      const { market } = await tradable();
      const leverage = Math.min(7, market.maxLeverage);
      await exchange.setLeverage(market.symbol, leverage);
      await exchange.setLeverage(market.symbol, leverage);
      const sent = fake.stats.sent('/v5/position/set-leverage').map((r) => JSON.parse(r.body));
      expect(sent).toEqual([
        expect.objectContaining({
          symbol: market.exchangeSymbol,
          buyLeverage: String(leverage),
          sellLeverage: String(leverage),
        }),
        expect.objectContaining({ buyLeverage: String(leverage) }),
      ]);
    });

    it('cancelling an order the exchange does not have is an InvalidOrderError, not retried', async () => {
      const { market } = await tradable();
      await expectFailure(exchange.cancelOrder(market.symbol, 'no-such-order'), InvalidOrderError);
      expect(fake.stats.count('/v5/order/cancel')).toBe(1);
    });

    it('an unknown symbol is an UnknownSymbolError without any request', async () => {
      await expectFailure(exchange.fetchCandles('NOSUCHCOIN', '6h'), UnknownSymbolError);
      await expectFailure(
        exchange.createMarketOrder({ symbol: 'NOSUCHCOIN', side: 'buy', amount: 1 }),
        UnknownSymbolError,
      );
      expect(fake.stats.total).toBe(0);
    });
  });

  describe('retries', () => {
    it('retries two 5xx answers with 100 ms + 200 ms backoff and succeeds on the third request', async () => {
      fake.faults.add({ kind: 'http5xx', path: '/v5/market/tickers', times: 2, status: 502 });
      const started = Date.now();
      const tickers = await exchange.fetchTickers();
      const elapsed = Date.now() - started;
      expect(tickers.size).toBeGreaterThan(0);
      expect(fake.stats.count('/v5/market/tickers')).toBe(3);
      expect(elapsed).toBeGreaterThanOrEqual(300); // both backoffs were waited out
      expect(outcomes).toEqual([
        ['fetchTickers', 'retry'],
        ['fetchTickers', 'retry'],
        ['fetchTickers', 'ok'],
      ]);
    });

    it('gives up with ExchangeUnavailableError after exactly 3 requests', async () => {
      fake.faults.add({ kind: 'http5xx', path: '/v5/market/tickers', times: 5 });
      const started = Date.now();
      await expectFailure(exchange.fetchTickers(), ExchangeUnavailableError);
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      expect(fake.stats.count('/v5/market/tickers')).toBe(3);
      expect(outcomes.map(([, o]) => o)).toEqual(['retry', 'retry', 'error']);
    });

    it('a request that is never answered times out and is retried', async () => {
      const quick = adapter({ timeoutMs: 300 });
      await quick.init();
      fake.stats.reset();
      fake.faults.add({ kind: 'timeout', path: '/v5/market/kline' });
      const { market } = await tradable();
      const started = Date.now();
      const candles = await quick.fetchCandles(market.symbol, '6h', { limit: 10 });
      expect(candles).toHaveLength(10);
      expect(fake.stats.count('/v5/market/kline')).toBe(2);
      expect(Date.now() - started).toBeGreaterThanOrEqual(300 + 100);
    });

    it('a body that stalls after the headers is cut off by our own guard (3 attempts, then unavailable)', async () => {
      const quick = adapter({ timeoutMs: 300 });
      await quick.init();
      fake.stats.reset();
      fake.faults.add({ kind: 'stall', path: '/v5/market/tickers', times: 3 });
      const started = Date.now();
      const error = await expectFailure(quick.fetchTickers(), ExchangeUnavailableError);
      const elapsed = Date.now() - started;
      expect(error.message).toMatch(/timed out/);
      expect(fake.stats.count('/v5/market/tickers')).toBe(3);
      expect(elapsed).toBeGreaterThanOrEqual(3 * 300 + 300); // three cut-off attempts plus the backoffs between them
    });

    it.each<MalformedVariant>(['garbage', 'empty', 'truncated', 'nullResult', 'noRetCode'])(
      'a malformed answer (%s) is detected and retried',
      async (variant) => {
        const { market } = await tradable();
        fake.faults.add({ kind: 'malformed', path: '/v5/market/kline', variant });
        const candles = await exchange.fetchCandles(market.symbol, '6h', { limit: 20 });
        expect(candles).toHaveLength(20);
        expect(fake.stats.count('/v5/market/kline')).toBe(2);
        expect(outcomes).toEqual([
          ['fetchCandles', 'retry'],
          ['fetchCandles', 'ok'],
        ]);
      },
    );

    it('three malformed answers end in ExchangeUnavailableError("malformed")', async () => {
      fake.faults.add({ kind: 'malformed', path: '/v5/position/list', variant: 'nullResult', times: 3 });
      const error = await expectFailure(exchange.fetchPositions(), ExchangeUnavailableError);
      expect(error.message).toMatch(/malformed answer/);
      expect(fake.stats.count('/v5/position/list')).toBe(3);
    });

    it('rate-limit answers pause the requests and the call recovers', async () => {
      fake.faults.add({ kind: 'rateLimit', path: '/v5/market/tickers', times: 2, retryAfterMs: 150 });
      const started = Date.now();
      await exchange.fetchTickers();
      expect(fake.stats.count('/v5/market/tickers')).toBe(3);
      expect(fake.stats.rateLimited).toBe(2);
      expect(Date.now() - started).toBeGreaterThanOrEqual(2 * 150);
    });

    it('under a seeded random mix of faults every call ends in success or a retryable error, after at most 3 requests', async () => {
      fake.faults.chaos({
        seed: 11,
        probability: 0.35,
        kinds: ['http5xx', 'malformed', 'rateLimit', 'latency'],
        path: '/v5/position/list',
        latencyMs: 50,
      });
      let succeeded = 0;
      for (let call = 0; call < 10; call++) {
        const before = fake.stats.count('/v5/position/list');
        try {
          await exchange.fetchPositions();
          succeeded++;
        } catch (error) {
          if (error instanceof Error) seenText.push(error.message);
          expect(error).toBeInstanceOf(ExchangeError);
          expect((error as ExchangeError).retryable).toBe(true);
        }
        expect(fake.stats.count('/v5/position/list') - before).toBeLessThanOrEqual(3);
      }
      expect(fake.stats.faultsInjected).toBeGreaterThan(0);
      expect(succeeded).toBeGreaterThan(5);
    });

    it('a failed market load is not cached: init retries it, and a later call recovers after a failed init', async () => {
      fake.faults.add({ kind: 'http5xx', path: '/v5/market/instruments-info', times: 1 });
      const first = adapter();
      await first.init();
      expect(fake.stats.count('/v5/market/instruments-info')).toBe(4); // 2 parallel, one failed -> both again

      fake.faults.add({ kind: 'http5xx', path: '/v5/market/instruments-info', times: Infinity });
      const second = adapter();
      await expectFailure(second.init(), ExchangeUnavailableError);
      fake.faults.clear();
      const tickers = await second.fetchTickers();
      expect(tickers.size).toBeGreaterThan(0);
    });
  });

  describe('errors that are never retried', () => {
    it('a wrong secret is an ExchangeAuthError after exactly one request, naming neither key nor secret', async () => {
      const wrongSecret = 'wrong-secret-e2e-91c2';
      const wrong = adapter({ secret: wrongSecret });
      await wrong.init(); // public market data needs no signature
      fake.stats.reset();
      const error = await expectFailure(wrong.fetchBalance(), ExchangeAuthError);
      expect(fake.stats.authFailures).toBeGreaterThanOrEqual(1);
      expect(fake.stats.count('/v5/account/wallet-balance')).toBe(1);
      expect(error.message).not.toContain(wrongSecret);
      expect(error.message).not.toContain(API_KEY);
      expect(error.message).toMatch(/10004|sign/);
    });

    it('a wrong API key is an ExchangeAuthError after one request', async () => {
      const wrong = adapter({ apiKey: 'not-the-key-1234' });
      await wrong.init();
      fake.stats.reset();
      await expectFailure(wrong.fetchPositions(), ExchangeAuthError);
      expect(fake.stats.count('/v5/position/list')).toBe(1);
    });

    it('insufficient funds is an InsufficientFundsError after one request and no order', async () => {
      const { market, price } = await tradable();
      const balance = await backend.fetchBalance();
      fake.stats.reset();
      const amount = amountFor(market, price, balance.totalEquity * 100);
      await expectFailure(
        exchange.createMarketOrder({ symbol: market.symbol, side: 'buy', amount }),
        InsufficientFundsError,
      );
      expect(fake.stats.count('/v5/order/create')).toBe(1);
      expect(fake.stats.ordersCreated).toBe(0);
    });

    it('an invalid quantity is an InvalidOrderError: below the minimum without a request, rejected by the exchange after one', async () => {
      const { market } = await tradable();
      await expectFailure(
        exchange.createMarketOrder({ symbol: market.symbol, side: 'buy', amount: market.minOrderQty / 10 }),
        InvalidOrderError,
      );
      expect(fake.stats.count('/v5/order/create')).toBe(0);
      // reduce-only with no position to reduce: the exchange refuses (110017)
      await expectFailure(
        exchange.createMarketOrder({
          symbol: market.symbol,
          side: 'sell',
          amount: market.minOrderQty,
          reduceOnly: true,
        }),
        InvalidOrderError,
      );
      expect(fake.stats.count('/v5/order/create')).toBe(1);
      expect(fake.stats.ordersCreated).toBe(0);
    });
  });

  describe('orders are never duplicated by a retry', () => {
    it.each([
      ['the answer never comes', { kind: 'timeout' as const }],
      ['the answer is a 502', { kind: 'http5xx' as const, status: 502 }],
    ])(
      '%s after the exchange executed the order: the retry finds it (110072) and returns its id',
      async (_label, fault) => {
        const quick = adapter({ timeoutMs: 400 });
        await quick.init();
        const { market, price } = await tradable();
        const before = (await backend.fetchPositions()).find((p) => p.symbol === market.symbol)?.size ?? 0;
        fake.stats.reset();
        fake.faults.add({ ...fault, path: '/v5/order/create', afterProcessing: true });
        const amount = amountFor(market, price, 30);
        const order = await quick.createMarketOrder({ symbol: market.symbol, side: 'buy', amount });

        expect(fake.stats.count('/v5/order/create')).toBe(2);
        expect(fake.stats.ordersCreated).toBe(1);
        expect(fake.stats.duplicateOrderLinks).toBe(1);
        const links = fake.stats.sent('/v5/order/create').map((r) => JSON.parse(r.body).orderLinkId);
        expect(links[0]).toBe(links[1]);
        const realtime = fake.stats.sent('/v5/order/realtime');
        expect(realtime).toHaveLength(1);
        expect(realtime[0].query).toContain(`orderLinkId=${links[0]}`);
        const after = (await backend.fetchPositions()).find((p) => p.symbol === market.symbol)!.size;
        expect(after - before).toBeCloseTo(amount, 10);
        expect(order.orderId).toEqual(expect.any(String));
        expect(order.orderId.length).toBeGreaterThan(0);
        await quick.closePosition(market.symbol);
      },
    );

    it("keeps the caller's client order id across attempts", async () => {
      const { market, price } = await tradable();
      fake.faults.add({ kind: 'http5xx', path: '/v5/order/create' });
      const clientOrderId = 'bots-e2e-fixed-id-1';
      await exchange.createMarketOrder({
        symbol: market.symbol,
        side: 'buy',
        amount: amountFor(market, price, 20),
        clientOrderId,
      });
      expect(fake.stats.sent('/v5/order/create').map((r) => JSON.parse(r.body).orderLinkId)).toEqual([
        clientOrderId,
        clientOrderId,
      ]);
      expect(fake.stats.ordersCreated).toBe(1);
      await exchange.closePosition(market.symbol);
    });
  });

  describe("rate limiter against the fake's own IP limit", () => {
    it('a burst of requests never goes past the server window (no 10006)', async () => {
      const limited = await startFake(backend, { rateLimit: { requestsPerWindow: 40, windowMs: 1000 } });
      try {
        const client = adapter({ rateLimit: { requestsPerWindow: 40, windowMs: 1000 } }, limited);
        await client.init();
        const started = Date.now();
        const results = await Promise.all(Array.from({ length: 100 }, () => client.fetchPositions()));
        const elapsed = Date.now() - started;
        expect(results).toHaveLength(100);
        expect(limited.stats.rateLimited).toBe(0);
        expect(limited.stats.count('/v5/position/list')).toBe(100);
        expect(limited.stats.maxRequestsInWindow).toBeLessThanOrEqual(40);
        // 102 requests (2 for init) at 40 per second: the last ones cannot start before 2 windows passed
        expect(elapsed).toBeGreaterThanOrEqual(1900);
      } finally {
        await limited.close();
      }
    });

    it('a server with a lower limit than ours answers 429: everyone waits for its reset, and the load gets through', async () => {
      const strict = await startFake(backend, {
        rateLimit: { requestsPerWindow: 10, windowMs: 1500, mode: 'http429' },
      });
      try {
        const client = adapter({}, strict); // our limiter allows 600 per 5 s: more than this server takes
        await client.init(); // 2 requests of the server's 10
        strict.stats.reset();
        const started = Date.now();
        const results = await Promise.all(Array.from({ length: 12 }, () => client.fetchTickers()));
        expect(results.every((r) => r.size > 0)).toBe(true);
        // 8 fit in the first window (init used 2); the others were refused, waited for the reset and got through
        // on their second attempt: one refusal each, never a third request
        expect(strict.stats.rateLimited).toBeGreaterThanOrEqual(1);
        expect(strict.stats.rateLimited).toBeLessThanOrEqual(4);
        expect(strict.stats.count('/v5/market/tickers')).toBe(12 + strict.stats.rateLimited);
        expect(Date.now() - started).toBeGreaterThanOrEqual(500); // the refused ones waited for the window to end
      } finally {
        await strict.close();
      }
    });
  });

  // Binance: test/ccxt-binance.e2e-spec.ts, against its own fake server.

  it('no error message or log line ever contained the API key or the secret', () => {
    expect(seenText.length).toBeGreaterThan(5);
    for (const text of seenText) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(API_KEY);
    }
  });
});
