import { SchedulerRegistry } from '@nestjs/schedule';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ManualClock } from '../common/clock';
import { SystemConfigService } from '../config/system-config.service';
import type { Timeframe } from '../exchange/exchange.types';
import { JsonStore } from '../persistence/json-store.service';
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

describe('SmartRsiWorker', () => {
  let system: SystemConfigService;
  let scheduler: SchedulerRegistry;
  let rsi: RecordingRsi;
  let worker: SmartRsiWorker;

  beforeEach(async () => {
    system = new SystemConfigService(
      new JsonStore({ dataDir: mkdtempSync(path.join(tmpdir(), 'smart-rsi-')) } as never),
    );
    await system.onModuleInit();
    jest.useFakeTimers();
    scheduler = new SchedulerRegistry();
    rsi = new RecordingRsi();
    // 03:00 UTC: the 6h candle closes at 06:00.
    const clock = new ManualClock(Date.UTC(2026, 0, 10, 3, 0));
    worker = new SmartRsiWorker(
      { workersEnabled: true } as never,
      rsi as unknown as RsiService,
      system,
      scheduler,
      clock,
    );
    worker.onApplicationBootstrap();
  });

  afterEach(() => {
    worker.onApplicationShutdown();
    jest.useRealTimers();
  });

  it('starts the first cycle right after start-up without waiting', async () => {
    expect(rsi.cycles).toEqual([]);
    await jest.advanceTimersByTimeAsync(0);
    expect(rsi.cycles).toEqual(['start-up']);
  });

  it('runs a cycle every rsi_update_interval (300 s) and right after each candle close', async () => {
    await jest.advanceTimersByTimeAsync(299_000);
    expect(rsi.cycles).toEqual(['start-up']);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(rsi.cycles).toEqual(['start-up', 'interval']);
    // 3 h to the 06:00 close, plus the 2 s grace for the exchange to publish the new candle.
    await jest.advanceTimersByTimeAsync(3 * 3600_000 - 300_000 + 2_000);
    expect(rsi.cycles.filter((c) => c === 'candle close')).toHaveLength(1);
    expect(rsi.cycles.filter((c) => c === 'interval')).toHaveLength(36);
  });

  it('re-arms the interval when rsi_update_interval changes and the close timer on a timeframe switch', async () => {
    await system.update({ rsi_update_interval: 60 });
    await jest.advanceTimersByTimeAsync(120_000);
    expect(rsi.cycles.filter((c) => c === 'interval')).toHaveLength(2);
    rsi.switchTo('1h'); // the manual clock still reads 03:00: the 1h candle closes in 1 h
    await jest.advanceTimersByTimeAsync(3600_000);
    expect(rsi.cycles.filter((c) => c === 'candle close')).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(rsi.cycles.filter((c) => c === 'candle close')).toHaveLength(1);
  });
});
