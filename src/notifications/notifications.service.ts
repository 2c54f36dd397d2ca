import {
  BadRequestException,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { Mutex } from 'async-mutex';
import { randomUUID } from 'node:crypto';
import { Counter, Gauge } from 'prom-client';
import { BotManager } from '../bots/bot-manager.service';
import { BotHistoryService } from '../bots/history/bot-history.service';
import { Clock } from '../common/clock';
import { DomainEvent, type DomainEventMap, type DomainEventName } from '../events/domain-events';
import { publishEvent } from '../events/publish';
import { ExchangeService } from '../exchange/exchange.service';
import { MetricsService } from '../metrics/metrics.service';
import { JsonStore } from '../persistence/json-store.service';
import { ChannelDispatcher } from './channel-dispatcher';
import { buildDailySummary, dailySummaryDue } from './daily-summary';
import type { TestNotificationDto, UpdateNotificationSettingsDto } from './dto/notification-settings.dto';
import { ExchangeHealthRule, type HealthDecision } from './exchange-health';
import { formatNotification, type PayloadOf } from './formatter';
import { CHANNEL_IDS, KIND_OF_EVENT, type ChannelId, type NotificationKind } from './notification-kinds';
import {
  normalizeNotificationsFile,
  NOTIFICATIONS_FILE,
  parseNotifyEnv,
  publicSettings,
  resolveChannels,
  validateNotificationsFile,
  type NotificationSettingsFile,
  type NotifyEnv,
  type ResolvedChannel,
} from './notification-settings';
import { OutboxLog, type OutboxEntry } from './outbox-log';
import { targetUrlProblem } from './url-validation';

export const OUTBOX_FILE = 'notifications_outbox.jsonl';
/** How often the daily summary and the exchange-failure threshold are checked (clock time). */
const CHECK_INTERVAL_MS = 60_000;

/**
 * Notifications (docs/notifications.md): hears the domain events, writes one outbox entry per subscribed channel
 * (durable before the emitter goes on), and has one dispatcher per channel deliver them in order with retries.
 * Also watches the exchange's call outcomes for "failing / recovered" and sends the daily summary.
 */
@Injectable()
export class NotificationsService implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Notifications');
  private readonly settingsMutex = new Mutex();
  private env!: NotifyEnv;
  private settings: NotificationSettingsFile = normalizeNotificationsFile(null);
  private channels: ResolvedChannel[] = [];
  private outbox!: OutboxLog;
  private readonly dispatchers = new Map<ChannelId, ChannelDispatcher>();
  private readonly health = new ExchangeHealthRule();
  private lastSummaryDay: string | null = null;
  private checkTimer: NodeJS.Timeout | null = null;
  /** The exchange health events published so far; settles once the last one is in the outbox. */
  private healthEvents: Promise<void> = Promise.resolve();
  private delivered!: Counter<'channel'>;
  private attemptFailures!: Counter<'channel'>;

  constructor(
    private readonly store: JsonStore,
    private readonly clock: Clock,
    private readonly events: EventEmitter2,
    private readonly exchange: ExchangeService,
    private readonly metrics: MetricsService,
    private readonly bots: BotManager,
    private readonly history: BotHistoryService,
  ) {}

  async onModuleInit(): Promise<void> {
    this.env = parseNotifyEnv(process.env);
    const raw = await this.store.load<unknown>(NOTIFICATIONS_FILE, {
      defaults: () => null,
      validate: validateNotificationsFile,
    });
    this.settings = normalizeNotificationsFile(raw);
    this.channels = resolveChannels(this.settings, this.env);
    this.outbox = await OutboxLog.open(this.store.filePath(OUTBOX_FILE), { maxPending: this.env.outboxMaxEntries });
    if (this.outbox.skippedLines) {
      this.logger.warn(
        `${OUTBOX_FILE}: ${this.outbox.skippedLines} torn or unreadable line(s) skipped (writes never acknowledged)`,
      );
    }
    if (this.outbox.counters.resentInDoubt) {
      this.logger.warn(
        `${this.outbox.counters.resentInDoubt} notification(s) were being sent at the last stop; they are sent again with the same idempotency key`,
      );
    }
    for (const id of CHANNEL_IDS) {
      this.dispatchers.set(
        id,
        new ChannelDispatcher(this.outbox, () => this.channel(id), {
          timeoutMs: this.env.httpTimeoutMs,
          backoff: { baseMs: this.env.retryBaseMs, maxMs: Math.max(this.env.retryBaseMs, this.env.retryMaxMs) },
          permanentAttempts: 3,
          now: () => Date.now(),
          onOutcome: (entry, result, gaveUp) => this.noteOutcome(entry, result, gaveUp),
        }),
      );
    }
    this.defineMetrics();
    this.exchange.onCall((method, ok) => {
      const at = this.clock.now();
      this.act(this.health.record(ok, at, ok ? null : (this.exchange.stats.get(method)?.lastError ?? null)));
      if (!ok) this.act(this.health.check(at, this.settings.exchange_down_minutes * 60_000));
    });
  }

  onApplicationBootstrap(): void {
    this.kickAll();
    const everyMs = Math.max(250, Math.min(30_000, this.clock.realDelay(CHECK_INTERVAL_MS)));
    this.checkTimer = setInterval(
      () =>
        void this.periodicCheck().catch((error: Error) =>
          this.logger.warn(`Notification check failed: ${error.message}`),
        ),
      everyMs,
    );
    this.checkTimer.unref();
  }

  /** Gives queued messages (the "stopping" one) a moment to leave, then stops the dispatchers and closes the log. */
  async onApplicationShutdown(): Promise<void> {
    if (this.checkTimer) clearInterval(this.checkTimer);
    await this.healthEvents;
    const deadline = Date.now() + 3_000;
    while (
      Date.now() < deadline &&
      this.channels.some((c) => c.enabled && this.outbox.pendingOf(c.id).some((e) => e.nextAttemptAt <= Date.now()))
    ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await Promise.all([...this.dispatchers.values()].map((d) => d.stop()));
    await this.outbox.close();
  }

  private channel(id: ChannelId): ResolvedChannel {
    return this.channels.find((c) => c.id === id)!;
  }

  private kickAll(): void {
    for (const d of this.dispatchers.values()) d.kick();
  }

  // ---- events in ----

  @OnEvent(DomainEvent.PositionOpened) onPositionOpened(e: DomainEventMap['position.opened']) {
    return this.fromEvent(DomainEvent.PositionOpened, e);
  }
  @OnEvent(DomainEvent.PositionClosed) onPositionClosed(e: DomainEventMap['position.closed']) {
    return this.fromEvent(DomainEvent.PositionClosed, e);
  }
  @OnEvent(DomainEvent.StopMoved) onStopMoved(e: DomainEventMap['position.stop-moved']) {
    return this.fromEvent(DomainEvent.StopMoved, e);
  }
  @OnEvent(DomainEvent.StopReplaced) onStopReplaced(e: DomainEventMap['position.stop-replaced']) {
    return this.fromEvent(DomainEvent.StopReplaced, e);
  }
  @OnEvent(DomainEvent.ClosedOutside) onClosedOutside(e: DomainEventMap['position.closed-outside']) {
    return this.fromEvent(DomainEvent.ClosedOutside, e);
  }
  @OnEvent(DomainEvent.LockSet) onLockSet(e: DomainEventMap['protection.lock-set']) {
    return this.fromEvent(DomainEvent.LockSet, e);
  }
  @OnEvent(DomainEvent.LockLifted) onLockLifted(e: DomainEventMap['protection.lock-lifted']) {
    return this.fromEvent(DomainEvent.LockLifted, e);
  }
  @OnEvent(DomainEvent.DelistingDetected) onDelisting(e: DomainEventMap['market.delisting-detected']) {
    return this.fromEvent(DomainEvent.DelistingDetected, e);
  }
  @OnEvent(DomainEvent.ExchangeFailing) onExchangeFailing(e: DomainEventMap['exchange.failing']) {
    return this.fromEvent(DomainEvent.ExchangeFailing, e);
  }
  @OnEvent(DomainEvent.ExchangeRecovered) onExchangeRecovered(e: DomainEventMap['exchange.recovered']) {
    return this.fromEvent(DomainEvent.ExchangeRecovered, e);
  }
  @OnEvent(DomainEvent.ServiceStarted) onServiceStarted(e: DomainEventMap['service.started']) {
    return this.fromEvent(DomainEvent.ServiceStarted, e);
  }
  @OnEvent(DomainEvent.ServiceStopping) onServiceStopping(e: DomainEventMap['service.stopping']) {
    return this.fromEvent(DomainEvent.ServiceStopping, e);
  }

  private fromEvent<K extends DomainEventName>(name: K, payload: DomainEventMap[K]): Promise<OutboxEntry[]> {
    return this.enqueue(KIND_OF_EVENT[name], payload as never);
  }

  /**
   * Formats the event and writes one entry per enabled channel that subscribed to its kind; resolves once they
   * are on disk. A write failure is logged and answered as "nothing queued": the reported action stands.
   */
  async enqueue<K extends NotificationKind>(
    kind: K,
    payload: PayloadOf[K],
    only: ChannelId | null = null,
  ): Promise<OutboxEntry[]> {
    if (this.settings.mode === 'off') return [];
    // A test message goes to every enabled channel (or the one asked for), whatever its event list.
    const targets = this.channels.filter(
      (c) => c.enabled && (only ? c.id === only : kind === 'test' || c.events.has(kind)),
    );
    if (targets.length === 0) return [];
    const message = formatNotification(kind, payload);
    // Queue time on the wall clock (shown in the outbox, sent as the webhook's `at`); the event's own time is in its
    // payload.
    const createdAt = Date.now();
    try {
      const added = await this.outbox.add(
        targets.map((c) => ({
          key: `${message.eventKey}@${c.id}`,
          channel: c.id,
          kind,
          createdAt,
          text: message.text,
          data: payload,
          silent: this.settings.mode === 'quiet',
        })),
      );
      for (const c of new Set(added.map((a) => a.channel))) this.dispatchers.get(c)?.kick();
      return added;
    } catch (error) {
      this.logger.error(`Notification ${kind} could not be queued: ${(error as Error).message}`);
      return [];
    }
  }

  private noteOutcome(entry: OutboxEntry, result: { ok: boolean; error?: string }, gaveUp: boolean): void {
    if (result.ok) {
      this.delivered.inc({ channel: entry.channel });
      return;
    }
    this.attemptFailures.inc({ channel: entry.channel });
    const line = `${entry.channel}: ${entry.kind} #${entry.id} not delivered (attempt ${entry.attempts}): ${result.error}`;
    if (gaveUp) this.logger.error(`${line}; given up (listed in /api/bots/notifications/outbox)`);
    else this.logger.warn(line);
  }

  // ---- exchange health and the daily summary ----

  /**
   * Publishes a health decision through the awaited path (publishEvent resolves once the notification is in the
   * outbox), chained on the ones before so a "recovered" never overtakes its "failing". The periodic check and
   * shutdown await `healthEvents`; an exchange call does not (its outcome must not wait for a disk write).
   */
  private act(decision: HealthDecision): void {
    if (!decision) return;
    const payload = { at: this.clock.now(), since: decision.since, lastError: decision.lastError };
    if (decision.kind === 'failing') {
      this.logger.warn(`Exchange failing since ${new Date(decision.since).toISOString()}`);
    }
    const name = decision.kind === 'failing' ? DomainEvent.ExchangeFailing : DomainEvent.ExchangeRecovered;
    // publishEvent logs a listener's failure itself and never rejects, so the chain never breaks.
    this.healthEvents = this.healthEvents.then(() => publishEvent(this.events, name, payload, this.logger));
  }

  /** The timer's work; also called by tests on a manual clock. */
  async periodicCheck(): Promise<void> {
    const now = this.clock.now();
    this.act(this.health.check(now, this.settings.exchange_down_minutes * 60_000));
    await this.healthEvents;
    const day = dailySummaryDue(now, this.settings.daily_summary_hour, this.lastSummaryDay);
    if (!day) return;
    this.lastSummaryDay = day;
    const trades = this.history
      .closedTrades({})
      .filter((t) => !t.is_demo)
      .map((t) => ({ pnl: t.pnl, closeTimeMs: t.close_time_ms }));
    const open = this.bots
      .all()
      .filter((b) => b.holdsPosition)
      .map((b) => ({ symbol: b.symbol, side: String(b.side) }));
    await this.enqueue('daily_summary', buildDailySummary(now, day, trades, open));
  }

  // ---- API ----

  view() {
    return publicSettings(this.settings, this.env);
  }

  async update(dto: UpdateNotificationSettingsDto) {
    return this.settingsMutex.runExclusive(async () => {
      const next = structuredClone(this.settings);
      if (dto.mode !== undefined) next.mode = dto.mode;
      if (dto.daily_summary_hour !== undefined) next.daily_summary_hour = dto.daily_summary_hour;
      if (dto.exchange_down_minutes !== undefined) next.exchange_down_minutes = dto.exchange_down_minutes;
      const c = dto.channels;
      const secret = (value: string | null | undefined, current: string | null) =>
        value === undefined ? current : value === '' || value === null ? null : value;
      const url = (field: string, value: string | null | undefined, current: string | null) => {
        const result = secret(value, current);
        const problem = value ? targetUrlProblem(value) : null;
        if (problem) throw new BadRequestException({ success: false, error: `${field} ${problem}`, field });
        return result;
      };
      if (c?.telegram) {
        const t = next.channels.telegram;
        if (c.telegram.enabled !== undefined) t.enabled = c.telegram.enabled;
        if (c.telegram.events) t.events = [...new Set(c.telegram.events)];
        t.chat_id = secret(c.telegram.chat_id, t.chat_id);
        t.bot_token = secret(c.telegram.bot_token, t.bot_token);
      }
      if (c?.webhook) {
        const w = next.channels.webhook;
        if (c.webhook.enabled !== undefined) w.enabled = c.webhook.enabled;
        if (c.webhook.events) w.events = [...new Set(c.webhook.events)];
        w.url = url('channels.webhook.url', c.webhook.url, w.url);
        w.secret = secret(c.webhook.secret, w.secret);
      }
      if (c?.discord) {
        const d = next.channels.discord;
        if (c.discord.enabled !== undefined) d.enabled = c.discord.enabled;
        if (c.discord.events) d.events = [...new Set(c.discord.events)];
        d.url = url('channels.discord.url', c.discord.url, d.url);
      }
      await this.store.save(NOTIFICATIONS_FILE, next);
      this.settings = next;
      this.channels = resolveChannels(next, this.env);
      this.kickAll();
      return this.view();
    });
  }

  async sendTest(dto: TestNotificationDto): Promise<Array<{ channel: ChannelId; id: number; key: string }>> {
    const targets = this.channels.filter((c) => c.enabled && (!dto.channel || c.id === dto.channel));
    if (targets.length === 0) {
      throw new BadRequestException({
        success: false,
        error: dto.channel
          ? `channel: ${dto.channel} is not enabled or not configured`
          : 'channel: no channel is enabled',
        field: 'channel',
      });
    }
    if (this.settings.mode === 'off') {
      throw new BadRequestException({ success: false, error: 'mode: notifications are off', field: 'mode' });
    }
    const id = randomUUID();
    const added = await this.enqueue(
      'test',
      { at: this.clock.now(), id, text: dto.text?.trim() || `Test notification from bots-service (${id.slice(0, 8)})` },
      dto.channel ?? null,
    );
    if (added.length === 0) {
      throw new Error('the test notification could not be written to the outbox');
    }
    return added.map((a) => ({ channel: a.channel, id: a.id, key: a.key }));
  }

  outboxView() {
    const show = (e: OutboxEntry) => ({
      id: e.id,
      key: e.key,
      channel: e.channel,
      event: e.kind,
      created_at: new Date(e.createdAt).toISOString(),
      attempts: e.attempts,
      next_attempt_at: e.nextAttemptAt ? new Date(e.nextAttemptAt).toISOString() : null,
      last_error: e.lastError,
      text: e.text,
    });
    const all = this.outbox.all();
    return {
      pending: all.filter((e) => !e.failed).map(show),
      failed: all.filter((e) => e.failed).map(show),
      counters: { ...this.outbox.counters },
    };
  }

  // ---- metrics ----

  private defineMetrics(): void {
    const registers = [this.metrics.registry];
    const outbox = () => this.outbox;
    this.delivered = new Counter({
      name: 'bots_notifications_delivered_total',
      help: 'Notifications delivered, by channel',
      labelNames: ['channel'] as const,
      registers,
    });
    this.attemptFailures = new Counter({
      name: 'bots_notifications_send_failures_total',
      help: 'Failed delivery attempts (each retried later unless given up), by channel',
      labelNames: ['channel'] as const,
      registers,
    });
    new Gauge({
      name: 'bots_notifications_pending',
      help: 'Notifications in the outbox waiting to be delivered, by channel',
      labelNames: ['channel'] as const,
      registers,
      collect() {
        for (const id of CHANNEL_IDS) this.set({ channel: id }, outbox().pendingOf(id).length);
      },
    });
    new Gauge({
      name: 'bots_notifications_failed',
      help: 'Notifications given up after permanent refusals (kept in the outbox for inspection), by channel',
      labelNames: ['channel'] as const,
      registers,
      collect() {
        for (const id of CHANNEL_IDS) {
          this.set(
            { channel: id },
            outbox()
              .all()
              .filter((e) => e.failed && e.channel === id).length,
          );
        }
      },
    });
    new Gauge({
      name: 'bots_notifications_dropped',
      help: 'Notifications dropped since start because the outbox was full (NOTIFY_OUTBOX_MAX)',
      registers,
      collect() {
        this.set(outbox().counters.dropped);
      },
    });
  }
}
