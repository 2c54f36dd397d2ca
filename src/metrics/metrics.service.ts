import { Injectable, Logger } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ExchangeService } from '../exchange/exchange.service';
import { StatusService } from '../health/status.service';
import { readBots, readRsi, readTrades, readWorkers } from './service-readers';

const PREFIX = 'bots_';

/**
 * Prometheus metrics (GET /metrics). Exchange calls are counted as they happen (ExchangeService hooks);
 * market and bots figures are read from their services at scrape time, so nothing here can fall out of
 * step with them, and a missing service only leaves its gauges empty. Workers report their ticks through
 * observeWorkerTick. One registry per app instance (tests run several).
 */
@Injectable()
export class MetricsService {
  private readonly logger = new Logger('Metrics');
  readonly registry = new Registry();
  private readonly lookups = new Map<string, unknown>();
  private readonly lookupFailures = new Set<string>();

  private readonly exchangeRequests = new Counter({
    name: `${PREFIX}exchange_requests_total`,
    help: 'Exchange adapter calls by method and outcome (a call that needed retries counts once)',
    labelNames: ['method', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly exchangeErrors = new Counter({
    name: `${PREFIX}exchange_errors_total`,
    help: 'Exchange adapter calls that failed, by method (after retries)',
    labelNames: ['method'] as const,
    registers: [this.registry],
  });
  private readonly exchangeRetries = new Counter({
    name: `${PREFIX}exchange_retries_total`,
    help: 'HTTP attempts to the exchange that failed with a retryable error and were retried, by method',
    labelNames: ['method'] as const,
    registers: [this.registry],
  });
  private readonly exchangeDuration = new Histogram({
    name: `${PREFIX}exchange_request_duration_seconds`,
    help: 'Duration of exchange adapter calls (retries and rate-limit waits included)',
    labelNames: ['method'] as const,
    buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly workerTicks = new Counter({
    name: `${PREFIX}worker_ticks_total`,
    help: 'Worker ticks by worker and outcome',
    labelNames: ['worker', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly workerFailures = new Counter({
    name: `${PREFIX}worker_tick_failures_total`,
    help: 'Worker ticks that failed, by worker',
    labelNames: ['worker'] as const,
    registers: [this.registry],
  });
  private readonly workerDuration = new Histogram({
    name: `${PREFIX}worker_tick_duration_seconds`,
    help: 'Duration of worker ticks, by worker',
    labelNames: ['worker'] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  private readonly httpRequests = new Counter({
    name: `${PREFIX}http_requests_total`,
    help: 'HTTP requests answered, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly httpDuration = new Histogram({
    name: `${PREFIX}http_request_duration_seconds`,
    help: 'HTTP request duration, by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor(
    private readonly exchange: ExchangeService,
    private readonly status: StatusService,
    private readonly discovery: DiscoveryService,
  ) {
    collectDefaultMetrics({ register: this.registry });
    this.defineScrapeTimeGauges();
    this.defineWorkerStateGauges();
    // Subscribed here, not in onModuleInit: the exchange connects in its own onModuleInit, which runs first.
    this.exchange.onCall((method, ok, ms) => {
      this.exchangeRequests.inc({ method, outcome: ok ? 'ok' : 'error' });
      if (!ok) this.exchangeErrors.inc({ method });
      this.exchangeDuration.observe({ method }, ms / 1000);
    });
    this.exchange.onAttempt((method, outcome) => {
      if (outcome === 'retry') this.exchangeRetries.inc({ method });
    });
  }

  /** For workers: one call per tick, `ok` false when the tick failed. */
  observeWorkerTick(worker: string, ms: number, ok: boolean): void {
    this.workerTicks.inc({ worker, outcome: ok ? 'ok' : 'error' });
    if (!ok) this.workerFailures.inc({ worker });
    this.workerDuration.observe({ worker }, Math.max(0, ms) / 1000);
  }

  observeHttp(method: string, route: string, status: number, ms: number): void {
    this.httpRequests.inc({ method, route, status: String(status) });
    this.httpDuration.observe({ method, route }, ms / 1000);
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private defineScrapeTimeGauges(): void {
    const registers = [this.registry];
    const safely = (name: string, read: () => void) => {
      try {
        read();
      } catch (error) {
        // A failing reader must not break the scrape; say so once per gauge.
        if (!this.lookupFailures.has(name)) {
          this.lookupFailures.add(name);
          this.logger.warn(`metric ${name} not available: ${(error as Error).message}`);
        }
      }
    };
    const exchange = this.exchange;
    new Gauge({
      name: `${PREFIX}exchange_ready`,
      help: '1 when the exchange adapter is initialised and its markets are loaded',
      registers,
      collect() {
        safely('exchange_ready', () => this.set(exchange.isReady ? 1 : 0));
      },
    });

    const rsi = () => readRsi(this.service('RsiService'));
    const status = this.status;
    new Gauge({
      name: `${PREFIX}rsi_coins_loaded`,
      help: 'Coins with RSI data',
      registers,
      collect() {
        safely('rsi_coins_loaded', () => this.set(rsi().coinsLoaded ?? status.coinsLoaded()));
      },
    });
    new Gauge({
      name: `${PREFIX}rsi_load_duration_seconds`,
      help: 'Duration of the last full RSI load of all coins',
      registers,
      collect() {
        safely('rsi_load_duration_seconds', () =>
          this.set((rsi().loadDurationMs ?? status.progress().durationMs) / 1000),
        );
      },
    });
    new Gauge({
      name: `${PREFIX}rsi_load_in_progress`,
      help: '1 while an RSI load runs',
      registers,
      collect() {
        safely('rsi_load_in_progress', () => this.set((rsi().loadInProgress ?? status.progress().inProgress) ? 1 : 0));
      },
    });
    new Gauge({
      name: `${PREFIX}rsi_failed_coins`,
      help: 'Coins that failed in the last RSI load',
      registers,
      collect() {
        safely('rsi_failed_coins', () => this.set(rsi().failedCoins ?? status.progress().failed));
      },
    });

    const bots = () => readBots(this.service('BotManager'));
    new Gauge({
      name: `${PREFIX}bots`,
      help: 'Bots by status',
      labelNames: ['status'] as const,
      registers,
      collect() {
        safely('bots', () => {
          this.reset();
          const figures = bots();
          if (figures) for (const [s, n] of figures.byStatus) this.set({ status: s }, n);
        });
      },
    });
    new Gauge({
      name: `${PREFIX}open_positions`,
      help: 'Bots holding a position',
      registers,
      collect() {
        safely('open_positions', () => this.set(bots()?.openPositions ?? status.bots().inPosition));
      },
    });
    const trades = () => readTrades(this.service('BotHistoryService'));
    new Gauge({
      name: `${PREFIX}realized_pnl_usdt`,
      help: 'Realised PnL of the closed trades in the bot history (demo trades excluded), USDT',
      registers,
      collect() {
        safely('realized_pnl_usdt', () => {
          const f = trades();
          if (f) this.set(f.realizedPnl);
        });
      },
    });
    new Gauge({
      name: `${PREFIX}closed_trades`,
      help: 'Closed trades in the bot history (demo trades excluded)',
      registers,
      collect() {
        safely('closed_trades', () => {
          const f = trades();
          if (f) this.set(f.closedTrades);
        });
      },
    });
    new Gauge({
      name: `${PREFIX}unrealized_pnl_usdt`,
      help: 'Unrealised PnL of the open positions, USDT',
      registers,
      collect() {
        safely('unrealized_pnl_usdt', () => {
          const f = bots();
          if (f) this.set(f.unrealizedPnl);
        });
      },
    });
  }

  private defineWorkerStateGauges(): void {
    const registers = [this.registry];
    const workers = () => {
      try {
        return readWorkers(this.service('BotsWorkers'));
      } catch {
        return [];
      }
    };
    const perWorker = (
      name: string,
      help: string,
      value: (w: ReturnType<typeof readWorkers>[number]) => number | null,
    ) =>
      new Gauge({
        name: `${PREFIX}${name}`,
        help,
        labelNames: ['worker'] as const,
        registers,
        collect() {
          this.reset();
          for (const w of workers()) {
            const v = value(w);
            if (v !== null) this.set({ worker: w.name }, v);
          }
        },
      });
    // What the bots' workers record about themselves (also when they do not call observeWorkerTick).
    perWorker('worker_runs', 'Ticks run by each bots worker since start', (w) => w.runs);
    perWorker('worker_failures', 'Ticks that failed, by bots worker, since start', (w) => w.failures);
    perWorker('worker_last_duration_seconds', 'Duration of the last tick of each bots worker', (w) =>
      w.lastDurationMs === null ? null : w.lastDurationMs / 1000,
    );
    perWorker('worker_running', '1 while a tick of the worker runs', (w) =>
      w.running === null ? null : w.running ? 1 : 0,
    );
  }

  /** A provider of another module by class name, found once and remembered (null while it does not exist). */
  private service(className: string): unknown {
    if (this.lookups.has(className)) return this.lookups.get(className);
    const wrapper = this.discovery
      .getProviders()
      .find(
        (w) =>
          w.instance && (w.metatype as { name?: string } | undefined)?.name === className && w.isDependencyTreeStatic(),
      );
    const instance = wrapper?.instance ?? null;
    if (instance) this.lookups.set(className, instance);
    return instance;
  }
}
