import { Mutex } from 'async-mutex';
import { GroupCommit } from './group-commit';

type State = Record<string, number>;

/** A state "saved" by a persist function the test controls: each save waits until the test lets it finish. */
function harness(initial: State = {}) {
  let committed = initial;
  const saves: State[] = [];
  const gates: Array<{ open: () => void; fail: (error: Error) => void }> = [];
  const mutex = new Mutex();
  const commits = new GroupCommit<State>(mutex, {
    read: () => committed,
    publish: (state) => (committed = state),
    persist: (state) =>
      new Promise<void>((resolve, reject) => {
        saves.push({ ...state });
        gates.push({ open: resolve, fail: reject });
      }),
    clone: (state) => ({ ...state }),
  });
  const flush = () => new Promise((r) => setImmediate(r));
  return { commits, mutex, saves, gates, flush, committed: () => committed };
}

describe('GroupCommit', () => {
  it('changes that arrive during a save share the next save, in submission order', async () => {
    const h = harness({ a: 0 });
    const first = h.commits.submit((d) => (d.a = 1));
    await h.flush();
    expect(h.saves).toEqual([{ a: 1 }]);
    const second = h.commits.submit((d) => (d.b = 2));
    const third = h.commits.submit((d) => (d.a = d.a + 10));
    await h.flush();
    expect(h.saves).toHaveLength(1); // still waiting for the first save
    h.gates[0].open();
    await expect(first).resolves.toBe(1);
    await h.flush();
    expect(h.saves).toEqual([{ a: 1 }, { a: 11, b: 2 }]);
    h.gates[1].open();
    await expect(Promise.all([second, third])).resolves.toEqual([2, 11]);
    expect(h.committed()).toEqual({ a: 11, b: 2 });
  });

  it('readers see a change only once it is on disk', async () => {
    const h = harness({ a: 0 });
    const done = h.commits.submit((d) => (d.a = 5));
    await h.flush();
    expect(h.committed()).toEqual({ a: 0 });
    h.gates[0].open();
    await done;
    expect(h.committed()).toEqual({ a: 5 });
  });

  it('a change that throws is refused alone; its partial edits never reach the others', async () => {
    const h = harness({ a: 0 });
    const blocker = h.commits.submit((d) => (d.a = 1));
    await h.flush();
    const good = h.commits.submit((d) => (d.b = 2));
    const bad = h.commits.submit((d) => {
      d.c = 99;
      throw new Error('rsi_long_threshold must be from 0 to 100');
    });
    h.gates[0].open();
    await blocker;
    await expect(bad).rejects.toThrow('rsi_long_threshold');
    await h.flush();
    expect(h.saves[1]).toEqual({ a: 1, b: 2 });
    h.gates[1].open();
    await expect(good).resolves.toBe(2);
    expect(h.committed()).toEqual({ a: 1, b: 2 });
  });

  it('a failed save refuses every change of its batch and leaves the committed state as it was', async () => {
    const h = harness({ a: 0 });
    const blocker = h.commits.submit((d) => (d.a = 1));
    await h.flush();
    const x = h.commits.submit((d) => (d.x = 1));
    const y = h.commits.submit((d) => (d.y = 1));
    h.gates[0].open();
    await blocker;
    await h.flush();
    h.gates[1].fail(new Error('ENOSPC: no space left on device'));
    await expect(x).rejects.toThrow('ENOSPC');
    await expect(y).rejects.toThrow('ENOSPC');
    expect(h.committed()).toEqual({ a: 1 });
    // The next change starts from the committed state, not from the refused batch.
    const z = h.commits.submit((d) => (d.z = 1));
    await h.flush();
    expect(h.saves[2]).toEqual({ a: 1, z: 1 });
    h.gates[2].open();
    await z;
  });

  it('a batch where nothing changed saves nothing', async () => {
    const h = harness({ a: 1 });
    const result = await h.commits.submit(
      (d) => d.a === 1,
      (same) => !same,
    );
    expect(result).toBe(true);
    expect(h.saves).toEqual([]);
  });

  it('waits for the mutex other writers hold (a reload from disk)', async () => {
    const h = harness({ a: 0 });
    const release = await h.mutex.acquire();
    const change = h.commits.submit((d) => (d.a = 2));
    await h.flush();
    expect(h.saves).toEqual([]);
    release();
    await h.flush();
    expect(h.saves).toEqual([{ a: 2 }]);
    h.gates[0].open();
    await change;
  });
});
