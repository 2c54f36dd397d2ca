import request from 'supertest';
import type { ManualClock } from '../../src/common/clock';
import { BotsWorkers } from '../../src/bots/bots.workers';
import { SimulatedScheduler, WorkerScheduler } from '../../src/scheduling/worker-scheduler';
import type { TestApp } from './test-app';

/** Helpers for the bots e2e tests: coin loading, worker ticks on a manual clock, polling. */

export interface CoinView {
  symbol: string;
  rsi: number;
  price: number;
  signal: string;
  effective_signal: string;
  [key: string]: unknown;
}

/** Waits until the first RSI round has filled the coin table; returns the coins. */
export async function waitForCoins(t: TestApp, timeoutMs = 30_000): Promise<CoinView[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const body = (await request(t.http).get('/api/bots/coins-with-rsi')).body;
    if (body.total > 0 && !body.update_in_progress) return Object.values(body.coins) as CoinView[];
    if (Date.now() > deadline) throw new Error('coins did not load');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The scheduler of an app built with a ManualClock (simulated time, docs/backtest-engine.md §Parity with live). */
export function simulatedScheduler(t: TestApp): SimulatedScheduler {
  const scheduler = t.app.get(WorkerScheduler);
  if (!(scheduler instanceof SimulatedScheduler)) throw new Error('the app runs on real timers: give it a ManualClock');
  return scheduler;
}

export function workers(t: TestApp): BotsWorkers {
  return t.app.get(BotsWorkers);
}

/** Moves the clock by `minutes` and runs the protection and position-sync workers once. */
export async function step(t: TestApp, clock: ManualClock, minutes: number): Promise<void> {
  clock.advance(minutes * 60_000);
  await workers(t).runNow('bot_status_worker');
  await workers(t).runNow('position_sync_worker');
}

export async function bots(t: TestApp): Promise<any[]> {
  return (await request(t.http).get('/api/bots/list').expect(200)).body.bots;
}

export async function bot(t: TestApp, symbol: string): Promise<any | undefined> {
  return (await bots(t)).find((b) => b.symbol === symbol);
}

/** Polls `check` (real time) until it returns a value. */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Expected PnL of a closed trade from its own entry, exit and size. */
export function expectedPnl(trade: {
  direction: string;
  entry_price: number;
  exit_price: number;
  size: number;
}): number {
  const perCoin =
    trade.direction === 'LONG' ? trade.exit_price - trade.entry_price : trade.entry_price - trade.exit_price;
  return perCoin * trade.size;
}
