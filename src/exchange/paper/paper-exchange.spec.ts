import { ManualClock } from '../../common/clock';
import { ExchangeError, InvalidOrderError, UnknownSymbolError } from '../exchange.errors';
import type { ExchangeAdapter, ExchangeClosedTrade } from '../exchange.types';
import { CANDLE_MS, MINUTE_MS } from './market-sim';
import { PaperExchange } from './paper-exchange';

const START = Date.UTC(2026, 0, 1, 3, 0, 20);
const FEE = 0.00055;

function newExchange(clock = new ManualClock(START), seed = 42): PaperExchange {
  return new PaperExchange({ clock, seed });
}

/** Advances the clock a minute at a time until tick() reports a close (or gives up). */
function runUntilClosed(
  exchange: PaperExchange,
  clock: ManualClock,
  maxMinutes: number,
  step = MINUTE_MS,
): ExchangeClosedTrade | null {
  for (let i = 0; i < maxMinutes; i++) {
    clock.advance(step);
    const closed = exchange.tick();
    if (closed.length > 0) return closed[0];
  }
  return null;
}

describe('PaperExchange', () => {
  it('implements ExchangeAdapter as "paper"', async () => {
    const exchange: ExchangeAdapter = newExchange();
    expect(exchange.name).toBe('paper');
    expect(exchange.isPaper).toBe(true);
    await expect(exchange.init()).resolves.toBeUndefined();
    await expect(exchange.close()).resolves.toBeUndefined();
    expect(typeof exchange.fetchClosedTrades).toBe('function');
  });

  it('lists 540 markets with a few non-trading ones, and tickers for the trading ones only', async () => {
    const exchange = newExchange();
    const markets = await exchange.listMarkets();
    expect(markets).toHaveLength(540);
    const trading = markets.filter((m) => m.status === 'Trading');
    expect(trading.length).toBeGreaterThanOrEqual(536);
    const tickers = await exchange.fetchTickers();
    expect([...tickers.keys()].sort()).toEqual(trading.map((m) => m.symbol).sort());
    for (const market of markets) expect(market.launchTime).toBeLessThan(START);
    const btc = tickers.get('BTC')!;
    expect(btc.last).toBe(exchange.currentPrice('BTC'));
    const [forming] = await exchange.fetchCandles('BTC', '6h', { limit: 1 });
    expect(forming.close).toBe(btc.last);
  });

  it('rejects unknown symbols and timeframes it cannot fetch', async () => {
    const exchange = newExchange();
    await expect(exchange.fetchCandles('NOPE', '6h')).rejects.toBeInstanceOf(UnknownSymbolError);
    await expect(exchange.fetchCandles('BTC', '8h')).rejects.toBeInstanceOf(ExchangeError);
    await expect(exchange.fetchCandles('BTC', '6h', { limit: 0 })).rejects.toThrow(/limit/);
    await expect(exchange.fetchCandles('BTC', '6h', { since: Number.NaN })).rejects.toThrow(/since/);
    await expect(exchange.createMarketOrder({ symbol: 'NOPE', side: 'buy', amount: 1 })).rejects.toBeInstanceOf(
      UnknownSymbolError,
    );
    await expect(exchange.setLeverage('NOPE', 5)).rejects.toBeInstanceOf(UnknownSymbolError);
    await expect(exchange.closePosition('NOPE')).rejects.toBeInstanceOf(UnknownSymbolError);
    await expect(exchange.cancelOrder('BTC', 'paper-1')).rejects.toThrow(/order not found/);
    await expect(exchange.cancelOrder('BTC', 'paper-1')).rejects.toBeInstanceOf(InvalidOrderError);
  });

  it('gives the same prices for the same seed and clock time, whatever was asked before', async () => {
    const clock = new ManualClock(START + 5 * CANDLE_MS);
    const a = newExchange(clock);
    const clockB = new ManualClock(START);
    const b = newExchange(clockB);
    await b.fetchCandles('ETH', '1w'); // other work first, at another time
    clockB.set(START + 5 * CANDLE_MS);
    expect(await b.fetchTickers()).toEqual(await a.fetchTickers());
    const other = newExchange(clock, 7);
    expect((await other.fetchTickers()).get('ETH')!.last).not.toBe((await a.fetchTickers()).get('ETH')!.last);
  });

  it('fills market orders at ask / bid with the taker fee and reports balance and position', async () => {
    const exchange = newExchange();
    const before = (await exchange.fetchTickers()).get('ETH')!;
    const order = await exchange.createMarketOrder({ symbol: 'ETH', side: 'buy', amount: 0.5004 });
    // ETH: qty step 0.001, so 0.5004 -> 0.5; one-tick spread 0.01
    expect(order.amount).toBe(0.5);
    expect(order.price).toBe(before.ask);
    expect(before.ask).toBeCloseTo(before.last + 0.01, 8);
    expect(order.fee).toBeCloseTo(0.5 * before.ask * FEE, 8);

    const [position] = await exchange.fetchPositions();
    expect(position).toMatchObject({
      symbol: 'ETH',
      side: 'Long',
      size: 0.5,
      entryPrice: before.ask,
      leverage: 10,
      markPrice: before.last,
    });
    expect(position.margin).toBeCloseTo((0.5 * before.ask) / 10, 6);
    expect(position.unrealizedPnl).toBeCloseTo(0.5 * (before.last - before.ask), 8);
    expect(position.liquidationPrice).toBeCloseTo(before.ask * (1 - 0.1 + 0.005), 2);

    const balance = await exchange.fetchBalance();
    expect(balance.walletBalance).toBeCloseTo(10_000 - order.fee, 8);
    expect(balance.availableBalance).toBeCloseTo(10_000 - order.fee - position.margin, 6);
    expect(balance.totalEquity).toBeCloseTo(balance.walletBalance + position.unrealizedPnl, 8);
    expect(balance.activePositions).toBe(1);
  });

  it('realises PnL of a long and a short at the prices of the moment they are closed', async () => {
    const clock = new ManualClock(START);
    const exchange = newExchange(clock);
    const openLong = await exchange.createMarketOrder({ symbol: 'SOL', side: 'buy', amount: 10 });
    const openShort = await exchange.createMarketOrder({ symbol: 'XRP', side: 'sell', amount: 1000 });
    clock.advance(2 * CANDLE_MS + 17 * MINUTE_MS);
    const tickers = await exchange.fetchTickers();
    const closeLong = (await exchange.closePosition('SOL'))!;
    const closeShort = (await exchange.closePosition('XRP'))!;
    expect(closeLong.price).toBe(tickers.get('SOL')!.bid);
    expect(closeShort.price).toBe(tickers.get('XRP')!.ask);
    const longPnl = 10 * (closeLong.price! - openLong.price!) - openLong.fee - closeLong.fee;
    const shortPnl = 1000 * (openShort.price! - closeShort.price!) - openShort.fee - closeShort.fee;
    const trades = await exchange.fetchClosedTrades(START);
    expect(trades.map((t) => [t.symbol, t.side, t.reason])).toEqual([
      ['SOL', 'Long', 'MANUAL'],
      ['XRP', 'Short', 'MANUAL'],
    ]);
    expect(trades[0].pnl).toBeCloseTo(longPnl, 6);
    expect(trades[1].pnl).toBeCloseTo(shortPnl, 6);
    expect((await exchange.fetchBalance()).walletBalance).toBeCloseTo(10_000 + longPnl + shortPnl, 6);
    expect(await exchange.fetchPositions()).toEqual([]);
    expect(await exchange.closePosition('SOL')).toBeNull();
    expect(await exchange.fetchClosedTrades(clock.now() + 1)).toEqual([]);
  });

  it('validates orders: min qty, min value, funds, reduce-only, non-trading markets', async () => {
    const exchange = newExchange();
    await expect(exchange.createMarketOrder({ symbol: 'BTC', side: 'buy', amount: 0.00001 })).rejects.toThrow(
      /below the minimum/,
    );
    // DOGE: qty step 10, so 10 coins are worth ~1.5 USDT < 5
    await expect(exchange.createMarketOrder({ symbol: 'DOGE', side: 'buy', amount: 10 })).rejects.toThrow(
      /order value/,
    );
    await expect(exchange.createMarketOrder({ symbol: 'BTC', side: 'buy', amount: 100 })).rejects.toThrow(/available/);
    await expect(
      exchange.createMarketOrder({ symbol: 'BTC', side: 'sell', amount: 0.01, reduceOnly: true }),
    ).rejects.toThrow(/reduce-only/);
    const closed = (await exchange.listMarkets()).find((m) => m.status !== 'Trading')!;
    await expect(exchange.createMarketOrder({ symbol: closed.symbol, side: 'buy', amount: 1_000_000 })).rejects.toThrow(
      /not trading/,
    );
    await expect(exchange.setLeverage('BTC', 51)).rejects.toThrow(InvalidOrderError);
    await exchange.setLeverage('BTC', 50);
    expect((await exchange.fetchBalance()).walletBalance).toBe(10_000);
  });

  it('is idempotent on clientOrderId', async () => {
    const clock = new ManualClock(START);
    const exchange = newExchange(clock);
    const first = await exchange.createMarketOrder({
      symbol: 'LINK',
      side: 'buy',
      amount: 5,
      clientOrderId: 'entry-LINK-1',
    });
    clock.advance(30 * MINUTE_MS);
    const retry = await exchange.createMarketOrder({
      symbol: 'LINK',
      side: 'buy',
      amount: 5,
      clientOrderId: 'entry-LINK-1',
    });
    expect(retry).toEqual(first);
    expect((await exchange.fetchPositions())[0].size).toBe(5);
  });

  it('sets stops from the order, validates them, and fires a stop-loss at its price', async () => {
    const clock = new ManualClock(START);
    const exchange = newExchange(clock);
    const price = exchange.currentPrice('ETH');
    await expect(
      exchange.createMarketOrder({ symbol: 'ETH', side: 'buy', amount: 1, stopLoss: price + 5 }),
    ).rejects.toThrow(/below the current price/);
    const open = await exchange.createMarketOrder({
      symbol: 'ETH',
      side: 'buy',
      amount: 1,
      stopLoss: price * 0.9,
      takeProfit: price * 1.5,
    });
    expect((await exchange.fetchPositions())[0]).toMatchObject({
      stopLoss: Math.round(price * 90) / 100,
      takeProfit: Math.round(price * 150) / 100,
    });
    await expect(exchange.setTradingStop('ETH', { stopLoss: price + 1 })).rejects.toBeInstanceOf(InvalidOrderError);
    await expect(exchange.setTradingStop('BTC', { stopLoss: 1 })).rejects.toThrow(/no open position/);

    const stop = Math.round((price - 0.5) * 100) / 100; // just below the current price
    await exchange.setTradingStop('ETH', { stopLoss: stop });
    const trade = runUntilClosed(exchange, clock, 20_000)!;
    expect(trade).toMatchObject({
      symbol: 'ETH',
      side: 'Long',
      size: 1,
      entryPrice: open.price,
      exitPrice: stop,
      reason: 'STOP_LOSS',
      closedAt: clock.now() - (clock.now() % MINUTE_MS),
    });
    // It fired in the first minute at or below the stop, not before.
    expect(exchange.market.price('ETH', trade.closedAt)).toBeLessThanOrEqual(stop);
    expect(exchange.market.price('ETH', trade.closedAt - MINUTE_MS)).toBeGreaterThan(stop);
    expect(trade.pnl).toBeCloseTo(stop - open.price! - open.fee - stop * FEE, 6);
    expect((await exchange.fetchBalance()).walletBalance).toBeCloseTo(10_000 + trade.pnl, 6);
    expect(await exchange.fetchPositions()).toEqual([]);
    expect(await exchange.fetchClosedTrades(0)).toEqual([trade]);
  });

  it('fires a take-profit on a short at its price', async () => {
    const clock = new ManualClock(START);
    const exchange = newExchange(clock);
    const open = await exchange.createMarketOrder({ symbol: 'SOL', side: 'sell', amount: 20 });
    const target = Math.round((exchange.currentPrice('SOL') - 0.05) * 100) / 100;
    await exchange.setTradingStop('SOL', { takeProfit: target });
    const trade = runUntilClosed(exchange, clock, 20_000)!;
    expect(trade).toMatchObject({ symbol: 'SOL', side: 'Short', exitPrice: target, reason: 'TAKE_PROFIT' });
    expect(exchange.market.price('SOL', trade.closedAt)).toBeLessThanOrEqual(target);
    expect(exchange.market.price('SOL', trade.closedAt - MINUTE_MS)).toBeGreaterThan(target);
    expect(trade.pnl).toBeCloseTo(20 * (open.price! - target) - open.fee - 20 * target * FEE, 6);
  });

  it('liquidates a high-leverage position at its liquidation price', async () => {
    const clock = new ManualClock(START);
    const exchange = newExchange(clock);
    await exchange.setLeverage('DOGE', 50);
    await exchange.createMarketOrder({ symbol: 'DOGE', side: 'sell', amount: 5000 });
    const [position] = await exchange.fetchPositions();
    expect(position.leverage).toBe(50);
    // 50x short: 1/50 - 0.5 % maintenance = 1.5 % above the entry.
    expect(position.liquidationPrice).toBeCloseTo(position.entryPrice * 1.015, 5);
    // An hour per step; tick() walks the minutes.
    const trade = runUntilClosed(exchange, clock, 24 * 365, 60 * MINUTE_MS)!;
    expect(trade).toMatchObject({
      symbol: 'DOGE',
      side: 'Short',
      reason: 'LIQUIDATION',
      exitPrice: position.liquidationPrice,
    });
    expect(exchange.market.price('DOGE', trade.closedAt)).toBeGreaterThanOrEqual(position.liquidationPrice!);
    expect(exchange.market.price('DOGE', trade.closedAt - MINUTE_MS)).toBeLessThan(position.liquidationPrice!);
    // The loss is most of the margin: 1.5 % of the notional plus fees.
    expect(trade.pnl).toBeLessThan(-0.7 * position.margin);
    expect(trade.pnl).toBeGreaterThan(-1.1 * position.margin);
  });

  it('catches stops crossed while the service was down (one long walk finds the first crossing minute)', async () => {
    const clock = new ManualClock(START);
    const exchange = newExchange(clock);
    await exchange.createMarketOrder({ symbol: 'AVAX', side: 'buy', amount: 10 });
    const price = exchange.currentPrice('AVAX');
    await exchange.setTradingStop('AVAX', {
      stopLoss: Math.round(price * 0.97 * 100) / 100,
      takeProfit: Math.round(price * 1.03 * 100) / 100,
    });
    const saved = JSON.parse(JSON.stringify(exchange.exportState()));

    const restartedClock = new ManualClock(START + 30 * 24 * 60 * MINUTE_MS);
    const restarted = newExchange(restartedClock);
    restarted.importState(saved);
    const positions = await restarted.fetchPositions(); // any call runs the trigger walk first
    const [trade] = await restarted.fetchClosedTrades(START);

    // Brute force: the first minute after the save where the price reached either level.
    const { stopLoss, takeProfit } = saved.positions[0];
    let expectedMinute: number | null = null;
    for (let t = START - (START % MINUTE_MS) + MINUTE_MS; t <= restartedClock.now(); t += MINUTE_MS) {
      const p = restarted.market.price('AVAX', t);
      if (p <= stopLoss || p >= takeProfit) {
        expectedMinute = t;
        break;
      }
    }
    expect(expectedMinute).not.toBeNull();
    expect(positions).toEqual([]);
    expect(trade.closedAt).toBe(expectedMinute);
    expect(trade.exitPrice).toBe(trade.reason === 'STOP_LOSS' ? stopLoss : takeProfit);
  });

  it('round-trips its account through exportState / importState', async () => {
    const clock = new ManualClock(START);
    const exchange = newExchange(clock);
    await exchange.setLeverage('BNB', 20);
    await exchange.createMarketOrder({ symbol: 'BNB', side: 'sell', amount: 1, clientOrderId: 'c-1' });
    await exchange.createMarketOrder({ symbol: 'ADA', side: 'buy', amount: 300 });
    await exchange.closePosition('ADA');
    clock.advance(45 * MINUTE_MS);
    const state = JSON.parse(JSON.stringify(exchange.exportState()));
    expect(state).toMatchObject({ version: 1, leverage: { BNB: 20 }, processedOrders: [{ clientOrderId: 'c-1' }] });
    expect(state.closedTrades).toHaveLength(1);

    const copy = newExchange(new ManualClock(clock.now()));
    copy.importState(state);
    expect(await copy.fetchPositions()).toEqual(await exchange.fetchPositions());
    expect(await copy.fetchBalance()).toEqual(await exchange.fetchBalance());
    expect(await copy.fetchClosedTrades(0)).toEqual(await exchange.fetchClosedTrades(0));
    expect(await copy.createMarketOrder({ symbol: 'BNB', side: 'sell', amount: 1, clientOrderId: 'c-1' })).toEqual(
      state.processedOrders[0].result,
    );
    expect(() => copy.importState({ ...state, positions: [{ ...state.positions[0], symbol: 'NOT_LISTED' }] })).toThrow(
      /not a paper market symbol/,
    );
  });
});
