import * as ccxt from 'ccxt';
import { ExchangeNotReadyError } from '../exchange.errors';
import {
  binanceBalanceFigures,
  binanceMarketInfo,
  bybitBalanceFigures,
  bybitMarketInfo,
  CcxtExchange,
  fastBybitOhlcv,
  installFastBybitOhlcv,
  loadCcxtClass,
  ohlcvColumns,
  replaceApiOrigins,
  toPosition,
  toTicker,
} from './ccxt-exchange';

describe('replaceApiOrigins', () => {
  it('points every Bybit REST URL at the given origin', () => {
    const bybit = new ccxt.bybit();
    replaceApiOrigins(bybit.urls.api as never, 'http://127.0.0.1:5099/');
    expect(Object.values(bybit.urls.api as Record<string, string>)).toEqual(Array(5).fill('http://127.0.0.1:5099'));
  });

  it('keeps the paths of Binance URLs and only swaps scheme and host', () => {
    const binance = new ccxt.binanceusdm();
    replaceApiOrigins(binance.urls.api as never, 'https://mirror.example:8443');
    const api = binance.urls.api as Record<string, string>;
    expect(api.fapiPublic).toBe('https://mirror.example:8443/fapi/v1');
    expect(api.fapiPrivateV2).toBe('https://mirror.example:8443/fapi/v2');
  });

  it('walks nested URL objects', () => {
    const urls = {
      rest: { public: 'https://a.example/v1', private: 'https://b.example/v2/x' },
      plain: 'https://c.example',
    };
    replaceApiOrigins(urls, 'http://localhost:1');
    expect(urls).toEqual({
      rest: { public: 'http://localhost:1/v1', private: 'http://localhost:1/v2/x' },
      plain: 'http://localhost:1',
    });
  });
});

describe('market parsing', () => {
  it('reads Bybit status, filters, leverage and launch time from the raw instrument', () => {
    const market = {
      id: '1000PEPEUSDT',
      symbol: '1000PEPE/USDT:USDT',
      base: '1000PEPE',
      baseId: '1000PEPE',
      quote: 'USDT',
      settle: 'USDT',
      swap: true,
      linear: true,
      active: false,
      precision: { price: 0.0000001, amount: 100 },
      limits: { amount: { min: 100 } },
      info: {
        symbol: '1000PEPEUSDT',
        status: 'PreLaunch',
        launchTime: '1683187200000',
        priceFilter: { tickSize: '0.0000001' },
        lotSizeFilter: { qtyStep: '100', minOrderQty: '100', minNotionalValue: '5' },
        leverageFilter: { maxLeverage: '25.00' },
      },
    };
    expect(bybitMarketInfo(market as never)).toEqual({
      symbol: '1000PEPE',
      exchangeSymbol: '1000PEPEUSDT',
      status: 'PreLaunch',
      tickSize: 0.0000001,
      qtyStep: 100,
      minOrderQty: 100,
      minNotional: 5,
      maxLeverage: 25,
      launchTime: 1683187200000,
    });
  });

  it('falls back to ccxt fields and defaults when Bybit leaves fields out', () => {
    const market = {
      id: 'XUSDT',
      symbol: 'X/USDT:USDT',
      base: 'X',
      baseId: 'X',
      quote: 'USDT',
      settle: 'USDT',
      swap: true,
      linear: true,
      active: true,
      precision: { price: 0.001, amount: 0.1 },
      limits: { amount: { min: 0.1 }, leverage: {} },
      info: { status: 'Trading' },
    };
    expect(bybitMarketInfo(market as never)).toEqual({
      symbol: 'X',
      exchangeSymbol: 'XUSDT',
      status: 'Trading',
      tickSize: 0.001,
      qtyStep: 0.1,
      minOrderQty: 0.1,
      minNotional: 5,
      maxLeverage: 20,
      launchTime: undefined,
    });
  });

  it('reads Binance filters and maps its statuses', () => {
    const market = {
      id: 'BTCUSDT',
      symbol: 'BTC/USDT:USDT',
      base: 'BTC',
      baseId: 'BTC',
      quote: 'USDT',
      settle: 'USDT',
      swap: true,
      linear: true,
      limits: { leverage: { max: 125 } },
      precision: {},
      info: {
        status: 'SETTLING',
        onboardDate: '1569398400000',
        filters: [
          { filterType: 'PRICE_FILTER', tickSize: '0.10' },
          { filterType: 'LOT_SIZE', stepSize: '0.001', minQty: '0.001' },
          { filterType: 'MARKET_LOT_SIZE', stepSize: '0.001', minQty: '0.001' },
          { filterType: 'MIN_NOTIONAL', notional: '100' },
        ],
      },
    };
    expect(binanceMarketInfo(market as never)).toEqual({
      symbol: 'BTC',
      exchangeSymbol: 'BTCUSDT',
      status: 'Settling',
      tickSize: 0.1,
      qtyStep: 0.001,
      minOrderQty: 0.001,
      minNotional: 100,
      maxLeverage: 125,
      launchTime: 1569398400000,
    });
  });
});

describe('toPosition', () => {
  const row = {
    symbol: 'ETH/USDT:USDT',
    side: 'short',
    contracts: 0.5,
    entryPrice: 2000,
    markPrice: 1980,
    leverage: 10,
    unrealizedPnl: 10,
    realizedPnl: -0.3,
    stopLossPrice: 0,
    takeProfitPrice: 1800,
    liquidationPrice: 2150,
    notional: 990,
    initialMargin: 100,
    timestamp: 1700000000000,
    lastUpdateTimestamp: 1700000100000,
    info: {},
  };

  it('maps a ccxt position, a zero stop becoming null', () => {
    expect(toPosition('ETH', row as never)).toEqual({
      symbol: 'ETH',
      side: 'Short',
      size: 0.5,
      entryPrice: 2000,
      markPrice: 1980,
      leverage: 10,
      unrealizedPnl: 10,
      realizedPnl: -0.3,
      stopLoss: null,
      takeProfit: 1800,
      liquidationPrice: 2150,
      positionValue: 990,
      margin: 100,
      createdAt: 1700000000000,
      updatedAt: 1700000100000,
    });
  });

  it('drops zero-size rows and rows without a side', () => {
    expect(toPosition('ETH', { ...row, contracts: 0 } as never)).toBeUndefined();
    expect(toPosition('ETH', { ...row, side: undefined } as never)).toBeUndefined();
  });
});

describe('toTicker', () => {
  it('maps unified fields and skips tickers without a price', () => {
    const t = {
      last: 100,
      bid: 99.9,
      ask: 100.1,
      high: 105,
      low: 95,
      percentage: 2.5,
      baseVolume: 1000,
      quoteVolume: 100000,
      markPrice: 100.05,
      timestamp: 1700000000000,
      info: {},
    };
    expect(toTicker('BTC', t as never)).toEqual({
      symbol: 'BTC',
      last: 100,
      bid: 99.9,
      ask: 100.1,
      mark: 100.05,
      high24h: 105,
      low24h: 95,
      change24hPercent: 2.5,
      volume24h: 1000,
      turnover24h: 100000,
      timestamp: 1700000000000,
    });
    expect(toTicker('BTC', { info: {} } as never)).toBeUndefined();
  });
});

describe('balance figures', () => {
  it('reads the USDT row of a Bybit UTA wallet, with the account-level available balance when the coin has none', () => {
    const info = {
      result: {
        list: [
          {
            accountType: 'UNIFIED',
            totalMarginBalance: '1010.5',
            totalAvailableBalance: '900.25',
            coin: [
              { coin: 'BTC', equity: '1' },
              { coin: 'USDT', equity: '1010.5', walletBalance: '1000', unrealisedPnl: '10.5', availableToWithdraw: '' },
            ],
          },
        ],
      },
    };
    expect(bybitBalanceFigures(info)).toEqual({
      equity: 1010.5,
      walletBalance: 1000,
      available: 900.25,
      unrealizedPnl: 10.5,
      marginBalance: 1010.5,
    });
    expect(bybitBalanceFigures({ result: { list: [] } })).toBeUndefined();
    expect(
      bybitBalanceFigures({ result: { list: [{ accountType: 'UNIFIED', totalAvailableBalance: '0', coin: [] }] } }),
    ).toEqual({
      equity: 0,
      walletBalance: 0,
      available: 0,
      unrealizedPnl: 0,
      marginBalance: undefined,
    });
  });

  it('reads the USDT asset of a Binance futures account', () => {
    const info = {
      totalWalletBalance: '1',
      assets: [
        { asset: 'USDT', walletBalance: '500', unrealizedProfit: '-5', marginBalance: '495', availableBalance: '400' },
      ],
    };
    expect(binanceBalanceFigures(info)).toEqual({
      equity: 495,
      walletBalance: 500,
      available: 400,
      unrealizedPnl: -5,
      marginBalance: 495,
    });
  });
});

describe('CcxtExchange before init', () => {
  it('refuses calls with ExchangeNotReadyError and rejects unknown exchange ids', async () => {
    const exchange = new CcxtExchange({ exchangeId: 'bybit' });
    expect(exchange.name).toBe('bybit');
    expect(exchange.isPaper).toBe(false);
    await expect(exchange.fetchTickers()).rejects.toBeInstanceOf(ExchangeNotReadyError);
    expect(() => new CcxtExchange({ exchangeId: 'kraken' as never })).toThrow(/unsupported exchange/);
  });
});

describe('loadCcxtClass', () => {
  it('loads the same bybit and binanceusdm classes as the ccxt entry point', () => {
    expect(loadCcxtClass('bybit')).toBe(ccxt.bybit);
    expect(loadCcxtClass('binanceusdm')).toBe(ccxt.binanceusdm);
  });
});

describe('fast Bybit kline row parsing', () => {
  // Rows as Bybit sends them, and rows that must take ccxt's general path; ccxt's own parser is the reference.
  const rows: unknown[] = [
    ['1670608800000', '17071', '17073', '17027', '17055.5', '268611', '15.74462667'],
    ['1670605200000', '0.00001234', '0.0000125', '0.0000120', '0.00001240', '123456789.123', '1.5'],
    ['1670601600000', '-0.5', ' 12 ', '0x1A', '17071.5', '0', '0'],
    ['1670601600000.9', '1', '2', '0.5', '1.5', '10', '11'],
    [1670601600000, 1.5, 2.5, 0.5, 2, 100, 150],
    ['1670601600000', '1e-8', '2E3', '1', '1', '1', '1'],
    ['1670601600000', '', '2', '1', '1', '1', '1'],
    ['1670601600000', null, '2', '1', '1', '1', '1'],
    ['abc', '1', '2', '1', '1', '1', '1'],
    ['1670601600000', 'NaN', 'x', '1', '1', '1', '1'],
    ['1670601600000', '1', '2', '1', '1'],
    ['1670601600000', Infinity, '2', '1', '1', '1', '1'],
    ['Infinity', '1', '2', '1', '1', '1', '1'],
    { 0: '1670601600000' },
    'not a row',
  ];
  const linear = { inverse: false };
  const inverse = { inverse: true };

  it("gives exactly what ccxt's bybit parseOHLCV gives, for linear and inverse markets", () => {
    const reference = new ccxt.bybit();
    const fast = new ccxt.bybit();
    installFastBybitOhlcv(fast);
    for (const market of [linear, inverse, undefined]) {
      for (const row of rows) {
        expect(fast.parseOHLCV(row as never, market as never)).toEqual(
          reference.parseOHLCV(row as never, market as never),
        );
      }
    }
  });

  it('shortcuts plain rows and leaves the others to ccxt', () => {
    expect(fastBybitOhlcv(rows[0], 5)).toEqual([1670608800000, 17071, 17073, 17027, 17055.5, 268611]);
    expect(fastBybitOhlcv(rows[0], 6)).toEqual([1670608800000, 17071, 17073, 17027, 17055.5, 15.74462667]);
    expect(fastBybitOhlcv(rows[3], 5)?.[0]).toBe(1670601600000);
    for (const index of [5, 6, 7, 8, 9, 10, 11, 12, 13, 14]) expect(fastBybitOhlcv(rows[index], 5)).toBeUndefined();
  });
});

describe('ohlcvColumns', () => {
  const t = (i: number) => 1_700_000_000_000 + i * 21_600_000;
  it('drops rows with a non-finite field and rows before since, sorts, keeps the later of equal times and the newest `limit`', () => {
    const rows = [
      [t(3), 3, 4, 2, 3.5, 30],
      [t(1), 1, 2, 0.5, 1.5, 10],
      [t(2), 2, 3, 1, 2.5, 20],
      [t(2), 2, 3, 1, 2.75, 21],
      [t(4), NaN, 5, 3, 4.5, 40],
      [t(0), 0.5, 1, 0.25, 0.75, 5],
    ] as never;
    const columns = ohlcvColumns(rows, t(1), 2);
    expect(columns.length).toBe(2);
    expect(Array.from(columns.time)).toEqual([t(2), t(3)]);
    expect(Array.from(columns.close)).toEqual([2.75, 3.5]);
    expect(Array.from(columns.volume)).toEqual([21, 30]);
    const all = ohlcvColumns(rows, undefined, 1000);
    expect(Array.from(all.time)).toEqual([t(0), t(1), t(2), t(3)]);
    expect(Array.from(all.open)).toEqual([0.5, 1, 2, 3]);
    expect(Array.from(all.high)).toEqual([1, 2, 3, 4]);
    expect(Array.from(all.low)).toEqual([0.25, 0.5, 1, 2]);
  });
});
