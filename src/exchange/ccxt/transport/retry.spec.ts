import { backoffDelayMs, totalBackoffMs, withRetry } from './retry';

class Transient extends Error {}
class Permanent extends Error {}

function recorder() {
  const sleeps: number[] = [];
  return { sleeps, sleep: async (ms: number) => void sleeps.push(ms) };
}

describe('backoff', () => {
  it('doubles from the base delay', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(100, n))).toEqual([100, 200, 400, 800]);
  });

  it('sums the waits of a fully failed call', () => {
    expect(totalBackoffMs(100, 3)).toBe(300);
    expect(totalBackoffMs(100, 1)).toBe(0);
    expect(totalBackoffMs(50, 4)).toBe(350);
  });
});

describe('withRetry', () => {
  const isRetryable = (e: unknown) => e instanceof Transient;

  it('retries transient failures with 100 ms then 200 ms and returns the result', async () => {
    const { sleeps, sleep } = recorder();
    const attempts: number[] = [];
    const result = await withRetry(
      async (attempt) => {
        attempts.push(attempt);
        if (attempt < 3) throw new Transient('flaky');
        return 'done';
      },
      { attempts: 3, baseDelayMs: 100, isRetryable, sleep },
    );
    expect(result).toBe('done');
    expect(attempts).toEqual([1, 2, 3]);
    expect(sleeps).toEqual([100, 200]);
  });

  it('gives up after the configured attempts with the last error', async () => {
    const { sleeps, sleep } = recorder();
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new Transient(`failure ${calls}`);
        },
        { attempts: 3, baseDelayMs: 100, isRetryable, sleep },
      ),
    ).rejects.toThrow('failure 3');
    expect(calls).toBe(3);
    expect(sleeps).toEqual([100, 200]);
  });

  it('does not retry a permanent error', async () => {
    const { sleeps, sleep } = recorder();
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new Permanent('bad key');
        },
        { attempts: 3, baseDelayMs: 100, isRetryable, sleep },
      ),
    ).rejects.toBeInstanceOf(Permanent);
    expect(calls).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('waits 400 ms before a fourth attempt when configured higher, and reports each retry', async () => {
    const { sleeps, sleep } = recorder();
    const retries: Array<[number, number]> = [];
    await expect(
      withRetry(
        async () => {
          throw new Transient('down');
        },
        {
          attempts: 4,
          baseDelayMs: 100,
          isRetryable,
          sleep,
          onRetry: (_e, attempt, delay) => retries.push([attempt, delay]),
        },
      ),
    ).rejects.toThrow('down');
    expect(sleeps).toEqual([100, 200, 400]);
    expect(retries).toEqual([
      [1, 100],
      [2, 200],
      [3, 400],
    ]);
  });

  it('treats attempts below 1 as a single attempt', async () => {
    const { sleeps, sleep } = recorder();
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new Transient('x');
        },
        { attempts: 0, baseDelayMs: 100, isRetryable, sleep },
      ),
    ).rejects.toThrow('x');
    expect(calls).toBe(1);
    expect(sleeps).toEqual([]);
  });
});
