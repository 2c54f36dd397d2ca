import { assembleBacktestResult } from '../../src/backtest/result/assemble-result';
import type {
  BacktestResult,
  BacktestResultTrade,
  CandleTuple,
  EquityPoint,
  TradePricePath,
} from '../../src/backtest/result/backtest-result';
import { TIMEFRAME_MS } from '../../src/exchange/exchange.types';

/**
 * A deterministic synthetic backtest result for the report's tests: random-walk hourly prices per coin, trades
 * whose PnL, fees and equity follow from those prices, candles around each trade. Not a strategy: only data of
 * the right shape and consistent arithmetic.
 */
export interface SyntheticOptions {
  symbols?: string[];
  trades?: number;
  points?: number;
  seed?: number;
  startingBalance?: number;
}

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    // xorshift32
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4_294_967_296;
  };
}

const FEE_RATE = 0.001;
const PATH_MARGIN_BARS = 12;

export function syntheticBacktestResult(options: SyntheticOptions = {}): BacktestResult {
  const symbols = options.symbols ?? ['BTC', 'ETH', 'SOL'];
  const tradeCount = options.trades ?? 40;
  const points = options.points ?? 1000;
  const start = options.startingBalance ?? 1000;
  const random = rng(options.seed ?? 42);
  const step = TIMEFRAME_MS['1h'];
  const from = Date.UTC(2026, 0, 1);
  const times = Array.from({ length: points }, (_, i) => from + i * step);

  const closes = symbols.map((_, k) => {
    let price = [60_000, 3_000, 150, 0.5, 12][k % 5] * (1 + k * 0.01);
    return times.map(() => (price *= 1 + (random() - 0.5) * 0.02));
  });
  const candle = (k: number, i: number): CandleTuple => {
    const open = i > 0 ? closes[k][i - 1] : closes[k][i];
    const close = closes[k][i];
    const wick = Math.abs(close - open) * 0.5 + close * 0.002;
    return [
      times[i],
      open,
      Math.max(open, close) + wick * random(),
      Math.min(open, close) - wick * random(),
      close,
      1000 + Math.round(random() * 1000),
    ];
  };

  const trades: BacktestResultTrade[] = [];
  const pricePaths: TradePricePath[] = [];
  const spans: Array<{ k: number; entry: number; exit: number; size: number; long: boolean; net: number }> = [];
  // Close reasons that fit the outcome; a stop or take-profit exit fills at that level.
  const winReasons: BacktestResultTrade['close_reason'][] = ['TAKE_PROFIT', 'RSI_EXIT', 'TRAILING_STOP'];
  const lossReasons: BacktestResultTrade['close_reason'][] = ['STOP_LOSS', 'MAX_POSITION_HOURS', 'RSI_EXIT'];
  for (let n = 0; n < tradeCount; n++) {
    const k = n % symbols.length;
    const entry = 1 + Math.floor(random() * (points - 40));
    const exit = entry + 2 + Math.floor(random() * 30);
    const long = random() < 0.6;
    const entryPrice = closes[k][entry];
    const exitPrice = closes[k][exit];
    const size = 100 / entryPrice;
    const pnl = (long ? exitPrice - entryPrice : entryPrice - exitPrice) * size;
    const fees = (entryPrice + exitPrice) * size * FEE_RATE;
    const id = `bt-${n + 1}`;
    const reason = (pnl - fees > 0 ? winReasons : lossReasons)[n % 3];
    const symbol = symbols[k];
    trades.push({
      id,
      timestamp: new Date(times[exit]).toISOString(),
      bot_id: symbol,
      symbol,
      direction: long ? 'LONG' : 'SHORT',
      size,
      entry_price: entryPrice,
      exit_price: exitPrice,
      pnl,
      fees,
      net_pnl: pnl - fees,
      roi: (pnl / 100) * 100,
      pnl_percent: ((long ? exitPrice - entryPrice : entryPrice - exitPrice) / entryPrice) * 100,
      leverage: 1,
      status: 'CLOSED',
      decision_source: 'SCRIPT',
      rsi: long ? 20 + random() * 9 : 71 + random() * 9,
      trend: null,
      exit_rsi: 50,
      entry_timeframe: '1h',
      entry_time: new Date(times[entry]).toISOString(),
      entry_timestamp: times[entry],
      close_timestamp: new Date(times[exit]).toISOString(),
      close_time_ms: times[exit],
      close_reason: reason,
      is_successful: pnl - fees > 0,
      is_simulated: true,
      decision: {
        decision_time: new Date(times[entry]).toISOString(),
        decision_time_ms: times[entry],
        decision_price: entryPrice,
        decision_rsi: long ? 25 : 75,
        decision_candle_time: times[entry - 1],
        decision_trend: long ? 'DOWN' : 'UP',
        filters_passed: ['maturity', 'rsi_time_filter', 'exit_scam'],
        stop_loss_set: reason === 'STOP_LOSS' ? exitPrice : long ? entryPrice * 0.97 : entryPrice * 1.03,
        take_profit_set: reason === 'TAKE_PROFIT' ? exitPrice : long ? entryPrice * 1.05 : entryPrice * 0.95,
      },
      exit_by:
        reason === 'STOP_LOSS' || reason === 'TAKE_PROFIT'
          ? 'exchange'
          : reason === 'RSI_EXIT'
            ? 'rsi_exit'
            : 'monitor',
      exit_path: 'ohlc',
    });
    spans.push({ k, entry, exit, size, long, net: pnl - fees });
    const lo = Math.max(0, entry - PATH_MARGIN_BARS);
    const hi = Math.min(points - 1, exit + PATH_MARGIN_BARS);
    pricePaths.push({
      trade_id: id,
      symbol,
      timeframe: '1h',
      candles: Array.from({ length: hi - lo + 1 }, (_, j) => candle(k, lo + j)),
    });
  }

  const equity: EquityPoint[] = times.map((t, i) => {
    let balance = start;
    let unrealised = 0;
    let open = 0;
    for (const s of spans) {
      if (s.exit <= i) balance += s.net;
      else if (s.entry <= i) {
        open++;
        const move = closes[s.k][i] - closes[s.k][s.entry];
        unrealised += (s.long ? move : -move) * s.size;
      }
    }
    return { time_ms: t, balance, equity: balance + unrealised, open_positions: open };
  });

  return assembleBacktestResult({
    id: 'synthetic-1',
    generatedAtMs: from + points * step,
    parameters: {
      from_ms: from,
      to_ms: times[points - 1],
      symbols,
      timeframe: '1h',
      detail: null,
      starting_balance: start,
      settings_overrides: { rsi_long_threshold: 29 },
      seed: options.seed ?? 42,
    },
    trades,
    openPositions: [],
    equity,
    closes: symbols.map((symbol, k) => ({
      symbol,
      closes: times.map((t, i) => [t + step, closes[k][i]] as [number, number]),
    })),
    pricePaths,
  });
}
