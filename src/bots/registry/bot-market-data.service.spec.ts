import { ManualClock } from '../../common/clock';
import type { ExchangeService } from '../../exchange/exchange.service';
import type { Position } from '../../exchange/exchange.types';
import type { RsiService } from '../../rsi/rsi.service';
import { TradingBot } from '../engine/trading-bot';
import { BotMarketData } from './bot-market-data.service';
import type { BotRegistry } from './bot-registry.service';

const T0 = Date.UTC(2026, 0, 1);

function position(symbol: string, side: 'Long' | 'Short' = 'Long'): Position {
  return {
    symbol,
    side,
    size: 2,
    entryPrice: 10,
    markPrice: 11,
    leverage: 5,
    unrealizedPnl: 2,
    realizedPnl: 0,
    stopLoss: 9,
    takeProfit: null,
    liquidationPrice: null,
    positionValue: 22,
    margin: 4,
    createdAt: T0,
    updatedAt: T0,
  };
}

describe('BotMarketData', () => {
  const bots = new Map<string, TradingBot>();
  let positions: Position[];
  let market: BotMarketData;
  const coins: Record<string, Record<string, unknown>> = {
    UPC: { rsi: 25, trend6h: 'UP' },
    ODD: { rsi: Number.NaN, trend: 'SIDEWAYS' },
  };

  beforeEach(() => {
    bots.clear();
    positions = [];
    const exchange = { fetchPositions: async () => positions } as unknown as ExchangeService;
    const rsi = {
      timeframe: '6h',
      getCoin: (s: string) => coins[s],
      computeRsiFor: async () => 61.5,
    } as unknown as RsiService;
    const registry = { find: (s: string) => bots.get(s) } as unknown as BotRegistry;
    market = new BotMarketData(new ManualClock(T0), exchange, rsi, registry);
  });

  it('reads RSI and trend on the system timeframe; anything unreadable is null / NEUTRAL', async () => {
    expect(market.coinRsi('UPC')).toBe(25);
    expect(market.coinTrend('UPC')).toBe('UP');
    expect(market.coinRsi('ODD')).toBeNull();
    expect(market.coinTrend('ODD')).toBe('NEUTRAL');
    expect(market.coinTrend('NONE')).toBe('NEUTRAL');
    expect(await market.rsiOn('UPC', '6h')).toBe(25);
    expect(await market.rsiOn('UPC', '1h')).toBe(61.5);
  });

  it('manual positions are those no bot holds, from the last snapshot', async () => {
    expect(market.manualPositions()).toEqual([]);
    const holder = TradingBot.create({
      symbol: 'OWN',
      nowMs: T0,
      volumeMode: 'usdt',
      volumeValue: 10,
      leverage: 5,
      autoManaged: false,
    });
    holder.openPosition({
      direction: 'LONG',
      entryPrice: 10,
      quantity: 2,
      leverage: 5,
      orderId: 'o',
      stopLoss: 9,
      takeProfit: null,
      entryTrend: 'UP',
      entryTimeframe: '6h',
      entryRsi: 25,
      nowMs: T0,
    });
    bots.set('OWN', holder);
    bots.set(
      'WAIT',
      TradingBot.create({
        symbol: 'WAIT',
        nowMs: T0,
        volumeMode: 'usdt',
        volumeValue: 10,
        leverage: 5,
        autoManaged: false,
      }),
    );
    positions = [position('OWN'), position('WAIT', 'Short'), position('HAND')];
    await market.fetchPositions();
    expect(market.openPositionSymbols()).toEqual(['OWN', 'WAIT', 'HAND']);
    expect(market.manualPositions().map((p) => p.symbol)).toEqual(['WAIT', 'HAND']);
    expect(market.manualPositions()[0]).toEqual({
      symbol: 'WAIT',
      side: 'Short',
      size: 2,
      entry_price: 10,
      mark_price: 11,
      unrealized_pnl: 2,
      leverage: 5,
      stop_loss: 9,
      take_profit: null,
    });
  });

  it('tells which symbols changed after a positions snapshot was taken', () => {
    const mark = market.positionChangeMark;
    market.notePositionChange('BTC');
    expect(market.changedSince('BTC', mark)).toBe(true);
    expect(market.changedSince('ETH', mark)).toBe(false);
    expect(market.changedSince('BTC', market.positionChangeMark)).toBe(false);
  });

  it('the insufficient-funds flag clears only above 5 USDT available', () => {
    market.noteInsufficientFunds();
    market.noteAvailableBalance(5);
    expect(market.hasInsufficientFunds).toBe(true);
    market.noteAvailableBalance(5.01);
    expect(market.hasInsufficientFunds).toBe(false);
  });
});
