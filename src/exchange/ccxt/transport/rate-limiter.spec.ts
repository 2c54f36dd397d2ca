import { RateLimiter, ReleaseSlot } from './rate-limiter';

/** A clock the test moves by hand; scheduled callbacks run when their time is reached. */
class FakeClock {
  time = 0;
  private timers: Array<{ at: number; callback: () => void }> = [];
  now = () => this.time;
  schedule = (callback: () => void, ms: number) => {
    this.timers.push({ at: this.time + ms, callback });
  };
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      await flush();
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > target) break;
      this.timers.shift();
      this.time = next.at;
      next.callback();
    }
    this.time = target;
    await flush();
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

/** For the grants awaited by nobody: acquire() never rejects, and a grant that never comes fails the expectations. */
const grantsNeverFail = (): undefined => undefined;

/** Acquires without awaiting; records when each slot was granted. */
function request(limiter: RateLimiter, clock: FakeClock, log: Array<{ granted: number; release: ReleaseSlot }>) {
  void limiter
    .acquire()
    .then((release) => log.push({ granted: clock.time, release }))
    .catch(grantsNeverFail);
}

describe('RateLimiter', () => {
  it('lets a burst of requestsPerWindow through at once and holds the next until the first answer is a window old', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ requestsPerWindow: 3, windowMs: 1000, now: clock.now, schedule: clock.schedule });
    const log: Array<{ granted: number; release: ReleaseSlot }> = [];
    for (let i = 0; i < 4; i++) request(limiter, clock, log);
    await flush();
    expect(log.map((e) => e.granted)).toEqual([0, 0, 0]);

    await clock.advance(50);
    log.forEach((e) => e.release()); // answers arrive at t=50
    expect(limiter.delayBeforeNext()).toBe(1000);
    await clock.advance(999);
    expect(log).toHaveLength(3);
    await clock.advance(1);
    expect(log.map((e) => e.granted)).toEqual([0, 0, 0, 1050]);
  });

  it('counts requests in flight: a slow answer keeps its slot until it arrives', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ requestsPerWindow: 2, windowMs: 100, now: clock.now, schedule: clock.schedule });
    const log: Array<{ granted: number; release: ReleaseSlot }> = [];
    for (let i = 0; i < 3; i++) request(limiter, clock, log);
    await clock.advance(5000);
    expect(log).toHaveLength(2);
    expect(limiter.delayBeforeNext()).toBe(Infinity);
    log[0].release();
    await clock.advance(99);
    expect(log).toHaveLength(2);
    await clock.advance(1);
    expect(log[2].granted).toBe(5100);
  });

  it('caps concurrency separately from the window', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({
      requestsPerWindow: 100,
      windowMs: 1000,
      maxConcurrent: 2,
      now: clock.now,
      schedule: clock.schedule,
    });
    const log: Array<{ granted: number; release: ReleaseSlot }> = [];
    for (let i = 0; i < 3; i++) request(limiter, clock, log);
    await flush();
    expect(log).toHaveLength(2);
    await clock.advance(10);
    log[1].release();
    await flush();
    expect(log.map((e) => e.granted)).toEqual([0, 0, 10]);
    expect(limiter.occupied()).toBe(3);
  });

  it('holds every request back during a pause', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({
      requestsPerWindow: 10,
      windowMs: 1000,
      now: clock.now,
      schedule: clock.schedule,
    });
    limiter.pause(700);
    const log: Array<{ granted: number; release: ReleaseSlot }> = [];
    request(limiter, clock, log);
    request(limiter, clock, log);
    await clock.advance(699);
    expect(log).toHaveLength(0);
    expect(limiter.isPaused()).toBe(true);
    await clock.advance(1);
    expect(limiter.isPaused()).toBe(false);
    expect(log.map((e) => e.granted)).toEqual([700, 700]);
  });

  it('a release called twice frees one slot only', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ requestsPerWindow: 5, windowMs: 1000, now: clock.now, schedule: clock.schedule });
    const release = await limiter.acquire();
    release();
    release();
    expect(limiter.occupied()).toBe(1);
    await clock.advance(1000);
    expect(limiter.occupied()).toBe(0);
  });

  it('never lets a server-side window see more than the limit, whatever the latency', async () => {
    const clock = new FakeClock();
    const limit = 20;
    const windowMs = 500;
    const limiter = new RateLimiter({ requestsPerWindow: limit, windowMs, now: clock.now, schedule: clock.schedule });
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const arrivals: number[] = [];
    let done = 0;
    const total = 300;
    for (let i = 0; i < total; i++) {
      void limiter
        .acquire()
        .then((release) => {
          const sent = clock.time;
          const latency = Math.floor(random() * 200);
          const arrival = sent + Math.floor(random() * latency); // the server sees it somewhere on the way
          arrivals.push(arrival);
          clock.schedule(() => {
            release();
            done++;
          }, latency);
        })
        .catch(grantsNeverFail);
    }
    for (let t = 0; t < 60_000 && done < total; t += 10) await clock.advance(10);
    expect(done).toBe(total);
    arrivals.sort((a, b) => a - b);
    let maxInWindow = 0;
    for (let i = 0, j = 0; i < arrivals.length; i++) {
      while (arrivals[i] - arrivals[j] >= windowMs) j++;
      maxInWindow = Math.max(maxInWindow, i - j + 1);
    }
    expect(maxInWindow).toBeLessThanOrEqual(limit);
    // and it does not crawl either: 300 requests at 20 per 500 ms (+ latency) take well under a minute
    expect(clock.time).toBeLessThan((total / limit) * (windowMs + 200) + 1000);
  });

  it('rejects a nonsensical configuration', () => {
    const clock = new FakeClock();
    expect(
      () => new RateLimiter({ requestsPerWindow: 0, windowMs: 1000, now: clock.now, schedule: clock.schedule }),
    ).toThrow();
    expect(
      () => new RateLimiter({ requestsPerWindow: 5, windowMs: 0, now: clock.now, schedule: clock.schedule }),
    ).toThrow();
  });

  it('trading requests pass queued analysis reads and find the reserved slots free', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({
      requestsPerWindow: 10,
      windowMs: 1000,
      maxConcurrent: 10,
      now: clock.now,
      schedule: clock.schedule,
    });
    const reads: Array<{ granted: number; release: ReleaseSlot }> = [];
    for (let i = 0; i < 100; i++) {
      void limiter
        .acquire('analysis')
        .then((release) => reads.push({ granted: clock.time, release }))
        .catch(grantsNeverFail);
    }
    await flush();
    // 10 % of the window (1 slot) is kept for trading: 9 reads go, 91 wait.
    expect(reads).toHaveLength(9);
    expect(limiter.queuedOf('analysis')).toBe(91);
    await clock.advance(10);
    const order = await limiter.acquire('trading');
    expect(clock.time).toBe(10);
    order();
    // The next trading request goes first too, once the window frees a slot: before any of the 91 reads.
    reads.forEach((r) => r.release());
    let balanceAt = -1;
    void limiter
      .acquire('trading')
      .then((release) => {
        balanceAt = clock.time;
        release();
      })
      .catch(grantsNeverFail);
    await clock.advance(1000);
    expect(balanceAt).toBe(1010);
    expect(reads.filter((r) => r.granted > 10).every((r) => r.granted >= balanceAt)).toBe(true);
  });

  it('with no reads waiting, trading may use the whole window', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({
      requestsPerWindow: 10,
      windowMs: 1000,
      now: clock.now,
      schedule: clock.schedule,
    });
    const granted: ReleaseSlot[] = [];
    for (let i = 0; i < 10; i++) {
      void limiter
        .acquire()
        .then((release) => granted.push(release))
        .catch(grantsNeverFail);
    }
    await flush();
    expect(granted).toHaveLength(10);
  });
});
