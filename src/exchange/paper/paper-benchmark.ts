/**
 * Benchmark of the paper market, for `npm run bench` (call runPaperBenchmark from bench/run.ts).
 * Targets: generating + fetching 1000 6h candles for all 540 symbols well under 1 s, and the
 * market's own memory (path caches) under ~40 MB.
 */
import { ManualClock } from '../../common/clock';
import { PaperExchange } from './paper-exchange';

export interface PaperBenchmarkResult {
  symbols: number;
  /** First fetch of 1000 6h candles for every symbol (generation included), wall time. */
  coldCandlesMs: number;
  /** The same, in CPU time of this process (less sensitive to other load on the machine). */
  coldCandlesCpuMs: number;
  /** The same fetch again (generation cached). */
  warmCandlesMs: number;
  fetchTickersMs: number;
  /** 1000 4h candles for one symbol (built from the minute path). */
  lowerTimeframeMs: number;
  /** fetchPositions after 30 simulated days with 5 open positions and stops (trigger walk). */
  triggerWalkMs: number;
  /** Heap + array buffers the exchange keeps after the fetches (served candles released); null without --expose-gc. */
  retainedMb: number | null;
}

function gc(): boolean {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) return false;
  collect();
  return true;
}

function memoryMb(): number {
  const usage = process.memoryUsage();
  return (usage.heapUsed + usage.arrayBuffers) / 1e6;
}

export async function runPaperBenchmark(now = Date.UTC(2026, 0, 1, 2, 17, 30)): Promise<PaperBenchmarkResult> {
  const clock = new ManualClock(now);
  const canMeasure = gc();
  const before = memoryMb();
  const exchange = new PaperExchange({ clock });
  const markets = await exchange.listMarkets();

  let t = performance.now();
  const cpu = process.cpuUsage();
  for (const market of markets) await exchange.fetchCandles(market.symbol, '6h', { limit: 1000 });
  const coldCandlesMs = performance.now() - t;
  const cpuUsed = process.cpuUsage(cpu);
  const coldCandlesCpuMs = (cpuUsed.user + cpuUsed.system) / 1000;
  t = performance.now();
  for (const market of markets) await exchange.fetchCandles(market.symbol, '6h', { limit: 1000 });
  const warmCandlesMs = performance.now() - t;

  t = performance.now();
  await exchange.fetchTickers();
  const fetchTickersMs = performance.now() - t;

  t = performance.now();
  await exchange.fetchCandles('ETH', '4h', { limit: 1000 });
  const lowerTimeframeMs = performance.now() - t;

  gc();
  const retainedMb = canMeasure ? memoryMb() - before : null;

  for (const symbol of ['BTC', 'ETH', 'SOL', 'XRP', 'ADA']) {
    await exchange.createMarketOrder({ symbol, side: 'buy', amount: 200 / exchange.currentPrice(symbol) });
    const price = exchange.currentPrice(symbol);
    await exchange.setTradingStop(symbol, { stopLoss: price * 0.5, takeProfit: price * 2 });
  }
  clock.advance(30 * 86_400_000);
  t = performance.now();
  await exchange.fetchPositions();
  const triggerWalkMs = performance.now() - t;

  return {
    symbols: markets.length,
    coldCandlesMs,
    coldCandlesCpuMs,
    warmCandlesMs,
    fetchTickersMs,
    lowerTimeframeMs,
    triggerWalkMs,
    retainedMb,
  };
}
