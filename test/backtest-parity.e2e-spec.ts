import request from 'supertest';
import { PAPER_FEE_RATE, PAPER_SPREAD_TICKS } from '../src/backtest/backtest-runner.service';
import { runBacktestWithDetail, type CandleSource, type UniverseEntry } from '../src/backtest/engine/candle-source';
import { instrumentRules, type BacktestTrade } from '../src/backtest/engine/backtest.types';
import { BotHistoryService } from '../src/bots/history/bot-history.service';
import { CandleStoreService } from '../src/candles/candle-store.service';
import { ManualClock } from '../src/common/clock';
import { AutoBotConfigService } from '../src/config/auto-bot-config.service';
import { ExchangeService } from '../src/exchange/exchange.service';
import { TIMEFRAME_MS } from '../src/exchange/exchange.types';
import type { SimulatedScheduler } from '../src/scheduling/worker-scheduler';
import { simulatedScheduler } from './support/bots';
import { createTestApp, type TestApp } from './support/test-app';

jest.setTimeout(600_000);

const SIX_HOURS = TIMEFRAME_MS['6h'];
/** A 6h candle close: the window starts at a decision time of both sides. */
const START = Date.UTC(2026, 0, 5, 0, 0);
const DAYS = 16;
const END = START + DAYS * 24 * 3600_000;
/** The live service's monitor and position sync period (clock seconds). */
const TICK_SECONDS = 60;

/** Settings that trade often over a few days on ten coins (both sides get exactly these). */
const SETTINGS = {
  signal_candle: 'closed',
  check_interval: SIX_HOURS / 1000,
  max_concurrent: 3,
  rsi_long_threshold: 40,
  rsi_short_threshold: 60,
  rsi_exit_long_with_trend: 50,
  rsi_exit_long_against_trend: 50,
  rsi_exit_short_with_trend: 50,
  rsi_exit_short_against_trend: 50,
  max_loss_percent: 6,
  take_profit_percent: 8,
  trailing_stop_activation: 4,
  trailing_stop_distance: 2,
  break_even_protection: true,
  break_even_trigger: 3,
  max_position_hours: 100,
  exit_wait_breakeven_when_loss: false,
};

interface TradeView {
  symbol: string;
  direction: string;
  entry_ms: number;
  exit_ms: number;
  close_reason: string;
  entry_price: number;
  exit_price: number;
  net_pnl: number;
}

const view = (t: {
  symbol: string;
  direction: string;
  entry_timestamp: number;
  close_time_ms: number;
  close_reason: string;
  entry_price: number;
  exit_price: number;
  net_pnl: number;
}): TradeView => ({
  symbol: t.symbol,
  direction: t.direction,
  entry_ms: t.entry_timestamp,
  exit_ms: t.close_time_ms,
  close_reason: t.close_reason,
  entry_price: t.entry_price,
  exit_price: t.exit_price,
  net_pnl: t.net_pnl,
});

describe('backtest parity with the live service (docs/backtest-engine.md, "Parity with live")', () => {
  let t: TestApp;
  let scheduler: SimulatedScheduler;
  const clock = new ManualClock(START);

  beforeAll(async () => {
    t = await createTestApp({ clock, env: { PAPER_SYMBOLS: '10', PAPER_SEED: '42' } });
    scheduler = simulatedScheduler(t);
    await scheduler.settle(); // the first RSI load and the start-up position sync
  });
  afterAll(async () => t?.close());

  it('trades the same as a backtest of the same window, seed and settings', async () => {
    await request(t.http)
      .post('/api/bots/system-config')
      .send({
        bot_status_update_interval: TICK_SECONDS,
        position_sync_interval: 5 * TICK_SECONDS,
        rsi_update_interval: SIX_HOURS / 1000,
        // Saving every 30 s of clock time would write the data files 17 000 times; once a day is enough here.
        auto_save_interval: 86_400,
      })
      .expect(200);
    await request(t.http).post('/api/bots/auto-bot').send(SETTINGS).expect(200);
    await request(t.http).post('/api/bots/auto-bot').send({ enabled: true }).expect(200);
    await scheduler.advanceTo(END);

    const live = t.app
      .get(BotHistoryService)
      .closedTrades()
      .map(view)
      .sort((a, b) => a.entry_ms - b.entry_ms || a.symbol.localeCompare(b.symbol));

    // The backtest of the same window, on the paper sim's own history through the candle store (as the backtest API).
    const exchange = t.app.get(ExchangeService);
    const store = t.app.get(CandleStoreService);
    const symbols = exchange.markets().map((m) => m.symbol);
    const source: CandleSource = {
      load: async (symbol, timeframe, from, to) => {
        await store.ensure([symbol], timeframe, from, to);
        return store.load(symbol, timeframe, from, to);
      },
    };
    const loadFrom = START - 1000 * SIX_HOURS;
    const entries: UniverseEntry[] = symbols.map((symbol) => {
      const m = exchange.market(symbol)!;
      return {
        symbol,
        rules: instrumentRules(m),
      };
    });
    const universe = [];
    for (const entry of entries) {
      const candles = await source.load(entry.symbol, '6h', loadFrom, END);
      if (candles.length > 0) universe.push({ ...entry, candles });
    }
    const { run } = await runBacktestWithDetail(
      universe,
      {
        timeframe: '6h',
        config: t.app.get(AutoBotConfigService).get(),
        startingBalance: 10_000,
        feeRate: PAPER_FEE_RATE,
        spreadTicks: PAPER_SPREAD_TICKS,
        tradeFromMs: START,
      },
      source,
    );
    const backtest = run.trades
      .map((trade: BacktestTrade) => view(trade))
      .sort((a, b) => a.entry_ms - b.entry_ms || a.symbol.localeCompare(b.symbol));

    const exitBy = new Map(run.trades.map((trade) => [`${trade.symbol}@${trade.entry_timestamp}`, trade.exit_by]));
    const report = () =>
      JSON.stringify({ live: live.map(printable), backtest: backtest.map(printable) }, null, 1).slice(0, 20_000);

    // A meaningful sample: every kind of exit the live service has (exchange stop, trailing and break-even stops
    // moved by the monitor, a market close by the monitor, the RSI exit at a candle close).
    expect(live.length).toBeGreaterThanOrEqual(10);
    const reasons = new Set(live.map((x) => x.close_reason));
    for (const reason of ['STOP_LOSS', 'TRAILING_STOP', 'BREAK_EVEN', 'MAX_POSITION_HOURS', 'RSI_EXIT']) {
      expect(reasons).toContain(reason);
    }
    expect(new Set(exitBy.values())).toEqual(new Set(['exchange', 'monitor', 'rsi_exit']));

    // The same trades, one by one.
    expect({ count: backtest.length, report: report() }).toEqual({ count: live.length, report: report() });
    live.forEach((l, i) => {
      const b = backtest[i];
      const where = `trade ${i} (${l.symbol} ${l.direction} entered ${new Date(l.entry_ms).toISOString()})`;
      expect({ where, symbol: b.symbol, direction: b.direction, reason: b.close_reason }).toEqual({
        where,
        symbol: l.symbol,
        direction: l.direction,
        reason: l.close_reason,
      });
      // Both decide at the candle close (the auto-bot is armed on the closes) and fill at its quote.
      expect({ where, entry_ms: b.entry_ms, entry_price: b.entry_price }).toEqual({
        where,
        entry_ms: l.entry_ms,
        entry_price: l.entry_price,
      });
      // An exchange stop fills at its own level. Live stamps the minute in which the paper exchange found the price
      // beyond it; the backtest the point of the 1m candle ending there where the path crossed it (⅓ or ⅔ into it, or
      // its end): up to 40 s earlier, within one monitor tick. Monitor and RSI exits: the same tick.
      expect({ where, exit_price: b.exit_price }).toEqual({ where, exit_price: l.exit_price });
      expect(Math.abs(b.exit_ms - l.exit_ms)).toBeLessThanOrEqual(TICK_SECONDS * 1000);
      if (exitBy.get(`${b.symbol}@${b.entry_ms}`) !== 'exchange') {
        expect({ where, exit_ms: b.exit_ms }).toEqual({ where, exit_ms: l.exit_ms });
      }
      // Same prices, sizes and fee rate: the net PnL differs only by the 8-decimal rounding of the records.
      expect(Math.abs(b.net_pnl - l.net_pnl)).toBeLessThanOrEqual(1e-6);
    });

    // The same account at the end: open positions, and the wallet (starting balance + realised PnL − every fee).
    const openLive = (await request(t.http).get('/api/bots/list').expect(200)).body.bots.filter(
      (b: { status: string }) => b.status.startsWith('in_position'),
    );
    expect(run.openAtEnd).toBe(openLive.length);
    const wallet = (await exchange.fetchBalance()).walletBalance;
    expect(Math.abs(run.finalBalance - wallet)).toBeLessThanOrEqual(1e-6 * (live.length + 1));

    // No worker failed on the way.
    const state = (await request(t.http).get('/api/bots/process-state').expect(200)).body.process_state;
    for (const name of ['auto_bot_worker', 'bot_status_worker', 'position_sync_worker']) {
      expect({ name, failures: state[name].failures }).toEqual({ name, failures: 0 });
    }
    expect(state.auto_bot_worker.runs).toBeGreaterThanOrEqual(DAYS * 4);
    expect(state.bot_status_worker.runs).toBeGreaterThanOrEqual(DAYS * 24 * 60);
  });
});

function printable(x: TradeView) {
  return { ...x, entry: new Date(x.entry_ms).toISOString(), exit: new Date(x.exit_ms).toISOString() };
}
