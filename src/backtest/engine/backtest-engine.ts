// runBacktest, the public entry of the replay: its loop over the time grid and the equity accounting (wallet,
// unrealised PnL, account protections); the steps live in position-walk.ts and auto-bot-entry.ts.
import { pnlUsdt } from '../../bots/engine/profit';
import type { BacktestParams, BacktestRun, BacktestSymbol } from './backtest.types';
import { accountProtectionPass } from './account-protections';
import { timeGrid } from './replay-setup';
import { AutoBotEntry } from './auto-bot-entry';
import { PreparedUniverse, prepareUniverse } from './replay-precompute';

export { timeGrid, PreparedUniverse, prepareUniverse };

/**
 * The backtest replay (docs/backtest-engine.md): the coin universe candle by candle in time order, through the same
 * pure rules the live service runs — TradingBot, protection, sizing, the effective signal, the entry filter chain,
 * the auto-bot's screenCandidate, the RSI exit, the paper fill model — on its own clock.
 *
 * Per candle close, in order: (1) every open position walks the candle's path (1m detail when given, else the
 * pessimistic OHLC path) with the exchange's stop / take-profit / liquidation and the monitor's protections;
 * (2) the RSI exit at the close; (3) the auto-bot screens the coins in universe order and enters at the close quote;
 * (4) an equity point.
 *
 * `prepared` (prepareUniverse over the same candles) carries the setting-independent work — time grid, RSI, grid
 * placement, maturity — from one run to the next: a caller replaying many settings over one universe (the optimizer)
 * builds it once. Without it the run builds its own; the result is the same.
 */
export function runBacktest(
  universe: readonly BacktestSymbol[],
  params: BacktestParams,
  prepared?: PreparedUniverse,
): BacktestRun {
  return new Replay(universe, params, prepared).run();
}

// The replay's loop and its equity accounting; the steps it calls live in auto-bot-entry.ts, position-walk.ts,
// and its state in replay-state.ts.
class Replay extends AutoBotEntry {
  run(): BacktestRun {
    const grid = this.prepared.grid;
    const equityTime = new Float64Array(grid.length);
    const balance = new Float64Array(grid.length);
    const equity = new Float64Array(grid.length);
    for (let g = 0; g < grid.length; g++) {
      const openTime = grid[g];
      const closeTime = openTime + this.tfMs;
      this.step = g;
      // (1) + (2): positions through the candle (in universe order), then the RSI exit at its close.
      // No step opens a position and a walk closes only its own: stop after the last one open at the start.
      for (let s = 0, left = this.openCount; s < this.n && left > 0; s++) {
        const position = this.positions[s];
        if (!position) continue;
        left--;
        const i = this.candleAt(s);
        if (i >= 0) this.managePosition(s, position, i, openTime);
      }
      this.bars += this.prepared.presentCount[g];
      this.clock.set(closeTime);
      // The protection check at the close (live: every bot_status_update_interval and after each close).
      if (this.accountOn) this.checkAccountProtections(closeTime);
      // (3) the auto-bot round.
      if (closeTime >= (this.params.tradeFromMs ?? -Infinity)) this.autoBotRound(closeTime);
      // (4) equity at the close.
      equityTime[g] = closeTime;
      balance[g] = this.wallet;
      equity[g] = this.wallet + this.unrealised();
    }
    return {
      trades: this.trades,
      equity: { time: equityTime, balance, equity },
      bars: this.bars,
      detailBars: this.detailBars,
      startingBalance: this.params.startingBalance,
      finalBalance: this.wallet,
      openAtEnd: this.openCount,
      locks: this.locksSet,
    };
  }

  /** Unrealised PnL of the open positions at their last close. */
  private unrealised(): number {
    let total = 0;
    for (let s = 0, left = this.openCount; s < this.n && left > 0; s++) {
      const position = this.positions[s];
      if (!position) continue;
      left--;
      const i = this.lastCandle(s);
      total += pnlUsdt(
        position.side,
        position.bot.record.entry_price as number,
        this.universe[s].candles.close[i],
        position.quantity,
      );
    }
    return total;
  }

  /**
   * The account protections' pass (ProtectionService.evaluate through the same lock book): lift expired locks, run
   * the enabled rules on the closed trades and the equity, add the locks; a drawdown lock with close_positions
   * closes every position at market.
   */
  private checkAccountProtections(now: number): void {
    const a = this.account;
    const { set } = accountProtectionPass(
      this.book,
      this.equityHistory,
      { now, walletBalance: this.wallet, equity: this.wallet + this.unrealised(), trades: this.tradeFacts },
      a,
      (p) => `${p.rule}-${p.symbol ?? 'all'}-${now}-${++this.lockSeq}`,
    );
    // The lock objects themselves: a later extension (applyLockProposals) shows in the run's list.
    this.locksSet.push(...set);
    if (a.maxDrawdown.closePositions && set.some((l) => l.rule === 'max_drawdown')) {
      for (let s = 0; s < this.n; s++) {
        const position = this.positions[s];
        if (position) {
          this.closeAtMarket(
            s,
            position,
            this.universe[s].candles.close[this.lastCandle(s)],
            now,
            'MANUAL_CLOSE',
            null,
            'monitor',
            'close',
          );
        }
      }
    }
  }
}
