import { Inject, Injectable, Optional } from '@nestjs/common';
import { Clock, isoLocal } from '../common/clock';
import { ExchangeService, type ExchangeMode } from '../exchange/exchange.service';
import { BOT_COUNTS, type BotCountsPort } from './bot-counts.port';

/**
 * What the status endpoints need from the market-data module (it registers itself; the bots fill the BOT_COUNTS port).
 */
export interface LoadProgress {
  total: number;
  done: number;
  failed: number;
  inProgress: boolean;
  lastUpdate: number | null;
  durationMs: number;
}
interface RsiLike {
  getLoadProgress(): LoadProgress;
  coinsCount(): number;
}

@Injectable()
export class StatusService {
  private readonly startedAt: number;
  private rsiProvider: RsiLike | null = null;

  constructor(
    private readonly exchange: ExchangeService,
    private readonly clock: Clock,
    @Optional() @Inject(BOT_COUNTS) private readonly botCounts?: BotCountsPort,
  ) {
    this.startedAt = Date.now();
  }

  registerRsi(provider: RsiLike): void {
    this.rsiProvider = provider;
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
      this.rsiProvider?.getLoadProgress() ?? {
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
    return this.rsiProvider?.coinsCount() ?? 0;
  }

  bots(): { total: number; active: number; inPosition: number } {
    return this.botCounts?.countBots() ?? { total: 0, active: 0, inPosition: 0 };
  }
}
