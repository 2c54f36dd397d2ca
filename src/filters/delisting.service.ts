import { Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { Mutex } from 'async-mutex';
import { Clock, isoLocal } from '../common/clock';
import { normalizeSymbol } from '../common/symbol';
import { DomainEvent } from '../events/domain-events';
import { publishEvent } from '../events/publish';
import { ExchangeService } from '../exchange/exchange.service';
import { JsonStore } from '../persistence/json-store.service';

export const DELISTED_FILE = 'delisted.json';
/** Instrument statuses that mean "being delisted or gone". */
export const DELISTING_STATUSES = new Set(['Closed', 'Delivering']);
const SCAN_SOURCE = 'exchange_scan';

export interface DelistedEntry {
  reason: string;
  delisting_date: string | null;
  detected_at: string;
  source: string;
}

/** data/delisted.json in the API form (docs/api-contract.md §2.9, §5). */
export interface DelistedFile {
  delisted_coins: Record<string, DelistedEntry>;
  last_scan: string | null;
  scan_enabled: boolean;
}

/** Accepts the API form and the legacy list form `[SYM, …]`. */
export function validateDelistedFile(value: unknown): string | null {
  if (Array.isArray(value)) return value.every((v) => typeof v === 'string') ? null : 'legacy list must hold symbols';
  if (value === null || typeof value !== 'object') return 'expected an object';
  const coins = (value as { delisted_coins?: unknown }).delisted_coins;
  if (coins === undefined) return null;
  return coins !== null && typeof coins === 'object' && !Array.isArray(coins)
    ? null
    : 'delisted_coins must be an object';
}

/**
 * Coins being delisted: fed by the exchange scan (instrument status Closed/Delivering) and by order errors the bots
 * module reports. Delisted coins never get an entry.
 */
@Injectable()
export class DelistingService implements OnModuleInit {
  private readonly logger = new Logger('Delisting');
  private readonly mutex = new Mutex();
  private data: DelistedFile = { delisted_coins: {}, last_scan: null, scan_enabled: true };
  private lastScanAt: number | null = null;

  constructor(
    private readonly exchange: ExchangeService,
    private readonly store: JsonStore,
    private readonly clock: Clock,
    // Optional: benches and market harnesses build this service by hand, without an event bus.
    @Optional() private readonly events?: EventEmitter2,
  ) {}

  async onModuleInit(): Promise<void> {
    const raw = await this.store.load<unknown>(DELISTED_FILE, { defaults: () => null, validate: validateDelistedFile });
    this.data = this.normalize(raw);
    const parsed = this.data.last_scan ? Date.parse(this.data.last_scan) : NaN;
    this.lastScanAt = Number.isFinite(parsed) ? parsed : null;
  }

  isDelisted(symbol: string): boolean {
    return symbol in this.data.delisted_coins;
  }

  snapshot(): DelistedFile {
    return this.data;
  }

  /** Epoch ms of the last completed scan, or null. */
  get lastScanTime(): number | null {
    return this.lastScanAt;
  }

  /** Scans every USDT perpetual of the exchange (all statuses) and records the ones being delisted. */
  async scan(): Promise<{ added: string[]; removed: string[] }> {
    return this.mutex.runExclusive(async () => {
      const markets = await this.exchange.listMarkets();
      const now = this.clock.now();
      const added: string[] = [];
      const removed: string[] = [];
      const coins = { ...this.data.delisted_coins };
      for (const market of markets) {
        const listed = coins[market.symbol];
        if (DELISTING_STATUSES.has(market.status)) {
          if (!listed) {
            coins[market.symbol] = {
              reason: `Instrument status ${market.status}`,
              delisting_date: null,
              detected_at: isoLocal(now),
              source: SCAN_SOURCE,
            };
            added.push(market.symbol);
          }
        } else if (listed?.source === SCAN_SOURCE && market.status === 'Trading') {
          // Listed again: only entries the scan itself made are withdrawn.
          delete coins[market.symbol];
          removed.push(market.symbol);
        }
      }
      // Saved first, applied after: a failed save leaves memory as the disk has it.
      const next = { ...this.data, delisted_coins: coins, last_scan: isoLocal(now) };
      await this.store.save(DELISTED_FILE, next, { onFailure: 'refused' });
      this.data = next;
      this.lastScanAt = now;
      if (added.length > 0) {
        this.logger.warn(`Delisting detected: ${added.join(', ')}`);
        await publishEvent(this.events, DomainEvent.DelistingDetected, { at: now, symbols: added }, this.logger);
      }
      return { added, removed };
    });
  }

  /** Records a coin reported as delisting by another path (e.g. an order rejected with Bybit 30228). */
  async markDelisted(symbol: string, reason: string, source = 'order_error'): Promise<void> {
    await this.mutex.runExclusive(async () => {
      if (this.data.delisted_coins[symbol]) return;
      const next = {
        ...this.data,
        delisted_coins: {
          ...this.data.delisted_coins,
          [symbol]: { reason, delisting_date: null, detected_at: isoLocal(this.clock.now()), source },
        },
      };
      await this.store.save(DELISTED_FILE, next, { onFailure: 'refused' });
      this.data = next;
      await publishEvent(
        this.events,
        DomainEvent.DelistingDetected,
        { at: this.clock.now(), symbols: [symbol] },
        this.logger,
      );
    });
  }

  private normalize(raw: unknown): DelistedFile {
    if (Array.isArray(raw)) {
      const coins: Record<string, DelistedEntry> = {};
      for (const entry of raw) {
        const symbol = normalizeSymbol(entry);
        if (symbol) {
          coins[symbol] = {
            reason: 'Imported from the legacy list',
            delisting_date: null,
            detected_at: isoLocal(this.clock.now()),
            source: 'legacy',
          };
        }
      }
      return { delisted_coins: coins, last_scan: null, scan_enabled: true };
    }
    if (!raw || typeof raw !== 'object') return { delisted_coins: {}, last_scan: null, scan_enabled: true };
    const file = raw as Partial<DelistedFile>;
    return {
      delisted_coins: { ...(file.delisted_coins ?? {}) },
      last_scan: typeof file.last_scan === 'string' ? file.last_scan : null,
      scan_enabled: file.scan_enabled !== false,
    };
  }
}
