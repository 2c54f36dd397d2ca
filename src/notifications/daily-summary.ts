import type { DailySummary } from './notification-kinds';

/** UTC day (YYYY-MM-DD) of the summary due at `now`, or null when none is due (wrong hour or already sent). */
export function dailySummaryDue(now: number, hour: number | null, lastSentDay: string | null): string | null {
  if (hour === null) return null;
  const date = new Date(now);
  if (date.getUTCHours() !== hour) return null;
  const day = date.toISOString().slice(0, 10);
  return day === lastSentDay ? null : day;
}

export interface SummaryTrade {
  pnl: number;
  closeTimeMs: number;
}

/** The summary of the 24 hours before `now`: closed trades (count, won, lost, PnL sum) and the open positions. */
export function buildDailySummary(
  now: number,
  day: string,
  trades: SummaryTrade[],
  openPositions: DailySummary['openPositions'],
): DailySummary {
  const recent = trades.filter((t) => t.closeTimeMs > now - 86_400_000 && t.closeTimeMs <= now);
  const pnl = recent.reduce((sum, t) => sum + t.pnl, 0);
  return {
    at: now,
    day,
    trades: recent.length,
    wins: recent.filter((t) => t.pnl > 0).length,
    losses: recent.filter((t) => t.pnl < 0).length,
    pnlUsdt: Math.round(pnl * 1e8) / 1e8,
    openPositions,
  };
}
