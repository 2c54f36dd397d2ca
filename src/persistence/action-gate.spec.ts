import { ActionGate } from './action-gate';

const tick = () => new Promise((resolve) => setImmediate(resolve));

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('ActionGate', () => {
  it('lets shared holders run together', async () => {
    const gate = new ActionGate();
    const log: string[] = [];
    const a = deferred();
    const first = gate.shared(async () => {
      log.push('a start');
      await a.promise;
      log.push('a end');
    });
    const second = gate.shared(() => log.push('b'));
    await second;
    expect(log).toEqual(['a start', 'b']);
    a.resolve();
    await first;
    expect(log).toEqual(['a start', 'b', 'a end']);
  });

  it('runs an exclusive holder only after the running shared ones, and before shared ones that came after it', async () => {
    const gate = new ActionGate();
    const log: string[] = [];
    const a = deferred();
    const running = gate.shared(async () => {
      await a.promise;
      log.push('shared 1 done');
    });
    const reload = gate.exclusive(async () => {
      log.push('exclusive start');
      await tick();
      log.push('exclusive end');
    });
    const later = gate.shared(() => log.push('shared 2'));
    await tick();
    expect(log).toEqual([]);
    expect(gate.exclusivePending).toBe(true);
    a.resolve();
    await Promise.all([running, reload, later]);
    expect(log).toEqual(['shared 1 done', 'exclusive start', 'exclusive end', 'shared 2']);
    expect(gate.exclusivePending).toBe(false);
  });

  it('is re-entrant within one call chain (no deadlock while an exclusive holder waits)', async () => {
    const gate = new ActionGate();
    const a = deferred();
    const log: string[] = [];
    const outer = gate.shared(async () => {
      await a.promise;
      await gate.shared(() => log.push('nested shared'));
    });
    const reload = gate.exclusive(() => gate.shared(() => log.push('shared inside exclusive')));
    await tick();
    a.resolve();
    await Promise.all([outer, reload]);
    expect(log).toEqual(['nested shared', 'shared inside exclusive']);
  });

  it('refuses to upgrade a shared hold to exclusive', async () => {
    const gate = new ActionGate();
    await expect(gate.shared(() => gate.exclusive(() => 1))).rejects.toThrow(/exclusively while holding it shared/);
  });

  it('does not let work spawned inside a hold (a timer) bypass the gate after the hold ended', async () => {
    const gate = new ActionGate();
    const fired = deferred();
    let ran = false;
    let late!: Promise<unknown>;
    await gate.exclusive(() => {
      setTimeout(() => {
        late = gate.shared(() => (ran = true));
        fired.resolve();
      }, 5);
    });
    const b = deferred();
    const holder = gate.exclusive(() => b.promise);
    await fired.promise;
    await tick();
    expect(ran).toBe(false);
    b.resolve();
    await holder;
    await late;
    expect(ran).toBe(true);
  });

  it('releases the gate when the holder throws', async () => {
    const gate = new ActionGate();
    await expect(gate.exclusive(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(gate.shared(() => 'ok')).resolves.toBe('ok');
  });
});
