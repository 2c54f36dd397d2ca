import { EventEmitter2 } from '@nestjs/event-emitter';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import type { BotManager } from '../bots/bot-manager.service';
import type { BotHistoryService } from '../bots/history/bot-history.service';
import { ManualClock } from '../common/clock';
import { DomainEvent } from '../events/domain-events';
import type { ExchangeService } from '../exchange/exchange.service';
import type { MetricsService } from '../metrics/metrics.service';
import { JsonStore } from '../persistence/json-store.service';
import { NotificationsService } from './notifications.service';

const MINUTE = 60_000;

/** A promise resolved from outside. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Lets every queued microtask and I/O callback run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/**
 * The exchange health notifications go through the awaited publish: the event's listeners (the outbox write) are
 * waited for by the periodic check and by shutdown, and a "recovered" is published only after its "failing".
 */
describe('NotificationsService: exchange health events', () => {
  let dir: string;
  let service: NotificationsService;
  let exchangeCall: (method: string, ok: boolean, ms: number) => void;
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 3, 0));
  const events = new EventEmitter2();
  /** What the listeners have finished with (stands for "on disk"), in order. */
  let queued: string[];
  /** What the listeners were called with, in order. */
  let heard: string[];
  let failingWrite: ReturnType<typeof gate>;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'notify-health-'));
    queued = [];
    heard = [];
    failingWrite = gate();
    // The outbox write the listeners do, with the "failing" one held until the test lets it finish.
    jest.spyOn(events, 'emitAsync').mockImplementation(async (name) => {
      const kind = name === DomainEvent.ExchangeFailing ? 'failing' : 'recovered';
      heard.push(kind);
      if (kind === 'failing') await failingWrite.promise;
      else await settle();
      queued.push(kind);
      return [];
    });
    const exchange = {
      onCall: (listener: typeof exchangeCall) => (exchangeCall = listener),
      stats: new Map([['fetchTickers', { lastError: 'HTTP 503' }]]),
    } as unknown as ExchangeService;
    service = new NotificationsService(
      new JsonStore({ dataDir: dir } as never),
      clock,
      events,
      exchange,
      { registry: new Registry() } as unknown as MetricsService,
      { all: () => [] } as unknown as BotManager,
      { closedTrades: () => [] } as unknown as BotHistoryService,
    );
    await service.onModuleInit();
  });

  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the periodic check resolves only once the "failing" event has been handled', async () => {
    exchangeCall('fetchTickers', false, 1);
    clock.advance(5 * MINUTE); // exchange_down_minutes defaults to 5
    let checked = false;
    const check = service.periodicCheck().then(() => (checked = true));
    await settle();
    expect(heard).toEqual(['failing']);
    expect(checked).toBe(false);
    failingWrite.open();
    await check;
    expect(queued).toEqual(['failing']);
    await service.onApplicationShutdown();
  });

  it('a "recovered" from an exchange call waits for its "failing"; shutdown waits for both', async () => {
    exchangeCall('fetchTickers', false, 1);
    clock.advance(5 * MINUTE);
    exchangeCall('fetchTickers', false, 1); // decides "failing"
    clock.advance(MINUTE);
    exchangeCall('fetchTickers', true, 1); // decides "recovered"
    await settle();
    expect(heard).toEqual(['failing']);
    let stopped = false;
    const stopping = service.onApplicationShutdown().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    failingWrite.open();
    await stopping;
    expect(queued).toEqual(['failing', 'recovered']);
  });
});
