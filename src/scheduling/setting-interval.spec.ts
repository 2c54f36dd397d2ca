import { SchedulerRegistry } from '@nestjs/schedule';
import { armInterval, boundedIntervalMs, disarmInterval, MAX_INTERVAL_MS, MIN_INTERVAL_MS } from './setting-interval';

describe('setting intervals on the SchedulerRegistry', () => {
  afterEach(() => jest.useRealTimers());

  it('bounds the delay to [500 ms, 2^31-1 ms]', () => {
    expect(boundedIntervalMs(10)).toBe(MIN_INTERVAL_MS);
    expect(boundedIntervalMs(60_000)).toBe(60_000);
    expect(boundedIntervalMs(1e12)).toBe(MAX_INTERVAL_MS);
    expect(boundedIntervalMs(Number.NaN)).toBe(MAX_INTERVAL_MS);
  });

  it('re-arming replaces the interval of that name; disarming removes it', () => {
    jest.useFakeTimers();
    const scheduler = new SchedulerRegistry();
    const ticks: string[] = [];
    expect(armInterval(scheduler, 'job', 1000, () => ticks.push('old'))).toBe(1000);
    jest.advanceTimersByTime(1000);
    expect(armInterval(scheduler, 'job', 2000, () => ticks.push('new'))).toBe(2000);
    jest.advanceTimersByTime(4000);
    expect(ticks).toEqual(['old', 'new', 'new']);
    expect(scheduler.getIntervals()).toEqual(['job']);
    disarmInterval(scheduler, 'job');
    disarmInterval(scheduler, 'job');
    jest.advanceTimersByTime(4000);
    expect(ticks).toHaveLength(3);
    expect(scheduler.getIntervals()).toEqual([]);
  });
});
