import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { configureApp } from '../../src/bootstrap';
import { Clock } from '../../src/common/clock';
import type { ExchangeAdapter } from '../../src/exchange/exchange.types';
import { EXCHANGE_ADAPTER } from '../../src/exchange/exchange.service';

export interface TestAppOptions {
  /** Extra environment for this app (applied before the module is built). */
  env?: Record<string, string>;
  /** Data folder; a fresh temp folder when omitted. */
  dataDir?: string;
  clock?: Clock;
  /** Run the service on this adapter instead of the configured one. */
  adapter?: ExchangeAdapter;
}

export interface TestApp {
  app: INestApplication;
  dataDir: string;
  http: ReturnType<INestApplication['getHttpServer']>;
  close(): Promise<void>;
}

export function tempDataDir(prefix = 'bots-e2e-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** The real AppModule with the production HTTP stack (configureApp), on the paper exchange unless told otherwise. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = options.dataDir ?? tempDataDir();
  const env: Record<string, string> = {
    EXCHANGE: 'paper',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'error',
    PAPER_SYMBOLS: '540',
    ...options.env,
  };
  const saved: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(env)) {
    saved[key] = process.env[key];
    process.env[key] = value;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the env above is set
  const { AppModule } = require('../../src/app.module') as typeof import('../../src/app.module');
  let builder = Test.createTestingModule({ imports: [AppModule] });
  if (options.clock) builder = builder.overrideProvider(Clock).useValue(options.clock);
  if (options.adapter) builder = builder.overrideProvider(EXCHANGE_ADAPTER).useValue(options.adapter);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication({ logger: ['error'] });
  configureApp(app);
  await app.init();
  return {
    app,
    dataDir,
    http: app.getHttpServer(),
    close: async () => {
      await app.close();
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    },
  };
}
