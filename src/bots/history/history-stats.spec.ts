import { analyticsReport, periodStart, reconcile, statistics, tradeTotals, totalsBySymbol } from './history-stats';
import type { ActionEntry, StoredTrade } from './history.types';

function trade(
  symbol: string,
  direction: 'LONG' | 'SHORT',
  pnl: number,
  closeMs: number,
  reason: StoredTrade['close_reason'] = 'RSI_EXIT',
): StoredTrade {
  return {
    id: `${symbol}_${closeMs}`,
    timestamp: '',
    bot_id: `${symbol}_1`,
    symbol,
    direction,
    size: 1,
    entry_price: 100,
    exit_price: 100 + pnl,
    pnl,
    fees: 0,
    net_pnl: pnl,
    roi: pnl * 10,
    pnl_percent: pnl,
    leverage: 10,
    status: 'CLOSED',
    decision_source: 'SCRIPT',
    rsi: 25,
    trend: 'NEUTRAL',
    exit_rsi: 66,
    entry_timeframe: '6h',
    entry_time: '',
    entry_timestamp: closeMs - 1000,
    close_timestamp: '',
    close_time_ms: closeMs,
    close_reason: reason,
    is_successful: pnl > 0,
    is_simulated: true,
  };
}

const trades = [
  trade('BTC', 'LONG', 10, 1000),
  trade('BTC', 'SHORT', -4, 2000, 'STOP_LOSS'),
  trade('ETH', 'LONG', 3, 3000),
  trade('ETH', 'LONG', -1, 4000),
];

describe('trade totals', () => {
  it('counts wins and losses, win rate, total / average / best / worst PnL', () => {
    expect(tradeTotals(trades)).toEqual({
      trades: 4,
      profitable: 2,
      losing: 2,
      winRate: 50,
      totalPnl: 8,
      avgPnl: 2,
      best: 10,
      worst: -4,
    });
  });

  it('is all zeros with no trades', () => {
    expect(tradeTotals([])).toEqual({
      trades: 0,
      profitable: 0,
      losing: 0,
      winRate: 0,
      totalPnl: 0,
      avgPnl: 0,
      best: 0,
      worst: 0,
    });
  });

  it('splits by symbol', () => {
    expect(totalsBySymbol(trades)).toEqual({
      BTC: { trades: 2, wins: 1, losses: 1, win_rate: 50, total_pnl: 6 },
      ETH: { trades: 2, wins: 1, losses: 1, win_rate: 50, total_pnl: 2 },
    });
  });
});

describe('statistics block', () => {
  it('has the contract fields with the right values', () => {
    const actions = [
      { action_type: 'SIGNAL', symbol: 'SOL' },
      { action_type: 'BOT_START', symbol: 'BTC' },
      { action_type: 'SIGNAL', symbol: 'SOL' },
    ] as ActionEntry[];
    const s = statistics({ actions, trades: trades.slice(0, 3), openTrades: 2, symbol: null });
    expect(s).toMatchObject({
      total_actions: 3,
      total_trades: 3,
      total_trades_overall: 5,
      open_trades: 2,
      signals_count: 2,
      profitable_trades: 2,
      losing_trades: 1,
      win_rate: 66.67,
      success_rate: 66.67,
      total_pnl: 9,
      avg_pnl: 3,
      best_trade: 10,
      worst_trade: -4,
      symbols: ['BTC', 'ETH', 'SOL'],
      symbols_count: 3,
      symbols_filtered: false,
      symbol: 'ALL',
    });
    expect(s.by_close_reason).toEqual({
      RSI_EXIT: { trades: 2, total_pnl: 13 },
      STOP_LOSS: { trades: 1, total_pnl: -4 },
    });
  });
});

describe('periods', () => {
  it('week and month count back 7 and 30 days; all has no start', () => {
    const now = Date.UTC(2026, 0, 31, 12);
    expect(periodStart('week', now)).toBe(now - 7 * 86_400_000);
    expect(periodStart('month', now)).toBe(now - 30 * 86_400_000);
    expect(periodStart('all', now)).toBeNull();
    const today = periodStart('today', now)!;
    expect(new Date(today).getHours()).toBe(0);
    expect(now - today).toBeLessThan(86_400_000);
  });
});

describe('reconciliation with exchange trades', () => {
  it('matches same symbol and direction closed within the tolerance', () => {
    const exchange = [
      {
        symbol: 'BTC',
        direction: 'LONG' as const,
        size: 1,
        entry_price: 100,
        exit_price: 110,
        pnl: 9.9,
        reason: 'MANUAL',
        close_time_ms: 1500,
      },
      {
        symbol: 'XRP',
        direction: 'SHORT' as const,
        size: 1,
        entry_price: 1,
        exit_price: 0.9,
        pnl: 0.1,
        reason: 'STOP_LOSS',
        close_time_ms: 1500,
      },
    ];
    const r = reconcile(trades, exchange, 1000);
    expect(r.matched).toEqual([
      { symbol: 'BTC', direction: 'LONG', bot_pnl: 10, exchange_pnl: 9.9, pnl_difference: 0.1 },
    ]);
    expect(r.only_exchange.map((e) => e.symbol)).toEqual(['XRP']);
    expect(r.only_bot).toHaveLength(3);
    const report = analyticsReport({ botTrades: trades, exchangeTrades: exchange, generatedAt: 'now' });
    expect(report).toMatchObject({
      bot_trades_count: 4,
      exchange_trades_count: 2,
      bot_win_rate_pct: 50,
      bot_total_pnl_usdt: 8,
      exchange_total_pnl_usdt: 10,
    });
  });
});
