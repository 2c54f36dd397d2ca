import { retryDelayMs, type BackoffPolicy } from './backoff';
import { minIntervalMs, sendTo, type SendResult } from './channel-senders';
import type { ResolvedChannel } from './notification-settings';
import type { OutboxEntry, OutboxLog } from './outbox-log';

export interface DispatcherOptions {
  timeoutMs: number;
  backoff: BackoffPolicy;
  /** A permanent refusal (4xx but 429, a redirect) is tried this many times before the entry is given up. */
  permanentAttempts: number;
  /** Wall-clock time: delivery pacing follows real seconds (the channels' rate limits), not the trading clock. */
  now: () => number;
  onOutcome?: (entry: OutboxEntry, result: SendResult, gaveUp: boolean) => void;
}

/**
 * Sends one channel's outbox entries in order, one at a time: the oldest pending entry blocks the ones after it
 * until it is delivered or given up, so a channel that is down for minutes gets everything afterwards in order.
 * Before each send a "send started" record is made durable; after it, "delivered" or "failed, retry at …".
 * Messages are spaced by the channel's rate limit, and a 429's retry_after is honoured.
 */
export class ChannelDispatcher {
  private running = false;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private lastSentAt = 0;
  private loopDone: Promise<void> = Promise.resolve();

  constructor(
    private readonly outbox: OutboxLog,
    private readonly channel: () => ResolvedChannel,
    private readonly options: DispatcherOptions,
  ) {}

  /** Looks at the outbox now (after a new entry, a settings change, a timer). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.running = true;
    this.loopDone = this.loop().finally(() => {
      this.running = false;
      if (this.again && !this.stopped) {
        this.again = false;
        this.kick();
      }
    });
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.kick();
      },
      Math.max(1, ms),
    );
    this.timer.unref?.();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      this.again = false;
      const channel = this.channel();
      if (!channel.enabled) return;
      const head = this.outbox.nextPending(channel.id);
      if (!head) return;
      const now = this.options.now();
      const wait = Math.max(head.nextAttemptAt - now, this.lastSentAt + minIntervalMs(channel) - now);
      if (wait > 0) return this.schedule(wait);
      try {
        await this.outbox.markTrying(head.id);
      } catch {
        // The disk refused the record: try again later rather than send without it.
        return this.schedule(this.options.backoff.baseMs);
      }
      this.lastSentAt = this.options.now();
      const result = await sendTo(channel, head, { timeoutMs: this.options.timeoutMs, now: this.lastSentAt });
      let gaveUp = false;
      try {
        if (result.ok) {
          await this.outbox.markDelivered(head.id);
        } else {
          gaveUp = result.permanent && head.attempts >= this.options.permanentAttempts;
          const delay = retryDelayMs(head.attempts, this.options.backoff, result.retryAfterMs, Math.random());
          await this.outbox.markFailed(head.id, result.error, this.options.now() + delay, gaveUp);
        }
      } catch {
        return this.schedule(this.options.backoff.baseMs);
      }
      this.options.onOutcome?.(head, result, gaveUp);
    }
  }

  /** Whether nothing is being sent right now. */
  get idle(): boolean {
    return !this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.loopDone;
  }
}
