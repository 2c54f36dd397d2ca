import type { Provider } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { Clock, ManualClock } from '../../src/common/clock';
import { exchangeConfig } from '../../src/config/app.config';
import { AutoBotConfigService } from '../../src/config/auto-bot-config.service';
import { DEFAULT_AUTO_BOT_CONFIG, DEFAULT_SYSTEM_CONFIG, type AutoBotConfig } from '../../src/config/defaults';
import { effectiveBotConfig, type OverrideLayer } from '../../src/config/effective-bot-config';
import { IndividualSettingsService } from '../../src/config/individual-settings.service';
import { SystemConfigService } from '../../src/config/system-config.service';
import { EXCHANGE_ADAPTER, ExchangeService } from '../../src/exchange/exchange.service';
import { FilterService } from '../../src/filters/filter.service';
import type { EntryCheck, EntryDirection } from '../../src/filters/filter.types';
import { StatusService } from '../../src/health/status.service';
import { MaturityService } from '../../src/maturity/maturity.service';
import { JsonStore } from '../../src/persistence/json-store.service';
import { StateRegistry } from '../../src/persistence/state-registry.service';
import { RsiService } from '../../src/rsi/rsi.service';
import { BotManager } from '../../src/bots/bot-manager.service';
import { BotCommands } from '../../src/bots/commands/bot-commands.service';
import { PositionExecution } from '../../src/bots/execution/position-execution.service';
import { BotHistoryService } from '../../src/bots/history/bot-history.service';
import { BotMarketData } from '../../src/bots/registry/bot-market-data.service';
import { BotRegistry } from '../../src/bots/registry/bot-registry.service';
import { TradingStubExchange } from './trading-stub-exchange';

/** The auto-bot's entry filters in the order `FilterService.checkEntry` runs them. */
const ENTRY_FILTERS = ['maturity', 'rsi_time_filter', 'exit_scam', 'scope', 'delisted'];

/**
 * An object whose named members are given and every other member is a jest.fn() returning undefined: a collaborator
 * that keeps working when the service under test starts calling a method the spec does not care about.
 */
export function autoMock<T extends object>(
  members: Partial<Record<keyof T, unknown>> & Record<string, unknown> = {},
): T {
  const target: Record<string | symbol, unknown> = { ...members };
  return new Proxy(target, {
    get(t, prop) {
      // Not a thenable, not iterable: Nest and `await` probe these.
      if (typeof prop === 'symbol' || prop === 'then' || prop === 'toJSON') return t[prop];
      if (!(prop in t)) t[prop] = jest.fn();
      return t[prop];
    },
  }) as T;
}

/** JSON files in memory; `failSaves` makes every save reject (a full disk). */
export class MemoryJsonStore {
  readonly files = new Map<string, unknown>();
  failSaves = false;
  saves = 0;
  readonly dataDir = '/nonexistent';
  async load<T>(file: string, options: { defaults: () => T }): Promise<T> {
    return this.files.has(file) ? (structuredClone(this.files.get(file)) as T) : options.defaults();
  }
  async save(file: string, value: unknown): Promise<void> {
    if (this.failSaves) {
      throw Object.assign(new Error(`ENOSPC: no space left on device, write ${file}`), { code: 'ENOSPC' });
    }
    this.saves++;
    this.files.set(file, structuredClone(value));
  }
}

/** A coin as the RSI service would show it (only the fields the bots read). */
export interface CoinView {
  symbol: string;
  rsi: number | null;
  trend?: 'UP' | 'DOWN' | 'NEUTRAL';
  signal?: string;
}

export interface BotFixture {
  clock: ManualClock;
  exchange: TradingStubExchange;
  store: MemoryJsonStore;
  /** The global auto-bot config every mock reads (mutate it between steps). */
  autoBotConfig: AutoBotConfig;
  /** Per-coin individual settings layers. */
  coinSettings: Map<string, Record<string, unknown>>;
  coins: Map<string, CoinView>;
  delisted: Set<string>;
  /** Coins the maturity check fails. */
  immature: Set<string>;
  /** The domain-event bus the bot services publish on (a spec subscribes to see what was announced). */
  events: EventEmitter2;
  providers: Provider[];
}

/**
 * Providers for a BotManager (the facade) and the services behind it (BotRegistry, BotMarketData, PositionExecution,
 * BotCommands) over the trading stub exchange (through the real ExchangeService), the real
 * BotHistoryService, files in memory, a manual clock, and mocked settings, RSI, filters, maturity and status.
 * A spec adds the service it tests (and any provider a service gains later) to `providers`.
 */
export function botManagerFixture(autoBot: Partial<AutoBotConfig> = {}): BotFixture {
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
  const exchange = new TradingStubExchange(() => clock.now());
  const store = new MemoryJsonStore();
  const autoBotConfig: AutoBotConfig = { ...DEFAULT_AUTO_BOT_CONFIG, ...autoBot };
  const coinSettings = new Map<string, Record<string, unknown>>();
  const coins = new Map<string, CoinView>();
  const delisted = new Set<string>();
  const immature = new Set<string>();
  const events = new EventEmitter2();
  const effective = (symbol: string, bot: OverrideLayer = null) =>
    effectiveBotConfig(autoBotConfig, bot, coinSettings.get(symbol) ?? null);
  const providers: Provider[] = [
    { provide: Clock, useValue: clock },
    { provide: EventEmitter2, useValue: events },
    { provide: JsonStore, useValue: store },
    StateRegistry,
    { provide: exchangeConfig.KEY, useValue: { name: 'bybit' } },
    { provide: EXCHANGE_ADAPTER, useValue: exchange },
    ExchangeService,
    BotHistoryService,
    BotRegistry,
    BotMarketData,
    PositionExecution,
    BotCommands,
    BotManager,
    { provide: AutoBotConfigService, useValue: autoMock<AutoBotConfigService>({ get: () => autoBotConfig }) },
    {
      provide: SystemConfigService,
      useValue: autoMock<SystemConfigService>({ get: () => ({ ...DEFAULT_SYSTEM_CONFIG }) }),
    },
    {
      provide: IndividualSettingsService,
      useValue: autoMock<IndividualSettingsService>({
        effectiveConfig: effective,
        get: (s: string) => coinSettings.get(s),
      }),
    },
    {
      provide: RsiService,
      useValue: autoMock<RsiService>({
        timeframe: '6h',
        getCoin: (s: string) => coins.get(s),
        getCoins: () => [...coins.values()],
        computeRsiFor: async () => null,
      }),
    },
    {
      provide: FilterService,
      useValue: autoMock<FilterService>({
        isDelisted: (s: string) => delisted.has(s),
        effectiveSignal: (s: string) => ({ signal: coins.get(s)?.signal ?? 'WAIT', reason: 'test' }),
        // Every entry filter passes, reported in the order docs/trading-logic.md gives.
        checkEntry: (symbol: string, direction: EntryDirection): EntryCheck => ({
          symbol,
          direction,
          allowed: true,
          reason: 'ok',
          decisions: ENTRY_FILTERS.map((filter) => ({ filter, allowed: true, reason: 'test' })),
        }),
      }),
    },
    {
      provide: MaturityService,
      useValue: autoMock<MaturityService>({
        check: (s: string) => ({ is_mature: !immature.has(s) }),
        isMature: (s: string) => !immature.has(s),
      }),
    },
    { provide: StatusService, useValue: autoMock<StatusService>() },
  ];
  return { clock, exchange, store, autoBotConfig, coinSettings, coins, delisted, immature, events, providers };
}
