import { closeReasonBreakdown, coinVerdicts, consecutiveSeries, drawdown } from './analytics-blocks';
import type { ActionEntry, Period, StoredTrade } from './history.types';

/** Pure aggregations over the action log and closed trades (statistics, by-symbol, analytics). */

const DAY = 86_400_000;

/** Start of the period in epoch ms (`today` = local midnight); null for `all`. */
export function periodStart(period: Period | undefined, nowMs: number): number | null {
  switch (period) {
    case 'today': {
      const d = new Date(nowMs);
      d.setHours(0, 0, 0, 0);
      return d.getTime();
    }
    case 'week':
      return nowMs - 7 * DAY;
    case 'month':
      return nowMs - 30 * DAY;
    default:
      return null;
  }
}

export interface TradeTotals {
  trades: number;
  profitable: number;
  losing: number;
  winRate: number;
  totalPnl: number;
  avgPnl: number;
  best: number;
  worst: number;
}

const r2 = (n: number) => Math.round(n * 100) / 100;
const r8 = (n: number) => Math.round(n * 1e8) / 1e8;

/**
 * Which PnL a total counts: `pnl` (gross, what the live /statistics and /analytics report) or `net_pnl`
 * (after fees, what the backtest statistics report). A trade wins when that PnL is above zero.
 */
export type PnlField = 'pnl' | 'net_pnl';

export function tradeTotals(trades: readonly StoredTrade[], field: PnlField = 'pnl'): TradeTotals {
  const pnls = trades.map((t) => t[field]);
  const profitable = pnls.filter((p) => p > 0).length;
  const losing = pnls.filter((p) => p < 0).length;
  const totalPnl = pnls.reduce((sum, p) => sum + p, 0);
  return {
    trades: trades.length,
    profitable,
    losing,
    winRate: trades.length ? r2((profitable / trades.length) * 100) : 0,
    totalPnl: r8(totalPnl),
    avgPnl: trades.length ? r8(totalPnl / trades.length) : 0,
    // reduce, not Math.max(...pnls): a backtest can hold more trades than a call's argument limit.
    best: trades.length ? pnls.reduce((a, b) => Math.max(a, b)) : 0,
    worst: trades.length ? pnls.reduce((a, b) => Math.min(a, b)) : 0,
  };
}

/** Per-symbol win rate and PnL. */
export function totalsBySymbol(
  trades: readonly StoredTrade[],
): Record<string, { trades: number; wins: number; losses: number; win_rate: number; total_pnl: number }> {
  const groups = new Map<string, StoredTrade[]>();
  for (const t of trades) groups.set(t.symbol, [...(groups.get(t.symbol) ?? []), t]);
  const out: Record<string, { trades: number; wins: number; losses: number; win_rate: number; total_pnl: number }> = {};
  for (const [symbol, list] of [...groups.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const t = tradeTotals(list);
    out[symbol] = {
      trades: t.trades,
      wins: t.profitable,
      losses: t.losing,
      win_rate: t.winRate,
      total_pnl: t.totalPnl,
    };
  }
  return out;
}

/** Per close reason: count and PnL. */
export function totalsByReason(trades: readonly StoredTrade[]): Record<string, { trades: number; total_pnl: number }> {
  const out: Record<string, { trades: number; total_pnl: number }> = {};
  for (const t of trades) {
    const e = (out[t.close_reason] ??= { trades: 0, total_pnl: 0 });
    e.trades++;
    e.total_pnl = r8(e.total_pnl + t.pnl);
  }
  return out;
}

/** The /statistics block (docs/api-contract.md §2.8). */
export function statistics(input: {
  actions: readonly ActionEntry[];
  trades: readonly StoredTrade[];
  openTrades: number;
  symbol: string | null;
}) {
  const t = tradeTotals(input.trades);
  // The UI fills its coin filter from `symbols`, so it is the list of coins seen in the actions and trades.
  const symbols = [
    ...new Set([...input.actions, ...input.trades].map((x) => x.symbol).filter((s): s is string => Boolean(s))),
  ].sort();
  return {
    total_actions: input.actions.length,
    total_trades: t.trades,
    total_trades_overall: t.trades + input.openTrades,
    open_trades: input.openTrades,
    signals_count: input.actions.filter((a) => a.action_type === 'SIGNAL').length,
    profitable_trades: t.profitable,
    losing_trades: t.losing,
    win_rate: t.winRate,
    success_rate: t.winRate,
    total_pnl: t.totalPnl,
    avg_pnl: t.avgPnl,
    best_trade: t.best,
    worst_trade: t.worst,
    symbols,
    symbols_count: symbols.length,
    symbols_filtered: input.symbol !== null,
    symbol: input.symbol ?? 'ALL',
    by_symbol: totalsBySymbol(input.trades),
    by_close_reason: totalsByReason(input.trades),
  };
}

/** A trade the exchange reports, reduced to what reconciliation compares. */
export interface ExchangeTradeView {
  symbol: string;
  direction: 'LONG' | 'SHORT';
  size: number;
  entry_price: number;
  exit_price: number;
  pnl: number;
  reason: string;
  close_time_ms: number;
}

/** Matches exchange closes to bot trades: same symbol and direction, closed within `toleranceMs`. */
export function reconcile(
  botTrades: readonly StoredTrade[],
  exchangeTrades: readonly ExchangeTradeView[],
  toleranceMs = 120_000,
) {
  const used = new Set<number>();
  const matched: Array<{
    symbol: string;
    direction: string;
    bot_pnl: number;
    exchange_pnl: number;
    pnl_difference: number;
  }> = [];
  const onlyExchange: ExchangeTradeView[] = [];
  for (const e of exchangeTrades) {
    const index = botTrades.findIndex(
      (b, i) =>
        !used.has(i) &&
        b.symbol === e.symbol &&
        b.direction === e.direction &&
        Math.abs(b.close_time_ms - e.close_time_ms) <= toleranceMs,
    );
    if (index < 0) {
      onlyExchange.push(e);
      continue;
    }
    used.add(index);
    const b = botTrades[index];
    matched.push({
      symbol: e.symbol,
      direction: e.direction,
      bot_pnl: b.pnl,
      exchange_pnl: e.pnl,
      pnl_difference: r8(b.pnl - e.pnl),
    });
  }
  const onlyBot = botTrades.filter((_, i) => !used.has(i));
  return {
    matched,
    only_exchange: onlyExchange,
    only_bot: onlyBot.map((b) => ({
      symbol: b.symbol,
      direction: b.direction,
      pnl: b.pnl,
      close_timestamp: b.close_timestamp,
    })),
  };
}

/** The /analytics report the UI renders. */
export function analyticsReport(input: {
  botTrades: readonly StoredTrade[];
  exchangeTrades: readonly ExchangeTradeView[] | null;
  generatedAt: string;
}) {
  const bot = tradeTotals(input.botTrades);
  const exchange = input.exchangeTrades;
  const exchangeTotal = exchange ? r8(exchange.reduce((s, e) => s + e.pnl, 0)) : 0;
  const rec = exchange ? reconcile(input.botTrades, exchange) : null;
  const exchangeWins = exchange ? exchange.filter((e) => e.pnl > 0).length : 0;
  const counts = {
    bot_trades_count: bot.trades,
    exchange_trades_count: exchange ? exchange.length : 0,
    reconciliation_matched: rec ? rec.matched.length : 0,
    reconciliation_only_exchange: rec ? rec.only_exchange.length : 0,
    reconciliation_only_bots: rec ? rec.only_bot.length : 0,
    // Matched pairs whose PnL differs by more than half a USDT.
    reconciliation_pnl_mismatches: rec ? rec.matched.filter((m) => Math.abs(m.pnl_difference) > 0.5).length : 0,
    bot_win_rate_pct: bot.winRate,
    bot_total_pnl_usdt: bot.totalPnl,
  };
  return {
    bot_trades_count: bot.trades,
    exchange_trades_count: exchange ? exchange.length : 0,
    reconciliation_matched: rec ? rec.matched.length : 0,
    reconciliation_only_exchange: rec ? rec.only_exchange.length : 0,
    reconciliation_only_bot: rec ? rec.only_bot.length : 0,
    bot_win_rate_pct: bot.winRate,
    bot_total_pnl_usdt: bot.totalPnl,
    exchange_total_pnl_usdt: exchangeTotal,
    bot_analytics: {
      // Flat totals, streaks, drawdown, reasons and coin verdicts are what the UI's Analytics tab renders.
      total_trades: bot.trades,
      total_pnl_usdt: bot.totalPnl,
      win_rate_pct: bot.winRate,
      win_count: bot.profitable,
      loss_count: bot.losing,
      consecutive_series: consecutiveSeries(input.botTrades),
      drawdown: drawdown(input.botTrades),
      ...coinVerdicts(input.botTrades),
      totals: bot,
      by_symbol: totalsBySymbol(input.botTrades),
      by_close_reason: closeReasonBreakdown(input.botTrades),
      by_direction: {
        LONG: tradeTotals(input.botTrades.filter((t) => t.direction === 'LONG')),
        SHORT: tradeTotals(input.botTrades.filter((t) => t.direction === 'SHORT')),
      },
    },
    exchange_analytics: exchange
      ? {
          trades: exchange.length,
          total_pnl_usdt: exchangeTotal,
          win_rate_pct: exchange.length ? r2((exchangeWins / exchange.length) * 100) : 0,
          included: true,
        }
      : { included: false },
    reconciliation: rec ?? { included: false },
    summary: {
      ...counts,
      trades: bot.trades,
      win_rate_pct: bot.winRate,
      total_pnl_usdt: bot.totalPnl,
      avg_pnl_usdt: bot.avgPnl,
      best_trade_usdt: bot.best,
      worst_trade_usdt: bot.worst,
    },
    generated_at: input.generatedAt,
  };
}
