import type { Position } from '../exchange.types';
import {
  bareFromTickerKey,
  columnsToCandles,
  num,
  ohlcvColumns,
  positiveOrNull,
  toBalance,
  toPosition,
  urlPath,
} from './mappers';

const position = (over: Partial<Position>): Position => ({
  symbol: 'BTC',
  side: 'Long',
  size: 1,
  entryPrice: 100,
  markPrice: 110,
  leverage: 5,
  unrealizedPnl: 10,
  realizedPnl: 0,
  stopLoss: null,
  takeProfit: null,
  liquidationPrice: null,
  positionValue: 110,
  margin: 22,
  createdAt: 0,
  updatedAt: 0,
  ...over,
});

describe('num / positiveOrNull', () => {
  it('reads numbers and numeric strings, and nothing else', () => {
    expect([num('1.5'), num(2), num(''), num(null), num(undefined), num('abc'), num(Infinity)]).toEqual([
      1.5,
      2,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect([positiveOrNull('0'), positiveOrNull('-1'), positiveOrNull('3')]).toEqual([null, null, 3]);
  });
});

describe('bareFromTickerKey', () => {
  const known = new Map([['BTC/USDT:USDT', 'BTC']]);
  it('maps known unified symbols, unknown USDT swaps and raw ids of the three exchanges', () => {
    expect(bareFromTickerKey('BTC/USDT:USDT', known)).toBe('BTC');
    expect(bareFromTickerKey('NEW/USDT:USDT', known)).toBe('NEW');
    expect(bareFromTickerKey('NEWUSDT', known)).toBe('NEW');
    expect(bareFromTickerKey('NEW-USDT-SWAP', known)).toBe('NEW');
  });
  it('drops spot, inverse and other quote keys', () => {
    expect(bareFromTickerKey('BTC/USDT', known)).toBeUndefined();
    expect(bareFromTickerKey('BTC/USD:BTC', known)).toBeUndefined();
    expect(bareFromTickerKey('BTCUSDC', known)).toBeUndefined();
    expect(bareFromTickerKey('USDT', known)).toBeUndefined();
  });
});

describe('toPosition with a contract size', () => {
  it('turns OKX contracts into coins without binary noise', () => {
    const row = {
      symbol: 'BTC/USDT:USDT',
      side: 'long',
      contracts: 3,
      contractSize: 0.1,
      entryPrice: 100,
      markPrice: 100,
      notional: 30,
      info: {},
    };
    expect(toPosition('BTC', row as never, 0.1)?.size).toBe(0.3);
    expect(toPosition('BTC', row as never)?.size).toBe(3);
  });
});

describe('toBalance', () => {
  const positions = [
    position({ unrealizedPnl: 10, positionValue: 110 }),
    position({ symbol: 'ETH', unrealizedPnl: -4, positionValue: 40 }),
  ];

  it('takes the dialect figures first and sums the positions', () => {
    expect(
      toBalance(
        { equity: 1006, walletBalance: 1000, available: 900, unrealizedPnl: 6, marginBalance: 1006 },
        { free: 1, total: 2 },
        positions,
      ),
    ).toEqual({
      currency: 'USDT',
      totalEquity: 1006,
      walletBalance: 1000,
      availableBalance: 900,
      unrealizedPnl: 6,
      marginBalance: 1006,
      positionValue: 150,
      activePositions: 2,
    });
  });

  it("derives what the figures leave out from ccxt's unified row and the positions", () => {
    expect(toBalance(undefined, { free: 800, total: 1000 }, positions)).toEqual({
      currency: 'USDT',
      totalEquity: 1006,
      walletBalance: 1000,
      availableBalance: 800,
      unrealizedPnl: 6,
      marginBalance: 1006,
      positionValue: 150,
      activePositions: 2,
    });
  });

  it('is undefined (a malformed answer) without figures and without a USDT row', () => {
    expect(toBalance(undefined, undefined, [])).toBeUndefined();
  });
});

describe('columnsToCandles / urlPath', () => {
  it('turns columns back into candle objects', () => {
    const columns = ohlcvColumns(
      [
        [2000, 1, 2, 0.5, 1.5, 10],
        [1000, 1, 1, 1, 1, 0],
      ],
      undefined,
      10,
    );
    expect(columnsToCandles(columns)).toEqual([
      { time: 1000, open: 1, high: 1, low: 1, close: 1, volume: 0 },
      { time: 2000, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 },
    ]);
  });
  it('keeps only the path of a URL', () => {
    expect(urlPath('http://127.0.0.1:5099/api/v5/market/candles?instId=BTC-USDT-SWAP')).toBe('/api/v5/market/candles');
  });
});
