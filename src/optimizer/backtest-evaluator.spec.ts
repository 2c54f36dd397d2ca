import { runBacktest } from '../backtest/engine/backtest-engine';
import type { BacktestSymbol } from '../backtest/engine/backtest.types';
import { DEFAULT_AUTO_BOT_CONFIG } from '../config/defaults';
import { candidateOverrides, createEvaluator, tradeResults, type ReplaySetup } from './backtest-evaluator';
import { attachSharedCandles, buildDataset } from './shared-candles';

const TF = 6 * 3600_000;
const RULES = { tickSize: 0.0001, qtyStep: 0.001, minOrderQty: 0.001, minNotional: 5, maxLeverage: 50 };

function fixture() {
  const columns = attachSharedCandles(
    buildDataset({
      kind: 'synthetic',
      symbols: 4,
      candles: 900,
      seed: 3,
      timeframeMs: TF,
      startTime: Date.UTC(2025, 0, 1),
    }),
  );
  // SYN3 lists late (NaN before candle 300) and has a gap: the evaluator replays only the candles it has.
  for (let i = 0; i < 300; i++) columns.close[3 * 900 + i] = Number.NaN;
  columns.close[3 * 900 + 500] = Number.NaN;
  const setup: ReplaySetup = {
    timeframe: '6h',
    config: {
      ...DEFAULT_AUTO_BOT_CONFIG,
      default_position_mode: 'usdt',
      default_position_size: 100,
      max_concurrent: 3,
    },
    coins: columns.symbols.map((symbol, s) => ({
      symbol,
      rules: RULES,
      ...(s === 1 ? { overrides: { take_profit_percent: 3, leverage: 2 } } : {}),
    })),
    startingBalance: 10_000,
    feeRate: 0.00055,
    spreadTicks: 1,
    tradeFromMs: columns.time[450],
  };
  return { columns, setup };
}

/** The same universe built by hand, as a backtest request with `overrides` would replay it. */
function referenceUniverse(columns: ReturnType<typeof fixture>['columns'], setup: ReplaySetup, overrides: object) {
  return setup.coins.map((coin, s): BacktestSymbol => {
    const rows = [...Array(900).keys()].filter((i) => !Number.isNaN(columns.close[s * 900 + i]));
    const pick = (c: Float64Array, offset: number) => Float64Array.from(rows.map((i) => c[offset + i]));
    return {
      ...coin,
      ...(coin.overrides ? { overrides: { ...coin.overrides, ...overrides } } : {}),
      candles: {
        length: rows.length,
        time: pick(columns.time, 0),
        open: pick(columns.open, s * 900),
        high: pick(columns.high, s * 900),
        low: pick(columns.low, s * 900),
        close: pick(columns.close, s * 900),
      },
    };
  });
}

describe('backtest evaluator', () => {
  it('replays the universe with the candidate on top of the auto-bot config and every coin layer', () => {
    const { columns, setup } = fixture();
    const evaluate = createEvaluator(columns, setup);
    const candidate = { take_profit_percent: 12, leverage: 4, rsi_long_threshold: 35, rsi_short_threshold: 65 };
    const trades = evaluate(candidate);
    const reference = runBacktest(referenceUniverse(columns, setup, candidate), {
      timeframe: '6h',
      config: { ...setup.config, ...candidate },
      startingBalance: 10_000,
      feeRate: 0.00055,
      spreadTicks: 1,
      tradeFromMs: setup.tradeFromMs,
    });
    expect(reference.trades.length).toBeGreaterThan(0);
    expect(trades).toEqual(tradeResults(reference.trades, 10_000));
    // The candidate decides: other values, other trades.
    expect(evaluate({ ...candidate, take_profit_percent: 2 })).not.toEqual(trades);
  });

  it('a trade counts its net PnL in percent of the starting balance at its close time', () => {
    expect(tradeResults([{ close_time_ms: 5, net_pnl: -25 }], 10_000)).toEqual([{ exitTime: 5, pnlPercent: -0.25 }]);
  });

  it('values go through the setting specs; the two break-even keys move together', () => {
    expect(candidateOverrides({ break_even_trigger: 7, leverage: 3 })).toEqual({
      break_even_trigger: 7,
      break_even_trigger_percent: 7,
      leverage: 3,
    });
    expect(() => candidateOverrides({ leverage: 1e9 })).toThrow(/leverage/);
  });

  it('given both break-even spellings, the percent one wins, as in the live config and a bot’s layers', () => {
    expect(candidateOverrides({ break_even_trigger: 3, break_even_trigger_percent: 7 })).toEqual({
      break_even_trigger: 7,
      break_even_trigger_percent: 7,
    });
  });
});
