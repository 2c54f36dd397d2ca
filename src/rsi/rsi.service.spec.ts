import { Logger } from '@nestjs/common';
import { ExchangeError, UnknownSymbolError } from '../exchange/exchange.errors';
import {
  OTHER_TIMEFRAME_CACHE_AGE_MS,
  OTHER_TIMEFRAME_CACHE_ENTRIES,
  REQUESTED_REFRESH_MIN_INTERVAL_MS,
  RsiService,
  TimeframeError,
} from './rsi.service';
import { calculateRsi, round2 } from './indicators/rsi';
import { POSITIONS_VIEW, type PositionsView } from './ports';
import { createMarketHarness, wave, type MarketHarness } from '../../test/support/market-harness';

const SIX_HOURS = 6 * 3600_000;
const coins = () => [
  { symbol: 'WAVE', path: wave(100) },
  { symbol: 'ALT', path: wave(5, 45, 0.15) },
  { symbol: 'YOUNG', history: 120, path: wave(2, 30) },
  { symbol: 'GONE', status: 'Closed' as const, path: wave(1) },
];

function closesOf(h: MarketHarness, symbol: string): number[] {
  return h.rsi.getCandles(symbol).map((c) => c.close);
}

describe('RsiService', () => {
  let h: MarketHarness;

  beforeAll(() => Logger.overrideLogger(['error']));

  beforeEach(async () => {
    h = await createMarketHarness(coins());
  });

  it('a full load fetches 1000 candles once per tradable coin and fills the table', async () => {
    const summary = await h.rsi.requestFullLoad('test');
    expect(summary).toMatchObject({ kind: 'full', total: 3, succeeded: 3, failed: 0 });
    expect(h.exchange.candleCalls.map((c) => c.symbol).sort()).toEqual(['ALT', 'WAVE', 'YOUNG']);
    for (const call of h.exchange.candleCalls) expect(call.options).toEqual({ limit: 1000 });
    expect(h.exchange.tickerCalls).toBe(1);
    expect(
      h.rsi
        .getCoins()
        .map((c) => c.symbol)
        .sort(),
    ).toEqual(['ALT', 'WAVE', 'YOUNG']);
    const wave = h.rsi.getCoin('WAVE')!;
    expect(wave.candles_count).toBe(1000);
    expect(wave.rsi).toBe(calculateRsi(closesOf(h, 'WAVE')));
    expect(wave.rsi6h).toBe(wave.rsi);
    expect(h.rsi.getCoin('YOUNG')!.candles_count).toBe(120);
    expect(h.rsi.getLoadProgress()).toMatchObject({
      total: 3,
      done: 3,
      failed: 0,
      inProgress: false,
      lastUpdate: h.clock.now(),
    });
    expect(h.rsi.stats()).toEqual({ total_coins: 3, successful_coins: 3, failed_coins: 0 });
    expect(h.rsi.firstRoundComplete).toBe(true);
  });

  it('between closes one tickers request moves every forming candle; no candles are fetched', async () => {
    await h.rsi.requestFullLoad();
    h.exchange.candleCalls.length = 0;
    const version = h.rsi.dataVersion;
    const before = closesOf(h, 'WAVE');
    h.exchange.livePrice.set('WAVE', 130);
    h.clock.advance(60_000);
    await h.rsi.runCycle('test');
    expect(h.exchange.candleCalls).toEqual([]);
    expect(h.exchange.tickerCalls).toBe(2);
    const expected = calculateRsi([...before.slice(0, -1), 130]);
    const record = h.rsi.getCoin('WAVE')!;
    expect(record.rsi).toBe(expected);
    expect(record.price).toBe(130);
    expect(record.change24h).toBe(1.5);
    expect(h.rsi.getCandles('WAVE').at(-1)!.high).toBeGreaterThanOrEqual(130);
    expect(round2(h.rsi.getMarketView('WAVE')!.analysis.history.at(-1)!)).toBe(expected);
    expect(h.rsi.dataVersion).toBeGreaterThan(version);
  });

  it("signal_candle 'closed': the record reads closed candles only; the forming candle's price moves nothing but price", async () => {
    await h.rsi.requestFullLoad();
    const closes = closesOf(h, 'WAVE');
    expect(h.rsi.getCoin('WAVE')!.rsi).toBe(calculateRsi(closes));
    await h.autoBot.update({ signal_candle: 'closed' }); // recomputes every coin from the stored candles
    const closedRsi = calculateRsi(closes.slice(0, -1));
    expect(h.rsi.getCoin('WAVE')).toMatchObject({ rsi: closedRsi, candles_count: 999 });
    expect(h.rsi.getMarketView('WAVE')!.series.length).toBe(999);
    expect(h.rsi.getCandles('WAVE')).toHaveLength(1000); // the stored candles keep the forming one
    h.exchange.livePrice.set('WAVE', 130);
    h.clock.advance(60_000);
    await h.rsi.runCycle('test');
    expect(h.rsi.getCoin('WAVE')).toMatchObject({ rsi: closedRsi, price: 130 });
    // At the close the formerly forming candle counts, with its final close.
    h.clock.advance(3 * 3600_000);
    await h.rsi.runCycle('test');
    const after = closesOf(h, 'WAVE');
    expect(h.rsi.getCoin('WAVE')!.rsi).toBe(calculateRsi(after.slice(0, -1)));
    expect(after.slice(0, -1).at(-1)).not.toBe(130);
  });

  it('after a candle close only the new candles are fetched (since = last candle time)', async () => {
    await h.rsi.requestFullLoad();
    const lastTimes = new Map(['WAVE', 'ALT', 'YOUNG'].map((s) => [s, h.rsi.getCandles(s).at(-1)!.time]));
    h.exchange.candleCalls.length = 0;
    h.clock.advance(4 * 3600_000); // 03:00 → 07:00: the 00:00 candle closed
    expect(h.rsi.symbolsWithClosedCandle().sort()).toEqual(['ALT', 'WAVE', 'YOUNG']);
    await h.rsi.runCycle('test');
    expect(h.exchange.candleCalls).toHaveLength(3);
    for (const call of h.exchange.candleCalls) {
      expect(call.options).toEqual({ since: lastTimes.get(call.symbol), limit: 1000 });
    }
    const candles = h.rsi.getCandles('WAVE');
    expect(candles).toHaveLength(1000);
    expect(candles.at(-1)!.time).toBe(lastTimes.get('WAVE')! + SIX_HOURS);
    // Same numbers as a fresh load of the newest 1000 candles.
    const fresh = (await h.exchange.fetchCandles('WAVE', '6h', { limit: 1000 })).map((c) => c.close);
    expect(h.rsi.getCoin('WAVE')!.rsi).toBe(calculateRsi(fresh));
    expect(h.rsi.getCandles('YOUNG')).toHaveLength(121);
    expect(h.rsi.symbolsWithClosedCandle()).toEqual([]);
  });

  it('a rate-limit answer is retried later; a failing coin never stops the others', async () => {
    h.exchange.rateLimitOnce('WAVE');
    h.exchange.failNext.set('ALT', [new ExchangeError('invalid symbol')]);
    const summary = await h.rsi.requestFullLoad();
    expect(summary).toMatchObject({ total: 3, succeeded: 2, failed: 1 });
    expect(h.exchange.candleCalls.filter((c) => c.symbol === 'WAVE')).toHaveLength(2);
    expect(h.rsi.getCoin('WAVE')!.rsi).not.toBeNull();
    expect(h.rsi.getCoin('ALT')).toBeUndefined();
    expect(h.rsi.getLoadProgress()).toMatchObject({ total: 3, done: 3, failed: 1 });
    expect(h.rsi.stats()).toEqual({ total_coins: 3, successful_coins: 2, failed_coins: 1 });
  });

  it('switching the timeframe clears the table at once and reloads on the new timeframe', async () => {
    await h.rsi.requestFullLoad();
    await expect(h.rsi.setTimeframe('8h')).rejects.toThrow(TimeframeError);
    await expect(h.rsi.setTimeframe('2m')).rejects.toThrow(TimeframeError);
    h.exchange.candleCalls.length = 0;
    let coinsAtSwitch = -1;
    h.rsi.onTimeframeChange(() => (coinsAtSwitch = h.rsi.coinsCount()));
    const result = await h.rsi.setTimeframe('1h');
    expect(result).toEqual({ old_timeframe: '6h', new_timeframe: '1h', changed: true });
    expect(h.rsi.timeframe).toBe('1h');
    expect(h.system.timeframe).toBe('1h');
    expect(coinsAtSwitch).toBe(0);
    await h.rsi.requestFullLoad();
    expect(h.exchange.candleCalls.every((c) => c.timeframe === '1h')).toBe(true);
    const record = h.rsi.getCoin('WAVE')!;
    expect(record.rsi1h).toBe(record.rsi);
    expect(record).not.toHaveProperty('rsi6h');
  });

  it('a restart serves the saved cache at once, with no entry signal until live data arrives', async () => {
    await h.rsi.requestFullLoad();
    await h.rsi.flush();
    const again = new RsiService(
      h.exchangeService,
      h.system,
      h.autoBot,
      h.individual,
      h.store,
      { register: () => undefined } as never,
      h.clock,
    );
    await again.onModuleInit();
    expect(
      again
        .getCoins()
        .map((c) => c.symbol)
        .sort(),
    ).toEqual(['ALT', 'WAVE', 'YOUNG']);
    expect(again.getCoin('WAVE')!.rsi).toBe(h.rsi.getCoin('WAVE')!.rsi);
    expect(again.getCoin('WAVE')!.effective_signal).toBe('WAIT');
    expect(again.cacheInfo()).toMatchObject({ cache_exists: true, data_source: 'cache' });
    expect(again.firstRoundComplete).toBe(false);
    // Older than 6 h: not served.
    h.clock.advance(7 * 3600_000);
    const stale = new RsiService(
      h.exchangeService,
      h.system,
      h.autoBot,
      h.individual,
      h.store,
      { register: () => undefined } as never,
      h.clock,
    );
    await stale.onModuleInit();
    expect(stale.coinsCount()).toBe(0);
  });

  it('computeRsiFor another timeframe fetches that timeframe once and caches it briefly', async () => {
    await h.rsi.requestFullLoad();
    h.exchange.candleCalls.length = 0;
    const rsi1h = await h.rsi.computeRsiFor('WAVE', '1h');
    const oneHour = (await h.exchange.fetchCandles('WAVE', '1h', { limit: 1000 })).map((c) => c.close);
    expect(rsi1h).toBe(calculateRsi(oneHour));
    const calls = h.exchange.candleCalls.length;
    expect(await h.rsi.computeRsiFor('WAVE', '1h')).toBe(rsi1h);
    expect(h.exchange.candleCalls.length).toBe(calls);
    expect(h.rsi.getCandles('WAVE', '1h')).toHaveLength(1000);
    expect(await h.rsi.computeRsiFor('WAVE', '6h')).toBe(h.rsi.getCoin('WAVE')!.rsi);
  });

  it('refreshSymbol reloads one coin; an unknown symbol is refused', async () => {
    await h.rsi.requestFullLoad();
    h.exchange.candleCalls.length = 0;
    const record = await h.rsi.refreshSymbol('ALT');
    expect(record.symbol).toBe('ALT');
    expect(h.exchange.candleCalls.map((c) => c.symbol)).toEqual(['ALT']);
    await expect(h.rsi.refreshSymbol('NOPE')).rejects.toThrow(UnknownSymbolError);
  });

  it("concurrent refreshes of a coin share one exchange request; a caller's refresh is served from memory for 10 s", async () => {
    await h.rsi.requestFullLoad();
    h.exchange.candleCalls.length = 0;
    const tickersBefore = h.exchange.tickerCalls;
    const records = await Promise.all(Array.from({ length: 50 }, () => h.rsi.refreshOnRequest('ALT')));
    expect(new Set(records).size).toBe(1);
    expect(h.exchange.candleCalls.map((c) => c.symbol)).toEqual(['ALT']);
    expect(h.exchange.tickerCalls - tickersBefore).toBe(1);
    h.clock.advance(REQUESTED_REFRESH_MIN_INTERVAL_MS);
    await h.rsi.refreshOnRequest('ALT');
    expect(h.exchange.candleCalls).toHaveLength(1);
    h.clock.advance(1);
    await h.rsi.refreshOnRequest('ALT');
    expect(h.exchange.candleCalls).toHaveLength(2);
  });

  it("candles of other timeframes are dropped once older than the cache's age bound", async () => {
    await h.rsi.requestFullLoad();
    const timeframes = ['1m', '5m', '15m', '30m', '1h', '2h', '4h', '12h', '1d'] as const;
    for (const timeframe of timeframes) {
      for (const symbol of ['WAVE', 'ALT']) await h.rsi.fetchCandlesFor(symbol, timeframe);
    }
    expect(h.rsi.otherTimeframeCacheSize).toBe(timeframes.length * 2);
    h.clock.advance(OTHER_TIMEFRAME_CACHE_AGE_MS + 1);
    await h.rsi.fetchCandlesFor('WAVE', '1h');
    expect(h.rsi.otherTimeframeCacheSize).toBe(1);
    expect(OTHER_TIMEFRAME_CACHE_ENTRIES).toBe(1000);
  });

  it('the POSITIONS_VIEW port fills has_existing_position and manual positions; without it nothing is held', async () => {
    await h.rsi.requestFullLoad();
    expect(h.rsi.getCoin('ALT')!.has_existing_position).toBe(false);
    expect(await h.rsi.manualPositions()).toEqual([]);
    const view: PositionsView = { openPositionSymbols: () => ['ALT'], manualPositionSymbols: async () => ['ALT'] };
    h.ports.set(POSITIONS_VIEW, view);
    await h.rsi.requestFullLoad();
    expect(h.rsi.getCoin('ALT')!.has_existing_position).toBe(true);
    expect(h.rsi.getCoin('WAVE')!.has_existing_position).toBe(false);
    expect(await h.rsi.manualPositions()).toEqual(['ALT']);
  });
});
