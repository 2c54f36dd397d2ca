import { Logger, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { configureApp, logLevels } from './bootstrap';
import { existsSync } from 'node:fs';
import { EnvValidationError, parseAppSettings, parseExchangeSettings } from './config/env';
import { preflightSettings } from './config/preflight';
import { SettingsFileError } from './config/settings-file';
import { JsonStore } from './persistence/json-store.service';
import { LifecycleService } from './lifecycle/lifecycle.service';
import { listenError, StartupError } from './config/startup-error';
import { dataFolderProblem } from './persistence/data-folder';
import * as path from 'node:path';
import { AppLogger } from './logging/app-logger';

const FORCED_EXIT_MS = 15_000;
/** Exit code of a shutdown that could not save every store (docs/reliability.md). */
const EXIT_UNSAVED = 2;

/** The app's logger once created: a start-up failure flushes its pending repeat summaries before its own line. */
let activeLogger: AppLogger | null = null;

async function main(): Promise<void> {
  // Check the environment (and .env) before Nest starts, so a bad value is one clear line, not a stack trace.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const settings = parseAppSettings(process.env);
  parseExchangeSettings(process.env);
  // Every store lives in DATA_DIR: a folder that cannot be written stops start-up with one line.
  const folderProblem = await dataFolderProblem(path.resolve(settings.dataDir));
  if (folderProblem) {
    throw new StartupError(`data folder ${path.resolve(settings.dataDir)} (DATA_DIR) ${folderProblem}`);
  }
  await preflightSettings(settings);
  // The app (and ccxt) loads only after the checks above pass.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberate lazy load, see above
  const { AppModule } = require('./app.module') as { AppModule: Type<unknown> };
  const appLogger = (activeLogger = new AppLogger({
    format: settings.logFormat,
    levels: logLevels(settings.logLevel),
    // Every secret the environment may hold: exchange keys and passphrase, notification tokens and webhook URLs.
    secrets: [
      settings.apiKey,
      ...[
        'EXCHANGE_API_KEY',
        'EXCHANGE_API_SECRET',
        'EXCHANGE_API_PASSWORD',
        'NOTIFY_TELEGRAM_BOT_TOKEN',
        'NOTIFY_WEBHOOK_URL',
        'NOTIFY_WEBHOOK_SECRET',
        'NOTIFY_DISCORD_WEBHOOK_URL',
      ].map((name) => process.env[name]?.trim()),
    ],
  }));
  // Held-back repeat counts are printed even when the process ends (stdout/stderr are synchronous on files and pipes).
  process.once('exit', () => appLogger.close());
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { logger: appLogger, abortOnError: false });
  configureApp(app);
  const logger = new Logger('Main');

  // Our own signal handling (not enableShutdownHooks): save everything, then exit 0 (or EXIT_UNSAVED).
  // A second signal while saving is ignored; the shared flush cannot interleave writes.
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn(`${signal} received again: shutdown already in progress, state is being saved`);
      return;
    }
    stopping = true;
    logger.log(`${signal} received: stopping workers and saving state`);
    setTimeout(() => {
      logger.error('Shutdown took too long; exiting');
      process.exit(1);
    }, FORCED_EXIT_MS).unref();
    const store = app.get(JsonStore);
    const lifecycle = app.get(LifecycleService);
    const exitAfter = async () => {
      await app.close();
      await store.drain();
    };
    exitAfter().then(
      () => {
        // A shutdown that could not save everything is a failure: a supervisor must see it (docs/reliability.md).
        const unsaved =
          lifecycle.unsavedAtShutdown.length > 0
            ? lifecycle.unsavedAtShutdown
            : store.unsavedFiles().map((u) => u.error);
        if (unsaved.length > 0) {
          logger.error(`Exiting with unsaved state: ${unsaved.join('; ')}`);
          process.exit(EXIT_UNSAVED);
        }
        process.exit(0);
      },
      (error: Error) => {
        logger.error(`Shutdown failed: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  await app.listen(settings.port, settings.host).catch((error: NodeJS.ErrnoException) => {
    throw listenError(error, settings.host, settings.port);
  });
  logger.log(`bots-service listening on http://${settings.host}:${settings.port} (docs: /api/docs)`);
}

main().catch((error: Error) => {
  // The failure line must be the last one: flush the logger's "(repeated N times)" summaries first.
  activeLogger?.close();
  if (error instanceof EnvValidationError || error instanceof SettingsFileError) {
    // One clear line naming the setting, no stack trace.
    console.error(`Configuration error: ${error.message}`);
  } else if (error instanceof StartupError) {
    console.error(`Start-up failed: ${error.message}`);
  } else {
    console.error(`Start-up failed: ${error?.stack ?? error}`);
  }
  process.exit(1);
});
