import { runPool, type FailureKind } from './load-pool';

class RateLimited extends Error {}
class Flaky extends Error {}

const classify = (error: unknown): FailureKind =>
  error instanceof RateLimited ? 'rate-limit' : error instanceof Flaky ? 'transient' : 'fatal';
const noSleep = () => Promise.resolve();
const items = Array.from({ length: 40 }, (_, i) => `C${i}`);

describe('runPool', () => {
  it('never has more than `concurrency` jobs in flight and runs every item once', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: string[] = [];
    const result = await runPool(
      items,
      async (item) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 1));
        seen.push(item);
        inFlight--;
      },
      { concurrency: 7, classify, sleep: noSleep },
    );
    expect(peak).toBe(7);
    expect(seen.sort()).toEqual([...items].sort());
    expect(result.succeeded).toHaveLength(40);
    expect(result.failed).toEqual([]);
  });

  it('a rate-limit answer retries the item later instead of failing it', async () => {
    const limitedOnce = new Set(['C3', 'C9', 'C10']);
    const result = await runPool(
      items,
      async (item) => {
        if (limitedOnce.delete(item)) throw new RateLimited('10006 too many visits');
      },
      { concurrency: 5, classify, sleep: noSleep },
    );
    expect(result.succeeded).toHaveLength(40);
    expect(result.rateLimitRetries).toBe(3);
    expect(result.failed).toEqual([]);
  });

  it('one failing coin never stops the others; transient errors are retried', async () => {
    let flakyCalls = 0;
    const result = await runPool(
      items,
      async (item) => {
        if (item === 'C5') throw new Error('unknown symbol');
        if (item === 'C6' && flakyCalls++ < 1) throw new Flaky('timeout');
      },
      { concurrency: 4, classify, sleep: noSleep },
    );
    expect(result.failed).toEqual([{ item: 'C5', error: 'unknown symbol' }]);
    expect(result.succeeded).toHaveLength(39);
    expect(result.transientRetries).toBe(1);
  });

  it('gives up on an item after too many rate-limit answers, still finishing the rest', async () => {
    const result = await runPool(
      ['A', 'B'],
      async (item) => {
        if (item === 'A') throw new RateLimited('always');
      },
      { concurrency: 2, classify, sleep: noSleep, maxRateLimitRetries: 3 },
    );
    expect(result.failed.map((f) => f.item)).toEqual(['A']);
    expect(result.rateLimitRetries).toBe(3);
    expect(result.succeeded).toEqual(['B']);
  });

  it('stops picking new items once cancelled', async () => {
    let started = 0;
    const result = await runPool(
      items,
      async () => {
        started++;
      },
      { concurrency: 1, classify, sleep: noSleep, cancelled: () => started >= 5 },
    );
    expect(started).toBe(5);
    expect(result.cancelled).toBe(true);
  });
});
