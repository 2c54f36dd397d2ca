import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ExchangeService } from '../exchange/exchange.service';
import { DataFolderHealth } from '../persistence/data-folder-health.service';

export interface Readiness {
  ready: boolean;
  checks: { state_loaded: boolean; exchange_ready: boolean; shutting_down: boolean; storage_writable: boolean };
  reason: string | null;
}

/**
 * Ready = every module has loaded its stored state (all onModuleInit hooks are done once the application
 * bootstraps), the exchange adapter is initialised and a signed request has succeeded (the keys work), the service
 * is not shutting down, and the data folder takes writes with nothing left unsaved.
 */
@Injectable()
export class ReadinessService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Readiness');
  private stateLoaded = false;
  private shuttingDown = false;
  private lastReady: boolean | null = null;

  constructor(
    private readonly exchange: ExchangeService,
    private readonly storage: DataFolderHealth,
  ) {}

  onApplicationBootstrap(): void {
    this.stateLoaded = true;
  }

  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }

  check(): Readiness {
    // Initialised is not enough: public data loads with a wrong secret, so a signed request must have succeeded too.
    const signed = this.exchange.signedCallSucceeded;
    const signedError = this.exchange.lastSignedCallError;
    // Storage: the data folder takes writes and no store holds unsaved changes (docs/reliability.md).
    const storage = this.storage.current();
    const checks = {
      state_loaded: this.stateLoaded,
      exchange_ready: this.exchange.isReady && signed,
      shutting_down: this.shuttingDown,
      storage_writable: storage.problem === null,
    };
    const reason = !checks.state_loaded
      ? 'stored state is still loading'
      : !this.exchange.isReady
        ? `exchange ${this.exchange.name} is not initialised${this.exchange.lastInitError ? `: ${this.exchange.lastInitError}` : ''}`
        : !signed
          ? `exchange ${this.exchange.name}: no signed request has succeeded yet${signedError ? ` (last: ${signedError})` : ''}`
          : checks.shutting_down
            ? 'shutting down'
            : storage.problem;
    const ready = reason === null;
    if (ready !== this.lastReady) {
      // Log transitions only: probes call this every few seconds.
      if (ready) this.logger.log('ready');
      else if (this.lastReady !== null) this.logger.warn(`not ready: ${reason}`);
      this.lastReady = ready;
    }
    return { ready, checks, reason };
  }
}
