/**
 * What the ccxt adapter specs (ccxt-exchange.e2e-spec.ts against the fake Bybit, ccxt-binance.e2e-spec.ts against
 * the fake Binance) share: the paper backend, market and amount choice, and a kit of adapters whose every error
 * message and log line is collected, so that each spec can check at its end that none held the key or the secret.
 */
import { ManualClock } from '../../src/common/clock';
import { CcxtExchange, type CcxtExchangeOptions, type RequestOutcome } from '../../src/exchange/ccxt/ccxt-exchange';
import type { ExchangeError } from '../../src/exchange/exchange.errors';
import type { MarketInfo } from '../../src/exchange/exchange.types';
import { PaperExchange } from '../../src/exchange/paper/paper-exchange';

export function newBackend(symbolCount = 12): PaperExchange {
  return new PaperExchange({ clock: new ManualClock(Date.UTC(2026, 2, 1, 12)), seed: 7, symbolCount });
}

/** The index-th tradable symbol with a price, chosen from what the backend lists (never hard-coded). */
export async function tradableMarket(
  backend: PaperExchange,
  index = 0,
): Promise<{ market: MarketInfo; price: number }> {
  const markets = await backend.listMarkets();
  const tickers = await backend.fetchTickers();
  const market = markets.filter((m) => m.status === 'Trading' && tickers.has(m.symbol))[index];
  return { market, price: tickers.get(market.symbol)!.last };
}

/** An amount worth about `usdt`, on the market's qty step. */
export function amountFor(market: MarketInfo, price: number, usdt: number): number {
  const steps = Math.max(Math.ceil(market.minOrderQty / market.qtyStep), Math.ceil(usdt / price / market.qtyStep));
  return Number((steps * market.qtyStep).toFixed(10));
}

interface FakeServerHandle {
  url: string;
  faults: { clear(): void };
  stats: { reset(): void };
  close(): Promise<void>;
}

/** One spec's adapters, with the text they produced and the outcome of each request. */
export function ccxtSpecKit(base: Pick<CcxtExchangeOptions, 'exchangeId' | 'apiKey' | 'secret'>) {
  /** Every error message and log line the adapters produced: checked for the key and secret at the end. */
  const seenText: string[] = [];
  const logger = {
    warn: (message: string) => seenText.push(message),
    debug: (message: string) => seenText.push(message),
  };
  const outcomes: Array<[string, RequestOutcome]> = [];
  const adapters: CcxtExchange[] = [];

  async function expectFailure<T extends ExchangeError>(
    promise: Promise<unknown>,
    errorClass: new (...args: never[]) => T,
  ): Promise<T> {
    const error = await promise.then(
      () => {
        throw new Error(`expected ${errorClass.name}, but the call succeeded`);
      },
      (e: unknown) => e,
    );
    if (error instanceof Error) seenText.push(error.message);
    expect(error).toBeInstanceOf(errorClass);
    return error as T;
  }

  /** A CcxtExchange on the fake at `apiUrl`, closed after the suite. */
  function newAdapter(apiUrl: string, overrides: Partial<CcxtExchangeOptions> = {}): CcxtExchange {
    const created = new CcxtExchange({
      ...base,
      apiUrl,
      logger,
      onRequest: (method, outcome) => outcomes.push([method, outcome]),
      ...overrides,
    });
    adapters.push(created);
    return created;
  }

  const closeAdapters = async (): Promise<void> => {
    await Promise.all(adapters.map((a) => a.close()));
  };

  /**
   * Registers the suite's hooks: a paper backend, the fake server on it and an initialised adapter before all tests,
   * all closed after them; the fake's faults and stats and the request outcomes cleared before each test.
   */
  function useFakeServer<F extends FakeServerHandle>(
    start: (backend: PaperExchange) => Promise<F>,
    assign: (suite: { backend: PaperExchange; fake: F; exchange: CcxtExchange }) => void,
  ): void {
    let backend: PaperExchange | undefined;
    let fake: F | undefined;
    beforeAll(async () => {
      backend = newBackend();
      await backend.init();
      fake = await start(backend);
      const exchange = newAdapter(fake.url);
      await exchange.init();
      assign({ backend, fake, exchange });
    });
    afterAll(async () => {
      await closeAdapters();
      await fake?.close();
      await backend?.close();
    });
    beforeEach(() => {
      fake!.faults.clear();
      fake!.stats.reset();
      outcomes.length = 0;
    });
  }

  return { seenText, outcomes, expectFailure, newAdapter, useFakeServer };
}
