import type { BotHistoryService } from '../../bots/history/bot-history.service';
import type { StoredTrade } from '../../bots/history/history.types';
import { ConflictError } from '../../common/errors';
import type { BacktestJob, BacktestService } from '../backtest.service';
import type { BacktestResult, BacktestResultTrade } from '../result/backtest-result';
import { LiveComparisonService } from './live-comparison.service';

const H = 3_600_000;
const FROM = Date.UTC(2026, 0, 1);
const TO = FROM + 10 * 24 * H;

function recorded(id: string, fields: Partial<StoredTrade>): StoredTrade {
  return {
    id,
    symbol: 'BTC',
    direction: 'LONG',
    entry_timestamp: FROM + 24 * H,
    close_time_ms: FROM + 30 * H,
    entry_price: 100,
    exit_price: 101,
    net_pnl: 1,
    close_reason: 'RSI_EXIT',
    decision_source: 'SCRIPT',
    ...fields,
  } as StoredTrade;
}

function service(status: BacktestJob['status'], trades: StoredTrade[], backtested: Partial<BacktestResultTrade>[]) {
  const result = {
    parameters: { from_ms: FROM, to_ms: TO, timeframe: '6h', symbols: ['BTC', 'ETH'] },
    trades: backtested.map((t, i) => recorded(`bt-${i}`, t as Partial<StoredTrade>)),
    open_positions: [{}],
  } as unknown as BacktestResult;
  const backtests = {
    get: (id: string) => ({ id, status }) as BacktestJob,
    result: async () => (status === 'done' ? result : null),
  } as unknown as BacktestService;
  const history = { closedTrades: () => trades } as unknown as BotHistoryService;
  return new LiveComparisonService(backtests, history);
}

describe('LiveComparisonService', () => {
  it("reads the backtest's coins entered within its range ± one candle, leaving out demo and non-auto-bot trades", async () => {
    const trades = [
      recorded('edge-start', { entry_timestamp: FROM - 6 * H }), // first instant of the window: in
      recorded('before', { entry_timestamp: FROM - 6 * H - 1 }), // out
      recorded('edge-end', { entry_timestamp: TO + 6 * H - 1 }), // last instant: in
      recorded('after', { entry_timestamp: TO + 6 * H }), // out
      recorded('other-coin', { symbol: 'SOL' }), // out
      recorded('demo', { is_demo: true }),
      recorded('manual', { decision_source: 'MANUAL' }),
      recorded('adopted', { symbol: 'ETH', decision_source: 'EXCHANGE_IMPORT' }),
      recorded('eth', { symbol: 'ETH', direction: 'SHORT' }),
    ];
    const c = await service('done', trades, [{ entry_timestamp: FROM }]).compare('id-1');
    expect(c.tolerance_minutes).toBe(360);
    expect(c.tolerance_source).toBe('timeframe');
    expect(c.backtest_open_at_end).toBe(1);
    expect(c.live_selection).toEqual({
      from_ms: FROM - 6 * H,
      to_ms: TO + 6 * H,
      in_window: 6,
      excluded_demo: 1,
      excluded_not_auto_bot: 2,
    });
    // edge-start, 6 h (the tolerance) before bt-0, is its twin; the rest are live only.
    expect(c.comparison.matched.map((p) => `${p.backtest_id}:${p.live_id}`)).toEqual(['bt-0:edge-start']);
    expect(c.comparison.live_only.map((t) => t.id)).toEqual(['eth', 'edge-end']);
  });

  it('uses the tolerance it is given, in minutes, for the window and the pairing', async () => {
    const c = await service(
      'done',
      [recorded('near', { entry_timestamp: FROM + 90 * 60_000 })],
      [{ entry_timestamp: FROM }],
    ).compare('id-1', 60);
    expect(c).toMatchObject({ tolerance_minutes: 60, tolerance_source: 'request' });
    expect(c.live_selection).toMatchObject({ from_ms: FROM - H, to_ms: TO + H });
    expect(c.comparison.totals).toMatchObject({ matched: 0, live_only: 1, backtest_only: 1 });
  });

  it.each(['running', 'failed', 'cancelled', 'interrupted'] as const)('refuses a %s job with a 409', async (status) => {
    const pending = service(status, [], []).compare('id-1');
    await expect(pending).rejects.toBeInstanceOf(ConflictError);
    await expect(pending).rejects.toThrow(`status ${status}`);
  });
});
