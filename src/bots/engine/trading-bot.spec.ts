import type { Position } from '../../exchange/exchange.types';
import { BotStateError, TradingBot, type EntryFill } from './trading-bot';
import type { ProtectionSettings } from './protection';

const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

function newBot(): TradingBot {
  return TradingBot.create({
    symbol: 'BTC',
    nowMs: T0,
    volumeMode: 'usdt',
    volumeValue: 100,
    leverage: 10,
    autoManaged: true,
  });
}

function fill(direction: 'LONG' | 'SHORT', overrides: Partial<EntryFill> = {}): EntryFill {
  return {
    direction,
    entryPrice: 100,
    quantity: 2,
    leverage: 10,
    orderId: 'o-1',
    stopLoss: direction === 'LONG' ? 85 : 115,
    takeProfit: null,
    entryTrend: 'UP',
    entryTimeframe: '6h',
    entryRsi: 25,
    nowMs: T0 + 1000,
    ...overrides,
  };
}

const settings: ProtectionSettings = {
  maxLossPercent: 15,
  takeProfitPercent: 0,
  closeAtProfitEnabled: true,
  trailingActivation: 10,
  trailingDistance: 5,
  trailingUpdateIntervalSec: 3,
  maxPositionHours: 0,
  breakEvenProtection: false,
  breakEvenTrigger: 5,
};

const exitInput = {
  thresholds: { longWithTrend: 65, longAgainstTrend: 60, shortWithTrend: 35, shortAgainstTrend: 40 },
  delays: { minCandles: 0, minMinutes: 0, minMovePercent: 0 },
  waitWhenLoss: true,
};

describe('TradingBot state machine', () => {
  it('a new bot is running, holds nothing and counts as active', () => {
    const bot = newBot();
    expect(bot.status).toBe('running');
    expect(bot.record.id).toBe(`BTC_${Math.floor(T0 / 1000)}`);
    expect(bot.holdsPosition).toBe(false);
    expect(bot.isActive).toBe(true);
  });

  it('running → in_position_long on entry, recording entry, size, margin, trend and timeframe', () => {
    const bot = newBot();
    bot.openPosition(fill('LONG'));
    expect(bot.status).toBe('in_position_long');
    expect(bot.record).toMatchObject({
      position_side: 'LONG',
      entry_price: 100,
      position_size_coins: 2,
      margin_usdt: 20,
      entry_trend: 'UP',
      entry_timeframe: '6h',
      stop_loss_price: 85,
    });
    expect(bot.record.entry_timestamp).toBe(T0 + 1000);
  });

  it('running → in_position_short on a short entry', () => {
    const bot = newBot();
    bot.openPosition(fill('SHORT'));
    expect(bot.status).toBe('in_position_short');
  });

  it('refuses a second entry while in a position, and an entry while paused', () => {
    const bot = newBot();
    bot.openPosition(fill('LONG'));
    expect(() => bot.openPosition(fill('LONG'))).toThrow(BotStateError);
    const paused = newBot();
    paused.pause(T0);
    expect(() => paused.openPosition(fill('LONG'))).toThrow(BotStateError);
  });

  it('stop/pause keeps the position; resume returns straight to in_position_*', () => {
    const bot = newBot();
    bot.openPosition(fill('SHORT'));
    expect(bot.pause(T0 + 2000, 'user')).toBe(true);
    expect(bot.status).toBe('paused');
    expect(bot.record.position_side).toBe('SHORT');
    expect(bot.record.entry_price).toBe(100);
    expect(bot.isActive).toBe(false);
    expect(bot.resume(T0 + 3000)).toBe(true);
    expect(bot.status).toBe('in_position_short');
  });

  it('paused without a position resumes to running; start on a running bot changes nothing', () => {
    const bot = newBot();
    bot.pause(T0);
    expect(bot.resume(T0)).toBe(true);
    expect(bot.status).toBe('running');
    expect(bot.resume(T0)).toBe(false);
  });

  it('running → idle by housekeeping, idle → running by start; never idles a bot in a position', () => {
    const bot = newBot();
    expect(bot.markIdle(T0)).toBe(true);
    expect(bot.status).toBe('idle');
    expect(bot.isActive).toBe(false);
    expect(bot.resume(T0)).toBe(true);
    expect(bot.status).toBe('running');
    bot.openPosition(fill('LONG'));
    expect(bot.markIdle(T0)).toBe(false);
    expect(bot.status).toBe('in_position_long');
  });

  it('idle bots may enter again', () => {
    const bot = newBot();
    bot.markIdle(T0);
    bot.openPosition(fill('LONG'));
    expect(bot.status).toBe('in_position_long');
  });

  it('in_position_long → idle on close; the trade carries PnL 20 USDT, ROI 100 %, +10 %', () => {
    const bot = newBot();
    bot.openPosition(fill('LONG'));
    const trade = bot.closePosition({
      exitPrice: 110,
      nowMs: T0 + HOUR,
      reason: 'RSI_EXIT',
      exitRsi: 66,
      simulated: true,
    });
    expect(bot.status).toBe('idle');
    expect(bot.record.position_side).toBeNull();
    expect(bot.record.entry_price).toBeNull();
    expect(bot.record.last_position_close_timestamp).toBe(T0 + HOUR);
    expect(bot.record.realized_pnl).toBe(20);
    expect(trade).toMatchObject({
      symbol: 'BTC',
      direction: 'LONG',
      size: 2,
      entry_price: 100,
      exit_price: 110,
      pnl: 20,
      roi: 100,
      pnl_percent: 10,
      close_reason: 'RSI_EXIT',
      is_successful: true,
      status: 'CLOSED',
      rsi: 25,
      exit_rsi: 66,
      decision_source: 'SCRIPT',
    });
  });

  it("net PnL takes off the entry and exit fees (20 − 0.11 − 0.12 = 19.77), or the exchange's own net figure", () => {
    const bot = newBot();
    bot.openPosition(fill('LONG', { fee: 0.11 }));
    const trade = bot.closePosition({
      exitPrice: 110,
      nowMs: T0 + HOUR,
      reason: 'MANUAL_CLOSE',
      simulated: true,
      fee: 0.12,
    });
    expect(trade.pnl).toBe(20);
    expect(trade.fees).toBeCloseTo(0.23, 8);
    expect(trade.net_pnl).toBeCloseTo(19.77, 8);
    const other = newBot();
    other.openPosition(fill('LONG', { fee: 0.11 }));
    const external = other.closePosition({
      exitPrice: 110,
      nowMs: T0 + HOUR,
      reason: 'TAKE_PROFIT',
      simulated: true,
      netPnl: 19.7,
    });
    expect(external.net_pnl).toBe(19.7);
    expect(external.fees).toBeCloseTo(0.3, 8);
  });

  it('in_position_short → idle on close with a loss: 2 coins 100 → 103 = −6 USDT, ROI −30 %', () => {
    const bot = newBot();
    bot.openPosition(fill('SHORT'));
    const trade = bot.closePosition({ exitPrice: 103, nowMs: T0 + HOUR, reason: 'STOP_LOSS', simulated: true });
    expect(trade.pnl).toBeCloseTo(-6, 8);
    expect(trade.roi).toBeCloseTo(-30, 4);
    expect(trade.is_successful).toBe(false);
  });

  it('a paused bot whose position closes stays paused', () => {
    const bot = newBot();
    bot.openPosition(fill('LONG'));
    bot.pause(T0);
    bot.closePosition({ exitPrice: 90, nowMs: T0 + HOUR, reason: 'CLOSED_ON_EXCHANGE', simulated: true });
    expect(bot.status).toBe('paused');
    expect(bot.holdsPosition).toBe(false);
  });

  it('cannot close without a position', () => {
    expect(() => newBot().closePosition({ exitPrice: 1, nowMs: T0, reason: 'MANUAL_CLOSE', simulated: true })).toThrow(
      BotStateError,
    );
  });

  it('protections update the trailing state on the record and ask for the ratcheted stop', () => {
    const bot = newBot();
    bot.openPosition(fill('LONG'));
    bot.evaluateProtections({ price: 110, nowMs: T0 + HOUR }, settings);
    expect(bot.record.trailing_active).toBe(true);
    expect(bot.record.trailing_stop_price).toBeCloseTo(104.5, 10);
    expect(bot.record.trailing_activation_profit).toBeCloseTo(10, 4);
    const r = bot.evaluateProtections({ price: 120, nowMs: T0 + 2 * HOUR }, settings);
    expect(r.desiredStop).toBeCloseTo(114, 10);
    expect(bot.record.trailing_steps).toBe(2);
    expect(bot.record.unrealized_pnl_usdt).toBe(40);
    expect(bot.record.max_profit_achieved).toBeCloseTo(20, 4);
    expect(bot.evaluateProtections({ price: 113, nowMs: T0 + 3 * HOUR }, settings).close).toBe('TRAILING_STOP');
  });

  it('protections refuse a bot that is not in position', () => {
    expect(() => newBot().evaluateProtections({ price: 100, nowMs: T0 }, settings)).toThrow(BotStateError);
  });

  it('RSI exit: with-trend LONG closes at RSI 65 in profit', () => {
    const bot = newBot();
    bot.openPosition(fill('LONG', { entryTrend: 'UP' }));
    const out = bot.evaluateRsiExit({ ...exitInput, rsi: 65, price: 101, nowMs: T0 + HOUR });
    expect(out.threshold).toBe(65);
    expect(out.step).toEqual({ action: 'close', reason: 'RSI_EXIT' });
  });

  it('RSI exit: against-trend LONG uses 60; in a loss it waits for break-even, then leaves at +0.05 %', () => {
    const bot = newBot();
    bot.openPosition(fill('LONG', { entryTrend: 'NEUTRAL' }));
    const first = bot.evaluateRsiExit({ ...exitInput, rsi: 61, price: 99, nowMs: T0 + HOUR });
    expect(first.threshold).toBe(60);
    expect(first.step).toEqual({ action: 'keep', waitingBreakeven: true });
    expect(bot.record.exit_waiting_breakeven).toBe(true);
    expect(bot.evaluateRsiExit({ ...exitInput, rsi: 50, price: 100.04, nowMs: T0 + 2 * HOUR }).step.action).toBe(
      'keep',
    );
    expect(bot.evaluateRsiExit({ ...exitInput, rsi: 50, price: 100.05, nowMs: T0 + 3 * HOUR }).step).toEqual({
      action: 'close',
      reason: 'BREAKEVEN_WAIT_EXIT',
    });
  });

  it('RSI exit: SHORT closes at RSI ≤ 35 when entered in a DOWN trend, and respects the candle delay', () => {
    const bot = newBot();
    bot.openPosition(fill('SHORT', { entryTrend: 'DOWN', entryTimeframe: '1h' }));
    const delayed = { ...exitInput, delays: { minCandles: 2, minMinutes: 0, minMovePercent: 0 } };
    expect(bot.evaluateRsiExit({ ...delayed, rsi: 30, price: 95, nowMs: T0 + 1000 + HOUR }).step.action).toBe('keep');
    expect(bot.evaluateRsiExit({ ...delayed, rsi: 30, price: 95, nowMs: T0 + 1000 + 2 * HOUR }).step).toEqual({
      action: 'close',
      reason: 'RSI_EXIT',
    });
  });

  const position = (side: 'Long' | 'Short'): Position => ({
    symbol: 'BTC',
    side,
    size: 3,
    entryPrice: 200,
    markPrice: 210,
    leverage: 5,
    unrealizedPnl: 30,
    realizedPnl: -0.2,
    stopLoss: 170,
    takeProfit: null,
    liquidationPrice: 160,
    positionValue: 630,
    margin: 120,
    createdAt: T0 + 5000,
    updatedAt: T0 + 6000,
  });

  it('sync adopts an exchange position onto a running bot (running → in_position_long)', () => {
    const bot = newBot();
    bot.applyExchangePosition(position('Long'), T0 + 10_000, 'DOWN', '6h');
    expect(bot.status).toBe('in_position_long');
    expect(bot.record).toMatchObject({
      position_side: 'LONG',
      entry_price: 200,
      position_size_coins: 3,
      leverage: 5,
      stop_loss_price: 170,
      entry_trend: 'DOWN',
      entry_timestamp: T0 + 5000,
    });
    expect(bot.record.exchange_position).toMatchObject({
      side: 'Long',
      size: 3,
      stop_loss: '170',
      take_profit: '',
      roi: 25,
    });
    expect(bot.record.unrealized_pnl_usdt).toBe(30);
  });

  it('sync fixes a side mismatch from the exchange', () => {
    const bot = newBot();
    bot.openPosition(fill('LONG'));
    bot.applyExchangePosition(position('Short'), T0 + 10_000, null, '6h');
    expect(bot.status).toBe('in_position_short');
    expect(bot.record.position_side).toBe('SHORT');
  });

  it('a paused bot without a position does not take over the exchange position', () => {
    const bot = newBot();
    bot.pause(T0);
    bot.applyExchangePosition(position('Long'), T0 + 10_000, null, '6h');
    expect(bot.status).toBe('paused');
    expect(bot.record.position_side).toBeNull();
    expect(bot.record.exchange_position?.size).toBe(3);
  });
  it('carries the entry decision onto the trade, and forgets it once closed', () => {
    const bot = newBot();
    const decision = {
      decision_time: '2026-01-01T00:00:00.000',
      decision_time_ms: T0,
      decision_price: 100,
      decision_rsi: 25,
      decision_candle_time: T0 - 6 * HOUR,
      decision_trend: 'UP' as const,
      filters_passed: ['maturity', 'scope'],
      stop_loss_set: 85,
      take_profit_set: 110,
    };
    bot.openPosition(fill('LONG', { decision }));
    expect(bot.record.entry_decision).toEqual(decision);
    const trade = bot.closePosition({ exitPrice: 110, nowMs: T0 + HOUR, reason: 'TAKE_PROFIT', simulated: true });
    expect(trade.decision).toEqual(decision);
    expect(bot.record.entry_decision).toBeNull();
    bot.openPosition(fill('LONG'));
    expect(
      bot.closePosition({ exitPrice: 100, nowMs: T0 + 2 * HOUR, reason: 'RSI_EXIT', simulated: true }).decision,
    ).toBeUndefined();
  });
});

describe('TradingBot transitions that replaced direct status writes', () => {
  const isoAt = (ms: number) =>
    TradingBot.create({ symbol: 'Z', nowMs: ms, volumeMode: 'usdt', volumeValue: 1, leverage: 1, autoManaged: false })
      .record.last_update;

  it('settleAfterManualClose: a paused bot whose position was closed goes idle and records when', () => {
    const bot = newBot();
    bot.openPosition(fill('LONG'));
    bot.pause(T0 + 2000, 'user');
    bot.closePosition({ exitPrice: 110, nowMs: T0 + 3000, reason: 'MANUAL_CLOSE', simulated: true });
    expect(bot.status).toBe('paused');
    expect(bot.settleAfterManualClose(T0 + HOUR)).toBe(true);
    expect(bot.status).toBe('idle');
    expect(bot.record.last_update).toBe(isoAt(T0 + HOUR));
  });

  it('settleAfterManualClose changes nothing for a bot still holding a position or already idle', () => {
    const holding = newBot();
    holding.openPosition(fill('SHORT'));
    expect(holding.settleAfterManualClose(T0 + HOUR)).toBe(false);
    expect(holding.status).toBe('in_position_short');
    const idle = newBot();
    idle.markIdle(T0 + 1);
    expect(idle.settleAfterManualClose(T0 + HOUR)).toBe(false);
    expect(idle.record.last_update).toBe(isoAt(T0 + 1));
  });

  it('openPosition records who opened it when told, and keeps the flag otherwise', () => {
    const bot = TradingBot.create({
      symbol: 'BTC',
      nowMs: T0,
      volumeMode: 'usdt',
      volumeValue: 100,
      leverage: 10,
      autoManaged: true,
    });
    bot.openPosition(fill('LONG', { openedByAutobot: false }));
    expect(bot.record.opened_by_autobot).toBe(false);
    const other = newBot();
    other.openPosition(fill('LONG'));
    expect(other.record.opened_by_autobot).toBe(true);
  });

  it('takeOverByAutobot marks the bot auto-managed and touches it', () => {
    const bot = TradingBot.create({
      symbol: 'BTC',
      nowMs: T0,
      volumeMode: 'usdt',
      volumeValue: 100,
      leverage: 10,
      autoManaged: false,
      marginUsdt: 12,
    });
    expect(bot.record.margin_usdt).toBe(12);
    bot.takeOverByAutobot(T0 + HOUR);
    expect(bot.record.auto_managed).toBe(true);
    expect(bot.record.last_update).toBe(isoAt(T0 + HOUR));
  });

  it('awaitExchangeSync: a position status without data waits as running; a held position is flagged for sync', () => {
    const broken = new TradingBot({ ...newBot().record, status: 'in_position_long' });
    broken.awaitExchangeSync(T0 + HOUR);
    expect(broken.record).toMatchObject({
      status: 'running',
      position_side: null,
      entry_price: null,
      needs_exchange_sync: true,
      last_update: isoAt(T0 + HOUR),
    });
    const held = newBot();
    held.openPosition(fill('LONG'));
    held.awaitExchangeSync(T0 + HOUR);
    expect(held.record).toMatchObject({ status: 'in_position_long', entry_price: 100, needs_exchange_sync: true });
    const waiting = newBot();
    waiting.awaitExchangeSync(T0 + HOUR);
    expect(waiting.record.needs_exchange_sync).toBe(false);
  });
});
