import { EnvValidationError } from '../config/env';
import { CHANNEL_IDS, NOTIFICATION_KINDS, type ChannelId, type NotificationKind } from './notification-kinds';
import { targetUrlProblem } from './url-validation';

export const NOTIFICATIONS_FILE = 'notifications.json';
export const NOTIFY_MODES = ['on', 'off', 'quiet'] as const;
/**
 * on: send; off: nothing is queued; quiet: sent without a sound (Telegram disable_notification, Discord silent flag).
 */
export type NotifyMode = (typeof NOTIFY_MODES)[number];

export interface ChannelSettings {
  /** null: on when the channel has its secrets (from the file or the environment). */
  enabled: boolean | null;
  events: NotificationKind[];
}

/** notifications.json: what the API sets. Secrets are stored here only when set through the API. */
export interface NotificationSettingsFile {
  mode: NotifyMode;
  /** UTC hour (0–23) of the daily summary; null = no summary. */
  daily_summary_hour: number | null;
  /** Minutes of uninterrupted exchange failures before "exchange failing" is sent. */
  exchange_down_minutes: number;
  channels: {
    telegram: ChannelSettings & { chat_id: string | null; bot_token: string | null };
    webhook: ChannelSettings & { url: string | null; secret: string | null };
    discord: ChannelSettings & { url: string | null };
  };
}

/** Everything the environment may give (NOTIFY_*); the file's values win when both are set. */
export interface NotifyEnv {
  telegramBotToken: string | null;
  telegramChatId: string | null;
  telegramApiUrl: string;
  webhookUrl: string | null;
  webhookSecret: string | null;
  discordWebhookUrl: string | null;
  httpTimeoutMs: number;
  outboxMaxEntries: number;
  webhookMinIntervalMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

/** A bad NOTIFY_* variable: start-up stops with one line naming it (main.ts prints EnvValidationError so). */
export class NotifyEnvError extends EnvValidationError {}

const ALL_EVENTS: NotificationKind[] = NOTIFICATION_KINDS.filter((k) => k !== 'test');

export function defaultNotificationSettings(): NotificationSettingsFile {
  const channel = () => ({ enabled: null, events: [...ALL_EVENTS] });
  return {
    mode: 'on',
    daily_summary_hour: null,
    exchange_down_minutes: 5,
    channels: {
      telegram: { ...channel(), chat_id: null, bot_token: null },
      webhook: { ...channel(), url: null, secret: null },
      discord: { ...channel(), url: null },
    },
  };
}

function intVar(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new NotifyEnvError(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

function urlVar(env: NodeJS.ProcessEnv, name: string): string | null {
  const raw = env[name]?.trim();
  if (!raw) return null;
  const problem = targetUrlProblem(raw);
  // The value itself is never echoed: a webhook URL is a secret.
  if (problem) throw new NotifyEnvError(`${name} ${problem}`);
  return raw;
}

export function parseNotifyEnv(env: NodeJS.ProcessEnv): NotifyEnv {
  const text = (name: string) => env[name]?.trim() || null;
  return {
    telegramBotToken: text('NOTIFY_TELEGRAM_BOT_TOKEN'),
    telegramChatId: text('NOTIFY_TELEGRAM_CHAT_ID'),
    telegramApiUrl: urlVar(env, 'NOTIFY_TELEGRAM_API_URL') ?? 'https://api.telegram.org',
    webhookUrl: urlVar(env, 'NOTIFY_WEBHOOK_URL'),
    webhookSecret: text('NOTIFY_WEBHOOK_SECRET'),
    discordWebhookUrl: urlVar(env, 'NOTIFY_DISCORD_WEBHOOK_URL'),
    httpTimeoutMs: intVar(env, 'NOTIFY_HTTP_TIMEOUT_MS', 10_000, 100, 120_000),
    outboxMaxEntries: intVar(env, 'NOTIFY_OUTBOX_MAX', 5_000, 10, 1_000_000),
    webhookMinIntervalMs: intVar(env, 'NOTIFY_WEBHOOK_MIN_INTERVAL_MS', 0, 0, 60_000),
    retryBaseMs: intVar(env, 'NOTIFY_RETRY_BASE_MS', 1_000, 10, 600_000),
    retryMaxMs: intVar(env, 'NOTIFY_RETRY_MAX_MS', 300_000, 10, 3_600_000),
  };
}

/** The resolved view of one channel: file over environment; `ready` when it has what it needs to send. */
export interface ResolvedChannel {
  id: ChannelId;
  enabled: boolean;
  events: Set<NotificationKind>;
  telegram?: { token: string; chatId: string; apiUrl: string };
  webhook?: { url: string; secret: string | null; minIntervalMs: number };
  discord?: { url: string };
}

export function resolveChannels(file: NotificationSettingsFile, env: NotifyEnv): ResolvedChannel[] {
  const t = file.channels.telegram;
  const token = t.bot_token ?? env.telegramBotToken;
  const chatId = t.chat_id ?? env.telegramChatId;
  const w = file.channels.webhook;
  const webhookUrl = w.url ?? env.webhookUrl;
  const d = file.channels.discord;
  const discordUrl = d.url ?? env.discordWebhookUrl;
  const on = (c: ChannelSettings, ready: boolean) => ready && (c.enabled ?? true);
  return [
    {
      id: 'telegram',
      enabled: on(t, Boolean(token && chatId)),
      events: new Set(t.events),
      telegram: token && chatId ? { token, chatId, apiUrl: env.telegramApiUrl.replace(/\/+$/, '') } : undefined,
    },
    {
      id: 'webhook',
      enabled: on(w, Boolean(webhookUrl)),
      events: new Set(w.events),
      webhook: webhookUrl
        ? { url: webhookUrl, secret: w.secret ?? env.webhookSecret, minIntervalMs: env.webhookMinIntervalMs }
        : undefined,
    },
    {
      id: 'discord',
      enabled: on(d, Boolean(discordUrl)),
      events: new Set(d.events),
      discord: discordUrl ? { url: discordUrl } : undefined,
    },
  ];
}

/** What GET /notifications shows: every setting, and for each secret only whether it is set (and where from). */
export function publicSettings(file: NotificationSettingsFile, env: NotifyEnv) {
  const resolved = new Map(resolveChannels(file, env).map((c) => [c.id, c]));
  const source = (fromFile: string | null, fromEnv: string | null): 'file' | 'env' | null =>
    fromFile ? 'file' : fromEnv ? 'env' : null;
  const t = file.channels.telegram;
  const w = file.channels.webhook;
  const d = file.channels.discord;
  return {
    mode: file.mode,
    daily_summary_hour: file.daily_summary_hour,
    exchange_down_minutes: file.exchange_down_minutes,
    available_events: [...NOTIFICATION_KINDS],
    channels: {
      telegram: {
        enabled: resolved.get('telegram')!.enabled,
        enabled_setting: t.enabled,
        events: t.events,
        chat_id_set: source(t.chat_id, env.telegramChatId),
        bot_token_set: source(t.bot_token, env.telegramBotToken),
      },
      webhook: {
        enabled: resolved.get('webhook')!.enabled,
        enabled_setting: w.enabled,
        events: w.events,
        url_set: source(w.url, env.webhookUrl),
        secret_set: source(w.secret, env.webhookSecret),
      },
      discord: {
        enabled: resolved.get('discord')!.enabled,
        enabled_setting: d.enabled,
        events: d.events,
        url_set: source(d.url, env.discordWebhookUrl),
      },
    },
  };
}

/** Shape check of a loaded notifications.json (an error text, or null). */
export function validateNotificationsFile(value: unknown): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'expected a JSON object';
  const v = value as Partial<NotificationSettingsFile>;
  if (v.mode !== undefined && !NOTIFY_MODES.includes(v.mode)) return 'mode must be on, off or quiet';
  if (v.channels !== undefined && (typeof v.channels !== 'object' || v.channels === null)) {
    return 'channels must be an object';
  }
  return null;
}

/** A loaded file over the defaults (missing keys filled; unknown events dropped). */
export function normalizeNotificationsFile(raw: unknown): NotificationSettingsFile {
  const base = defaultNotificationSettings();
  if (!raw || typeof raw !== 'object') return base;
  const v = raw as Partial<NotificationSettingsFile> & {
    channels?: Partial<Record<ChannelId, Record<string, unknown>>>;
  };
  const hour = v.daily_summary_hour;
  const out: NotificationSettingsFile = {
    mode: NOTIFY_MODES.includes(v.mode as NotifyMode) ? (v.mode as NotifyMode) : base.mode,
    daily_summary_hour:
      Number.isInteger(hour) && (hour as number) >= 0 && (hour as number) <= 23 ? (hour as number) : null,
    exchange_down_minutes:
      Number.isInteger(v.exchange_down_minutes) && (v.exchange_down_minutes as number) >= 1
        ? (v.exchange_down_minutes as number)
        : base.exchange_down_minutes,
    channels: base.channels,
  };
  for (const id of CHANNEL_IDS) {
    const c = v.channels?.[id];
    if (!c || typeof c !== 'object') continue;
    const target = out.channels[id] as unknown as Record<string, unknown>;
    if (typeof c.enabled === 'boolean' || c.enabled === null) target.enabled = c.enabled;
    if (Array.isArray(c.events)) {
      target.events = c.events.filter((e): e is NotificationKind => NOTIFICATION_KINDS.includes(e as NotificationKind));
    }
    for (const key of ['chat_id', 'bot_token', 'url', 'secret']) {
      if (key in target && typeof c[key] === 'string' && c[key]) target[key] = c[key];
    }
  }
  return out;
}
