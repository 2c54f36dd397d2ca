/**
 * `npm run openapi`: builds the OpenAPI document from the compiled app (dist/, so the swagger plugin's metadata is
 * in) without starting it, and writes it to openapi.json at the repository root in its canonical form.
 * Preview mode builds the module graph without instantiating providers: no data files, no exchange, no workers.
 */
import type { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildOpenApiDocument, canonicalOpenApiJson } from './openapi-document';

const OPENAPI_FILE = path.resolve(__dirname, '../../openapi.json');

async function main(): Promise<void> {
  // The document does not depend on the exchange; the paper one needs no keys, whatever the shell or .env sets.
  process.env.EXCHANGE = 'paper';
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after EXCHANGE is set above
  const { AppModule } = require('../app.module') as { AppModule: Type<unknown> };
  const app = await NestFactory.create(AppModule, { preview: true, logger: ['error'], abortOnError: false });
  const text = canonicalOpenApiJson(buildOpenApiDocument(app));
  writeFileSync(OPENAPI_FILE, text);
  console.log(`openapi.json written: ${Object.keys(JSON.parse(text).paths).length} paths`);
  await app.close();
}

main().catch((error: Error) => {
  console.error(`openapi generation failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
