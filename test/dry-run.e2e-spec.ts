/**
 * Dry run (PAPER_MARKET=bybit|binance, docs/dry-run.md): the app's paper account trading on the public market data
 * of the local fake Bybit and fake Binance. Entries fill at the fake's quote (Bybit: bid/ask; Binance's tickers
 * have no book: last), a price move on the fake server fires the paper stop-loss, a manual close exits, a restart
 * keeps the paper positions, and the fake server sees no signed request and executes no order.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Logger } from '@nestjs/common';
import request from 'supertest';
import { ManualClock } from '../src/common/clock';
import { CcxtExchange } from '../src/exchange/ccxt/ccxt-exchange';
import { ExchangeService } from '../src/exchange/exchange.service';
import type { Position, Ticker } from '../src/exchange/exchange.types';
import { PaperExchange } from '../src/exchange/paper/paper-exchange';
import { startFakeBinance } from './fake-exchange/fake-binance';
import { startFakeBybit } from './fake-exchange/fake-bybit';
import type { FakeServerHandle } from './fake-exchange/fake-server';
import { bots, eventually, waitForCoins, workers } from './support/bots';
import { PriceShiftBackend } from './support/price-shift-backend';
import { createTestApp, tempDataDir, type TestApp } from './support/test-app';

jest.setTimeout(120_000);

const TITLES = { bybit: 'Bybit', binance: 'Binance' } as const;
/** LiveMarketData reuses a tickers answer this long (its default); waiting past it makes the next call fetch again. */
const TICKER_REUSE_MS = 1000;

/** The fields of a /api/bots/trades entry this test reads. */
interface TradeView {
  symbol: string;
  direction: 'LONG' | 'SHORT';
  exit_price: number;
  close_reason: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(['bybit', 'binance'] as const)('dry run on live %s prices (fake server)', (kind) => {
  // The fake's market stands still (frozen clock), so every quote is known; only the test's shifts move it.
  const marketClock = new ManualClock(Math.floor(Date.now() / 60_000) * 60_000 + 30_000);
  let backend: PaperExchange;
  let prices: PriceShiftBackend;
  let fake: FakeServerHandle;
  let dataDir: string;
  let env: Record<string, string>;
  let t: TestApp;
  let startupLog: string[] = [];

  beforeAll(async () => {
    backend = new PaperExchange({ clock: marketClock, seed: 42, symbolCount: 60 });
    await backend.init();
    prices = new PriceShiftBackend(backend);
    fake = kind === 'bybit' ? await startFakeBybit({ backend: prices }) : await startFakeBinance({ backend: prices });
    dataDir = tempDataDir('bots-dry-run-');
    env = {
      EXCHANGE: 'paper',
      PAPER_MARKET: kind,
      EXCHANGE_API_URL: fake.url,
      EXCHANGE_TIMEOUT_MS: '3000',
      MUTATION_RATE_LIMIT: '100000',
      // Keys in the environment must not matter: the dry run never signs.
      EXCHANGE_API_KEY: fake.apiKey,
      EXCHANGE_API_SECRET: fake.secret,
    };
    const logSpy = jest.spyOn(Logger.prototype, 'log');
    t = await createTestApp({ env, dataDir });
    startupLog = logSpy.mock.calls.map(([message]) => String(message));
    logSpy.mockRestore();
    await workers(t).stop();
    await waitForCoins(t);
  });

  afterAll(async () => {
    await t?.close();
    await fake?.close();
    await backend?.close();
  });

  const exchange = () => t.app.get(ExchangeService);
  const trades = async (): Promise<TradeView[]> =>
    (await request(t.http).get('/api/bots/trades').expect(200)).body.trades as TradeView[];
  const backendQuote = async (symbol: string): Promise<Ticker> => (await backend.fetchTickers()).get(symbol)!;
  /** Fill price of an order on the fake's quote: Bybit's book, or Binance's last price (its tickers have no book). */
  const fillPrice = (quote: Ticker, side: 'buy' | 'sell') =>
    kind === 'binance' ? quote.last : side === 'buy' ? quote.ask : quote.bid;

  it('says which mode runs: the start-up log, /health, exchange-info', async () => {
    const description = `paper account on live ${TITLES[kind]} prices (dry run)`;
    const logged = (start: string) => startupLog.find((line) => line.startsWith(start));
    expect(
      logged(
        `Paper trading: ${description}: public ${kind} market data via ${fake.url}, no keys, no order reaches the exchange`,
      ),
    ).toBeDefined();
    expect(logged(`Exchange paper (${description}) ready: `)).toBeDefined();
    const health = (await request(t.http).get('/health').expect(200)).body;
    expect(health).toMatchObject({
      status: 'ok',
      exchange_connected: true,
      exchange: 'paper',
      paper_market: kind,
      dry_run: true,
      exchange_mode: description,
    });
    const info = (await request(t.http).get('/api/bots/exchange-info').expect(200)).body;
    expect(info).toMatchObject({
      exchange: 'paper',
      is_paper: true,
      paper_market: kind,
      dry_run: true,
      mode: description,
      initialized: true,
    });
    // The markets are the fake exchange's listing (60 symbols, a few of them not trading).
    expect(info.markets_count).toBe((await backend.listMarkets()).length);
    expect(info.calls.fetchTickers.calls).toBeGreaterThan(0);
  });

  it('enters at the fake exchange quote, stops on a price move there, exits by hand, and restarts with the positions', async () => {
    await request(t.http)
      .post('/api/bots/auto-bot')
      .send({
        enabled: true,
        max_concurrent: 4,
        rsi_long_threshold: 45,
        rsi_short_threshold: 55,
        enable_maturity_check: false,
        rsi_time_filter_enabled: false,
        exit_scam_enabled: false,
        loss_reentry_protection: false,
        trend_detection_enabled: false,
        default_position_mode: 'usdt',
        default_position_size: 20,
        leverage: 2,
      })
      .expect(200);
    await workers(t).runNow('auto_bot_worker');
    const holders = await eventually(async () => {
      const list = (await bots(t)).filter((b) => b.position_side !== null);
      return list.length >= 3 && list;
    }, 30_000);
    await request(t.http).post('/api/bots/auto-bot').send({ enabled: false }).expect(200);

    // Entries: filled by the paper account at the fake's quote; the fake exchange itself holds nothing.
    const positions = await exchange().fetchPositions();
    expect(positions.length).toBeGreaterThanOrEqual(3);
    for (const position of positions) {
      const quote = await backendQuote(position.symbol);
      expect(position.entryPrice).toBeCloseTo(fillPrice(quote, position.side === 'Long' ? 'buy' : 'sell'), 9);
      expect(position.stopLoss).not.toBeNull();
    }
    expect(holders.map((b) => b.symbol).sort()).toEqual(positions.map((p) => p.symbol).sort());
    expect(fake.stats.ordersCreated).toBe(0);
    expect(await backend.fetchPositions()).toEqual([]);

    // Stop: the fake's price of one position moves 1 % beyond its stop-loss; the next position sync observes it.
    const stopped = positions[0];
    const before = await backendQuote(stopped.symbol);
    const factor = (stopped.stopLoss! * (stopped.side === 'Long' ? 0.99 : 1.01)) / before.last;
    prices.shift(stopped.symbol, factor);
    await sleep(TICKER_REUSE_MS + 100);
    await workers(t).runNow('position_sync_worker');
    expect((await exchange().fetchPositions()).map((p) => p.symbol)).not.toContain(stopped.symbol);
    const stopTrade = (await trades()).find((trade) => trade.symbol === stopped.symbol)!;
    expect(stopTrade).toMatchObject({
      close_reason: 'STOP_LOSS',
      direction: stopped.side === 'Long' ? 'LONG' : 'SHORT',
    });
    // Filled at the price observed beyond the stop (a stop becomes a market close), not at the stop itself.
    expect(stopTrade.exit_price).toBeCloseTo(before.last * factor, 6);
    expect((await bots(t)).find((b) => b.symbol === stopped.symbol)?.position_side ?? null).toBeNull();

    // Exit: a manual close fills at the fake's quote on the other side.
    const exited = positions[1];
    await request(t.http).post('/api/bots/close-position').send({ symbol: exited.symbol }).expect(200);
    const exitQuote = await backendQuote(exited.symbol);
    const exitTrade = (await trades()).find((trade) => trade.symbol === exited.symbol)!;
    expect(exitTrade.exit_price).toBeCloseTo(fillPrice(exitQuote, exited.side === 'Long' ? 'sell' : 'buy'), 9);

    // The account file is the dry run's own, never the simulation's.
    const file = path.join(dataDir, `paper_account_${kind}.json`);
    expect(existsSync(path.join(dataDir, 'paper_account.json'))).toBe(false);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved.closedTrades.map((trade: { symbol: string; reason: string }) => [trade.symbol, trade.reason])).toEqual(
      [
        [stopped.symbol, 'STOP_LOSS'],
        [exited.symbol, 'MANUAL'],
      ],
    );

    // Restart on the same data folder: the remaining paper positions are still there, and their bots with them.
    const kept = (await exchange().fetchPositions()).map(({ symbol, side, size, entryPrice, stopLoss }) => ({
      symbol,
      side,
      size,
      entryPrice,
      stopLoss,
    }));
    expect(kept.length).toBe(positions.length - 2);
    await t.close();
    t = await createTestApp({ env, dataDir });
    await workers(t).stop();
    const restored = (await exchange().fetchPositions()).map(
      ({ symbol, side, size, entryPrice, stopLoss }: Position) => ({ symbol, side, size, entryPrice, stopLoss }),
    );
    expect(restored).toEqual(kept);
    const restoredBots = (await bots(t))
      .filter((b) => b.position_side !== null)
      .map((b) => b.symbol)
      .sort();
    expect(restoredBots).toEqual(kept.map((p) => p.symbol).sort());

    // Not one signed request reached the fake exchange, and it executed no order.
    expect(fake.stats.signedRequests).toBe(0);
    expect(fake.stats.authFailures).toBe(0);
    expect(fake.stats.ordersCreated).toBe(0);
  });

  it('counts signed requests on the fake server (the zero above is not a blind counter)', async () => {
    const keyed = new CcxtExchange({
      exchangeId: kind,
      apiKey: fake.apiKey,
      secret: fake.secret,
      apiUrl: fake.url,
      timeoutMs: 3000,
    });
    try {
      await keyed.init();
      const signedBefore = fake.stats.signedRequests;
      await keyed.fetchBalance();
      expect(fake.stats.signedRequests).toBeGreaterThan(signedBefore);
    } finally {
      await keyed.close();
    }
  });
});
