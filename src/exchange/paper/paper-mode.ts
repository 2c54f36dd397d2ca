/** Names of the paper exchange's modes (PAPER_MARKET), kept free of the adapters so anyone may import them. */
import type { PaperMarketName } from '../../config/env';

/** One account file per price source, so switching PAPER_MARKET never mixes simulated and dry-run trades. */
export function paperAccountFile(market: PaperMarketName): string {
  return market === 'sim' ? 'paper_account.json' : `paper_account_${market}.json`;
}

const EXCHANGE_TITLES: Record<Exclude<PaperMarketName, 'sim'>, string> = { bybit: 'Bybit', binance: 'Binance' };

/** What runs, in words for the start-up log and the API, so nobody takes dry-run trades for real ones. */
export function paperModeDescription(market: PaperMarketName): string {
  return market === 'sim'
    ? 'paper account on simulated prices'
    : `paper account on live ${EXCHANGE_TITLES[market]} prices (dry run)`;
}
