import type { StoredTrade } from './history.types';

/**
 * The blocks of the /analytics report that the web UI's Analytics tab renders under `report.bot_analytics`:
 * streaks, drawdown, close reasons, and which coins / RSI ranges / trends did well or badly.
 * The thresholds are the ones the UI prints next to each list.
 */

const MIN_TRADES_PER_COIN = 3;
const MIN_TRADES_PER_GROUP = 2;
const BAD_COIN_WIN_RATE = 45;
const BAD_GROUP_WIN_RATE = 40;
const GOOD_WIN_RATE = 55;
const RSI_BUCKET_WIDTH = 10;

const r2 = (n: number) => Math.round(n * 100) / 100;

interface Group {
  count: number;
  pnl: number;
  wins: number;
  losses: number;
}

function group(trades: readonly StoredTrade[]): Group {
  return {
    count: trades.length,
    pnl: trades.reduce((s, t) => s + t.pnl, 0),
    wins: trades.filter((t) => t.pnl > 0).length,
    losses: trades.filter((t) => t.pnl < 0).length,
  };
}

const winRate = (g: Group) => (g.count ? (g.wins / g.count) * 100 : 0);

function groupBy<K extends string>(
  trades: readonly StoredTrade[],
  key: (t: StoredTrade) => K | null,
): Map<K, StoredTrade[]> {
  const out = new Map<K, StoredTrade[]>();
  for (const t of trades) {
    const k = key(t);
    if (k !== null) out.set(k, [...(out.get(k) ?? []), t]);
  }
  return out;
}

const byCloseTime = (trades: readonly StoredTrade[]) => [...trades].sort((a, b) => a.close_time_ms - b.close_time_ms);

/** Longest runs of winning and of losing trades, in close order (a zero-PnL trade ends both). */
export function consecutiveSeries(trades: readonly StoredTrade[]) {
  let wins = 0;
  let losses = 0;
  let maxWins = 0;
  let maxLosses = 0;
  for (const t of byCloseTime(trades)) {
    wins = t.pnl > 0 ? wins + 1 : 0;
    losses = t.pnl < 0 ? losses + 1 : 0;
    maxWins = Math.max(maxWins, wins);
    maxLosses = Math.max(maxLosses, losses);
  }
  return { max_consecutive_wins: maxWins, max_consecutive_losses: maxLosses };
}

/** Largest fall of cumulative PnL from its previous peak, in USDT and in % of that peak (when the peak is positive). */
export function drawdown(trades: readonly StoredTrade[]) {
  let equity = 0;
  let peak = 0;
  let maxUsdt = 0;
  let maxPct = 0;
  for (const t of byCloseTime(trades)) {
    equity += t.pnl;
    peak = Math.max(peak, equity);
    maxUsdt = Math.max(maxUsdt, peak - equity);
    if (peak > 0) maxPct = Math.max(maxPct, ((peak - equity) / peak) * 100);
  }
  return { max_drawdown_usdt: r2(maxUsdt), max_drawdown_pct: r2(maxPct), final_equity: r2(equity) };
}

/** Per close reason: trade count, PnL, wins and losses. */
export function closeReasonBreakdown(trades: readonly StoredTrade[]) {
  return Object.fromEntries(
    [...groupBy(trades, (t) => t.close_reason).entries()].map(([reason, list]) => {
      const g = group(list);
      return [reason, { count: g.count, pnl: r2(g.pnl), wins: g.wins, losses: g.losses }];
    }),
  );
}

/** "20-30" for an entry RSI of 25 (the top bucket includes 100); null without an RSI. */
export function rsiBucket(rsi: number | null | undefined): string | null {
  if (typeof rsi !== 'number' || !Number.isFinite(rsi) || rsi < 0 || rsi > 100) return null;
  const low = Math.min(Math.floor(rsi / RSI_BUCKET_WIDTH) * RSI_BUCKET_WIDTH, 100 - RSI_BUCKET_WIDTH);
  return `${low}-${low + RSI_BUCKET_WIDTH}`;
}

function groupRows<K extends string>(groups: Map<K, StoredTrade[]>, label: string, keep: (g: Group) => boolean) {
  return [...groups.entries()]
    .map(([k, list]) => ({ k, g: group(list) }))
    .filter(({ g }) => g.count >= MIN_TRADES_PER_GROUP && keep(g))
    .sort((a, b) => a.k.localeCompare(b.k))
    .map(({ k, g }) => ({ [label]: k, trades_count: g.count, pnl_usdt: r2(g.pnl), win_rate_pct: r2(winRate(g)) }));
}

/**
 * Coins with at least 3 trades that lost money or won less than 45 % (with the RSI ranges and trends that went
 * badly for them), and coins that made money winning at least 55 % (with the ranges and trends that went well).
 */
export function coinVerdicts(trades: readonly StoredTrade[]) {
  const unsuccessful_coins: Array<Record<string, unknown>> = [];
  const unsuccessful_settings: Array<Record<string, unknown>> = [];
  const successful_coins: Array<Record<string, unknown>> = [];
  const successful_settings: Array<Record<string, unknown>> = [];
  for (const [symbol, list] of [...groupBy(trades, (t) => t.symbol).entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const g = group(list);
    if (g.count < MIN_TRADES_PER_COIN) continue;
    const row = {
      symbol,
      trades_count: g.count,
      pnl_usdt: r2(g.pnl),
      win_rate_pct: r2(winRate(g)),
      wins: g.wins,
      losses: g.losses,
    };
    const byRsi = groupBy(list, (t) => rsiBucket(t.rsi));
    const byTrend = groupBy(list, (t) => (t.trend ? String(t.trend).toUpperCase() : null));
    const reasons = [
      ...(g.pnl < 0 ? ['negative_pnl'] : []),
      ...(winRate(g) < BAD_COIN_WIN_RATE ? ['low_win_rate'] : []),
    ];
    if (reasons.length) {
      unsuccessful_coins.push({ ...row, reasons });
      const bad = (x: Group) => winRate(x) < BAD_GROUP_WIN_RATE || x.pnl < 0;
      unsuccessful_settings.push({
        symbol,
        bad_rsi_ranges: groupRows(byRsi, 'rsi_range', bad),
        bad_trends: groupRows(byTrend, 'trend', bad),
      });
    } else if (g.pnl > 0 && winRate(g) >= GOOD_WIN_RATE) {
      successful_coins.push(row);
      const good = (x: Group) => winRate(x) >= GOOD_WIN_RATE && x.pnl > 0;
      successful_settings.push({
        symbol,
        good_rsi_ranges: groupRows(byRsi, 'rsi_range', good),
        good_trends: groupRows(byTrend, 'trend', good),
      });
    }
  }
  unsuccessful_coins.sort((a, b) => (a.pnl_usdt as number) - (b.pnl_usdt as number));
  successful_coins.sort((a, b) => (b.pnl_usdt as number) - (a.pnl_usdt as number));
  return { unsuccessful_coins, unsuccessful_settings, successful_coins, successful_settings };
}
