import {
  defaultNotificationSettings,
  normalizeNotificationsFile,
  parseNotifyEnv,
  publicSettings,
  resolveChannels,
} from './notification-settings';

describe('notification settings', () => {
  it('reads NOTIFY_* and names a bad variable without echoing a secret URL', () => {
    const env = parseNotifyEnv({
      NOTIFY_TELEGRAM_BOT_TOKEN: '1:abc',
      NOTIFY_TELEGRAM_CHAT_ID: '42',
      NOTIFY_HTTP_TIMEOUT_MS: '2500',
    });
    expect(env).toMatchObject({
      telegramBotToken: '1:abc',
      telegramChatId: '42',
      telegramApiUrl: 'https://api.telegram.org',
      httpTimeoutMs: 2500,
      outboxMaxEntries: 5000,
    });
    expect(() => parseNotifyEnv({ NOTIFY_WEBHOOK_URL: 'ftp://secret-token@x' })).toThrow(
      'NOTIFY_WEBHOOK_URL must use http or https',
    );
    expect(() => parseNotifyEnv({ NOTIFY_WEBHOOK_URL: 'ftp://secret-token@x' })).not.toThrow(/secret-token/);
    expect(() => parseNotifyEnv({ NOTIFY_OUTBOX_MAX: '5' })).toThrow(
      'NOTIFY_OUTBOX_MAX must be an integer from 10 to 1000000 (got "5")',
    );
  });

  it('a channel is on when it has its secrets (file over environment) unless switched off', () => {
    const env = parseNotifyEnv({
      NOTIFY_TELEGRAM_BOT_TOKEN: '1:abc',
      NOTIFY_TELEGRAM_CHAT_ID: '42',
      NOTIFY_WEBHOOK_URL: 'http://127.0.0.1:1/h',
    });
    const file = defaultNotificationSettings();
    const on = resolveChannels(file, env).map((c) => [c.id, c.enabled]);
    expect(on).toEqual([
      ['telegram', true],
      ['webhook', true],
      ['discord', false],
    ]);
    file.channels.webhook.enabled = false;
    file.channels.telegram.chat_id = '@mychannel';
    const resolved = resolveChannels(file, env);
    expect(resolved.find((c) => c.id === 'webhook')!.enabled).toBe(false);
    expect(resolved.find((c) => c.id === 'telegram')!.telegram!.chatId).toBe('@mychannel');
  });

  it('the public view says where a secret comes from and never shows it', () => {
    const env = parseNotifyEnv({
      NOTIFY_WEBHOOK_SECRET: 'whsec-1',
      NOTIFY_DISCORD_WEBHOOK_URL: 'https://discord.example/api/webhooks/1/dsc-tok-9',
    });
    const file = defaultNotificationSettings();
    file.channels.telegram.bot_token = '1:secret-token';
    const view = publicSettings(file, env);
    const text = JSON.stringify(view);
    for (const secret of ['whsec-1', 'dsc-tok-9', 'secret-token']) expect(text).not.toContain(secret);
    expect(view.channels.telegram.bot_token_set).toBe('file');
    expect(view.channels.webhook.secret_set).toBe('env');
    expect(view.channels.discord.url_set).toBe('env');
    expect(view.channels.discord.enabled).toBe(true);
  });

  it('normalizes a loaded file: unknown events dropped, bad values back to defaults', () => {
    const file = normalizeNotificationsFile({
      mode: 'loud',
      daily_summary_hour: 25,
      channels: { webhook: { events: ['exit', 'nope'], url: 'http://x/' } },
    });
    expect(file.mode).toBe('on');
    expect(file.daily_summary_hour).toBeNull();
    expect(file.channels.webhook.events).toEqual(['exit']);
    expect(file.channels.webhook.url).toBe('http://x/');
  });
});
