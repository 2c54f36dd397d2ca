import { EventEmitter2 } from '@nestjs/event-emitter';
import request from 'supertest';
import { ManualClock } from '../src/common/clock';
import { DomainEvent } from '../src/events/domain-events';
import { ExchangeService } from '../src/exchange/exchange.service';
import type { ExchangeAdapter } from '../src/exchange/exchange.types';
import { DelistingService } from '../src/filters/delisting.service';
import { NotificationsService } from '../src/notifications/notifications.service';
import { FakeTelegram, FakeWebhook } from './fake-notify/fake-notify-server';
import { bot, eventually, step, waitForCoins, workers, type CoinView } from './support/bots';
import { createTestApp, type TestApp } from './support/test-app';

jest.setTimeout(180_000);

const TOKEN = '123456:TEST-token_abcdefghij';
const CHAT = '-1001234567';
const WEBHOOK_SECRET = 'whsec-test-0123456789';

/**
 * Every event type from the service on the paper exchange (manual clock) to the local fake Telegram, webhook and
 * Discord servers: what arrives, signed, in order, exactly once per idempotency key.
 */
describe('notifications through local fake channels', () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 3, 0));
  const telegram = new FakeTelegram(TOKEN);
  const webhook = new FakeWebhook(WEBHOOK_SECRET);
  const discord = new FakeWebhook();
  let t: TestApp;
  let coins: CoinView[];
  let pick = 0;
  const neutralRsiExit = {
    rsi_exit_long_with_trend: 99,
    rsi_exit_long_against_trend: 99,
    rsi_exit_short_with_trend: 1,
    rsi_exit_short_against_trend: 1,
  };
  const quiet = {
    close_at_profit_enabled: false,
    break_even_protection: false,
    trailing_stop_distance: 0,
    ...neutralRsiExit,
  };

  /** Webhook events of a kind (deduplicated by idempotency key, as the receiver processes them), oldest first. */
  const hooks = (event: string) =>
    [...webhook.processed.values()].filter((r) => r.body.event === event).map((r) => r.body);
  const waitHook = (event: string, match: (b: any) => boolean = () => true) =>
    eventually(async () => hooks(event).find(match), 30_000);

  async function openManual(
    symbol: string,
    direction: 'LONG' | 'SHORT',
    settings: Record<string, unknown>,
  ): Promise<any> {
    await request(t.http).post(`/api/bots/individual-settings/${symbol}`).send(settings).expect(200);
    await request(t.http)
      .post('/api/bots/create')
      .send({
        symbol,
        config: { volume_mode: 'usdt', volume_value: 200, leverage: 5 },
        signal: `ENTER_${direction}`,
        skip_maturity_check: true,
        force_manual_entry: true,
      })
      .expect(200);
    return eventually(async () => {
      const b = await bot(t, symbol);
      return b?.status === `in_position_${direction.toLowerCase()}` ? b : undefined;
    });
  }

  beforeAll(async () => {
    await Promise.all([telegram.start(), webhook.start(), discord.start()]);
    t = await createTestApp({
      clock,
      env: {
        PAPER_SYMBOLS: '120',
        NOTIFY_TELEGRAM_API_URL: telegram.url,
        NOTIFY_TELEGRAM_BOT_TOKEN: TOKEN,
        NOTIFY_TELEGRAM_CHAT_ID: CHAT,
        NOTIFY_WEBHOOK_URL: `${webhook.url}/hook`,
        NOTIFY_WEBHOOK_SECRET: WEBHOOK_SECRET,
        NOTIFY_DISCORD_WEBHOOK_URL: `${discord.url}/api/webhooks/1/discord-token`,
        NOTIFY_HTTP_TIMEOUT_MS: '1000',
        NOTIFY_RETRY_BASE_MS: '200',
        NOTIFY_RETRY_MAX_MS: '1000',
      },
    });
    await workers(t).stop();
    coins = (await waitForCoins(t)).filter((c) => c.trading_status === 'Trading' && !c.is_delisting);
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all([telegram.stop(), webhook.stop(), discord.stop()]);
  });

  it('service started: on every channel; the webhook is signed and carries an idempotency key', async () => {
    const started = await waitHook('service_started');
    expect(started).toMatchObject({
      event: 'service_started',
      text: 'bots-service started (paper)',
      data: { mode: 'paper' },
    });
    const arrival = webhook.accepted().find((r) => r.body.event === 'service_started')!;
    expect(arrival.headers['idempotency-key']).toBe(started.id);
    expect(String(arrival.headers['x-bots-signature'])).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(webhook.badSignatures).toBe(0);
    await eventually(async () => telegram.messages().find((m) => m.text === 'bots-service started (paper)'), 60_000);
    expect(telegram.messages()[0]).toMatchObject({ chatId: CHAT, silent: false });
    await eventually(
      async () => discord.accepted().find((r) => r.body.content === 'bots-service started (paper)'),
      15_000,
    );
  });

  it('entry and exit: the exit is in the outbox before close-position answers, then delivered once', async () => {
    const symbol = coins[pick++].symbol;
    const opened = await openManual(symbol, 'LONG', { ...quiet, max_loss_percent: 10 });
    const entry = await waitHook('entry', (b) => b.data.symbol === symbol);
    expect(entry.data).toMatchObject({
      symbol,
      side: 'LONG',
      price: opened.entry_price,
      leverage: 5,
      source: 'manual',
    });
    expect(entry.data.quantity).toBeGreaterThan(0);
    expect(entry.data.stopLoss).toBeCloseTo(opened.entry_price * 0.9, 1);

    clock.advance(90 * 60_000);
    await request(t.http).post('/api/bots/close-position').send({ symbol }).expect(200);
    // Acknowledged means durable: the exit is already queued (or delivered) when the answer arrives.
    const outbox = (await request(t.http).get('/api/bots/notifications/outbox').expect(200)).body;
    const queued = [
      ...outbox.pending,
      ...webhook.accepted().map((r) => ({ key: r.body.id, event: r.body.event, text: r.body.text })),
    ];
    expect(queued.some((e: any) => e.event === 'exit' && e.text.includes(symbol))).toBe(true);
    const exit = await waitHook('exit', (b) => b.data.symbol === symbol);
    const trade = (await request(t.http).get(`/api/bots/trades?symbol=${symbol}`)).body.trades[0];
    expect(exit.data).toMatchObject({
      symbol,
      side: 'LONG',
      reason: 'MANUAL_CLOSE',
      exitPrice: trade.exit_price,
      pnlUsdt: trade.pnl,
      roiPercent: trade.roi,
      holdMs: 90 * 60_000,
    });
    await eventually(
      async () => telegram.messages().find((m) => m.text.startsWith(`Exit LONG ${symbol} (MANUAL_CLOSE)`)),
      60_000,
    );
  });

  it('stop moved to trailing and to break-even', async () => {
    const trailing = coins[pick++].symbol;
    const breakEven = [coins[pick++].symbol, coins[pick++].symbol];
    await openManual(trailing, 'SHORT', {
      ...quiet,
      max_loss_percent: 20,
      trailing_stop_activation: 0.4,
      trailing_stop_distance: 0.3,
      trailing_update_interval: 0,
    });
    const be = {
      ...quiet,
      max_loss_percent: 20,
      break_even_protection: true,
      break_even_trigger_percent: 0.3,
      trailing_stop_activation: 1000,
    };
    await openManual(breakEven[0], 'LONG', be);
    await openManual(breakEven[1], 'SHORT', be);
    for (let i = 0; i < 4000; i++) {
      if (
        hooks('stop_moved').some((h) => h.data.kind === 'trailing') &&
        hooks('stop_moved').some((h) => h.data.kind === 'break_even')
      ) {
        break;
      }
      await step(t, clock, 5);
      await new Promise((r) => setTimeout(r, 0));
    }
    const moved = await waitHook('stop_moved', (b) => b.data.kind === 'trailing' && b.data.symbol === trailing);
    expect(moved.text).toBe(`Stop ${trailing} moved to ${moved.data.stopLoss} (trailing)`);
    const beMove = await waitHook('stop_moved', (b) => b.data.kind === 'break_even');
    expect(breakEven).toContain(beMove.data.symbol);
    // Each stop level is reported once.
    const keys = hooks('stop_moved').map((h) => h.id);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('position closed outside the service, missing stop re-placed', async () => {
    const exchange = t.app.get(ExchangeService);
    const outside = coins[pick++].symbol;
    await openManual(outside, 'LONG', { ...quiet, max_loss_percent: 10 });
    await exchange.closePosition(outside);
    await request(t.http).post('/api/bots/sync-positions').expect(200);
    const closed = await waitHook('closed_outside', (b) => b.data.symbol === outside);
    expect(closed.data).toMatchObject({ symbol: outside, side: 'LONG', reason: 'CLOSED_ON_EXCHANGE' });
    await waitHook('exit', (b) => b.data.symbol === outside && b.data.reason === 'CLOSED_ON_EXCHANGE');

    const restop = coins[pick++].symbol;
    await openManual(restop, 'SHORT', { ...quiet, max_loss_percent: 10 });
    await exchange.setTradingStop(restop, { stopLoss: 0 });
    await request(t.http).post('/api/bots/sync-positions').expect(200);
    const replaced = await waitHook('stop_replaced', (b) => b.data.symbol === restop);
    const stop = (await exchange.fetchPositions()).find((p) => p.symbol === restop)!.stopLoss;
    expect(replaced.data.stopLoss).toBe(stop);
  });

  it('delisting detected, protection lock set / lifted (emitted by the protections)', async () => {
    const symbol = coins[pick++].symbol;
    await t.app.get(DelistingService).markDelisted(symbol, 'test: delisting announced');
    // (The start-up scan may have reported other coins already.)
    expect((await waitHook('delisting', (b) => b.data.symbols.includes(symbol))).data.symbols).toEqual([symbol]);

    const lock = {
      at: clock.now(),
      lockId: 'lock-1',
      symbol: null,
      rule: 'max_drawdown',
      reason: 'drawdown 12 % > 10 %',
      until: clock.now() + 3_600_000,
    };
    await t.app.get(EventEmitter2).emitAsync(DomainEvent.LockSet, lock);
    await t.app.get(EventEmitter2).emitAsync(DomainEvent.LockLifted, { ...lock, at: clock.now() + 3_600_000 });
    const until = new Date(lock.until).toISOString().slice(0, 16).replace('T', ' ');
    expect((await waitHook('lock_set')).text).toBe(
      `Protection lock on all coins (max_drawdown): drawdown 12 % > 10 %; until ${until} UTC`,
    );
    expect((await waitHook('lock_lifted')).data.lockId).toBe('lock-1');
    // The same lock reported again is recognised by its key and not sent twice.
    await t.app.get(EventEmitter2).emitAsync(DomainEvent.LockSet, lock);
    await new Promise((r) => setTimeout(r, 300));
    expect(webhook.accepted().filter((r) => r.body.event === 'lock_set')).toHaveLength(1);
  });

  it('exchange failing for longer than N minutes, then recovered', async () => {
    const exchange = t.app.get(ExchangeService);
    const real = (exchange as unknown as { adapter: ExchangeAdapter }).adapter;
    let down = true;
    exchange.useAdapter(
      new Proxy(real, {
        get: (target, prop) => {
          const value = Reflect.get(target, prop);
          if (typeof value !== 'function') return value;
          return down && prop === 'fetchTickers'
            ? () => Promise.reject(new Error('injected outage'))
            : value.bind(target);
        },
      }),
    );
    try {
      await request(t.http).post('/api/bots/notifications').send({ exchange_down_minutes: 3 }).expect(200);
      await expect(exchange.fetchTickers()).rejects.toThrow('injected outage');
      clock.advance(2 * 60_000);
      await expect(exchange.fetchTickers()).rejects.toThrow('injected outage');
      await t.app.get(NotificationsService).periodicCheck();
      await new Promise((r) => setTimeout(r, 300));
      expect(hooks('exchange_failing')).toHaveLength(0);
      clock.advance(60_000);
      await t.app.get(NotificationsService).periodicCheck();
      const failing = await waitHook('exchange_failing');
      expect(failing.data).toMatchObject({ lastError: 'injected outage' });
      expect(failing.data.at - failing.data.since).toBe(3 * 60_000);
      down = false;
      clock.advance(60_000);
      await exchange.fetchTickers();
      const recovered = await waitHook('exchange_recovered');
      expect(recovered.data.since).toBe(failing.data.since);
      expect(recovered.text).toBe('Exchange recovered after 4m of failures');
    } finally {
      exchange.useAdapter(real);
    }
  });

  it('daily summary at the configured UTC hour, once', async () => {
    const hour = new Date(clock.now()).getUTCHours();
    await request(t.http).post('/api/bots/notifications').send({ daily_summary_hour: hour }).expect(200);
    const notifications = t.app.get(NotificationsService);
    await notifications.periodicCheck();
    await notifications.periodicCheck();
    const summary = await waitHook('daily_summary');
    const trades = (await request(t.http).get('/api/bots/trades')).body.trades.filter(
      (tr: any) => tr.close_time_ms > clock.now() - 86_400_000,
    );
    expect(summary.data.trades).toBe(trades.length);
    expect(summary.data.pnlUsdt).toBeCloseTo(
      trades.reduce((s: number, tr: any) => s + tr.pnl, 0),
      6,
    );
    const open = (await request(t.http).get('/api/bots/list')).body.bots.filter((b: any) => b.position_side);
    expect(summary.data.openPositions.map((o: any) => o.symbol).sort()).toEqual(open.map((b: any) => b.symbol).sort());
    await new Promise((r) => setTimeout(r, 300));
    expect(hooks('daily_summary')).toHaveLength(1);
    await request(t.http).post('/api/bots/notifications').send({ daily_summary_hour: null }).expect(200);
  });

  it('settings API: secrets never returned, validation names the field, quiet mode sends silently', async () => {
    const view = (await request(t.http).get('/api/bots/notifications').expect(200)).body;
    const text = JSON.stringify(view);
    for (const secret of [TOKEN, WEBHOOK_SECRET, 'discord-token', webhook.url]) expect(text).not.toContain(secret);
    expect(view.channels.telegram).toMatchObject({ enabled: true, bot_token_set: 'env', chat_id_set: 'env' });

    const bad = async (body: object, error: RegExp) => {
      const res = await request(t.http).post('/api/bots/notifications').send(body).expect(400);
      expect(res.body.success).toBe(false);
      expect(res.body.error).toMatch(error);
    };
    await bad({ mode: 'loud' }, /^mode/);
    await bad({ daily_summary_hour: 24 }, /daily_summary_hour/);
    await bad({ channels: { webhook: { events: ['exit', 'bogus'] } } }, /channels\.webhook\.events/);
    await bad(
      { channels: { webhook: { url: 'ftp://127.0.0.1/x' } } },
      /^channels\.webhook\.url must use http or https/,
    );
    await bad({ channels: { discord: { url: 'x'.repeat(3000) } } }, /channels\.discord\.url/);
    await bad({ channels: { telegram: { bot_token: 'nope' } } }, /bot_token/);
    await request(t.http).post('/api/bots/notifications/test').send({ channel: 'sms' }).expect(400);

    await request(t.http)
      .post('/api/bots/notifications')
      .send({ mode: 'quiet', channels: { discord: { enabled: false } } })
      .expect(200);
    const res = await request(t.http).post('/api/bots/notifications/test').send({ text: 'quiet hello' }).expect(200);
    expect(res.body.queued.map((q: any) => q.channel).sort()).toEqual(['telegram', 'webhook']);
    // Telegram sends one message per second: this one waits behind the events of the tests above.
    const msg = await eventually(async () => telegram.messages().find((m) => m.text === 'quiet hello'), 60_000);
    expect(msg.silent).toBe(true);
    await request(t.http)
      .post('/api/bots/notifications')
      .send({ mode: 'on', channels: { discord: { enabled: null } } })
      .expect(200);
  });

  it('Telegram: 429 retry_after honoured, one message per second per chat, nothing lost or repeated', async () => {
    // Let the backlog of the tests above leave first (one message per second).
    await eventually(
      async () =>
        (await request(t.http).get('/api/bots/notifications/outbox')).body.pending.every(
          (e: any) => e.channel !== 'telegram',
        ),
      60_000,
    );
    const before = telegram.messages().length;
    telegram.fault({ kind: 'rateLimit', retryAfterSec: 2 });
    const texts = ['t-1', 't-2', 't-3', 't-4'];
    for (const text of texts) {
      await request(t.http).post('/api/bots/notifications/test').send({ channel: 'telegram', text }).expect(200);
    }
    await eventually(async () => telegram.messages().filter((m) => texts.includes(m.text)).length === 4, 30_000);
    const limited = telegram.received.find((r) => r.body?.text === 't-1' && !r.accepted)!;
    const sent = telegram.messages().slice(before);
    expect(sent.map((m) => m.text)).toEqual(texts);
    expect(sent[0].at - limited.at).toBeGreaterThanOrEqual(2_000);
    // Spaced by 1 s when sent; arrival times differ from send times by the request's own latency.
    for (let i = 1; i < sent.length; i++) expect(sent[i].at - sent[i - 1].at).toBeGreaterThanOrEqual(800);
  });

  it('outage and recovery: a channel down (refused, 5xx, slow, dropped) gets everything afterwards, in order, once', async () => {
    await webhook.stop();
    const texts = Array.from({ length: 6 }, (_, i) => `outage-${i}`);
    for (const text of texts.slice(0, 3)) {
      await request(t.http).post('/api/bots/notifications/test').send({ channel: 'webhook', text }).expect(200);
    }
    const pending = await eventually(async () => {
      const outbox = (await request(t.http).get('/api/bots/notifications/outbox')).body;
      const head = outbox.pending.find((e: any) => e.text === 'outage-0');
      return head?.last_error ? outbox : undefined;
    });
    expect(pending.pending.find((e: any) => e.text === 'outage-0').last_error).toMatch(/network error/);
    expect(pending.pending.filter((e: any) => e.channel === 'webhook').map((e: any) => e.text)).toEqual(
      texts.slice(0, 3),
    );
    const metrics = (await request(t.http).get('/metrics')).text;
    expect(metrics).toMatch(/bots_notifications_pending\{channel="webhook"\} 3/);
    for (const text of texts.slice(3)) {
      await request(t.http).post('/api/bots/notifications/test').send({ channel: 'webhook', text }).expect(200);
    }
    await new Promise((r) => setTimeout(r, 2_500));
    webhook
      .fault({ kind: 'status', status: 503 })
      .fault({ kind: 'slow', delayMs: 2_000 })
      .fault({ kind: 'drop' })
      .fault({ kind: 'rateLimit', retryAfterSec: 1 });
    await webhook.start(webhook.port);
    await eventually(async () => texts.every((x) => hooks('test').some((h) => h.text === x)), 30_000);
    expect(
      hooks('test')
        .filter((h) => texts.includes(h.text))
        .map((h) => h.text),
    ).toEqual(texts);
    // The last delivery's mark is written just after the receiver's answer.
    await eventually(async () =>
      (await request(t.http).get('/api/bots/notifications/outbox')).body.pending.every(
        (e: any) => e.channel !== 'webhook',
      ),
    );
    const after = (await request(t.http).get('/metrics')).text;
    expect(after).toMatch(/bots_notifications_pending\{channel="webhook"\} 0/);
    expect(after).toMatch(/bots_notifications_delivered_total\{channel="webhook"\} \d+/);
    expect(after).toMatch(/bots_notifications_send_failures_total\{channel="webhook"\} \d+/);
  });

  it('a permanent refusal is retried a few times, then listed as failed with its last error', async () => {
    await request(t.http)
      .post('/api/bots/notifications')
      .send({ mode: 'on', channels: { discord: { enabled: null } } })
      .expect(200);
    discord.fault({ kind: 'status', status: 404, times: 10 });
    const res = await request(t.http)
      .post('/api/bots/notifications/test')
      .send({ channel: 'discord', text: 'gone' })
      .expect(200);
    const failed = await eventually(
      async () =>
        (await request(t.http).get('/api/bots/notifications/outbox')).body.failed.find(
          (e: any) => e.key === res.body.queued[0].key,
        ),
      20_000,
    );
    expect(failed).toMatchObject({
      channel: 'discord',
      event: 'test',
      attempts: 3,
      last_error: 'HTTP 404: injected 404',
    });
    discord.clearFaults();
    await request(t.http).post('/api/bots/notifications/test').send({ channel: 'discord', text: 'after' }).expect(200);
    await eventually(async () => discord.accepted().find((r) => r.body.content === 'after'), 15_000);
  });

  it('service stopping: sent while the app shuts down', async () => {
    await t.close();
    t = undefined as never;
    expect(await waitHook('service_stopping')).toMatchObject({ event: 'service_stopping' });
    const arrivals = webhook.arrivalsByKey();
    // The webhook was down and flaky above, yet no message was processed twice and the only repeats are the
    // ones the receiver never acknowledged (timeouts, dropped connections).
    expect([...webhook.processed.keys()].length).toBe(arrivals.size);
  });
});
