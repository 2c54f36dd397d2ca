import { Injectable } from '@nestjs/common';
import { ConflictError } from '../../common/errors';
import { BotHistoryService } from '../../bots/history/bot-history.service';
import type { StoredTrade } from '../../bots/history/history.types';
import { TIMEFRAME_MS, type Timeframe } from '../../exchange/exchange.types';
import { BacktestService } from '../backtest.service';
import { compareTrades, MAX_COMPARED_TRADES, type TradeComparison } from './trade-comparison';

/** Which recorded trades were compared, and which were left out and why. */
export interface LiveTradeSelection {
  /** Window of entry times read: the backtest's range widened by the tolerance on both sides. */
  from_ms: number;
  to_ms: number;
  /** Closed trades of the backtest's coins with an entry in that window. */
  in_window: number;
  /** Left out: the demo samples (`POST /api/bots/history/demo`). */
  excluded_demo: number;
  /** Left out: positions opened by hand or adopted from the exchange (the backtest replays the auto-bot only). */
  excluded_not_auto_bot: number;
}

export interface LiveComparison {
  backtest: { id: string; from_ms: number; to_ms: number; timeframe: Timeframe; symbols: string[] };
  tolerance_minutes: number;
  /** Where the tolerance came from: the caller, or one candle of the backtest's timeframe. */
  tolerance_source: 'request' | 'timeframe';
  live_selection: LiveTradeSelection;
  /** Positions the backtest still held at the end of its range: not trades there, so a live twin shows as live only. */
  backtest_open_at_end: number;
  comparison: TradeComparison;
}

/**
 * Compares a finished backtest's trades with the trades this service recorded over the same coins and window
 * (docs/backtest.md, "Comparing with live trades"): the recorded side is BotHistoryService, the history
 * /api/bots/trades reads; the pairing rule is the pure compareTrades.
 */
@Injectable()
export class LiveComparisonService {
  constructor(
    private readonly backtests: BacktestService,
    private readonly history: BotHistoryService,
  ) {}

  /** 404 for an unknown id, 409 while the job has no result. `toleranceMinutes` defaults to one candle. */
  async compare(id: string, toleranceMinutes?: number): Promise<LiveComparison> {
    const job = this.backtests.get(id);
    const result = job.status === 'done' ? await this.backtests.result(id) : null;
    if (!result) {
      throw new ConflictError(
        `Backtest ${id} has status ${job.status}: only a finished (done) backtest can be compared`,
        {
          status: job.status,
        },
      );
    }
    const { from_ms, to_ms, timeframe, symbols } = result.parameters;
    // One candle: live decides on the forming candle at its worker tick, the replay at the candle's close, so the
    // same signal can enter up to one candle apart (docs/backtest.md, "Comparing with live trades").
    const toleranceMs = toleranceMinutes !== undefined ? toleranceMinutes * 60_000 : TIMEFRAME_MS[timeframe];
    const selection: LiveTradeSelection = {
      from_ms: from_ms - toleranceMs,
      to_ms: to_ms + toleranceMs,
      in_window: 0,
      excluded_demo: 0,
      excluded_not_auto_bot: 0,
    };
    const coins = new Set(symbols);
    const live: StoredTrade[] = [];
    for (const trade of this.history.closedTrades()) {
      if (!coins.has(trade.symbol)) continue;
      if (trade.entry_timestamp < selection.from_ms || trade.entry_timestamp >= selection.to_ms) continue;
      selection.in_window++;
      if (trade.is_demo) selection.excluded_demo++;
      else if (trade.decision_source !== 'SCRIPT') selection.excluded_not_auto_bot++;
      else live.push(trade);
    }
    return {
      backtest: { id, from_ms, to_ms, timeframe, symbols },
      tolerance_minutes: toleranceMs / 60_000,
      tolerance_source: toleranceMinutes !== undefined ? 'request' : 'timeframe',
      live_selection: selection,
      backtest_open_at_end: result.open_positions.length,
      comparison: compareTrades(live, result.trades, { toleranceMs, maxTrades: MAX_COMPARED_TRADES }),
    };
  }
}
