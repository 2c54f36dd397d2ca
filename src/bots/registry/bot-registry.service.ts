import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Mutex } from 'async-mutex';
import { Clock, isoLocal } from '../../common/clock';
import { NotFoundError } from '../../common/errors';
import { AutoBotConfigService } from '../../config/auto-bot-config.service';
import { ActionGate } from '../../persistence/action-gate';
import { JsonStore } from '../../persistence/json-store.service';
import { PersistenceError } from '../../persistence/persistence.error';
import { StateRegistry } from '../../persistence/state-registry.service';
import type { BotRecord } from '../engine/bot.types';
import { globalStats, restoreBots, validateBotsStateFile, type BotsStateFile } from '../engine/bots-state';
import { TradingBot } from '../engine/trading-bot';

export const BOTS_STATE_FILE = 'bots_state.json';

/** Bot counts for the status endpoints and the auto-bot's slot check. */
export interface BotCounts {
  total: number;
  active: number;
  inPosition: number;
}

/** A registry change waiting to be saved: the symbol's record after it (null = removed) and how to apply it. */
interface PendingCommit {
  symbol: string;
  record: BotRecord | null;
  apply: () => void;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * The bots registry: the map keyed by bare symbol, one mutex per symbol (requests and workers never act on one bot
 * at once), the global action gate, and bots_state.json. Every per-symbol action holds the gate shared; a reload
 * from disk holds it exclusive, so it never runs in the middle of an action (docs/reliability.md).
 */
@Injectable()
export class BotRegistry implements OnModuleInit {
  private readonly logger = new Logger('BotRegistry');
  private readonly bots = new Map<string, TradingBot>();
  private readonly locks = new Map<string, Mutex>();
  private readonly gate = new ActionGate();
  /** One bots_state.json write at a time, so a failed write can be answered before the next one snapshots. */
  private readonly saveLock = new Mutex();
  private pendingCommits: PendingCommit[] = [];
  private committing = false;
  private dirty = false;
  private lastSaved: string | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly store: JsonStore,
    private readonly stateRegistry: StateRegistry,
    private readonly autoBotConfig: AutoBotConfigService,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.load();
    this.stateRegistry.register('bots state', () => this.flush());
  }

  // ---- bots_state.json ----

  async load(): Promise<void> {
    await this.gate.exclusive(() => this.loadLocked());
  }

  /** Re-reads bots_state.json; the caller holds the gate exclusive. */
  async loadLocked(): Promise<void> {
    const file = await this.store.load<BotsStateFile>(BOTS_STATE_FILE, {
      defaults: () => ({
        bots: {},
        auto_bot_config: {},
        global_stats: { active_bots: 0, bots_in_position: 0, total_pnl: 0 },
        last_saved: '',
        version: '1.0',
      }),
      validate: validateBotsStateFile,
    });
    const restored = restoreBots(file, this.clock.now());
    this.bots.clear();
    for (const bot of restored.bots) this.bots.set(bot.symbol, bot);
    if (restored.droppedIdle.length) this.logger.log(`Dropped ${restored.droppedIdle.length} idle bots at load`);
    if (restored.invalid.length) this.logger.warn(`Ignored invalid bot records: ${restored.invalid.join(', ')}`);
    const inPosition = restored.bots.filter((b) => b.record.needs_exchange_sync).length;
    this.logger.log(`Loaded ${this.bots.size} bots (${inPosition} to re-sync with the exchange)`);
    this.lastSaved = file.last_saved || null;
    this.dirty = restored.droppedIdle.length > 0 || restored.invalid.length > 0;
  }

  markDirty(): void {
    this.dirty = true;
  }

  async flush(): Promise<void> {
    await this.gate.shared(async () => {
      if (this.dirty) await this.save();
    });
  }

  /** Writes the registry as it is; throws a PersistenceError naming the file and the cause. */
  async save(): Promise<void> {
    await this.saveLock.runExclusive(() => this.writeState(new Map()));
  }

  /**
   * Writes bots_state.json: the registry with `overrides` (symbol → its record after a pending change, null = removed).
   */
  private async writeState(overrides: ReadonlyMap<string, BotRecord | null>): Promise<void> {
    const wasDirty = this.dirty;
    // With overrides the write carries changes applied only after it succeeded (commitChange): refused on failure.
    const refused = overrides.size > 0;
    this.dirty = false;
    const now = isoLocal(this.clock.now());
    const records = new Map([...this.bots.entries()].map(([symbol, bot]) => [symbol, bot.record]));
    for (const [symbol, record] of overrides) {
      if (record) records.set(symbol, record);
      else records.delete(symbol);
    }
    const file: BotsStateFile = {
      bots: Object.fromEntries([...records.entries()].sort(([a], [b]) => a.localeCompare(b))),
      auto_bot_config: { ...this.autoBotConfig.get() },
      global_stats: globalStats([...records.values()].map((record) => new TradingBot(record))),
      last_saved: now,
      version: '1.0',
    };
    try {
      await this.store.save(BOTS_STATE_FILE, file, { onFailure: refused ? 'refused' : 'kept' });
      this.lastSaved = now;
    } catch (error) {
      // Kept changes are retried by the auto-save (readiness reports the unsaved file until then); a refused
      // change leaves the registry as it was, unsaved only if it already was.
      if (refused) this.dirty ||= wasDirty;
      else this.dirty = true;
      throw PersistenceError.wrap(BOTS_STATE_FILE, error);
    }
  }

  /**
   * Saves after a change that already happened outside the service (an order filled, a position closed): the
   * change cannot be undone, so on failure it stays in memory, the auto-save keeps retrying, and the caller gets
   * the error marked as kept (docs/reliability.md).
   */
  async persist(): Promise<void> {
    try {
      await this.gate.shared(() => this.save());
    } catch (error) {
      throw PersistenceError.wrap(BOTS_STATE_FILE, error).kept();
    }
  }

  /**
   * A user's change to the registry, made durable before it is visible: the file is written with the symbol's
   * new record (null = removed) and only then is `apply` run. When the write fails nothing is applied, so memory
   * equals the disk, and the PersistenceError goes to the caller. Changes arriving during a write share the next.
   * The caller holds the symbol's lock, so no two pending changes concern one symbol.
   */
  commitChange(symbol: string, record: BotRecord | null, apply: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pendingCommits.push({ symbol, record, apply, resolve, reject });
      // Write failures reach each change's reject(); this handler only catches a throwing apply().
      if (!this.committing) {
        void this.drainCommits().catch((error: Error) =>
          this.logger.error(`Registry commit loop failed: ${error.message}`),
        );
      }
    });
  }

  private async drainCommits(): Promise<void> {
    this.committing = true;
    try {
      while (this.pendingCommits.length > 0) {
        const batch = this.pendingCommits.splice(0);
        await this.saveLock.runExclusive(async () => {
          try {
            await this.writeState(new Map(batch.map((c) => [c.symbol, c.record])));
          } catch (error) {
            for (const change of batch) change.reject(error);
            return;
          }
          for (const change of batch) {
            change.apply();
            change.resolve();
          }
        });
      }
    } finally {
      this.committing = false;
    }
  }

  get lastSavedAt(): string | null {
    return this.lastSaved;
  }

  // ---- the map ----

  all(): TradingBot[] {
    return [...this.bots.values()];
  }

  symbols(): string[] {
    return [...this.bots.keys()];
  }

  find(symbol: string): TradingBot | undefined {
    return this.bots.get(symbol);
  }

  require(symbol: string): TradingBot {
    const bot = this.bots.get(symbol);
    if (!bot) throw new NotFoundError('Bot not found');
    return bot;
  }

  /** Whether `bot` is still the registered bot of its symbol (it may have been deleted or replaced meanwhile). */
  isRegistered(bot: TradingBot): boolean {
    return this.bots.get(bot.symbol) === bot;
  }

  /** Registers a bot whose creation already happened (saved by the next auto-save); the caller holds the lock. */
  add(bot: TradingBot): void {
    this.bots.set(bot.symbol, bot);
    this.dirty = true;
  }

  /** Unregisters a bot (saved by the next auto-save); the caller holds the lock. Answers the removed bot. */
  remove(symbol: string): TradingBot | undefined {
    const bot = this.bots.get(symbol);
    if (!bot) return undefined;
    this.bots.delete(symbol);
    this.dirty = true;
    return bot;
  }

  /** Applies a committed creation or deletion (commitChange's `apply`). */
  applyRecord(symbol: string, bot: TradingBot | null): void {
    if (bot) this.bots.set(symbol, bot);
    else this.bots.delete(symbol);
  }

  countBots(): BotCounts {
    let active = 0;
    let inPosition = 0;
    for (const bot of this.bots.values()) {
      if (bot.isActive) active++;
      if (bot.holdsPosition) inPosition++;
    }
    return { total: this.bots.size, active, inPosition };
  }

  // ---- locks and the gate ----

  /** Runs `fn` holding the symbol's mutex (and the action gate shared: no reload runs meanwhile). */
  withLock<T>(symbol: string, fn: () => Promise<T> | T): Promise<T> {
    let mutex = this.locks.get(symbol);
    if (!mutex) this.locks.set(symbol, (mutex = new Mutex()));
    const lock = mutex;
    return this.gate.shared(() => lock.runExclusive(fn)).finally(() => this.dropIdleLock(symbol, lock));
  }

  /** Runs `fn` alone: it waits for running actions and no action starts until it is done (reloads). */
  exclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    return this.gate.exclusive(fn);
  }

  /** Calls for any well-formed symbol take a lock: an idle one is dropped, so the map holds only locks in use. */
  private dropIdleLock(symbol: string, mutex: Mutex): void {
    if (!mutex.isLocked() && this.locks.get(symbol) === mutex) this.locks.delete(symbol);
  }
}
