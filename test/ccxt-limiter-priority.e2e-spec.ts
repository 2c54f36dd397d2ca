/**
 * The exchange limiter's priority classes over ccxt's real HTTP path, against the fake Bybit (docs/security.md,
 * "Exchange limiter"): a flood of candle reads fills the limiter's queue for several windows, and an order and a
 * balance read placed behind it still reach the exchange within the first window, signed after their wait (the
 * fake checks Bybit's 5 s receive window: a request signed before a long wait is refused with retCode 10002).
 */
import { CcxtExchange } from '../src/exchange/ccxt/ccxt-exchange';
import type { PaperExchange } from '../src/exchange/paper/paper-exchange';
import { startFakeBybit, type FakeBybit } from './fake-exchange/fake-bybit';
import { amountFor, newBackend, tradableMarket } from './support/ccxt-spec-helpers';

const API_KEY = 'prio-key-51c2';
const SECRET = 'prio-secret-8e0b';
const WINDOW = { requestsPerWindow: 20, windowMs: 1000 };
/** Seven windows of reads: longer than Bybit's 5 s receive window. */
const READS = 140;

describe('exchange limiter: trading before analysis reads (fake Bybit)', () => {
  let backend: PaperExchange;
  let fake: FakeBybit;
  let client: CcxtExchange;

  beforeAll(async () => {
    backend = newBackend();
    await backend.init();
    fake = await startFakeBybit({ backend, apiKey: API_KEY, secret: SECRET, rateLimit: WINDOW });
    client = new CcxtExchange({
      exchangeId: 'bybit',
      apiKey: API_KEY,
      secret: SECRET,
      apiUrl: fake.url,
      rateLimit: WINDOW,
      retry: { attempts: 1 },
    });
    await client.init();
  });

  afterAll(async () => {
    await client?.close();
    await fake?.close();
  });

  it('an order and a balance read behind a flood of candle reads reach the exchange within the first window', async () => {
    const { market, price } = await tradableMarket(backend);
    // Let the init requests leave the window, so the flood starts on an empty one.
    await new Promise((resolve) => setTimeout(resolve, WINDOW.windowMs + 50));
    fake.stats.reset();

    const reads = Array.from({ length: READS }, () => client.fetchCandles(market.symbol, '1h', { limit: 50 }));
    await new Promise((resolve) => setImmediate(resolve));
    const [order, balance] = await Promise.all([
      client.createMarketOrder({ symbol: market.symbol, side: 'buy', amount: amountFor(market, price, 20) }),
      client.fetchBalance(),
    ]);
    expect(order.orderId).toBeTruthy();
    expect(balance.walletBalance).toBeGreaterThan(0);
    // Requests the exchange saw before each trading request: they all fit in the first window.
    const log = fake.stats.log.map((r) => r.path);
    const klinesBefore = (path: string) =>
      log.slice(0, log.indexOf(path)).filter((p) => p === '/v5/market/kline').length;
    for (const path of ['/v5/order/create', '/v5/account/wallet-balance', '/v5/position/list']) {
      expect([path, log.indexOf(path) >= 0]).toEqual([path, true]);
      expect(klinesBefore(path)).toBeLessThan(WINDOW.requestsPerWindow);
    }

    const candles = await Promise.all(reads);
    expect(candles.every((c) => c.length === 50)).toBe(true);
    expect(fake.stats.count('/v5/market/kline')).toBe(READS);
    // Signed after the wait, and never past the exchange's own limit.
    expect(fake.stats.authFailures).toBe(0);
    expect(fake.stats.rateLimited).toBe(0);
  }, 60_000);
});
