import { ManualClock } from '../../common/clock';
import type { MarketInfo, Ticker } from '../exchange.types';
import { instrumentRules, LiveMarketData, stepDecimals, type PublicMarketFeed } from './live-market-data';
import { PaperTradingExchange } from './paper-exchange';

const BTC: MarketInfo = {
  symbol: 'BTC',
  exchangeSymbol: 'BTCUSDT',
  status: 'Trading',
  tickSize: 0.1,
  qtyStep: 0.001,
  minOrderQty: 0.001,
  minNotional: 5,
  maxLeverage: 100,
};
const DOGE: MarketInfo = {
  symbol: 'DOGE',
  exchangeSymbol: 'DOGEUSDT',
  status: 'Trading',
  tickSize: 0.00001,
  qtyStep: 1,
  minOrderQty: 1,
  minNotional: 5,
  maxLeverage: 50,
};

function ticker(symbol: string, last: number, book?: { bid: number; ask: number }, mark = last): Ticker {
  return {
    symbol,
    last,
    bid: book?.bid ?? last,
    ask: book?.ask ?? last,
    mark,
    high24h: last,
    low24h: last,
    change24hPercent: 0,
    volume24h: 0,
    turnover24h: 0,
    timestamp: 0,
  };
}

/** A public feed whose prices the test sets; counts the tickers requests. */
class StubFeed implements PublicMarketFeed {
  tickers = new Map<string, Ticker>();
  tickerRequests = 0;
  async init(): Promise<void> {}
  async close(): Promise<void> {}
  async listMarkets(): Promise<MarketInfo[]> {
    return [BTC, DOGE];
  }
  async fetchCandles(): Promise<never[]> {
    return [];
  }
  async fetchTickers(): Promise<Map<string, Ticker>> {
    this.tickerRequests++;
    return new Map(this.tickers);
  }
  set(...list: Ticker[]): void {
    for (const t of list) this.tickers.set(t.symbol, t);
  }
}

async function setup() {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const feed = new StubFeed();
  feed.set(ticker('BTC', 50_000, { bid: 49_999.9, ask: 50_000.1 }, 50_001), ticker('DOGE', 0.2));
  const data = new LiveMarketData({ source: 'bybit', feed, clock, maxTickerAgeMs: 1000 });
  const exchange = new PaperTradingExchange(data, clock, { startingBalance: 10_000, feeRate: 0.00055 });
  await exchange.init();
  return { clock, feed, data, exchange };
}

describe('instrument rules of a real market', () => {
  it('counts the decimals of a step', () => {
    expect([0.1, 0.001, 1, 0.5, 1e-7, 0.00025, 10].map(stepDecimals)).toEqual([1, 3, 0, 1, 7, 5, 0]);
  });

  it('rounds prices to the tick and floors quantities to the step without float noise', () => {
    const rules = instrumentRules(BTC);
    expect(rules.roundPrice(50_000.04)).toBe(50_000);
    expect(rules.roundPrice(50_000.06)).toBe(50_000.1);
    expect(rules.floorQty(0.0129)).toBe(0.012);
    expect(rules.floorQty(0.1 + 0.2)).toBe(0.3);
    expect(instrumentRules(DOGE).roundPrice(0.123456)).toBe(0.12346);
    expect(rules.spec).toEqual({
      symbol: 'BTC',
      status: 'Trading',
      minOrderQty: 0.001,
      minNotional: 5,
      maxLeverage: 100,
    });
  });
});

describe('paper account on live prices', () => {
  it('fills market orders at the live bid/ask (the last price where there is no book) with the paper fee', async () => {
    const { exchange } = await setup();
    const buy = await exchange.createMarketOrder({ symbol: 'BTC', side: 'buy', amount: 0.01 });
    expect(buy).toMatchObject({ symbol: 'BTC', side: 'buy', amount: 0.01, price: 50_000.1 });
    expect(buy.fee).toBeCloseTo(0.01 * 50_000.1 * 0.00055, 8);
    const short = await exchange.createMarketOrder({ symbol: 'DOGE', side: 'sell', amount: 100 });
    expect(short.price).toBe(0.2);
    const [btc] = await exchange.fetchPositions();
    // Valued at the exchange's mark price.
    expect(btc).toMatchObject({ symbol: 'BTC', side: 'Long', entryPrice: 50_000.1, markPrice: 50_001 });
  });

  it('reuses a recent tickers answer for quotes and valuations, and fetches again once it is old', async () => {
    const { clock, feed, exchange } = await setup();
    const before = feed.tickerRequests;
    await exchange.createMarketOrder({ symbol: 'BTC', side: 'buy', amount: 0.01 });
    await exchange.fetchPositions();
    expect(feed.tickerRequests).toBe(before + 1);
    clock.advance(1001);
    await exchange.fetchBalance();
    expect(feed.tickerRequests).toBe(before + 2);
  });

  it('fires a stop-loss at the first observed price beyond it, filled at that price', async () => {
    const { clock, feed, exchange } = await setup();
    await exchange.createMarketOrder({ symbol: 'BTC', side: 'buy', amount: 0.01, stopLoss: 48_000 });
    clock.advance(60_000);
    feed.set(ticker('BTC', 48_500));
    await exchange.fetchTickers();
    expect(exchange.revision).toBe(0);
    clock.advance(60_000);
    // A gap through the stop: the close fills at the observed price, not at the stop.
    feed.set(ticker('BTC', 47_000), ticker('DOGE', 0.21));
    await exchange.fetchTickers();
    expect(await exchange.fetchPositions()).toEqual([]);
    const [trade] = await exchange.fetchClosedTrades(0);
    expect(trade).toMatchObject({
      symbol: 'BTC',
      side: 'Long',
      reason: 'STOP_LOSS',
      exitPrice: 47_000,
      closedAt: Date.UTC(2026, 0, 1) + 120_000,
    });
    expect(trade.pnl).toBeCloseTo((47_000 - 50_000.1) * 0.01 - 0.01 * 47_000 * 0.00055 - 0.01 * 50_000.1 * 0.00055, 6);
    expect(exchange.revision).toBe(1);
  });

  it('fires a take-profit of a short and a liquidation at its own price', async () => {
    const { clock, feed, exchange } = await setup();
    await exchange.setLeverage('DOGE', 10);
    await exchange.createMarketOrder({ symbol: 'DOGE', side: 'sell', amount: 100, takeProfit: 0.18 });
    await exchange.createMarketOrder({ symbol: 'BTC', side: 'buy', amount: 0.01 });
    const liquidation = (await exchange.fetchPositions()).find((p) => p.symbol === 'BTC')!.liquidationPrice!;
    clock.advance(1500);
    feed.set(ticker('DOGE', 0.17), ticker('BTC', liquidation * 0.9));
    await exchange.fetchTickers();
    const trades = await exchange.fetchClosedTrades(0);
    expect(trades.map((t) => [t.symbol, t.reason, t.exitPrice])).toEqual([
      ['DOGE', 'TAKE_PROFIT', 0.17],
      ['BTC', 'LIQUIDATION', liquidation],
    ]);
  });

  it('checks every observation once, even two in the same millisecond', async () => {
    const { clock, feed, exchange } = await setup();
    await exchange.createMarketOrder({ symbol: 'BTC', side: 'buy', amount: 0.01, stopLoss: 48_000 });
    // The clock does not move: the dip gets a later stamp than the order's quote and fires once the clock passes it.
    feed.set(ticker('BTC', 47_900));
    await exchange.fetchTickers();
    feed.set(ticker('BTC', 50_000));
    await exchange.fetchTickers();
    expect(await exchange.fetchClosedTrades(0)).toEqual([]);
    clock.advance(10);
    await exchange.fetchClosedTrades(0);
    expect((await exchange.fetchClosedTrades(0)).map((t) => [t.reason, t.exitPrice])).toEqual([['STOP_LOSS', 47_900]]);
  });

  it('keeps a bounded number of observations per symbol', async () => {
    const clock = new ManualClock(0);
    const feed = new StubFeed();
    const data = new LiveMarketData({ source: 'binance', feed, clock, observationsPerSymbol: 3 });
    await data.init();
    for (let i = 1; i <= 5; i++) {
      clock.set(i * 1000);
      feed.set(ticker('BTC', 100 - i));
      await data.fetchTickers();
    }
    // Only the last three (97, 96, 95 at 3 s, 4 s, 5 s) are left: 99 at 1 s is gone.
    expect(data.firstTouch('BTC', 0, 10_000, 99, null)).toEqual({ time: 3000, side: 'below', fillPrice: 97 });
    expect(data.firstTouch('BTC', 3000, 10_000, 96, null)).toEqual({ time: 4000, side: 'below', fillPrice: 96 });
    expect(data.firstTouch('BTC', 0, 10_000, 90, 101)).toBeNull();
  });

  it('restores a saved account before the market list is loaded and refuses malformed symbols', async () => {
    const { exchange, clock, feed } = await setup();
    await exchange.createMarketOrder({ symbol: 'BTC', side: 'buy', amount: 0.01, stopLoss: 48_000 });
    const saved = exchange.exportState();
    const restarted = new PaperTradingExchange(new LiveMarketData({ source: 'bybit', feed, clock }), clock);
    restarted.importState(saved);
    await restarted.init();
    expect((await restarted.fetchPositions()).map((p) => [p.symbol, p.entryPrice, p.stopLoss])).toEqual([
      ['BTC', 50_000.1, 48_000],
    ]);
    const broken = { ...saved, positions: [{ ...saved.positions[0], symbol: 'btc/usdt' }] };
    expect(() =>
      new PaperTradingExchange(new LiveMarketData({ source: 'bybit', feed, clock }), clock).importState(broken),
    ).toThrow('positions[0].symbol');
  });

  it('refuses an order on a symbol the exchange does not list', async () => {
    const { exchange } = await setup();
    await expect(exchange.createMarketOrder({ symbol: 'NOPE', side: 'buy', amount: 1 })).rejects.toThrow(
      'unknown symbol NOPE',
    );
  });
});
