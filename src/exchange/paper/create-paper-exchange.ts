/**
 * Builds the paper exchange on the configured price source (PAPER_MARKET): the seeded simulation, or a real
 * exchange's public data for the dry run (docs/dry-run.md). The only place that chooses between the two.
 */
import type { Clock } from '../../common/clock';
import type { ExchangeSettings } from '../../config/env';
import type { CcxtExchange as CcxtExchangeClass, CcxtExchangeLogger, RequestOutcome } from '../ccxt/ccxt-exchange';
import { LiveMarketData } from './live-market-data';
import { PaperExchange, PaperTradingExchange } from './paper-exchange';

export interface PaperExchangeDeps {
  clock: Clock;
  logger: CcxtExchangeLogger;
  /** Each HTTP attempt of the public market-data requests (metrics). */
  onRequest: (method: string, outcome: RequestOutcome) => void;
}

export function createPaperExchange(settings: ExchangeSettings, deps: PaperExchangeDeps): PaperTradingExchange {
  const { paper } = settings;
  const account = { startingBalance: paper.startingBalance };
  if (paper.market === 'sim') {
    return new PaperExchange({ clock: deps.clock, seed: paper.seed, symbolCount: paper.symbols, ...account });
  }
  // Required lazily: ccxt costs ~0.5 s and 60 MB, the simulation never needs it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { CcxtExchange } = require('../ccxt/ccxt-exchange') as { CcxtExchange: typeof CcxtExchangeClass };
  // No keys, whatever the environment holds: the dry run only ever sends public requests.
  const feed = new CcxtExchange({
    exchangeId: paper.market,
    testnet: settings.testnet,
    apiUrl: settings.apiUrl ?? undefined,
    timeoutMs: settings.timeoutMs,
    rateLimit: { requestsPerWindow: settings.rateLimitRequests, windowMs: settings.rateLimitWindowMs },
    logger: deps.logger,
    onRequest: deps.onRequest,
  });
  return new PaperTradingExchange(
    new LiveMarketData({ source: paper.market, feed, clock: deps.clock }),
    deps.clock,
    account,
  );
}
