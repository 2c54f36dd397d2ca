/**
 * `npm run backtest -- --from 2026-01-01 --to 2026-06-01 [--symbols BTC,ETH] [--config overrides.json] [--detail 1m]
 * [--balance 10000] [--out dir]`: one backtest on the configured exchange (offline on the default paper exchange),
 * with a progress bar, a summary table, and the result JSON + report HTML written to --out (default
 * DATA_DIR/backtest-reports). Same validation and same worker as the API's jobs (docs/backtest.md).
 * Exit code: 0 done, 1 failed, 2 bad arguments.
 */
import { Module } from '@nestjs/common';
import { ConfigModule, type ConfigType } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CandlesModule } from '../candles/candles.module';
import { ClockModule } from '../app/clock.module';
import { progressBar } from '../candles/candles-cli-args';
import { appConfig, exchangeConfig } from '../config/app.config';
import { ConfigValidationError } from '../config/config-validation.error';
import { parseAppSettings, parseExchangeSettings } from '../config/env';
import { SettingsModule } from '../config/settings.module';
import { ExchangeService } from '../exchange/exchange.service';
import { atomicWrite } from '../persistence/atomic-write';
import { PersistenceModule } from '../persistence/persistence.module';
import { BACKTEST_USAGE, formatNumber, parseBacktestArgs, summaryTable } from './backtest-cli-args';
import { BacktestRunner } from './backtest-runner.service';
import { renderReport } from './report/render-report';
import { MarketDataExchangeModule } from '../exchange/market-data-exchange.module';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, cache: true, load: [appConfig, exchangeConfig] }),
    ClockModule,
    PersistenceModule,
    SettingsModule,
    MarketDataExchangeModule,
    CandlesModule,
  ],
  providers: [BacktestRunner],
})
class BacktestCliModule {}

function fail(message: string): never {
  process.stderr.write(`backtest: ${message}\n${BACKTEST_USAGE}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseBacktestArgs(process.argv.slice(2));
    parseAppSettings(process.env);
    parseExchangeSettings(process.env);
  } catch (error) {
    fail((error as Error).message);
  }
  if (args.configFile) {
    try {
      args.request.overrides = JSON.parse(await fs.readFile(args.configFile, 'utf8'));
    } catch (error) {
      fail(`--config ${args.configFile}: ${(error as Error).message}`);
    }
  }
  const app = await NestFactory.createApplicationContext(BacktestCliModule, { logger: ['fatal', 'error', 'warn'] });
  const exchange = app.get(ExchangeService);
  const runner = app.get(BacktestRunner);
  const dataDir = app.get<ConfigType<typeof appConfig>>(appConfig.KEY).dataDir;
  try {
    if (!exchange.isReady) {
      throw new Error(`exchange ${exchange.name} is not available: ${exchange.lastInitError ?? 'unknown error'}`);
    }
    let spec;
    try {
      spec = await runner.prepare(args.request);
    } catch (error) {
      if (error instanceof ConfigValidationError) fail(`${error.key}: ${error.message}`);
      throw error;
    }
    process.stdout.write(
      `Backtest ${spec.id}: ${spec.entries.length} symbols, ${spec.timeframe}, ${new Date(spec.fromMs).toISOString()} to ${new Date(spec.toMs).toISOString()}${spec.detail ? ', 1m detail' : ''} on ${exchange.name}\n`,
    );
    const tty = process.stdout.isTTY === true;
    let lastStep = -1;
    const executed = await runner.execute(spec, {
      onProgress: (fraction, stage) => {
        const line = `${progressBar(fraction, 1)}  ${stage.padEnd(8)}`;
        if (tty) process.stdout.write(`\r${line}`);
        else if (Math.floor(fraction * 10) !== lastStep) {
          lastStep = Math.floor(fraction * 10);
          process.stdout.write(`${line}\n`);
        }
      },
    });
    process.stdout.write(`${tty ? '\r' : ''}${progressBar(1, 1)}  done    \n\n`);
    const result = executed.result!;
    const s = executed.statistics;
    process.stdout.write(
      summaryTable([
        ['trades', `${s.trades} (${s.wins} won, ${s.losses} lost)`],
        [
          'net PnL',
          `${formatNumber(s.net_pnl_usdt)} USDT (gross ${formatNumber(s.gross_pnl_usdt)}, fees ${formatNumber(s.fees_usdt)})`,
        ],
        ['ROI', formatNumber(s.roi_pct, 2, ' %')],
        ['win rate', formatNumber(s.win_rate_pct, 1, ' %')],
        ['profit factor', formatNumber(s.profit_factor)],
        ['expectancy', `${formatNumber(s.expectancy_usdt)} USDT/trade`],
        ['max drawdown', `${formatNumber(s.max_drawdown_usdt)} USDT (${formatNumber(s.max_drawdown_pct, 2, ' %')})`],
        ['Sharpe', formatNumber(s.sharpe)],
        ['Sortino', formatNumber(s.sortino)],
        ['Calmar', formatNumber(s.calmar)],
        ['average hold', formatNumber(s.avg_hold_hours, 1, ' h')],
        ['exposure', formatNumber(s.exposure_pct, 1, ' %')],
        ['final equity', `${formatNumber(s.final_equity)} USDT (start ${formatNumber(s.starting_balance)})`],
        ['buy and hold', formatNumber(s.buy_and_hold?.return_pct ?? null, 2, ' %')],
        [
          'replay',
          `${executed.bars} candles${executed.detailBars ? ` + ${executed.detailBars} 1m` : ''} in ${executed.replayMs.toFixed(0)} ms`,
        ],
      ]) + '\n\n',
    );
    const outDir = path.resolve(args.outDir ?? path.join(dataDir, 'backtest-reports'));
    const jsonFile = path.join(outDir, `${spec.id}.json`);
    const htmlFile = path.join(outDir, `${spec.id}.html`);
    await atomicWrite(jsonFile, JSON.stringify(result));
    await atomicWrite(htmlFile, renderReport(result));
    process.stdout.write(`result: ${jsonFile}\nreport: ${htmlFile}\n`);
    process.exitCode = 0;
  } catch (error) {
    process.stderr.write(`backtest: ${(error as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`backtest: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
