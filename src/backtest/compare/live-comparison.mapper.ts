import type { LiveComparisonResponseDto, MatchedTradePairDto, UnmatchedTradeDto } from '../dto/live-comparison.dto';
import type { LiveComparison } from './live-comparison.service';
import type { MatchedTradePair, UnmatchedTrade } from './trade-comparison';

function matchedDto(p: MatchedTradePair): MatchedTradePairDto {
  return {
    symbol: p.symbol,
    direction: p.direction,
    live_id: p.live_id,
    backtest_id: p.backtest_id,
    live_entry_time_ms: p.live_entry_time_ms,
    backtest_entry_time_ms: p.backtest_entry_time_ms,
    entry_time_diff_ms: p.entry_time_diff_ms,
    exit_time_diff_ms: p.exit_time_diff_ms,
    live_entry_price: p.live_entry_price,
    backtest_entry_price: p.backtest_entry_price,
    entry_price_diff: p.entry_price_diff,
    entry_price_diff_pct: p.entry_price_diff_pct,
    live_exit_price: p.live_exit_price,
    backtest_exit_price: p.backtest_exit_price,
    exit_price_diff: p.exit_price_diff,
    exit_price_diff_pct: p.exit_price_diff_pct,
    live_close_reason: p.live_close_reason,
    backtest_close_reason: p.backtest_close_reason,
    close_reason_equal: p.close_reason_equal,
    live_net_pnl: p.live_net_pnl,
    backtest_net_pnl: p.backtest_net_pnl,
    net_pnl_diff: p.net_pnl_diff,
  };
}

function unmatchedDto(t: UnmatchedTrade): UnmatchedTradeDto {
  return {
    id: t.id,
    symbol: t.symbol,
    direction: t.direction,
    entry_time_ms: t.entry_time_ms,
    close_time_ms: t.close_time_ms,
    entry_price: t.entry_price,
    exit_price: t.exit_price,
    close_reason: t.close_reason,
    net_pnl: t.net_pnl,
  };
}

/** The answer of GET /api/bots/backtest/{id}/live-comparison: the comparison flattened into the documented DTO. */
export function toLiveComparisonResponse(c: LiveComparison): LiveComparisonResponseDto {
  const { comparison } = c;
  return {
    success: true,
    backtest: { ...c.backtest, symbols: [...c.backtest.symbols] },
    tolerance_minutes: c.tolerance_minutes,
    tolerance_source: c.tolerance_source,
    max_trades: comparison.max_trades,
    live_selection: { ...c.live_selection },
    backtest_open_at_end: c.backtest_open_at_end,
    totals: { ...comparison.totals },
    matched: comparison.matched.map(matchedDto),
    live_only: comparison.live_only.map(unmatchedDto),
    backtest_only: comparison.backtest_only.map(unmatchedDto),
  };
}
