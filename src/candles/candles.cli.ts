/**
 * `npm run candles -- --since 2025-01-01 [--timeframe 6h] [--until …] [--symbols BTC,ETH]`: fills the candle
 * store (docs/candle-store.md) from the configured exchange (EXCHANGE, keys and DATA_DIR as for the service),
 * with a progress bar, then prints a summary. Exit code 0 when every symbol is complete, 1 otherwise.
 *
 * It builds only what a fill needs (config, clock, exchange, store): no HTTP server, no workers. On the paper
 * exchange it reads the simulated market only and never touches paper_account.json, so it can run next to the
 * service.
 */
import { Logger, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { Clock } from '../common/clock';
import { ClockModule } from '../app/clock.module';
import { appConfig, exchangeConfig } from '../config/app.config';
import { parseAppSettings, parseExchangeSettings } from '../config/env';
import { ExchangeService } from '../exchange/exchange.service';
import { PersistenceModule } from '../persistence/persistence.module';
import { CandleStoreService, type CandleFillProgress } from './candle-store.service';
import { CandlesModule } from './candles.module';
import { CANDLES_USAGE, formatBytes, parseCandlesArgs, progressBar } from './candles-cli-args';
import { MarketDataExchangeModule } from '../exchange/market-data-exchange.module';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, cache: true, load: [appConfig, exchangeConfig] }),
    ClockModule,
    PersistenceModule,
    MarketDataExchangeModule,
    CandlesModule,
  ],
})
class CandlesCliModule {}

function fail(message: string): never {
  process.stderr.write(`candles: ${message}\n${CANDLES_USAGE}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseCandlesArgs(process.argv.slice(2));
    parseAppSettings(process.env);
    parseExchangeSettings(process.env);
  } catch (error) {
    fail((error as Error).message);
  }
  const app = await NestFactory.createApplicationContext(CandlesCliModule, { logger: ['fatal', 'error', 'warn'] });
  const exchange = app.get(ExchangeService);
  const store = app.get(CandleStoreService);
  const clock = app.get(Clock);
  try {
    if (!exchange.isReady) {
      throw new Error(`exchange ${exchange.name} is not available: ${exchange.lastInitError ?? 'unknown error'}`);
    }
    const symbols = args.symbols ?? exchange.tradableSymbols();
    const to = args.until ?? clock.now();
    const tty = process.stdout.isTTY === true;
    let lastPrinted = -1;
    const onProgress = (p: CandleFillProgress) => {
      const line = `${progressBar(p.pagesDone, p.pagesTotal)}  ${p.pagesDone}/${p.pagesTotal} requests  ${p.symbolsDone}/${p.symbolsTotal} symbols  ${p.candlesFetched} candles`;
      if (tty) process.stdout.write(`\r${line}`);
      else {
        // Logs and pipes: one line per 10 %.
        const step = p.pagesTotal > 0 ? Math.floor((10 * p.pagesDone) / p.pagesTotal) : 10;
        if (step !== lastPrinted || p.symbolsDone === p.symbolsTotal) process.stdout.write(`${line}\n`);
        lastPrinted = step;
      }
    };
    process.stdout.write(
      `Filling ${symbols.length} symbols, ${args.timeframe}, ${new Date(args.since).toISOString()} to ${new Date(to).toISOString()} from ${exchange.name} into ${store.root}\n`,
    );
    const summary = await store.ensure(symbols, args.timeframe, args.since, to, onProgress, {
      concurrency: args.concurrency,
    });
    if (tty) process.stdout.write('\n');
    const rate = summary.seconds > 0 ? Math.round(summary.candlesFetched / summary.seconds) : 0;
    process.stdout.write(
      [
        `symbols:   ${summary.symbols} (${summary.symbols - summary.failed.length} complete, ${summary.failed.length} failed)`,
        `range:     ${new Date(summary.from).toISOString()} to ${new Date(summary.to).toISOString()} (closed candles)`,
        `requests:  ${summary.requests}`,
        `fetched:   ${summary.candlesFetched} candles (${rate}/s)`,
        `stored:    ${summary.candlesStored} candles, ${formatBytes(summary.bytes)} (${summary.bytes} bytes)`,
        `seconds:   ${summary.seconds.toFixed(2)}`,
        ...summary.quarantined.map((file) => `damaged:   ${file} (moved aside, fetched again)`),
        ...summary.failed.map((f) => `failed:    ${f.symbol}: ${f.error}`),
      ].join('\n') + '\n',
    );
    process.exitCode = summary.failed.length > 0 ? 1 : 0;
  } catch (error) {
    new Logger('Candles').error((error as Error).message);
    process.exitCode = 1;
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`candles: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
