import { Inject, Injectable, Optional } from '@nestjs/common';
import { Clock, isoLocal } from '../common/clock';
import { ExchangeService, type ExchangeMode } from '../exchange/exchange.service';
import { ModuleRef } from '@nestjs/core';
import { LazyPort } from '../common/lazy-port';
import { BOT_COUNTS, type BotCountsPort } from './bot-counts.port';
import { MARKET_LOAD, type LoadProgress, type MarketLoadPort } from './market-load.port';

export type { LoadProgress } from './market-load.port';

@Injectable()
export class StatusService {
  private readonly startedAt: number;
  private readonly marketLoad: LazyPort<MarketLoadPort>;

  constructor(
    private readonly exchange: ExchangeService,
    private readonly clock: Clock,
    @Optional() @Inject(BOT_COUNTS) private readonly botCounts?: BotCountsPort,
    // The market-data load is read through the MARKET_LOAD port (provided by the rsi module, looked up when used).
    @Optional() moduleRef?: ModuleRef,
  ) {
    this.startedAt = Date.now();
    this.marketLoad = new LazyPort(moduleRef, MARKET_LOAD);
  }

  now(): string {
    return isoLocal(this.clock.now());
  }

  uptimeSeconds(): number {
    return (Date.now() - this.startedAt) / 1000;
  }

  exchangeReady(): boolean {
    return this.exchange.isReady;
  }

  exchangeMode(): ExchangeMode {
    return this.exchange.mode;
  }

  progress(): LoadProgress {
    return (
      this.marketLoad.get()?.getLoadProgress() ?? {
        total: 0,
        done: 0,
        failed: 0,
        inProgress: false,
        lastUpdate: null,
        durationMs: 0,
      }
    );
  }

  coinsLoaded(): number {
    return this.marketLoad.get()?.coinsCount() ?? 0;
  }

  bots(): { total: number; active: number; inPosition: number } {
    return this.botCounts?.countBots() ?? { total: 0, active: 0, inPosition: 0 };
  }
}
