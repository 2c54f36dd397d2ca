import { promises as fs, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { OutboxLog, type NewOutboxEntry } from './outbox-log';

const item = (key: string, channel: NewOutboxEntry['channel'] = 'webhook'): NewOutboxEntry => ({
  key,
  channel,
  kind: 'test',
  createdAt: 1,
  text: key,
  data: { key },
  silent: false,
});

describe('OutboxLog', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'outbox-'));
    file = path.join(dir, 'outbox.jsonl');
  });

  it('keeps entries in order per channel and replays the same state after a reopen', async () => {
    const log = await OutboxLog.open(file);
    await log.add([item('a'), item('b', 'telegram'), item('c')]);
    const [a] = log.pendingOf('webhook');
    await log.markTrying(a.id);
    await log.markDelivered(a.id);
    const c = log.pendingOf('webhook')[0];
    await log.markTrying(c.id);
    await log.markFailed(c.id, 'HTTP 503', 5_000, false);
    await log.close();

    const again = await OutboxLog.open(file);
    expect(
      again.pendingOf('webhook').map((e) => [e.key, e.attempts, e.lastError, e.nextAttemptAt, e.inFlight]),
    ).toEqual([['c', 1, 'HTTP 503', 5_000, false]]);
    expect(again.pendingOf('telegram').map((e) => e.key)).toEqual(['b']);
    expect(again.knows('a')).toBe(true);
    // The same event queued again is recognised: delivered ("a") and pending ("c") keys alike.
    expect(await again.add([item('a'), item('c'), item('d')])).toHaveLength(1);
    expect(again.counters.duplicatesSkipped).toBe(2);
    // New ids continue after the old ones.
    expect(again.pendingOf('webhook').map((e) => e.key)).toEqual(['c', 'd']);
    await again.close();
  });

  it('a send started but never finished (a crash) is pending again, marked in doubt', async () => {
    const log = await OutboxLog.open(file);
    const [a] = await log.add([item('a')]);
    await log.markTrying(a.id);
    // No close(): the process "died" here.
    const again = await OutboxLog.open(file);
    expect(again.pendingOf('webhook').map((e) => [e.key, e.inFlight, e.attempts])).toEqual([['a', true, 1]]);
    expect(again.counters.resentInDoubt).toBe(1);
    await again.close();
    await log.close();
  });

  it('ignores a torn last line (an append cut by a crash) and keeps appending on a clean line', async () => {
    const log = await OutboxLog.open(file);
    await log.add([item('a'), item('b')]);
    await log.close();
    await fs.appendFile(file, '{"op":"add","e":{"id":3,"key":"c"');
    const again = await OutboxLog.open(file);
    expect(again.skippedLines).toBe(1);
    expect(again.pendingOf('webhook').map((e) => e.key)).toEqual(['a', 'b']);
    await again.add([item('d')]);
    await again.close();
    const third = await OutboxLog.open(file);
    expect(third.skippedLines).toBe(0);
    expect(third.pendingOf('webhook').map((e) => e.key)).toEqual(['a', 'b', 'd']);
    await third.close();
  });

  it('group-commits concurrent appends and answers each only once durable', async () => {
    const log = await OutboxLog.open(file);
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.add([item(`k${i}`)])));
    const lines = (await fs.readFile(file, 'utf8')).trim().split('\n');
    expect(lines.length).toBe(50);
    expect(log.pendingCount()).toBe(50);
    await log.close();
  });

  it('is bounded: over the cap the oldest pending entries are dropped and counted; delivered ones are compacted away', async () => {
    const log = await OutboxLog.open(file, { maxPending: 3, compactAfterRecords: 10 });
    await log.add([item('a'), item('b'), item('c')]);
    await log.add([item('d')]);
    expect(log.pendingOf('webhook').map((e) => e.key)).toEqual(['b', 'c', 'd']);
    expect(log.counters.dropped).toBe(1);
    for (const e of log.pendingOf('webhook')) {
      await log.markTrying(e.id);
      await log.markDelivered(e.id);
    }
    await log.add([item('e')]);
    await log.close();
    const lines = (await fs.readFile(file, 'utf8')).trim().split('\n');
    expect(lines.length).toBeLessThan(10);
    const again = await OutboxLog.open(file);
    expect(again.pendingOf('webhook').map((e) => e.key)).toEqual(['e']);
    expect(again.knows('d')).toBe(true);
    await again.close();
  });

  it('a given-up entry leaves the queue but stays listed', async () => {
    const log = await OutboxLog.open(file);
    const [a] = await log.add([item('a'), item('b')]);
    await log.markTrying(a.id);
    await log.markFailed(a.id, 'HTTP 404', 0, true);
    expect(log.pendingOf('webhook').map((e) => e.key)).toEqual(['b']);
    expect(
      log
        .all()
        .filter((e) => e.failed)
        .map((e) => [e.key, e.lastError]),
    ).toEqual([['a', 'HTTP 404']]);
    expect(log.counters.failed).toBe(1);
    await log.close();
  });

  it('its per-channel queues and key index always agree with the entries it lists, through reopen and compaction', async () => {
    const channels = ['webhook', 'telegram', 'discord'] as const;
    /** What a full scan of `all()` says, against what the indexes answer. */
    const expectConsistent = (log: OutboxLog, keys: string[]) => {
      const all = log.all();
      for (const channel of channels) {
        const pending = all.filter((e) => e.channel === channel && !e.failed).sort((a, b) => a.id - b.id);
        expect(log.pendingOf(channel).map((e) => e.id)).toEqual(pending.map((e) => e.id));
        expect(log.nextPending(channel)?.id).toBe(pending[0]?.id);
      }
      expect(log.pendingCount()).toBe(all.filter((e) => !e.failed).length);
      expect(log.failedCount()).toBe(all.filter((e) => e.failed).length);
      for (const key of keys) if (all.some((e) => e.key === key)) expect(log.knows(key)).toBe(true);
    };
    const log = await OutboxLog.open(file, { maxPending: 8, maxFailed: 2, compactAfterRecords: 15 });
    const keys: string[] = [];
    for (let round = 0; round < 6; round++) {
      const batch = channels.map((c, i) => item(`k${round}-${i}`, c));
      keys.push(...batch.map((b) => b.key));
      const added = await log.add(batch);
      // Per round: the webhook's head is delivered, the telegram's fails (given up every other round).
      const webhookHead = log.nextPending('webhook')!;
      await log.markTrying(webhookHead.id);
      await log.markDelivered(webhookHead.id);
      const telegramHead = log.nextPending('telegram')!;
      await log.markTrying(telegramHead.id);
      await log.markFailed(telegramHead.id, 'HTTP 500', 0, round % 2 === 0);
      expect(added).toHaveLength(3);
      expectConsistent(log, keys);
    }
    expect(log.counters.dropped).toBeGreaterThan(0); // the cap of 8 was reached
    expect(log.counters.failed).toBe(3);
    expect(log.failedCount()).toBe(2); // maxFailed
    // A delivered key is still known, and queuing it again is skipped.
    expect(log.knows('k0-0')).toBe(true);
    expect(await log.add([item('k0-0')])).toEqual([]);
    await log.close();
    const again = await OutboxLog.open(file, { maxPending: 8, maxFailed: 2 });
    expectConsistent(again, keys);
    expect(again.all().map((e) => [e.id, e.key, e.failed])).toEqual(log.all().map((e) => [e.id, e.key, e.failed]));
    await again.close();
  });
});
