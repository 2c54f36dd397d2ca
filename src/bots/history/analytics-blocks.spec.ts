import { closeReasonBreakdown, coinVerdicts, consecutiveSeries, drawdown, rsiBucket } from './analytics-blocks';
import type { Trend } from '../../rsi/rsi.types';
import type { StoredTrade } from './history.types';

function trade(
  symbol: string,
  pnl: number,
  closeMs: number,
  rsi: number,
  trend: Trend = 'UP',
  reason: StoredTrade['close_reason'] = 'RSI_EXIT',
): StoredTrade {
  return {
    id: `${symbol}_${closeMs}`,
    timestamp: '',
    bot_id: `${symbol}_1`,
    symbol,
    direction: 'LONG',
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
    rsi,
    trend,
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

// Close order: +5 +3 -2 -4 -1 +6  -> equity 5, 8, 6, 2, 1, 7 (peak 8, deepest fall 7 = 87.5 %).
const sequence = [
  trade('AAA', 3, 2000, 25),
  trade('AAA', 5, 1000, 22),
  trade('BBB', -2, 3000, 75, 'DOWN', 'STOP_LOSS'),
  trade('BBB', -4, 4000, 78, 'DOWN', 'STOP_LOSS'),
  trade('BBB', -1, 5000, 31, 'UP'),
  trade('AAA', 6, 6000, 28),
];

describe('analytics blocks', () => {
  it('finds the longest winning and losing runs in close order', () => {
    expect(consecutiveSeries(sequence)).toEqual({ max_consecutive_wins: 2, max_consecutive_losses: 3 });
    expect(consecutiveSeries([])).toEqual({ max_consecutive_wins: 0, max_consecutive_losses: 0 });
  });

  it('measures the drawdown from the equity peak', () => {
    expect(drawdown(sequence)).toEqual({ max_drawdown_usdt: 7, max_drawdown_pct: 87.5, final_equity: 7 });
    // Losing from the start: no positive peak, so no percentage.
    expect(drawdown([trade('X', -3, 1, 50), trade('X', -2, 2, 50)])).toEqual({
      max_drawdown_usdt: 5,
      max_drawdown_pct: 0,
      final_equity: -5,
    });
  });

  it('splits by close reason', () => {
    expect(closeReasonBreakdown(sequence)).toEqual({
      RSI_EXIT: { count: 4, pnl: 13, wins: 3, losses: 1 },
      STOP_LOSS: { count: 2, pnl: -6, wins: 0, losses: 2 },
    });
  });

  it('buckets entry RSI by tens', () => {
    expect([rsiBucket(25), rsiBucket(70), rsiBucket(100), rsiBucket(0), rsiBucket(null), rsiBucket(101)]).toEqual([
      '20-30',
      '70-80',
      '90-100',
      '0-10',
      null,
      null,
    ]);
  });

  it('names good and bad coins with their RSI ranges and trends', () => {
    const v = coinVerdicts([...sequence, trade('CCC', 1, 7000, 50), trade('CCC', -1, 8000, 50)]);
    expect(v.successful_coins).toEqual([
      { symbol: 'AAA', trades_count: 3, pnl_usdt: 14, win_rate_pct: 100, wins: 3, losses: 0 },
    ]);
    expect(v.successful_settings).toEqual([
      {
        symbol: 'AAA',
        good_rsi_ranges: [{ rsi_range: '20-30', trades_count: 3, pnl_usdt: 14, win_rate_pct: 100 }],
        good_trends: [{ trend: 'UP', trades_count: 3, pnl_usdt: 14, win_rate_pct: 100 }],
      },
    ]);
    // CCC has only two trades: judged on neither list.
    expect(v.unsuccessful_coins).toEqual([
      {
        symbol: 'BBB',
        trades_count: 3,
        pnl_usdt: -7,
        win_rate_pct: 0,
        wins: 0,
        losses: 3,
        reasons: ['negative_pnl', 'low_win_rate'],
      },
    ]);
    // Only the 70-80 range and the DOWN trend have the two trades a group needs.
    expect(v.unsuccessful_settings).toEqual([
      {
        symbol: 'BBB',
        bad_rsi_ranges: [{ rsi_range: '70-80', trades_count: 2, pnl_usdt: -6, win_rate_pct: 0 }],
        bad_trends: [{ trend: 'DOWN', trades_count: 2, pnl_usdt: -6, win_rate_pct: 0 }],
      },
    ]);
  });
});
