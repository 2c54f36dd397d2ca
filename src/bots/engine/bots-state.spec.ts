import { globalStats, restoreBots, validateBotsStateFile } from './bots-state';
import { TradingBot } from './trading-bot';

const T0 = Date.UTC(2026, 0, 1);

function botIn(status: 'long' | 'paused' | 'idle' | 'running'): TradingBot {
  const bot = TradingBot.create({
    symbol: 'X',
    nowMs: T0,
    volumeMode: 'usdt',
    volumeValue: 50,
    leverage: 5,
    autoManaged: true,
  });
  if (status === 'long' || status === 'paused') {
    bot.openPosition({
      direction: 'LONG',
      entryPrice: 10,
      quantity: 3,
      leverage: 5,
      orderId: 'o',
      stopLoss: 8.5,
      takeProfit: null,
      entryTrend: 'NEUTRAL',
      entryTimeframe: '6h',
      entryRsi: 20,
      nowMs: T0,
    });
  }
  if (status === 'paused') bot.pause(T0, 'user');
  if (status === 'idle') bot.markIdle(T0);
  return bot;
}

describe('bots_state.json restore', () => {
  it('accepts only an object with a bots object', () => {
    expect(validateBotsStateFile({ bots: {} })).toBeNull();
    expect(validateBotsStateFile([])).not.toBeNull();
    expect(validateBotsStateFile({ bots: [] })).not.toBeNull();
  });

  it('drops idle bots, flags bots holding a position for exchange sync, keeps running and paused ones', () => {
    const file = {
      bots: {
        A: { ...botIn('long').record, symbol: 'A' },
        B: { ...botIn('paused').record, symbol: 'B' },
        C: { ...botIn('idle').record, symbol: 'C' },
        D: { ...botIn('running').record, symbol: 'D' },
      },
    };
    const r = restoreBots(file, T0 + 1000);
    expect(r.droppedIdle).toEqual(['C']);
    const bySymbol = Object.fromEntries(r.bots.map((b) => [b.symbol, b]));
    expect(Object.keys(bySymbol).sort()).toEqual(['A', 'B', 'D']);
    expect(bySymbol.A.status).toBe('in_position_long');
    expect(bySymbol.A.record.needs_exchange_sync).toBe(true);
    expect(bySymbol.A.record.entry_price).toBe(10);
    expect(bySymbol.B.status).toBe('paused');
    expect(bySymbol.B.record.needs_exchange_sync).toBe(true);
    expect(bySymbol.D.record.needs_exchange_sync).toBe(false);
  });

  it('fills fields an older record lacks and ignores records it cannot read', () => {
    const r = restoreBots(
      { bots: { OLD: { symbol: 'OLD', status: 'running', volume_value: 20 }, BAD: { status: 'flying' }, NUL: null } },
      T0,
    );
    expect(r.invalid.sort()).toEqual(['BAD', 'NUL']);
    expect(r.bots[0].record).toMatchObject({
      symbol: 'OLD',
      status: 'running',
      volume_value: 20,
      trailing_active: false,
      config: {},
      limit_orders: [],
    });
  });

  it('an in-position status without position data waits as running for the exchange sync', () => {
    const r = restoreBots({ bots: { Y: { symbol: 'Y', status: 'in_position_short' } } }, T0);
    expect(r.bots[0].record).toMatchObject({ status: 'running', position_side: null, needs_exchange_sync: true });
  });

  it('global stats count active bots, bots in position and PnL', () => {
    const long = botIn('long');
    long.markPrice(11, T0); // +1 per coin × 3
    expect(globalStats([long, botIn('paused'), botIn('running')])).toEqual({
      active_bots: 2,
      bots_in_position: 2,
      total_pnl: 3,
    });
  });
});
