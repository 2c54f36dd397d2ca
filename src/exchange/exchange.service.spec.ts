import { Test } from '@nestjs/testing';
import { MemoryJsonStore } from '../../test/support/bot-manager-fixture';
import { StubExchange } from '../../test/support/stub-exchange';
import { TradingStubExchange } from '../../test/support/trading-stub-exchange';
import { Clock, ManualClock } from '../common/clock';
import { exchangeConfig } from '../config/app.config';
import { JsonStore } from '../persistence/json-store.service';
import { StateRegistry } from '../persistence/state-registry.service';
import { ExchangeUnavailableError } from './exchange.errors';
import { EXCHANGE_ADAPTER, ExchangeService, PAPER_ACCOUNT_FILE } from './exchange.service';
import type { ExchangeAdapter } from './exchange.types';

type ExchangeSettings = {
  name: string;
  paper?: { market: 'sim'; seed: number; symbols: number; startingBalance: number; timeScale: number };
};

/** ExchangeService over the test's adapter (else the one its config names), files in memory. */
async function buildModule(
  options: { adapter?: ExchangeAdapter; config?: ExchangeSettings; files?: Record<string, unknown> } = {},
) {
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
  const store = new MemoryJsonStore();
  for (const [file, value] of Object.entries(options.files ?? {})) store.files.set(file, value);
  const moduleRef = await Test.createTestingModule({
    providers: [
      ExchangeService,
      StateRegistry,
      { provide: Clock, useValue: clock },
      { provide: JsonStore, useValue: store },
      { provide: exchangeConfig.KEY, useValue: options.config ?? { name: 'bybit' } },
      { provide: EXCHANGE_ADAPTER, useValue: options.adapter ?? null },
    ],
  }).compile();
  // Failure branches log errors on purpose; the assertions say what happened.
  moduleRef.useLogger(false);
  await moduleRef.init();
  return { moduleRef, clock, store, exchange: moduleRef.get(ExchangeService), registry: moduleRef.get(StateRegistry) };
}

describe('ExchangeService', () => {
  let t: Awaited<ReturnType<typeof buildModule>>;

  afterEach(async () => t.moduleRef.close());

  it('initialises the adapter at start-up and caches the market list', async () => {
    t = await buildModule({ adapter: new StubExchange() });
    expect(t.exchange.isReady).toBe(true);
    expect(t.exchange.lastInitError).toBeNull();
    expect(t.exchange.tradableSymbols()).toEqual(['BTC', 'ETH', 'SOL']);
    expect(t.exchange.market('ETH')).toMatchObject({ exchangeSymbol: 'ETHUSDT', qtyStep: 0.001, minNotional: 5 });
    expect(t.exchange.market('XRP')).toBeUndefined();
  });

  it('a failed start-up leaves the service up but not ready, with the cause; a later connect recovers', async () => {
    const adapter = new StubExchange();
    const init = jest
      .spyOn(adapter, 'init')
      .mockRejectedValueOnce(new ExchangeUnavailableError('connect ECONNREFUSED 127.0.0.1:1'));
    t = await buildModule({ adapter });
    expect(t.exchange.isReady).toBe(false);
    expect(t.exchange.lastInitError).toBe('connect ECONNREFUSED 127.0.0.1:1');
    expect(t.exchange.stats.get('init')).toMatchObject({
      calls: 1,
      errors: 1,
      lastError: 'connect ECONNREFUSED 127.0.0.1:1',
    });
    expect(await t.exchange.connect()).toBe(true);
    expect(t.exchange.isReady).toBe(true);
    expect(init).toHaveBeenCalledTimes(2);
  });

  it('counts every call by method, failures with their last error, and tells listeners', async () => {
    const adapter = new TradingStubExchange(() => 0);
    t = await buildModule({ adapter });
    // Start-up makes one signed read (the position list) to prove the keys (docs/security.md, readiness).
    expect(t.exchange.stats.get('fetchPositions')).toMatchObject({ calls: 1, errors: 0, lastError: null });
    const seen: Array<[string, boolean]> = [];
    t.exchange.onCall((method, ok) => seen.push([method, ok]));
    await t.exchange.fetchPositions();
    adapter.failNext('fetchPositions', new ExchangeUnavailableError('502 Bad Gateway'));
    await expect(t.exchange.fetchPositions()).rejects.toThrow('502 Bad Gateway');
    await t.exchange.fetchBalance();
    expect(t.exchange.stats.get('fetchPositions')).toMatchObject({ calls: 3, errors: 1, lastError: '502 Bad Gateway' });
    expect(t.exchange.stats.get('fetchBalance')).toMatchObject({ calls: 1, errors: 0, lastError: null });
    expect(seen).toEqual([
      ['fetchPositions', true],
      ['fetchPositions', false],
      ['fetchBalance', true],
    ]);
  });

  it('serves candles as columns for an adapter without a columnar path (oldest first, counted as fetchCandles)', async () => {
    const adapter = new StubExchange(() => Date.UTC(2026, 0, 1, 12));
    t = await buildModule({ adapter });
    const candles = await adapter.fetchCandles('BTC', '6h', { limit: 5 });
    const columns = await t.exchange.fetchCandleColumns('BTC', '6h', { limit: 5 });
    expect(columns.length).toBe(5);
    expect(Array.from(columns.time)).toEqual(candles.map((c) => c.time));
    expect(Array.from(columns.close)).toEqual(candles.map((c) => c.close));
    expect(columns.time[4] - columns.time[0]).toBe(4 * 6 * 3600_000);
    expect(t.exchange.stats.get('fetchCandles')!.calls).toBe(1);
  });

  it('an adapter that cannot list closed trades answers none (without a call)', async () => {
    t = await buildModule({ adapter: new StubExchange() });
    expect(await t.exchange.fetchClosedTrades(0)).toEqual([]);
    expect(t.exchange.stats.has('fetchClosedTrades')).toBe(false);
  });

  describe('paper mode (the configured adapter)', () => {
    const paper: ExchangeSettings = {
      name: 'paper',
      paper: { market: 'sim', seed: 7, symbols: 12, startingBalance: 1000, timeScale: 1 },
    };

    it('saves the simulated account before an order returns', async () => {
      t = await buildModule({ config: paper });
      expect(t.exchange.isPaper).toBe(true);
      const symbol = t.exchange.tradableSymbols()[0];
      const order = await t.exchange.createMarketOrder({
        symbol,
        side: 'buy',
        amount: t.exchange.market(symbol)!.minOrderQty * 10,
      });
      expect(order.price).toBeGreaterThan(0);
      expect(t.store.files.has(PAPER_ACCOUNT_FILE)).toBe(true);
      const positions = await t.exchange.fetchPositions();
      expect(positions.map((p) => [p.symbol, p.side])).toEqual([[symbol, 'Long']]);
    });

    it('a failed account save never turns a filled order into an error (the caller would order again)', async () => {
      t = await buildModule({ config: paper });
      t.store.failSaves = true;
      const symbol = t.exchange.tradableSymbols()[0];
      await expect(
        t.exchange.createMarketOrder({ symbol, side: 'sell', amount: t.exchange.market(symbol)!.minOrderQty * 10 }),
      ).resolves.toMatchObject({ symbol, side: 'sell' });
      expect((await t.exchange.fetchPositions()).map((p) => p.side)).toEqual(['Short']);
      expect(t.store.files.has(PAPER_ACCOUNT_FILE)).toBe(false);
    });

    it('a restart restores the saved account', async () => {
      t = await buildModule({ config: paper });
      const symbol = t.exchange.tradableSymbols()[0];
      await t.exchange.createMarketOrder({ symbol, side: 'buy', amount: t.exchange.market(symbol)!.minOrderQty * 10 });
      const saved = t.store.files.get(PAPER_ACCOUNT_FILE);
      await t.moduleRef.close();
      t = await buildModule({ config: paper });
      expect(await t.exchange.fetchPositions()).toEqual([]);
      await t.moduleRef.close();
      // The same account file on the next start: the position is back.
      t = await buildModule({ config: paper, files: { [PAPER_ACCOUNT_FILE]: saved } });
      expect((await t.exchange.fetchPositions()).map((p) => [p.symbol, p.side])).toEqual([[symbol, 'Long']]);
    });
  });
});
