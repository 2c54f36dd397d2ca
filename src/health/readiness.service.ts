import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ExchangeService } from '../exchange/exchange.service';

export interface Readiness {
  ready: boolean;
  checks: { state_loaded: boolean; exchange_ready: boolean; shutting_down: boolean };
  reason: string | null;
}

/**
 * Ready = every module has loaded its stored state (all onModuleInit hooks are done once the application
 * bootstraps), the exchange adapter is initialised and a signed request has succeeded (the keys work), and the
 * service is not shutting down.
 */
@Injectable()
export class ReadinessService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Readiness');
  private stateLoaded = false;
  private shuttingDown = false;
  private lastReady: boolean | null = null;

  constructor(private readonly exchange: ExchangeService) {}

  onApplicationBootstrap(): void {
    this.stateLoaded = true;
  }

  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }

  check(): Readiness {
    // Initialised is not enough: public data loads with a wrong secret, so a signed request must have succeeded too.
    const signed = this.exchange.signedCallSucceeded;
    const checks = { state_loaded: this.stateLoaded, exchange_ready: this.exchange.isReady && signed, shutting_down: this.shuttingDown };
    const signedError = this.exchange.lastSignedCallError;
    const reason = !checks.state_loaded
      ? 'stored state is still loading'
      : !this.exchange.isReady
        ? `exchange ${this.exchange.name} is not initialised${this.exchange.lastInitError ? `: ${this.exchange.lastInitError}` : ''}`
        : !signed
          ? `exchange ${this.exchange.name}: no signed request has succeeded yet${signedError ? ` (last: ${signedError})` : ''}`
          : checks.shutting_down
            ? 'shutting down'
            : null;
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
