import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  InternalServerErrorException,
  Logger,
  NotFoundException,
  OnApplicationBootstrap,
  OnModuleInit,
  Optional,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { Mutex } from 'async-mutex';
import { Counter, Gauge } from 'prom-client';
import { BotManager } from '../bots/bot-manager.service';
import type { VolumeMode } from '../bots/engine/bot.types';
import { positionNotionalUsdt } from '../bots/engine/sizing';
import { BotHistoryService } from '../bots/history/bot-history.service';
import { Clock, isoLocal } from '../common/clock';
import type { EntryBlock, EntryGuard, EntryRequest } from '../common/entry-guard';
import { appConfig } from '../config/app.config';
import { AutoBotConfigService } from '../config/auto-bot-config.service';
import { SystemConfigService } from '../config/system-config.service';
import { DomainEvent, type LockEvent } from '../events/domain-events';
import { ExchangeService } from '../exchange/exchange.service';
import { MetricsService } from '../metrics/metrics.service';
import { JsonStore } from '../persistence/json-store.service';
import { StateRegistry } from '../persistence/state-registry.service';
import { JobOrder, WorkerScheduler } from '../scheduling/worker-scheduler';
import { protectionSettings, type ProtectionSettings } from './protection-settings';
import {
  emptyLocksFile,
  normalizeLocksFile,
  PROTECTION_LOCKS_FILE,
  validateLocksFile,
  type ProtectionLock,
  type ProtectionLocksFile,
} from './protection-locks';
import { activeLockFor, applyLockProposals, liftExpiredLocks, proposeLocks, setLockReset } from './lock-book';
import { EquityHistory } from './rules/equity-history';
import { checkRiskCap } from './rules/risk-cap';
import type { ClosedTradeFact, LockProposal } from './rules/rule.types';

/** Never evaluate faster than this in real time, however fast the paper clock runs. */
const MIN_REAL_INTERVAL_MS = 500;
const PROTECTION_CHECK_JOB = 'protection-check';

export interface EvaluationReport {
  at: number;
  equity: number | null;
  /** Why the balance could not be read (the equity rules were skipped), or absent. */
  balance_error?: string;
  set: ProtectionLock[];
  lifted: ProtectionLock[];
  closed_positions: string[];
}

interface BalanceSnapshot {
  walletBalance: number;
  equity: number;
  at: number;
}

/**
 * The account protections (docs/protections.md): evaluates the rules in src/protections/rules against the closed
 * trades and the equity (wallet balance + unrealised PnL), holds the resulting locks in data/protection_locks.json,
 * lifts them when their time is up, and answers the entry pipeline through the EntryGuard port.
 * A lock exists (is listed, blocks, is announced) only once it is on disk.
 */
@Injectable()
export class ProtectionService implements EntryGuard, OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Protections');
  private readonly mutex = new Mutex();
  private state: ProtectionLocksFile = emptyLocksFile();
  private equity = new EquityHistory();
  private equityDirty = false;
  private balance: BalanceSnapshot | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;
  private readonly setCounter?: Counter<'rule'>;
  private readonly liftedCounter?: Counter<'rule' | 'how'>;

  constructor(
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
    private readonly clock: Clock,
    private readonly store: JsonStore,
    private readonly registry: StateRegistry,
    private readonly autoBotConfig: AutoBotConfigService,
    private readonly systemConfig: SystemConfigService,
    private readonly exchange: ExchangeService,
    private readonly manager: BotManager,
    private readonly history: BotHistoryService,
    private readonly events: EventEmitter2,
    private readonly scheduler: WorkerScheduler,
    @Optional() metrics?: MetricsService,
  ) {
    if (metrics) {
      const registers = [metrics.registry];
      this.setCounter = new Counter({
        name: 'bots_protection_locks_set_total',
        help: 'Protection locks set, by rule',
        labelNames: ['rule'] as const,
        registers,
      });
      this.liftedCounter = new Counter({
        name: 'bots_protection_locks_lifted_total',
        help: 'Protection locks lifted, by rule and how (expired, removed)',
        labelNames: ['rule', 'how'] as const,
        registers,
      });
      const locks = () => this.activeLocks();
      new Gauge({
        name: 'bots_protection_locks',
        help: 'Active protection locks, by rule and scope (account, coin)',
        labelNames: ['rule', 'scope'] as const,
        registers,
        collect() {
          this.reset();
          for (const lock of locks()) this.inc({ rule: lock.rule, scope: lock.symbol === null ? 'account' : 'coin' });
        },
      });
    }
  }

  async onModuleInit(): Promise<void> {
    const loaded = await this.store.load<ProtectionLocksFile>(PROTECTION_LOCKS_FILE, {
      defaults: emptyLocksFile,
      validate: validateLocksFile,
    });
    this.state = normalizeLocksFile(loaded);
    this.equity = new EquityHistory(this.state.equity);
    this.registry.register('protection locks', () => this.flush());
    if (this.state.locks.length) this.logger.log(`Loaded ${this.state.locks.length} protection locks`);
  }

  onApplicationBootstrap(): void {
    if (this.app.workersEnabled) this.schedule();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  /** Stops the periodic check (shutdown; tests that drive evaluate() themselves) and waits for one in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.scheduler.cancel(PROTECTION_CHECK_JOB);
    // Only waits for the check to end; its failure was logged where it ran.
    await this.running?.catch(() => undefined);
  }

  private schedule(): void {
    if (this.stopped) return;
    const seconds = this.systemConfig.get().bot_status_update_interval;
    // One check at a time: the next is armed when this one ended (so a slow exchange never stacks checks).
    this.scheduler.at(
      PROTECTION_CHECK_JOB,
      this.clock.now() + seconds * 1000,
      () => {
        this.running = this.exchange.isReady
          ? this.evaluate().catch((error: Error) => this.logger.warn(`Protection check failed: ${error.message}`))
          : Promise.resolve();
        return this.running.finally(() => this.schedule());
      },
      { order: JobOrder.protections, minRealMs: MIN_REAL_INTERVAL_MS },
    );
  }

  /** A closed position may trip a trade rule: check now rather than at the next interval. */
  @OnEvent(DomainEvent.PositionClosed)
  onPositionClosed(): void {
    if (this.stopped || !this.exchange.isReady) return;
    void this.evaluate().catch((error: Error) =>
      this.logger.warn(`Protection check after a close failed: ${error.message}`),
    );
  }

  // ---- the EntryGuard port ----

  lockFor(symbol: string): EntryBlock | null {
    const found = activeLockFor(this.state.locks, symbol, this.clock.now());
    return found
      ? {
          rule: found.rule,
          reason: `${found.reason} (until ${new Date(found.until).toISOString()})`,
          lockId: found.id,
          until: found.until,
        }
      : null;
  }

  checkEntry(request: EntryRequest): EntryBlock | null {
    const locked = this.lockFor(request.symbol);
    if (locked) return locked;
    const riskCap = this.settings().riskCap;
    if (!riskCap.enabled) return null;
    const block = (reason: string): EntryBlock => ({ rule: 'risk_cap', reason, lockId: null, until: null });
    if (!this.balance) return block('risk cap: the balance is not known yet (no protection check has run)');
    const leverage = Math.max(1, request.leverage || 1);
    const entryMargin =
      positionNotionalUsdt(request.volumeMode as VolumeMode, request.volumeValue, this.balance.walletBalance) /
      leverage;
    const decision = checkRiskCap(
      {
        walletBalance: this.balance.walletBalance,
        openMarginUsdt: this.openMargin(request.openPositions),
        entryMarginUsdt: entryMargin,
      },
      { percent: riskCap.percent },
    );
    return decision.allowed ? null : block(decision.reason);
  }

  /** Margin of the given exchange positions plus that of bots that entered after those positions were read. */
  private openMargin(positions: EntryRequest['openPositions']): number {
    const listed = new Set(positions.map((p) => p.symbol));
    let total = positions.reduce((sum, p) => sum + (Number.isFinite(p.margin) ? p.margin : 0), 0);
    for (const bot of this.manager.all()) {
      const r = bot.record;
      if (!bot.holdsPosition || listed.has(bot.symbol) || !r.entry_price || !r.position_size_coins) continue;
      total += (r.entry_price * r.position_size_coins) / Math.max(1, r.leverage || 1);
    }
    return total;
  }

  // ---- reading and removing locks ----

  /** Locks in force now, soonest end first. */
  activeLocks(): ProtectionLock[] {
    const now = this.clock.now();
    return this.state.locks.filter((l) => l.until > now).sort((a, b) => a.until - b.until || a.id.localeCompare(b.id));
  }

  /** Removes a lock by hand; its rule counts afresh from now. Answers once the removal is on disk. */
  async remove(id: string): Promise<ProtectionLock> {
    return this.mutex.runExclusive(async () => {
      const lock = this.state.locks.find((l) => l.id === id);
      if (!lock) throw new NotFoundException(`Unknown lock: ${id}`);
      const now = this.clock.now();
      const next = this.nextState();
      next.locks = next.locks.filter((l) => l.id !== id);
      setLockReset(next, lock, now);
      await this.commit(next);
      this.liftedCounter?.inc({ rule: lock.rule, how: 'removed' });
      this.announce(DomainEvent.LockLifted, lock, now);
      this.logger.log(`Lock ${id} removed by request`);
      return lock;
    });
  }

  // ---- evaluation ----

  /** One pass: lift expired locks, sample equity, run the enabled rules, store and announce new locks. */
  async evaluate(): Promise<EvaluationReport> {
    return this.mutex.runExclusive(async () => {
      const now = this.clock.now();
      const settings = this.settings();
      const report: EvaluationReport = { at: now, equity: null, set: [], lifted: [], closed_positions: [] };
      const next = this.nextState();

      report.lifted.push(...liftExpiredLocks(next, now));

      if (settings.maxDrawdown.enabled || settings.dailyLoss.enabled || settings.riskCap.enabled) {
        // Without a balance the equity rules wait for the next pass; the trade rules still run.
        try {
          const balance = await this.exchange.fetchBalance();
          this.balance = {
            walletBalance: balance.walletBalance,
            equity: balance.walletBalance + balance.unrealizedPnl,
            at: now,
          };
          report.equity = this.balance.equity;
        } catch (error) {
          report.balance_error = (error as Error).message;
          this.logger.warn(
            `Protection check: no balance (${report.balance_error}); drawdown and daily loss wait for the next pass`,
          );
        }
      }

      report.set.push(
        ...applyLockProposals(next, this.propose(now, settings, next), now, (proposal) => this.lockId(proposal, now)),
      );

      // Record this sample after the rule ran, so the peak it is compared with is the earlier history plus itself.
      if (this.balance && settings.maxDrawdown.enabled && this.balance.at === now) {
        this.equity.record({ time: now, equity: this.balance.equity }, settings.maxDrawdown.lookbackMs);
        this.equityDirty = true;
      }

      const changed =
        report.set.length > 0 ||
        report.lifted.length > 0 ||
        JSON.stringify(next.locks) !== JSON.stringify(this.state.locks);
      if (changed) await this.commit(next);

      for (const lock of report.lifted) {
        this.liftedCounter?.inc({ rule: lock.rule, how: 'expired' });
        this.announce(DomainEvent.LockLifted, lock, now);
        this.logger.log(`Lock lifted: ${lock.rule}${lock.symbol ? ` on ${lock.symbol}` : ''}`);
      }
      for (const lock of report.set) {
        this.setCounter?.inc({ rule: lock.rule });
        this.announce(DomainEvent.LockSet, lock, now);
        this.logger.warn(`Lock set until ${isoLocal(lock.until)}: ${lock.reason}`);
      }
      if (settings.maxDrawdown.closePositions && report.set.some((l) => l.rule === 'max_drawdown')) {
        report.closed_positions = await this.closeBotPositions();
      }
      return report;
    });
  }

  private propose(now: number, settings: ProtectionSettings, state: ProtectionLocksFile): LockProposal[] {
    const trades = this.history
      .closedTrades()
      .filter((t) => !t.is_demo)
      .map((t): ClosedTradeFact => ({
        symbol: t.symbol,
        closedAt: t.close_time_ms,
        pnlUsdt: t.net_pnl ?? t.pnl,
        roiPercent: t.roi,
        exitReason: t.close_reason,
      }));
    // The equity rules only read a balance sampled in this pass.
    const balance = this.balance?.at === now ? this.balance : null;
    return proposeLocks({ now, book: state, trades, balance, equityHistory: this.equity.all() }, settings);
  }

  /** Max drawdown with close_positions: every position a bot holds is closed at market (manual positions stay). */
  private async closeBotPositions(): Promise<string[]> {
    const closed: string[] = [];
    for (const bot of this.manager.all()) {
      if (!bot.holdsPosition) continue;
      try {
        await this.manager.withLock(bot.symbol, async () => {
          if (this.manager.find(bot.symbol) !== bot || !bot.holdsPosition) return;
          await this.manager.closeBotLocked(bot, 'MANUAL_CLOSE', null);
          closed.push(bot.symbol);
        });
      } catch (error) {
        this.logger.error(`Max drawdown: closing ${bot.symbol} failed: ${(error as Error).message}`);
      }
    }
    if (closed.length) this.logger.warn(`Max drawdown: closed the positions of ${closed.join(', ')}`);
    return closed;
  }

  // ---- state and persistence ----

  private settings(): ProtectionSettings {
    return protectionSettings(this.autoBotConfig.get());
  }

  private nextState(): ProtectionLocksFile {
    return structuredClone({ ...this.state, equity: [] });
  }

  private lockId(proposal: LockProposal, now: number): string {
    const base = `${proposal.rule}-${proposal.symbol ?? 'all'}-${now}`;
    let id = base;
    for (let n = 2; this.state.locks.some((l) => l.id === id); n++) id = `${base}-${n}`;
    return id;
  }

  /** Writes `next` (with the current equity history); memory changes only once the file is on disk. */
  private async commit(next: ProtectionLocksFile): Promise<void> {
    const file: ProtectionLocksFile = { ...next, equity: this.equity.all(), last_saved: isoLocal(this.clock.now()) };
    try {
      await this.store.save(PROTECTION_LOCKS_FILE, file);
    } catch (error) {
      const message = `Saving ${PROTECTION_LOCKS_FILE} failed: ${(error as Error).message}`;
      this.logger.error(message);
      throw new InternalServerErrorException(message);
    }
    this.state = file;
    this.equityDirty = false;
  }

  /** Auto-save and shutdown: the equity history between lock changes. */
  async flush(): Promise<void> {
    if (!this.equityDirty) return;
    await this.mutex.runExclusive(() => this.commit(this.nextState()));
  }

  private announce(
    name: typeof DomainEvent.LockSet | typeof DomainEvent.LockLifted,
    lock: ProtectionLock,
    at: number,
  ): void {
    const payload: LockEvent = {
      at,
      lockId: lock.id,
      symbol: lock.symbol,
      rule: lock.rule,
      reason: lock.reason,
      until: lock.until,
    };
    try {
      this.events.emit(name, payload);
    } catch (error) {
      this.logger.error(`A ${name} listener failed: ${(error as Error).message}`);
    }
  }
}
