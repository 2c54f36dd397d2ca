import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ManualClock } from '../../src/common/clock';
import { AutoBotConfigService } from '../../src/config/auto-bot-config.service';
import { IndividualSettingsService } from '../../src/config/individual-settings.service';
import { SystemConfigService } from '../../src/config/system-config.service';
import { ExchangeError, ExchangeRateLimitError } from '../../src/exchange/exchange.errors';
import { ExchangeService } from '../../src/exchange/exchange.service';
import {
  TIMEFRAME_MS,
  type Balance,
  type Candle,
  type FetchCandlesOptions,
  type InstrumentStatus,
  type MarketInfo,
  type OrderResult,
  type Ticker,
  type Timeframe,
} from '../../src/exchange/exchange.types';
import { DelistingService } from '../../src/filters/delisting.service';
import { FilterService } from '../../src/filters/filter.service';
import type { ClosedTradeInfo } from '../../src/filters/rules/loss-reentry';
import { MaturityService } from '../../src/maturity/maturity.service';
import { JsonStore } from '../../src/persistence/json-store.service';
import { StateRegistry } from '../../src/persistence/state-registry.service';
import { COIN_RECORD_ENRICHER } from '../../src/rsi/ports';
import { RsiService } from '../../src/rsi/rsi.service';
import { IdleAdapter } from '../fake-exchange/idle-adapter';

/** Close of candle `i` (0 = oldest of a 1000-candle history) for a coin; `forming` is the live price when given. */
export type PricePath = (i: number) => number;

export interface ScriptedCoin {
  symbol: string;
  status?: InstrumentStatus;
  /** Candles that exist up to now (the forming one included). Default 1000. */
  history?: number;
  path: PricePath;
}

export interface FetchCall {
  symbol: string;
  timeframe: Timeframe;
  options: FetchCandlesOptions;
}

/**
 * An exchange with scripted price paths on a manual clock, recording every call: enough to check what the RSI
 * service asks for (full history, only new candles, one tickers request) and how it copes with failures.
 */
export class ScriptedExchange extends IdleAdapter {
  readonly name = 'scripted';
  readonly candleCalls: FetchCall[] = [];
  tickerCalls = 0;
  /** Prices the tickers report (symbol → last); otherwise the close of the forming candle. */
  readonly livePrice = new Map<string, number>();
  /** Errors to throw on the next fetchCandles of a symbol (consumed one by one). */
  readonly failNext = new Map<string, Error[]>();
  private readonly coins = new Map<string, ScriptedCoin>();
  /** Candle index 999 opens at this time; later candles continue the path past 999. */
  readonly anchor: number;

  constructor(
    private readonly clock: ManualClock,
    coins: ScriptedCoin[],
    private readonly step = TIMEFRAME_MS['6h'],
  ) {
    super();
    for (const coin of coins) this.coins.set(coin.symbol, coin);
    this.anchor = Math.floor(clock.now() / step) * step;
  }

  async listMarkets(): Promise<MarketInfo[]> {
    return [...this.coins.values()].map((c) => ({
      symbol: c.symbol,
      exchangeSymbol: `${c.symbol}USDT`,
      status: c.status ?? 'Trading',
      tickSize: 0.0001,
      qtyStep: 0.001,
      minOrderQty: 0.001,
      minNotional: 5,
      maxLeverage: 50,
    }));
  }

  /** Index of the candle forming now (999 at construction time, growing as the clock moves). */
  formingIndex(step = this.step): number {
    return 999 + Math.floor((this.clock.now() - this.anchor) / step);
  }

  candle(coin: ScriptedCoin, i: number, step = this.step): Candle {
    const close = coin.path(i);
    const open = i > 0 ? coin.path(i - 1) : close;
    return {
      time: this.anchor + (i - 999) * step,
      open,
      high: Math.max(open, close) * 1.001,
      low: Math.min(open, close) * 0.999,
      close,
      volume: 1000,
    };
  }

  async fetchCandles(symbol: string, timeframe: Timeframe, options: FetchCandlesOptions = {}): Promise<Candle[]> {
    this.candleCalls.push({ symbol, timeframe, options: { ...options } });
    const queued = this.failNext.get(symbol);
    if (queued && queued.length > 0) throw queued.shift();
    const coin = this.coins.get(symbol);
    if (!coin) throw new ExchangeError(`unknown symbol ${symbol}`);
    const step = TIMEFRAME_MS[timeframe];
    const last = this.formingIndex(step);
    // The coin's first candle ever has index 1000 - history; requests return at most `limit` of the newest.
    const first = Math.max(1000 - (coin.history ?? 1000), last - (options.limit ?? 1000) + 1);
    const out: Candle[] = [];
    for (let i = first; i <= last; i++) {
      const candle = this.candle(coin, i, step);
      if (options.since !== undefined && candle.time < options.since) continue;
      out.push(candle);
    }
    return out;
  }

  async fetchTickers(): Promise<Map<string, Ticker>> {
    this.tickerCalls++;
    const map = new Map<string, Ticker>();
    for (const coin of this.coins.values()) {
      if ((coin.status ?? 'Trading') !== 'Trading') continue;
      const last = this.livePrice.get(coin.symbol) ?? coin.path(this.formingIndex());
      map.set(coin.symbol, {
        symbol: coin.symbol,
        last,
        bid: last,
        ask: last,
        mark: last,
        high24h: last,
        low24h: last,
        change24hPercent: 1.5,
        volume24h: 1,
        turnover24h: 1,
        timestamp: this.clock.now(),
      });
    }
    return map;
  }

  async createMarketOrder(): Promise<OrderResult> {
    throw new ExchangeError('not supported');
  }
  async fetchBalance(): Promise<Balance> {
    throw new ExchangeError('not supported');
  }

  rateLimitOnce(symbol: string): void {
    this.failNext.set(symbol, [
      ...(this.failNext.get(symbol) ?? []),
      new ExchangeRateLimitError('10006 too many visits', 'fetchCandles'),
    ]);
  }
}

export interface MarketHarness {
  clock: ManualClock;
  exchange: ScriptedExchange;
  exchangeService: ExchangeService;
  rsi: RsiService;
  maturity: MaturityService;
  filters: FilterService;
  /** The closed trades the loss re-entry filter sees (the TRADE_HISTORY port), by symbol. */
  trades: Map<string, ClosedTradeInfo[]>;
  delisting: DelistingService;
  autoBot: AutoBotConfigService;
  system: SystemConfigService;
  individual: IndividualSettingsService;
  store: JsonStore;
  dataDir: string;
  /** Port providers by token (POSITIONS_VIEW; COIN_RECORD_ENRICHER is the filter service). */
  ports: Map<symbol, unknown>;
}

/** The market-analysis services wired by hand around a scripted exchange (no Nest container, no timers). */
export async function createMarketHarness(
  coins: ScriptedCoin[],
  clock = new ManualClock(Date.UTC(2026, 0, 10, 3, 0)),
): Promise<MarketHarness> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'market-unit-'));
  const store = new JsonStore({ dataDir } as never);
  const system = new SystemConfigService(store);
  await system.onModuleInit();
  const autoBot = new AutoBotConfigService(store);
  await autoBot.onModuleInit();
  const individual = new IndividualSettingsService(store, autoBot, clock);
  await individual.onModuleInit();
  const registry = new StateRegistry();
  const exchange = new ScriptedExchange(clock, coins);
  const exchangeService = new ExchangeService(
    { name: 'paper', paper: { market: 'sim' } } as never,
    clock,
    store,
    registry,
    exchange,
  );
  await exchangeService.onModuleInit();
  // Stands in for Nest's ModuleRef: the ports the modules above provide (see src/rsi/ports.ts).
  const ports = new Map<symbol, unknown>();
  const moduleRef = {
    get: (token: symbol) => {
      if (!ports.has(token)) throw new Error('not provided');
      return ports.get(token);
    },
  } as never;
  const rsi = new RsiService(exchangeService, system, autoBot, individual, store, registry, clock, moduleRef);
  await rsi.onModuleInit();
  const maturity = new MaturityService(rsi, autoBot, store, registry, clock);
  await maturity.onModuleInit();
  const delisting = new DelistingService(exchangeService, store, clock);
  await delisting.onModuleInit();
  const trades = new Map<string, ClosedTradeInfo[]>();
  const filters = new FilterService(rsi, maturity, individual, exchangeService, delisting, {
    closedTradesOf: (symbol) => trades.get(symbol) ?? [],
  });
  ports.set(COIN_RECORD_ENRICHER, filters);
  return {
    clock,
    exchange,
    exchangeService,
    rsi,
    maturity,
    filters,
    trades,
    delisting,
    autoBot,
    system,
    individual,
    store,
    dataDir,
    ports,
  };
}

/** Price paths for tests: a slow wave that swings RSI through both maturity limits. */
export const wave =
  (base: number, period = 60, amplitude = 0.2): PricePath =>
  (i) =>
    base * (1 + amplitude * Math.sin((2 * Math.PI * i) / period));

/** The wave, then a steady slide of `percent` per candle over the last `candles` candles before `end`. */
export function slideAtEnd(base: number, candles: number, percent: number, end = 999): PricePath {
  const w = wave(base);
  return (i) => (i <= end - candles ? w(i) : w(end - candles) * (1 - percent / 100) ** (i - (end - candles)));
}

/** The wave, a calm stretch of ±0.1 % steps over the 100 candles before `at`, then one candle jumping `percent`. */
export function pumpAt(base: number, at: number, percent: number): PricePath {
  const w = wave(base);
  const calmFrom = at - 100;
  const calm = (i: number) => w(calmFrom) * (i % 2 === 0 ? 1 : 1.001);
  return (i) => (i < calmFrom ? w(i) : i < at ? calm(i) : calm(at - 1) * (1 + percent / 100));
}
