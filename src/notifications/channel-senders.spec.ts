import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendDiscord, sendTelegram, sendWebhook, type SendResult } from './channel-senders';
import type { OutboxEntry } from './outbox-log';
import { webhookSignature } from './signer';

/** One local HTTP server whose next answers the tests script; every request is recorded. */
function scriptedServer() {
  const answers: Array<(res: http.ServerResponse) => void> = [];
  const requests: Array<{ url: string; headers: http.IncomingHttpHeaders; body: string }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      requests.push({ url: req.url ?? '', headers: req.headers, body });
      const answer =
        answers.shift() ??
        ((r: http.ServerResponse) => r.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}'));
      answer(res);
    });
  });
  return {
    answers,
    requests,
    start: () =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
      ),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const entry: OutboxEntry = {
  id: 7,
  key: 'exit:BTC_1:1000@webhook',
  channel: 'webhook',
  kind: 'exit',
  createdAt: Date.UTC(2026, 0, 2),
  text: 'Exit LONG BTC',
  data: { symbol: 'BTC' },
  silent: true,
  attempts: 0,
  nextAttemptAt: 0,
  lastError: null,
  failed: false,
  inFlight: false,
};
const ctx = { timeoutMs: 300, now: 1_767_312_000_000 };
const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  (res: http.ServerResponse) =>
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));

describe('channel senders', () => {
  const server = scriptedServer();
  let base: string;
  beforeAll(async () => (base = await server.start()));
  afterAll(() => server.stop());
  beforeEach(() => {
    server.answers.length = 0;
    server.requests.length = 0;
  });

  it('Telegram: sendMessage with the chat, the text and silence; a 429 gives its retry_after', async () => {
    const telegram = { token: '1:SECRET-token', chatId: '-100', apiUrl: base };
    expect(await sendTelegram(telegram, entry, ctx)).toEqual({ ok: true });
    expect(server.requests[0].url).toBe('/bot1:SECRET-token/sendMessage');
    expect(JSON.parse(server.requests[0].body)).toEqual({
      chat_id: '-100',
      text: 'Exit LONG BTC',
      disable_notification: true,
      link_preview_options: { is_disabled: true },
    });
    server.answers.push(
      json(429, {
        ok: false,
        error_code: 429,
        description: 'Too Many Requests: retry after 7',
        parameters: { retry_after: 7 },
      }),
    );
    expect(await sendTelegram(telegram, entry, ctx)).toEqual({
      ok: false,
      error: 'HTTP 429 rate limited: Too Many Requests: retry after 7',
      permanent: false,
      retryAfterMs: 7_000,
    });
    server.answers.push(json(401, { ok: false, error_code: 401, description: 'Unauthorized' }));
    expect(await sendTelegram(telegram, entry, ctx)).toEqual({
      ok: false,
      error: 'HTTP 401: Unauthorized',
      permanent: true,
      retryAfterMs: null,
    });
  });

  it('webhook: JSON body, idempotency key, signature over timestamp and body', async () => {
    expect(await sendWebhook({ url: `${base}/hook`, secret: 'whsec', minIntervalMs: 0 }, entry, ctx)).toEqual({
      ok: true,
    });
    const { headers, body } = server.requests[0];
    expect(JSON.parse(body)).toEqual({
      id: entry.key,
      event: 'exit',
      at: '2026-01-02T00:00:00.000Z',
      text: 'Exit LONG BTC',
      data: { symbol: 'BTC' },
    });
    expect(headers['idempotency-key']).toBe(entry.key);
    expect(headers['x-bots-timestamp']).toBe('1767312000');
    expect(headers['x-bots-signature']).toBe(webhookSignature('whsec', '1767312000', body));
    await sendWebhook({ url: `${base}/hook`, secret: null, minIntervalMs: 0 }, entry, ctx);
    expect(server.requests[1].headers['x-bots-signature']).toBeUndefined();
  });

  it('Discord: content, no mentions, silent flag; retry_after in seconds', async () => {
    expect(await sendDiscord({ url: `${base}/api/webhooks/1/tok` }, entry, ctx)).toEqual({ ok: true });
    expect(JSON.parse(server.requests[0].body)).toEqual({
      content: 'Exit LONG BTC',
      allowed_mentions: { parse: [] },
      flags: 4096,
    });
    server.answers.push(json(429, { message: 'You are being rate limited.', retry_after: 1.5, global: false }));
    expect((await sendDiscord({ url: `${base}/api/webhooks/1/tok` }, entry, ctx)) as SendResult).toMatchObject({
      ok: false,
      permanent: false,
      retryAfterMs: 1_500,
    });
  });

  it('5xx and Retry-After are retried, redirects are not followed, other 4xx are permanent', async () => {
    const hook = { url: `${base}/hook`, secret: null, minIntervalMs: 0 };
    server.answers.push(json(503, { message: 'down' }, { 'Retry-After': '3' }));
    expect(await sendWebhook(hook, entry, ctx)).toEqual({
      ok: false,
      error: 'HTTP 503: down',
      permanent: false,
      retryAfterMs: 3_000,
    });
    server.answers.push((res) => res.writeHead(302, { Location: `${base}/elsewhere` }).end());
    expect(await sendWebhook(hook, entry, ctx)).toEqual({
      ok: false,
      error: 'HTTP 302 redirect (not followed)',
      permanent: true,
      retryAfterMs: null,
    });
    expect(server.requests.map((r) => r.url)).toEqual(['/hook', '/hook']);
    server.answers.push(json(404, {}));
    expect(await sendWebhook(hook, entry, ctx)).toMatchObject({ ok: false, error: 'HTTP 404', permanent: true });
  });

  it('a slow answer is a timeout and a refused connection a network error; neither names the URL', async () => {
    server.answers.push((res) => setTimeout(() => res.writeHead(200).end('{}'), 1_000));
    const slow = await sendTelegram({ token: '1:SECRET-token', chatId: '1', apiUrl: base }, entry, ctx);
    expect(slow).toEqual({ ok: false, error: 'no answer within 300 ms', permanent: false, retryAfterMs: null });
    const closed = http.createServer();
    const port = await new Promise<number>((resolve) =>
      closed.listen(0, '127.0.0.1', () => resolve((closed.address() as AddressInfo).port)),
    );
    await new Promise((resolve) => closed.close(resolve));
    const refused = await sendDiscord({ url: `http://127.0.0.1:${port}/api/webhooks/1/SECRET` }, entry, ctx);
    expect(refused).toEqual({ ok: false, error: 'network error (ECONNREFUSED)', permanent: false, retryAfterMs: null });
  });
});
