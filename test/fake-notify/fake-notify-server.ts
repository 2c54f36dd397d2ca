/**
 * Local stand-ins for the notification channels (Telegram Bot API, a generic webhook receiver, a Discord webhook),
 * on 127.0.0.1 only. Each records what it received and answers with scripted faults on demand: HTTP errors,
 * 429 with retry_after, slow answers (longer than the client's timeout), a dropped connection, and "down"
 * (connection refused, the server closed).
 */
import { createHmac } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type NotifyFault =
  | { kind: 'status'; status: number; times?: number }
  | { kind: 'rateLimit'; retryAfterSec: number; times?: number }
  | { kind: 'slow'; delayMs: number; times?: number }
  | { kind: 'drop'; times?: number }
  | { kind: 'redirect'; times?: number };

export interface Received {
  at: number;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: any;
  raw: string;
  /** Answered 2xx (counted as delivered by the client). */
  accepted: boolean;
}

abstract class FakeNotifyServer {
  readonly received: Received[] = [];
  private server: http.Server | null = null;
  private readonly sockets = new Set<Socket>();
  private faults: Array<NotifyFault & { left: number }> = [];
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  fault(spec: NotifyFault): this {
    this.faults.push({ ...spec, left: spec.times ?? 1 });
    return this;
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** Accepted messages (2xx answers), in arrival order. */
  accepted(): Received[] {
    return this.received.filter((r) => r.accepted);
  }

  async start(port = 0): Promise<this> {
    const server = http.createServer(
      (req, res) =>
        // A bug in the fake must show, not hang the client: log it and drop the connection.
        void this.handle(req, res).catch((error: Error) => {
          console.error(`fake notify: ${req.method} ${req.url} failed: ${error.stack ?? error.message}`);
          res.destroy();
        }),
    );
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Closes the port (connections refused) until start(sameport) again. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    let body: any = null;
    try {
      body = JSON.parse(raw);
    } catch {
      body = null;
    }
    const record: Received = { at: Date.now(), path: req.url ?? '', headers: req.headers, body, raw, accepted: false };
    this.received.push(record);
    const fault = this.faults.find((f) => f.left > 0);
    if (fault) {
      fault.left--;
      switch (fault.kind) {
        case 'status':
          return this.reply(res, fault.status, {
            ok: false,
            error_code: fault.status,
            description: `injected ${fault.status}`,
          });
        case 'rateLimit':
          return this.rateLimited(res, fault.retryAfterSec);
        case 'drop':
          req.socket.destroy();
          return;
        case 'redirect':
          res.writeHead(302, { Location: 'http://127.0.0.1:1/elsewhere' });
          res.end();
          return;
        case 'slow':
          await new Promise((r) => setTimeout(r, fault.delayMs));
          if (res.destroyed || req.socket.destroyed) return;
          break;
      }
    }
    const answer = this.answer(record);
    if (answer.status >= 200 && answer.status < 300) record.accepted = true;
    this.reply(res, answer.status, answer.body);
  }

  protected rateLimited(res: http.ServerResponse, retryAfterSec: number): void {
    res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': String(retryAfterSec) });
    res.end(JSON.stringify({ message: 'rate limited', retry_after: retryAfterSec }));
  }

  protected reply(res: http.ServerResponse, status: number, body: unknown): void {
    if (res.destroyed) return;
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  protected abstract answer(record: Received): { status: number; body: unknown };
}

/** Telegram Bot API: POST /bot<token>/sendMessage {chat_id, text, …}; 429 answers carry parameters.retry_after. */
export class FakeTelegram extends FakeNotifyServer {
  private messageId = 0;

  constructor(readonly token: string) {
    super();
  }

  messages(): Array<{ chatId: string; text: string; silent: boolean; at: number }> {
    return this.accepted().map((r) => ({
      chatId: String(r.body.chat_id),
      text: r.body.text,
      silent: r.body.disable_notification === true,
      at: r.at,
    }));
  }

  protected override rateLimited(res: http.ServerResponse, retryAfterSec: number): void {
    this.reply(res, 429, {
      ok: false,
      error_code: 429,
      description: `Too Many Requests: retry after ${retryAfterSec}`,
      parameters: { retry_after: retryAfterSec },
    });
  }

  protected answer(record: Received): { status: number; body: unknown } {
    if (record.path !== `/bot${this.token}/sendMessage`) {
      return { status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } };
    }
    if (!record.body?.chat_id || typeof record.body.text !== 'string') {
      return { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: message text is empty' } };
    }
    return {
      status: 200,
      body: {
        ok: true,
        result: { message_id: ++this.messageId, chat: { id: record.body.chat_id }, text: record.body.text },
      },
    };
  }
}

/**
 * A webhook receiver (generic or Discord): checks the HMAC signature when it knows the secret and processes each
 * Idempotency-Key once, as a receiver should; `received` keeps every raw arrival, repeats included.
 */
export class FakeWebhook extends FakeNotifyServer {
  readonly processed = new Map<string, Received>();
  badSignatures = 0;

  constructor(private readonly secret: string | null = null) {
    super();
  }

  protected answer(record: Received): { status: number; body: unknown } {
    if (this.secret) {
      const timestamp = String(record.headers['x-bots-timestamp'] ?? '');
      const expected = `sha256=${createHmac('sha256', this.secret).update(`${timestamp}.${record.raw}`).digest('hex')}`;
      if (record.headers['x-bots-signature'] !== expected) {
        this.badSignatures++;
        return { status: 401, body: { error: 'bad signature' } };
      }
    }
    const key = String(record.headers['idempotency-key'] ?? record.body?.id ?? `${this.received.length}`);
    if (!this.processed.has(key)) this.processed.set(key, record);
    return { status: 200, body: { ok: true } };
  }

  /** Raw arrivals per idempotency key (a key seen more than once was sent again). */
  arrivalsByKey(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of this.accepted()) {
      const key = String(r.headers['idempotency-key'] ?? r.body?.id);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }
}
