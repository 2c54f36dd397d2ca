import type { ResolvedChannel } from './notification-settings';
import type { OutboxEntry } from './outbox-log';
import { webhookSignature } from './signer';

export type SendResult = { ok: true } | { ok: false; error: string; permanent: boolean; retryAfterMs: number | null };

export interface SendContext {
  timeoutMs: number;
  /** Wall-clock ms, for the webhook timestamp header. */
  now: number;
}

/** Discord caps a message at 2000 characters, Telegram at 4096. */
const DISCORD_MAX = 2000;
const TELEGRAM_MAX = 4096;
/** Discord's SUPPRESS_NOTIFICATIONS message flag (a silent message). */
const DISCORD_SILENT_FLAG = 1 << 12;

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/**
 * POSTs JSON without following redirects. Error texts name the status or the failure class only: the URL
 * (a Telegram token, a Discord webhook token) never appears in them, so they can be logged and shown.
 */
async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<Response> {
  try {
    return await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') {
      throw new DeliveryError(`no answer within ${timeoutMs} ms`);
    }
    throw new DeliveryError(`network error${e.cause?.code ? ` (${e.cause.code})` : ''}`);
  }
}

class DeliveryError extends Error {}

function retryAfterHeader(response: Response): number | null {
  const raw = response.headers.get('retry-after');
  if (!raw) return null;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(raw);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : null;
}

/** The fields of a channel's JSON answer we read (Telegram, Discord, webhooks); any of them may be missing. */
interface ChannelAnswer {
  ok?: unknown;
  description?: unknown;
  message?: unknown;
  retry_after?: unknown;
  parameters?: { retry_after?: unknown };
}

/** Common classification: 2xx ok, 429 / 5xx / network retried, redirects and other 4xx permanent. */
async function classify(
  response: Response,
  retryAfterFromBody: (body: ChannelAnswer | null) => number | null,
): Promise<SendResult> {
  // An unreadable body is classified by the status alone.
  const text = await response.text().catch(() => '');
  let body: ChannelAnswer | null = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (response.status >= 200 && response.status < 300) {
    if (body && body.ok === false) {
      return {
        ok: false,
        error: `refused: ${String(body.description ?? 'ok=false').slice(0, 200)}`,
        permanent: true,
        retryAfterMs: null,
      };
    }
    return { ok: true };
  }
  const description =
    body && typeof body.description === 'string'
      ? `: ${body.description.slice(0, 200)}`
      : body && typeof body.message === 'string'
        ? `: ${body.message.slice(0, 200)}`
        : '';
  if (response.status === 429) {
    return {
      ok: false,
      error: `HTTP 429 rate limited${description}`,
      permanent: false,
      retryAfterMs: retryAfterFromBody(body) ?? retryAfterHeader(response),
    };
  }
  if (response.status >= 300 && response.status < 400) {
    return { ok: false, error: `HTTP ${response.status} redirect (not followed)`, permanent: true, retryAfterMs: null };
  }
  if (response.status >= 500 || response.status === 408) {
    return {
      ok: false,
      error: `HTTP ${response.status}${description}`,
      permanent: false,
      retryAfterMs: retryAfterHeader(response),
    };
  }
  return { ok: false, error: `HTTP ${response.status}${description}`, permanent: true, retryAfterMs: null };
}

async function guarded(send: () => Promise<SendResult>): Promise<SendResult> {
  try {
    return await send();
  } catch (error) {
    const message = error instanceof DeliveryError ? error.message : 'send failed';
    return { ok: false, error: message, permanent: false, retryAfterMs: null };
  }
}

/** Telegram Bot API sendMessage (docs/notifications.md). */
export function sendTelegram(
  channel: NonNullable<ResolvedChannel['telegram']>,
  entry: OutboxEntry,
  ctx: SendContext,
): Promise<SendResult> {
  return guarded(async () => {
    const body = JSON.stringify({
      chat_id: channel.chatId,
      text: clip(entry.text, TELEGRAM_MAX),
      disable_notification: entry.silent,
      link_preview_options: { is_disabled: true },
    });
    const response = await postJson(`${channel.apiUrl}/bot${channel.token}/sendMessage`, body, {}, ctx.timeoutMs);
    return classify(response, (b) =>
      typeof b?.parameters?.retry_after === 'number' ? b.parameters.retry_after * 1000 : null,
    );
  });
}

/** The generic webhook: the event as JSON, with an idempotency key and (when a secret is set) an HMAC signature. */
export function webhookBody(entry: OutboxEntry): string {
  return JSON.stringify({
    id: entry.key,
    event: entry.kind,
    at: new Date(entry.createdAt).toISOString(),
    text: entry.text,
    data: entry.data,
  });
}

export function sendWebhook(
  channel: NonNullable<ResolvedChannel['webhook']>,
  entry: OutboxEntry,
  ctx: SendContext,
): Promise<SendResult> {
  return guarded(async () => {
    const body = webhookBody(entry);
    const timestamp = String(Math.floor(ctx.now / 1000));
    const headers: Record<string, string> = {
      'Idempotency-Key': entry.key,
      'X-Bots-Event': entry.kind,
      'X-Bots-Timestamp': timestamp,
    };
    if (channel.secret) headers['X-Bots-Signature'] = webhookSignature(channel.secret, timestamp, body);
    const response = await postJson(channel.url, body, headers, ctx.timeoutMs);
    return classify(response, () => null);
  });
}

/** A Discord webhook (execute webhook, JSON content). */
export function sendDiscord(
  channel: NonNullable<ResolvedChannel['discord']>,
  entry: OutboxEntry,
  ctx: SendContext,
): Promise<SendResult> {
  return guarded(async () => {
    const body = JSON.stringify({
      content: clip(entry.text, DISCORD_MAX),
      allowed_mentions: { parse: [] },
      ...(entry.silent ? { flags: DISCORD_SILENT_FLAG } : {}),
    });
    const response = await postJson(channel.url, body, {}, ctx.timeoutMs);
    return classify(response, (b) => (typeof b?.retry_after === 'number' ? b.retry_after * 1000 : null));
  });
}

/**
 * Least spacing between two messages of a channel: Telegram allows 1 message/s per chat, Discord 5 per 2 s per webhook.
 */
export function minIntervalMs(channel: ResolvedChannel): number {
  if (channel.id === 'telegram') return 1_000;
  if (channel.id === 'discord') return 400;
  return channel.webhook?.minIntervalMs ?? 0;
}

export function sendTo(channel: ResolvedChannel, entry: OutboxEntry, ctx: SendContext): Promise<SendResult> {
  if (channel.telegram) return sendTelegram(channel.telegram, entry, ctx);
  if (channel.webhook) return sendWebhook(channel.webhook, entry, ctx);
  if (channel.discord) return sendDiscord(channel.discord, entry, ctx);
  return Promise.resolve({ ok: false, error: 'channel not configured', permanent: false, retryAfterMs: null });
}
