/**
 * `npm run openapi`: builds the OpenAPI document from the compiled app (dist/, so the swagger plugin's metadata is
 * in) without starting it, and writes it to openapi.json at the repository root in its canonical form.
 * Preview mode builds the module graph without instantiating providers: no data files, no exchange, no workers.
 */
import { NestFactory } from '@nestjs/core';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { AppModule } from '../app.module';
import { buildOpenApiDocument, canonicalOpenApiJson } from './openapi-document';

export const OPENAPI_FILE = path.resolve(__dirname, '../../openapi.json');

async function main(): Promise<void> {
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
