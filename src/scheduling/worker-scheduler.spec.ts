import { ManualClock, SystemClock } from '../common/clock';
import { DEFAULT_SYSTEM_CONFIG } from '../config/defaults';
import { MIN_INTERVAL_MS } from './setting-interval';
import { highestExactScale, JobOrder, schedulerFor, SimulatedScheduler, TimerScheduler } from './worker-scheduler';

const T0 = Date.UTC(2026, 0, 1);
const S = 1000;

describe('SimulatedScheduler', () => {
  it('runs each job at its own clock time, in time order, each awaited before the next', async () => {
    const clock = new ManualClock(T0);
    const scheduler = new SimulatedScheduler(clock);
    const log: string[] = [];
    let busy = false;
    const job = (name: string) => async () => {
      expect(busy).toBe(false); // never two at once
      busy = true;
      log.push(`${(clock.now() - T0) / S}:${name}`);
      await new Promise((r) => setTimeout(r, 1));
      busy = false;
    };
    scheduler.every('a', 30 * S, job('a'));
    scheduler.every('b', 45 * S, job('b'));
    scheduler.at('once', T0 + 50 * S, job('once'));
    await scheduler.advanceTo(T0 + 100 * S);
    expect(log).toEqual(['30:a', '45:b', '50:once', '60:a', '90:a', '90:b']);
    expect(clock.now()).toBe(T0 + 100 * S);
    expect(scheduler.has('once')).toBe(false);
    expect(scheduler.nextDueAt()).toBe(T0 + 120 * S);
  });

  it('runs jobs due at the same time in JobOrder (market data, sync, monitor, protections, auto-bot), then arming order', async () => {
    const clock = new ManualClock(T0);
    const scheduler = new SimulatedScheduler(clock);
    const log: string[] = [];
    scheduler.every('save', 60 * S, () => void log.push('save'), { order: JobOrder.housekeeping });
    scheduler.every('auto-bot', 60 * S, () => void log.push('auto-bot'), { order: JobOrder.autoBot });
    scheduler.every('monitor', 60 * S, () => void log.push('monitor'), { order: JobOrder.monitor });
    scheduler.every('cleanup', 60 * S, () => void log.push('cleanup'), { order: JobOrder.housekeeping });
    scheduler.every('protections', 60 * S, () => void log.push('protections'), { order: JobOrder.protections });
    scheduler.at('rsi-close', T0 + 60 * S, () => void log.push('rsi-close'), { order: JobOrder.marketData });
    scheduler.every('sync', 60 * S, () => void log.push('sync'), { order: JobOrder.positionSync });
    await scheduler.advanceTo(T0 + 60 * S);
    expect(log).toEqual(['rsi-close', 'sync', 'monitor', 'protections', 'auto-bot', 'save', 'cleanup']);
  });

  it('runs a job that a run arms for a time inside the window, and never moves the clock back', async () => {
    const clock = new ManualClock(T0);
    const scheduler = new SimulatedScheduler(clock);
    const log: number[] = [];
    const chain = () => {
      log.push((clock.now() - T0) / S);
      if (log.length < 4) scheduler.at('chain', clock.now() + 10 * S, chain);
    };
    scheduler.at('chain', T0 + 10 * S, chain);
    scheduler.at('past', T0 - 5 * S, () => void log.push(-1));
    await scheduler.advanceTo(T0 + 25 * S);
    expect(log).toEqual([-1, 10, 20]);
    expect(clock.now()).toBe(T0 + 25 * S);
    await scheduler.advanceBy(5 * S);
    expect(log).toEqual([-1, 10, 20, 30]);
    await scheduler.advanceTo(T0);
    expect(clock.now()).toBe(T0 + 30 * S);
  });

  it('re-arming replaces the job; cancel and shutdown remove it; a failing job does not stop the others', async () => {
    const clock = new ManualClock(T0);
    const scheduler = new SimulatedScheduler(clock);
    const log: string[] = [];
    scheduler.every('job', 10 * S, () => void log.push('old'));
    await scheduler.advanceBy(5 * S);
    scheduler.every('job', 20 * S, () => void log.push('new')); // due 20 s after the re-arm
    scheduler.every('bad', 10 * S, () => Promise.reject(new Error('boom')));
    await scheduler.advanceTo(T0 + 25 * S);
    expect(log).toEqual(['new']);
    scheduler.cancel('job');
    await scheduler.advanceBy(100 * S);
    expect(log).toEqual(['new']);
    expect(scheduler.has('bad')).toBe(true);
    await scheduler.shutdown();
    expect(scheduler.has('bad')).toBe(false);
  });

  it('starts `soon` work at once; advanceTo waits for it before moving time', async () => {
    const clock = new ManualClock(T0);
    const scheduler = new SimulatedScheduler(clock);
    const log: string[] = [];
    scheduler.soon('start-up', async () => {
      await new Promise((r) => setTimeout(r, 5));
      log.push(`start-up@${clock.now() - T0}`);
    });
    scheduler.every('tick', 1 * S, () => void log.push(`tick@${clock.now() - T0}`));
    await scheduler.advanceTo(T0 + S);
    expect(log).toEqual(['start-up@0', 'tick@1000']);
  });
});

describe('TimerScheduler', () => {
  afterEach(() => jest.useRealTimers());

  it('turns clock time into real time with the clock speed, bounded below by 500 ms', () => {
    jest.useFakeTimers();
    const scheduler = new TimerScheduler(new SystemClock(60)); // 60 clock ms per real ms
    const ticks: string[] = [];
    scheduler.every('exact', 60 * S, () => void ticks.push('exact')); // 1 s real
    scheduler.every('floored', 6 * S, () => void ticks.push('floored')); // 100 ms real → 500 ms
    scheduler.every('save', 2 * S, () => void ticks.push('save'), { realTime: true }); // 2 s real, whatever the clock
    jest.advanceTimersByTime(2000);
    expect(ticks.filter((t) => t === 'exact')).toHaveLength(2);
    expect(ticks.filter((t) => t === 'floored')).toHaveLength(4);
    expect(ticks.filter((t) => t === 'save')).toHaveLength(1);
    scheduler.cancel('exact');
    jest.advanceTimersByTime(2000);
    expect(ticks.filter((t) => t === 'exact')).toHaveLength(2);
    expect(scheduler.has('exact')).toBe(false);
    expect(scheduler.has('floored')).toBe(true);
  });

  it('fires a one-shot at its clock time plus the real grace, then forgets it', () => {
    jest.useFakeTimers();
    const clock = new ManualClock(T0);
    const scheduler = new TimerScheduler(clock);
    const ticks: number[] = [];
    scheduler.at('close', T0 + 10 * S, () => void ticks.push(1), { realGraceMs: 2 * S });
    jest.advanceTimersByTime(11_999);
    expect(ticks).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(ticks).toEqual([1]);
    expect(scheduler.has('close')).toBe(false);
  });
});

describe('choosing the scheduler and the highest exact clock speed', () => {
  it('uses simulated time on a ManualClock and real timers on the system clock', () => {
    expect(schedulerFor(new ManualClock())).toBeInstanceOf(SimulatedScheduler);
    expect(schedulerFor(new SystemClock(360))).toBeInstanceOf(TimerScheduler);
  });

  it('keeps every default interval up to PAPER_TIME_SCALE 60 (the 30 s workers at 500 ms real)', () => {
    const c = DEFAULT_SYSTEM_CONFIG;
    const scaled = [c.bot_status_update_interval, c.position_sync_interval, c.inactive_bot_cleanup_interval];
    const limits = [
      ...scaled.map((s) => highestExactScale(s * S)),
      highestExactScale(c.rsi_update_interval * S, 1000), // the RSI refresh's least real delay is 1 s
      highestExactScale(c.delisting_scan_interval * S),
      highestExactScale(180 * S), // auto-bot check_interval default
    ];
    expect(Math.min(...limits)).toBe(60);
    expect(MIN_INTERVAL_MS).toBe(500);
  });
});
