import type { Candle, CandleColumns, Timeframe } from '../exchange.types';
import { FETCHABLE_TIMEFRAMES, TIMEFRAME_MS, candlesToColumns } from '../exchange.types';
import { CANDLE_MS, MINUTE_MS, PaperMarket, periodStart } from './market-sim';
import { YOUNG_MAX_CANDLES, YOUNG_MIN_CANDLES, buildUniverse, tradingRules } from './symbols';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Mid-candle on purpose: 2 h 17 min 30 s into the 00:00 candle of 2026-01-01. */
const NOW = Date.UTC(2026, 0, 1) + 2 * HOUR + 17 * MINUTE_MS + 30_000;

/** Wilder RSI(14) as docs/trading-logic.md §2.1 defines it (simple-mean seed, then (avg*13 + x)/14). */
function wilderRsiHistory(closes: number[], period = 14): number[] {
  if (closes.length < period + 1) return [];
  let gain = 0;
  let loss = 0;
  for (let i = 1; i <= period; i++) {
    const d = closes[i] - closes[i - 1];
    if (d > 0) gain += d;
    else loss -= d;
  }
  gain /= period;
  loss /= period;
  const out: number[] = [];
  for (let i = period + 1; i < closes.length; i++) {
    const d = closes[i] - closes[i - 1];
    gain = (gain * (period - 1) + Math.max(d, 0)) / period;
    loss = (loss * (period - 1) + Math.max(-d, 0)) / period;
    out.push(loss === 0 ? 100 : 100 - 100 / (1 + gain / loss));
  }
  return out;
}

/** Problems in a candle series (empty when valid); checked in plain code, since 540k expect() calls are slow. */
function seriesProblems(candles: Candle[], tf: Timeframe, now: number, price: number): string[] {
  const problems: string[] = [];
  if (candles.length === 0) return ['no candles'];
  for (let i = 0; i < candles.length; i++) {
    const c = candles[i];
    const at = `${tf} #${i}`;
    if (!(c.low <= Math.min(c.open, c.close) && c.high >= Math.max(c.open, c.close))) {
      problems.push(`${at}: OHLC out of order ${JSON.stringify(c)}`);
    }
    if (!(c.low > 0) || !(c.volume >= 0)) problems.push(`${at}: non-positive low or negative volume`);
    if (i > 0 && !(c.time > candles[i - 1].time)) problems.push(`${at}: not sorted`);
    if (i > 0 && tf !== '1M' && tf !== '1w' && c.time - candles[i - 1].time !== TIMEFRAME_MS[tf]) {
      problems.push(`${at}: gap`);
    }
  }
  const last = candles[candles.length - 1];
  if (last.time > now) problems.push('last candle opens after now');
  if (last.close !== price) problems.push(`last close ${last.close} != price ${price}`);
  return problems;
}

describe('PaperMarket', () => {
  const market = new PaperMarket(42, 540);
  const trading = market.specs.filter((s) => s.status === 'Trading');

  describe('instruments', () => {
    it('lists at least 500 USDT perpetuals, well-known names first, unique tickers', () => {
      expect(market.specs).toHaveLength(540);
      expect(market.specs.slice(0, 6).map((s) => s.symbol)).toEqual(['BTC', 'ETH', 'SOL', 'XRP', 'DOGE', '1000PEPE']);
      expect(new Set(market.specs.map((s) => s.symbol)).size).toBe(540);
      expect(trading.length).toBeGreaterThanOrEqual(500);
      for (const s of market.specs) {
        expect(s.symbol).toMatch(/^[0-9A-Z]{2,12}$/);
        expect(s.exchangeSymbol).toBe(`${s.symbol}USDT`);
      }
    });

    it('has a few delisted / delivering markets, and names that do not depend on the seed', () => {
      const other = buildUniverse(7, 540);
      const nonTrading = market.specs.filter((s) => s.status !== 'Trading');
      expect(nonTrading.length).toBeGreaterThanOrEqual(2);
      expect(nonTrading.length).toBeLessThanOrEqual(4);
      expect(new Set(nonTrading.map((s) => s.status))).toEqual(new Set(['Closed', 'Delivering']));
      expect(other.map((s) => s.symbol)).toEqual(market.specs.map((s) => s.symbol));
      expect(other.map((s) => s.status)).toEqual(market.specs.map((s) => s.status));
    });

    it('derives tick, qty step and leverage from the price level', () => {
      expect(tradingRules(80_000)).toEqual({ tickSize: 0.1, priceDecimals: 1, qtyStep: 0.0001, qtyDecimals: 4 });
      expect(tradingRules(3100)).toEqual({ tickSize: 0.01, priceDecimals: 2, qtyStep: 0.001, qtyDecimals: 3 });
      expect(tradingRules(0.15)).toEqual({ tickSize: 0.00001, priceDecimals: 5, qtyStep: 10, qtyDecimals: 0 });
      for (const s of market.specs) {
        const price = market.price(s.symbol, NOW);
        expect(price / s.tickSize).toBeGreaterThan(1e3);
        expect(price / s.tickSize).toBeLessThan(1e7);
        expect(s.qtyStep * s.basePrice).toBeGreaterThanOrEqual(1);
        expect(s.qtyStep * s.basePrice).toBeLessThan(10);
        expect(s.minOrderQty).toBe(s.qtyStep);
        expect(s.minNotional).toBe(5);
        expect(s.maxLeverage).toBeGreaterThanOrEqual(25);
        expect(s.maxLeverage).toBeLessThanOrEqual(100);
      }
    });

    it('keeps realistic price levels', () => {
      const btc = market.candles('BTC', '6h', {}, NOW).map((c) => c.close);
      expect(Math.min(...btc)).toBeGreaterThan(50_000);
      expect(Math.max(...btc)).toBeLessThan(130_000);
      const eth = market.price('ETH', NOW);
      expect(eth).toBeGreaterThan(1500);
      expect(eth).toBeLessThan(6000);
      const generated = market.specs.slice(100).map((s) => market.price(s.symbol, NOW));
      expect(Math.min(...generated)).toBeLessThan(0.001);
      expect(Math.max(...generated)).toBeLessThan(100);
    });
  });

  describe('determinism', () => {
    it('gives the same candles for the same seed and time, different ones for another seed', () => {
      const again = new PaperMarket(42, 540);
      const other = new PaperMarket(43, 540);
      for (const symbol of ['BTC', 'DOGE', market.specs[333].symbol]) {
        expect(again.candles(symbol, '6h', {}, NOW)).toEqual(market.candles(symbol, '6h', {}, NOW));
        expect(again.candles(symbol, '15m', { limit: 200 }, NOW)).toEqual(
          market.candles(symbol, '15m', { limit: 200 }, NOW),
        );
        expect(other.candles(symbol, '6h', { limit: 50 }, NOW).map((c) => c.close)).not.toEqual(
          market.candles(symbol, '6h', { limit: 50 }, NOW).map((c) => c.close),
        );
      }
    });

    it('does not depend on call order or on what was generated before', () => {
      const later = NOW + 1500 * CANDLE_MS + 123 * MINUTE_MS;
      const fresh = new PaperMarket(42, 540);
      const expected = fresh.candles('SOL', '6h', {}, NOW);
      const expectedPrice = fresh.price('SOL', later);

      const busy = new PaperMarket(42, 540);
      busy.candles('SOL', '6h', {}, later); // future blocks first
      busy.candles('SOL', '1w', {}, NOW); // years of history evict the caches
      busy.candles('SOL', '1h', {}, later - 3 * CANDLE_MS);
      expect(busy.candles('SOL', '6h', {}, NOW)).toEqual(expected);
      expect(busy.price('SOL', later)).toBe(expectedPrice);
    });
  });

  describe('6h candles', () => {
    it('serve 1000 candles for mature coins with valid OHLC, contiguous, the last one forming at the clock time', () => {
      let mature = 0;
      const problems: string[] = [];
      for (const spec of market.specs) {
        const candles = market.candles(spec.symbol, '6h', {}, NOW);
        const price = market.price(spec.symbol, NOW);
        problems.push(...seriesProblems(candles, '6h', NOW, price).map((p) => `${spec.symbol} ${p}`));
        if (candles[candles.length - 1].time !== Math.floor(NOW / CANDLE_MS) * CANDLE_MS) {
          problems.push(`${spec.symbol}: last candle is not the forming one`);
        }
        for (let i = 1; i < candles.length; i++) {
          if (candles[i].open !== candles[i - 1].close) problems.push(`${spec.symbol} #${i}: open != previous close`);
        }
        if (candles.length === 1000) mature++;
      }
      expect(problems).toEqual([]);
      expect(mature / market.specs.length).toBeGreaterThan(0.85);
    });

    it('has ~8 % young coins with 50-399 candles whose launchTime is their first candle', () => {
      const young = trading.filter((s) => market.candles(s.symbol, '6h', {}, NOW).length < 400);
      expect(young.length / trading.length).toBeGreaterThan(0.04);
      expect(young.length / trading.length).toBeLessThan(0.13);
      for (const spec of young) {
        const candles = market.candles(spec.symbol, '6h', {}, NOW);
        expect(candles.length).toBeGreaterThanOrEqual(YOUNG_MIN_CANDLES);
        expect(candles.length).toBeLessThanOrEqual(YOUNG_MAX_CANDLES);
        expect(market.marketInfo(spec, NOW).launchTime).toBe(candles[0].time);
        expect(market.candles(spec.symbol, '6h', { since: 0 }, NOW)).toHaveLength(candles.length);
      }
      // Majors are never young.
      for (const symbol of ['BTC', 'ETH', 'SOL']) expect(market.candles(symbol, '6h', {}, NOW)).toHaveLength(1000);
    });

    it('puts several coins in each RSI zone at any time (3-8 % on average), and most coins mature', () => {
      const lowShares: number[] = [];
      const highShares: number[] = [];
      for (const offset of [0, 30, 200]) {
        const at = NOW + offset * CANDLE_MS;
        let low = 0;
        let high = 0;
        let counted = 0;
        let oscillated = 0;
        for (const spec of trading) {
          const candles = market.candles(spec.symbol, '6h', {}, at);
          if (candles.length < 400) continue;
          const history = wilderRsiHistory(candles.map((c) => c.close));
          const rsi = history[history.length - 1];
          counted++;
          if (rsi <= 29) low++;
          if (rsi >= 71) high++;
          const window = history.slice(-400);
          if (Math.min(...window) <= 35 && Math.max(...window) >= 65) oscillated++;
        }
        lowShares.push(low / counted);
        highShares.push(high / counted);
        // Several coins in each zone, never a market where everything is extreme.
        expect(low).toBeGreaterThanOrEqual(8);
        expect(high).toBeGreaterThanOrEqual(8);
        expect(low / counted).toBeLessThan(0.12);
        expect(high / counted).toBeLessThan(0.12);
        expect(oscillated / counted).toBeGreaterThan(0.9);
      }
      // At "now" itself, and on average, inside the 3-8 % target.
      for (const shares of [lowShares, highShares]) {
        expect(shares[0]).toBeGreaterThanOrEqual(0.03);
        expect(shares[0]).toBeLessThanOrEqual(0.08);
        const mean = shares.reduce((a, b) => a + b, 0) / shares.length;
        expect(mean).toBeGreaterThanOrEqual(0.03);
        expect(mean).toBeLessThanOrEqual(0.08);
      }
    });

    it('has pump candles (body > 15 %) so the exit-scam filter fires on some coins', () => {
      let recent = 0;
      let ever = 0;
      for (const spec of trading) {
        const candles = market.candles(spec.symbol, '6h', {}, NOW);
        const pump = (c: Candle) => Math.abs(c.close - c.open) / c.open > 0.15;
        if (candles.slice(-8).some(pump)) recent++;
        if (candles.some(pump)) ever++;
      }
      expect(recent).toBeGreaterThanOrEqual(2);
      expect(recent / trading.length).toBeLessThan(0.1);
      expect(ever / trading.length).toBeGreaterThan(0.3);
    });

    it('honours limit and since', () => {
      const all = market.candles('BTC', '6h', {}, NOW);
      expect(market.candles('BTC', '6h', { limit: 20 }, NOW)).toEqual(all.slice(-20));
      expect(market.candles('BTC', '6h', { limit: 5000 }, NOW)).toHaveLength(1000);
      const since = all[990].time;
      expect(market.candles('BTC', '6h', { since }, NOW)).toEqual(all.slice(990));
      // Between two open times: only candles opening at or after `since`.
      expect(market.candles('BTC', '6h', { since: since + 1 }, NOW)).toEqual(all.slice(991));
      expect(market.candles('BTC', '6h', { since: NOW + CANDLE_MS }, NOW)).toEqual([]);
    });
  });

  describe('time', () => {
    it('moves the price minute by minute inside the forming candle, within its range', () => {
      const k = Math.floor(NOW / CANDLE_MS);
      const prices: number[] = [];
      for (let m = 0; m < 360; m++) prices.push(market.price('XRP', k * CANDLE_MS + m * MINUTE_MS));
      expect(new Set(prices).size).toBeGreaterThan(100);
      // Within a minute the price holds.
      expect(market.price('XRP', k * CANDLE_MS + 30 * MINUTE_MS + 59_999)).toBe(prices[30]);
      const candle = market.candles('XRP', '6h', {}, (k + 1) * CANDLE_MS).at(-2)!;
      expect(candle.time).toBe(k * CANDLE_MS);
      expect(Math.max(...prices)).toBe(candle.high);
      expect(Math.min(...prices)).toBe(candle.low);
      expect(prices[0]).toBe(candle.open);
      expect(prices[359]).toBe(candle.close);
      // Small steps: no minute moves more than a few percent.
      for (let m = 1; m < 360; m++) expect(Math.abs(prices[m] / prices[m - 1] - 1)).toBeLessThan(0.03);
    });

    it('grows the forming candle and opens new candles as the clock advances', () => {
      const k = Math.floor(NOW / CANDLE_MS);
      const start = k * CANDLE_MS;
      let previous: Candle | null = null;
      for (let m = 0; m < 360; m += 7) {
        const at = start + m * MINUTE_MS;
        const forming = market.candles('ADA', '6h', { limit: 1 }, at)[0];
        expect(forming.time).toBe(start);
        expect(forming.close).toBe(market.price('ADA', at));
        if (previous) {
          expect(forming.open).toBe(previous.open);
          expect(forming.high).toBeGreaterThanOrEqual(previous.high);
          expect(forming.low).toBeLessThanOrEqual(previous.low);
          expect(forming.volume).toBeGreaterThanOrEqual(previous.volume);
        }
        previous = forming;
      }
      const before = market.candles('ADA', '6h', {}, NOW);
      const after = market.candles('ADA', '6h', {}, NOW + 3 * CANDLE_MS);
      expect(after.at(-1)!.time).toBe(before.at(-1)!.time + 3 * CANDLE_MS);
      // History is immutable: the candles that were complete before are unchanged.
      expect(after.slice(0, -4).slice(-990)).toEqual(before.slice(3, -1).slice(-990));
    });
  });

  describe('other timeframes', () => {
    it('serves every fetchable timeframe with valid candles ending at the current price', () => {
      const price = market.price('LINK', NOW);
      for (const tf of FETCHABLE_TIMEFRAMES) {
        const candles = market.candles('LINK', tf, { limit: 300 }, NOW);
        expect(seriesProblems(candles, tf, NOW, price)).toEqual([]);
        expect(candles.at(-1)!.time).toBe(periodStart(tf, NOW));
        expect(candles.length).toBeLessThanOrEqual(300);
      }
      expect(market.candles('LINK', '1m', {}, NOW)).toHaveLength(1000);
      expect(market.candles('LINK', '4h', {}, NOW)).toHaveLength(1000);
    });

    it('builds lower timeframes from the minute path: they aggregate exactly to the 6h candles', () => {
      const six = market.candles('AVAX', '6h', { limit: 30 }, NOW).slice(0, -1);
      const qtyStep = market.spec('AVAX')!.qtyStep;
      for (const tf of ['1h', '30m', '2h'] as const) {
        const lower = market.candles('AVAX', tf, { since: six[0].time }, NOW);
        for (const candle of six) {
          const parts = lower.filter((c) => c.time >= candle.time && c.time < candle.time + CANDLE_MS);
          expect(parts.length).toBe(CANDLE_MS / TIMEFRAME_MS[tf]);
          expect(parts[0].open).toBe(candle.open);
          expect(parts.at(-1)!.close).toBe(candle.close);
          expect(Math.max(...parts.map((c) => c.high))).toBe(candle.high);
          expect(Math.min(...parts.map((c) => c.low))).toBe(candle.low);
          // Each volume is rounded to the qty step on its own.
          expect(Math.abs(parts.reduce((sum, c) => sum + c.volume, 0) - candle.volume)).toBeLessThanOrEqual(
            parts.length * qtyStep,
          );
        }
      }
    });

    it('closes every candle at the price at its end, as the 6h candles: the close is the price a close-time order gets', () => {
      for (const tf of ['1m', '15m', '1h', '6h'] as const) {
        const candles = market.candles('AVAX', tf, { limit: 50 }, NOW);
        const step = TIMEFRAME_MS[tf];
        for (const candle of candles.slice(0, -1)) {
          expect({ tf, time: candle.time, open: candle.open }).toEqual({
            tf,
            time: candle.time,
            open: market.price('AVAX', candle.time),
          });
          expect({ tf, time: candle.time, close: candle.close }).toEqual({
            tf,
            time: candle.time,
            close: market.price('AVAX', candle.time + step),
          });
        }
        // The forming candle closes at the current price.
        expect(candles.at(-1)!.close).toBe(market.price('AVAX', NOW));
      }
    });

    it('aggregates 12h / 1d from 6h and aligns weeks on Monday and months on the 1st (UTC)', () => {
      const six = market.candles('BNB', '6h', { limit: 40 }, NOW);
      const days = market.candles('BNB', '1d', { limit: 5 }, NOW);
      for (const day of days) {
        const parts = six.filter((c) => c.time >= day.time && c.time < day.time + 86_400_000);
        if (parts.length === 0) continue;
        expect(day.open).toBe(parts[0].open);
        expect(day.close).toBe(parts.at(-1)!.close);
        expect(day.high).toBe(Math.max(...parts.map((c) => c.high)));
        expect(day.low).toBe(Math.min(...parts.map((c) => c.low)));
      }
      for (const week of market.candles('BNB', '1w', { limit: 20 }, NOW)) {
        expect(new Date(week.time).getUTCDay()).toBe(1);
      }
      for (const month of market.candles('BNB', '1M', { limit: 20 }, NOW)) {
        expect(new Date(month.time).getUTCDate()).toBe(1);
        expect(new Date(month.time).getUTCHours()).toBe(0);
      }
      // A monthly candle covers the whole history back to the listing, no further.
      const monthly = market.candles('BNB', '1M', {}, NOW);
      expect(monthly[0].time).toBeLessThanOrEqual(market.launchTime('BNB', NOW));
      expect(monthly[0].time).toBeGreaterThan(market.launchTime('BNB', NOW) - 31 * 86_400_000);
    });
  });

  describe('ticker', () => {
    it('reports last = forming close, a one-tick spread, and 24 h stats from the path', () => {
      for (const symbol of ['BTC', 'DOGE', market.specs[250].symbol]) {
        const spec = market.spec(symbol)!;
        const ticker = market.ticker(symbol, NOW);
        expect(ticker.last).toBe(market.candles(symbol, '6h', { limit: 1 }, NOW)[0].close);
        expect(ticker.mark).toBe(ticker.last);
        expect(ticker.bid).toBeCloseTo(ticker.last - spec.tickSize, 10);
        expect(ticker.ask).toBeCloseTo(ticker.last + spec.tickSize, 10);
        const minutes: number[] = [];
        for (let t = NOW - 1439 * MINUTE_MS; t <= NOW; t += MINUTE_MS) minutes.push(market.price(symbol, t));
        expect(ticker.high24h).toBe(Math.max(...minutes));
        expect(ticker.low24h).toBe(Math.min(...minutes));
        const dayAgo = market.price(symbol, NOW - 86_400_000);
        expect(ticker.change24hPercent).toBeCloseTo(((ticker.last - dayAgo) / dayAgo) * 100, 3);
        const candles = market.candles(symbol, '1h', { limit: 25 }, NOW);
        expect(ticker.volume24h).toBeGreaterThan(0);
        expect(ticker.volume24h).toBeLessThan(candles.reduce((s, c) => s + c.volume, 0) * 1.01);
        const averagePrice = ticker.turnover24h / ticker.volume24h;
        expect(averagePrice).toBeGreaterThan(ticker.low24h * 0.9);
        expect(averagePrice).toBeLessThan(ticker.high24h * 1.1);
        expect(ticker.timestamp).toBe(NOW);
      }
    });
  });

  describe('firstTouch', () => {
    it('finds the first minute at or beyond a level, as a minute-by-minute scan does', () => {
      const symbol = 'SUI';
      const s = market.symbol(symbol);
      const from = Math.floor(NOW / MINUTE_MS) - 5000;
      const to = from + 4000;
      const start = s.priceAt(from * MINUTE_MS);
      for (const [below, above] of [
        [start * 0.97, null],
        [null, start * 1.03],
        [start * 0.99, start * 1.01],
      ] as Array<[number | null, number | null]>) {
        let expected: number | null = null;
        for (let m = from; m <= to; m++) {
          const price = s.priceAt(m * MINUTE_MS);
          if ((below !== null && price <= below) || (above !== null && price >= above)) {
            expected = m;
            break;
          }
        }
        const touch = s.firstTouch(from, to, below, above);
        expect(touch?.minute ?? null).toBe(expected);
      }
      expect(s.firstTouch(from, to, null, null)).toBeNull();
    });
  });

  describe('candle columns (the coin load path)', () => {
    const columnsOf = (candles: Candle[]) => candlesToColumns(candles);

    it("gives exactly the candle objects' values for every timeframe, limit, since and until", () => {
      const young = market.specs.find((s) => s.youngPhase !== null)!.symbol;
      const queries = [
        {},
        { limit: 37 },
        { since: NOW - 40 * DAY },
        { until: NOW - 3 * DAY, limit: 50 },
        { since: NOW + CANDLE_MS },
      ];
      for (const symbol of ['BTC', 'DOGE', young]) {
        for (const tf of FETCHABLE_TIMEFRAMES) {
          for (const query of queries) {
            const fresh = new PaperMarket(42, 540);
            const objects = market.candles(symbol, tf, query, NOW);
            expect(fresh.candleColumns(symbol, tf, query, NOW)).toEqual(columnsOf(objects));
          }
        }
      }
    });

    it('keeps the values the simulator served before the columnar path (reference candles, seed 42)', () => {
      const btc = market.candleColumns('BTC', '6h', {}, NOW);
      expect(btc.length).toBe(1000);
      const row = (c: CandleColumns, i: number) => [c.time[i], c.open[i], c.high[i], c.low[i], c.close[i], c.volume[i]];
      expect(row(btc, 0)).toEqual([1745647200000, 83232.5, 83996.4, 83198.5, 83801.4, 25286.9911]);
      expect(row(btc, 500)).toEqual([1756447200000, 77842.6, 78791.1, 77838.3, 78367.6, 20504.2324]);
      expect(row(btc, 999)).toEqual([1767225600000, 93841.8, 93891.3, 93321.1, 93501.3, 12450.351]);
      // Sub-6h candles open at their first minute's price and close at the price at their end (since issue #10's
      // parity work; before, they opened at the previous minute's and closed one minute early).
      const quarter = market.candleColumns('BTC', '15m', { limit: 300 }, NOW);
      expect(row(quarter, 150)).toEqual([1767099600000, 93931.5, 94092.2, 93931.5, 93950.7, 200.189]);
      expect(row(quarter, 299)).toEqual([1767233700000, 93508.4, 93524.6, 93501.3, 93501.3, 256.5827]);
      const young = market.candleColumns('HBAR', '6h', {}, NOW);
      expect(young.length).toBe(369);
      expect(row(young, 0)).toEqual([1759276800000, 0.15573, 0.16175, 0.15393, 0.15998, 33163222]);
      expect(market.candles('ETH', '1d', { limit: 100 }, NOW)[50]).toEqual({
        time: 1762992000000,
        open: 2967.54,
        high: 3053.65,
        low: 2927.65,
        close: 3052.08,
        volume: 1828357.112,
      });
    });

    it('gives the same prices after a history read has dropped the old price blocks', () => {
      const reader = new PaperMarket(42, 540);
      const later = NOW + 5 * DAY + 17 * MINUTE_MS;
      reader.candleColumns('SOL', '6h', {}, NOW);
      expect(reader.ticker('SOL', later)).toEqual(market.ticker('SOL', later));
      expect(reader.candles('SOL', '6h', {}, NOW)).toEqual(market.candles('SOL', '6h', {}, NOW));
    });
  });
});
