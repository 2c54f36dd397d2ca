import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ManualClock } from '../common/clock';
import { SystemConfigService } from '../config/system-config.service';
import type { Timeframe } from '../exchange/exchange.types';
import { JsonStore } from '../persistence/json-store.service';
import { SimulatedScheduler, TimerScheduler } from '../scheduling/worker-scheduler';
import type { RsiService } from './rsi.service';
import { SmartRsiWorker } from './smart-rsi.worker';

/** Records the worker's calls; the RSI service itself is covered by rsi.service.spec.ts. */
class RecordingRsi {
  readonly cycles: string[] = [];
  timeframe: Timeframe = '6h';
  firstRoundComplete = true;
  private listeners: Array<() => void> = [];
  async runCycle(reason: string) {
    this.cycles.push(reason);
    return null;
  }
  onTimeframeChange(listener: () => void) {
    this.listeners.push(listener);
  }
  switchTo(timeframe: Timeframe) {
    this.timeframe = timeframe;
    for (const l of this.listeners) l();
  }
  loaderState() {
    return {};
  }
}

const T0 = Date.UTC(2026, 0, 10, 3, 0); // the 6h candle closes at 06:00

describe('SmartRsiWorker on simulated time', () => {
  let system: SystemConfigService;
  let clock: ManualClock;
  let scheduler: SimulatedScheduler;
  let rsi: RecordingRsi;
  let worker: SmartRsiWorker;
  /** Clock minutes after T0 of each cycle, with its reason. */
  let seen: string[];

  beforeEach(async () => {
    system = new SystemConfigService(
      new JsonStore({ dataDir: mkdtempSync(path.join(tmpdir(), 'smart-rsi-')) } as never),
    );
    await system.onModuleInit();
    clock = new ManualClock(T0);
    scheduler = new SimulatedScheduler(clock);
    rsi = new RecordingRsi();
    seen = [];
    const runCycle = rsi.runCycle.bind(rsi);
    rsi.runCycle = async (reason: string) => {
      seen.push(`${(clock.now() - T0) / 60_000}:${reason}`);
      return runCycle(reason);
    };
    worker = new SmartRsiWorker(
      { workersEnabled: true } as never,
      rsi as unknown as RsiService,
      system,
      scheduler,
      clock,
    );
    worker.onApplicationBootstrap();
  });

  afterEach(() => worker.onApplicationShutdown());

  it('starts the first cycle right after start-up without waiting for the clock', async () => {
    await scheduler.settle();
    expect(seen).toEqual(['0:start-up']);
  });

  it('runs a cycle every rsi_update_interval (300 s) and at each candle close, at their clock times', async () => {
    await scheduler.advanceTo(T0 + 4 * 60_000);
    expect(seen).toEqual(['0:start-up']);
    await scheduler.advanceTo(T0 + 5 * 60_000);
    expect(seen).toEqual(['0:start-up', '5:interval']);
    // 3 h to the 06:00 close: the close cycle at 180 min, after the interval cycle due at the same time (armed first).
    await scheduler.advanceTo(T0 + 3 * 3600_000);
    expect(seen.filter((c) => c.endsWith('candle close'))).toEqual(['180:candle close']);
    expect(seen.filter((c) => c.endsWith('interval'))).toHaveLength(36);
    expect(seen.at(-1)).toBe('180:candle close');
    // The close job re-armed itself for 12:00.
    await scheduler.advanceTo(T0 + 9 * 3600_000);
    expect(seen.filter((c) => c.endsWith('candle close'))).toEqual(['180:candle close', '540:candle close']);
  });

  it('re-arms the interval when rsi_update_interval changes and the close job on a timeframe switch', async () => {
    await system.update({ rsi_update_interval: 60 });
    await scheduler.advanceTo(T0 + 2 * 60_000);
    expect(seen.filter((c) => c.endsWith('interval'))).toEqual(['1:interval', '2:interval']);
    rsi.switchTo('1h'); // 03:02: the 1h candle closes at 04:00
    await scheduler.advanceTo(T0 + 60 * 60_000);
    expect(seen.filter((c) => c.endsWith('candle close'))).toEqual(['60:candle close']);
  });

  it('retries a failed first load after 30 s of clock time', async () => {
    await scheduler.settle();
    worker.onApplicationShutdown();
    seen = [];
    rsi.firstRoundComplete = false;
    rsi.runCycle = async (reason: string) => {
      seen.push(`${(clock.now() - T0) / 1000}s:${reason}`);
      return { failed: true } as never;
    };
    worker = new SmartRsiWorker(
      { workersEnabled: true } as never,
      rsi as unknown as RsiService,
      system,
      scheduler,
      clock,
    );
    worker.onApplicationBootstrap();
    await scheduler.settle();
    await scheduler.advanceTo(T0 + 40_000);
    expect(seen).toEqual(['0s:start-up', '30s:retry']);
  });
});

describe('SmartRsiWorker on real timers', () => {
  afterEach(() => jest.useRealTimers());

  it('waits the 2 s grace after a candle close for the exchange to publish the candle', async () => {
    jest.useFakeTimers();
    const system = new SystemConfigService(
      new JsonStore({ dataDir: mkdtempSync(path.join(tmpdir(), 'smart-rsi-')) } as never),
    );
    await system.onModuleInit();
    const clock = new ManualClock(T0);
    const rsi = new RecordingRsi();
    const worker = new SmartRsiWorker(
      { workersEnabled: true } as never,
      rsi as unknown as RsiService,
      system,
      new TimerScheduler(clock),
      clock,
    );
    worker.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(3 * 3600_000);
    expect(rsi.cycles.filter((c) => c === 'candle close')).toHaveLength(0);
    expect(rsi.cycles.filter((c) => c === 'interval')).toHaveLength(36);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(rsi.cycles.filter((c) => c === 'candle close')).toHaveLength(1);
    expect(rsi.cycles[0]).toBe('start-up');
    worker.onApplicationShutdown();
  });
});
