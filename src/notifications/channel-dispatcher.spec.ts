import { mkdtempSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ChannelDispatcher } from './channel-dispatcher';
import type { ResolvedChannel } from './notification-settings';
import { OutboxLog } from './outbox-log';

describe('ChannelDispatcher', () => {
  const statuses: number[] = [];
  const received: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const status = statuses.shift() ?? 200;
      if (status === 200) received.push(JSON.parse(body).text);
      res.writeHead(status, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  let url: string;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    statuses.length = 0;
    received.length = 0;
  });

  async function setup(enabled = true) {
    const outbox = await OutboxLog.open(path.join(mkdtempSync(path.join(tmpdir(), 'dispatch-')), 'outbox.jsonl'));
    const channel: ResolvedChannel = {
      id: 'webhook',
      enabled,
      events: new Set(),
      webhook: { url, secret: null, minIntervalMs: 0 },
    };
    const gaveUp: number[] = [];
    const dispatcher = new ChannelDispatcher(outbox, () => channel, {
      timeoutMs: 2_000,
      backoff: { baseMs: 20, maxMs: 50 },
      permanentAttempts: 3,
      now: () => Date.now(),
      onOutcome: (entry, _result, given) => given && gaveUp.push(entry.id),
    });
    const add = (...texts: string[]) =>
      outbox.add(
        texts.map((text) => ({
          key: text,
          channel: 'webhook',
          kind: 'test',
          createdAt: 0,
          text,
          data: {},
          silent: false,
        })),
      );
    const settled = async () => {
      for (let i = 0; i < 400 && (outbox.pendingOf('webhook').length > 0 || !dispatcher.idle); i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    return { outbox, channel, dispatcher, add, settled, gaveUp };
  }

  it('delivers in order; a failing head holds the ones behind it until it gets through', async () => {
    const { outbox, dispatcher, add, settled } = await setup();
    await add('a', 'b', 'c');
    statuses.push(503, 500, 200);
    dispatcher.kick();
    await settled();
    expect(received).toEqual(['a', 'b', 'c']);
    expect(outbox.pendingCount()).toBe(0);
    expect(outbox.counters.delivered).toBe(3);
    await dispatcher.stop();
    await outbox.close();
  });

  it('gives a permanently refused message up after 3 attempts and goes on', async () => {
    const { outbox, dispatcher, add, settled, gaveUp } = await setup();
    const [first] = await add('x', 'y');
    statuses.push(404, 404, 404);
    dispatcher.kick();
    await settled();
    expect(received).toEqual(['y']);
    expect(gaveUp).toEqual([first.id]);
    expect(outbox.all().map((e) => [e.text, e.failed, e.attempts, e.lastError])).toEqual([['x', true, 3, 'HTTP 404']]);
    await dispatcher.stop();
    await outbox.close();
  });

  it('a disabled channel keeps its messages until it is enabled', async () => {
    const { outbox, channel, dispatcher, add, settled } = await setup(false);
    await add('p');
    dispatcher.kick();
    await new Promise((r) => setTimeout(r, 100));
    expect(received).toEqual([]);
    expect(outbox.pendingCount()).toBe(1);
    channel.enabled = true;
    dispatcher.kick();
    await settled();
    expect(received).toEqual(['p']);
    await dispatcher.stop();
    await outbox.close();
  });
});
