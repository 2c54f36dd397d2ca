import type { StoredTrade } from './history.types';
import { auditTrade, rsiAuditReport } from './rsi-audit';

const config = {
  rsi_long_threshold: 29,
  rsi_short_threshold: 71,
  rsi_exit_long_with_trend: 65,
  rsi_exit_long_against_trend: 60,
  rsi_exit_short_with_trend: 35,
  rsi_exit_short_against_trend: 40,
};

function trade(over: Partial<StoredTrade>): StoredTrade {
  return {
    id: 't',
    timestamp: '',
    bot_id: 'b',
    symbol: 'BTC',
    direction: 'LONG',
    size: 1,
    entry_price: 100,
    exit_price: 101,
    pnl: 1,
    fees: 0,
    net_pnl: 1,
    roi: 10,
    pnl_percent: 1,
    leverage: 10,
    status: 'CLOSED',
    decision_source: 'SCRIPT',
    rsi: 25,
    trend: 'UP',
    exit_rsi: 66,
    entry_timeframe: '6h',
    entry_time: '',
    entry_timestamp: 0,
    close_timestamp: '',
    close_time_ms: 0,
    close_reason: 'RSI_EXIT',
    is_successful: true,
    is_simulated: true,
    ...over,
  };
}

describe('RSI audit', () => {
  it('a long entered at RSI 25 (≤ 29) and exited at 66 with an UP trend (≥ 65) is ok both ways', () => {
    expect(auditTrade(trade({}), config)).toMatchObject({
      entry_status: 'ok',
      entry_threshold: 29,
      exit_status: 'ok',
      exit_threshold: 65,
    });
  });

  it('flags an entry outside the zone and an RSI exit below its level (against trend: 60)', () => {
    expect(auditTrade(trade({ rsi: 31, trend: 'NEUTRAL', exit_rsi: 59 }), config)).toMatchObject({
      entry_status: 'error',
      exit_status: 'error',
      exit_threshold: 60,
    });
  });

  it('short: entry ≥ 71, exit ≤ 35 with a DOWN trend', () => {
    expect(auditTrade(trade({ direction: 'SHORT', rsi: 75, trend: 'DOWN', exit_rsi: 34 }), config)).toMatchObject({
      entry_status: 'ok',
      exit_status: 'ok',
      exit_threshold: 35,
    });
  });

  it('stop-loss exits are not RSI exits; missing RSI is no_rsi', () => {
    expect(auditTrade(trade({ close_reason: 'STOP_LOSS', rsi: null }), config)).toMatchObject({
      entry_status: 'no_rsi',
      exit_status: 'not_rsi_exit',
      exit_threshold: null,
    });
  });

  it('summarises the counts', () => {
    const report = rsiAuditReport(
      [trade({}), trade({ rsi: 31, exit_rsi: null }), trade({ close_reason: 'STOP_LOSS' })],
      () => config,
      config,
      '6h',
      'now',
    );
    expect(report.summary).toEqual({
      total: 3,
      entry_ok: 2,
      entry_error: 1,
      entry_no_rsi: 0,
      exit_ok: 1,
      exit_error: 0,
      exit_no_rsi: 1,
    });
  });
});
