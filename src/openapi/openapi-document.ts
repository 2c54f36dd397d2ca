import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, getSchemaPath, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { ErrorResponseDto } from '../common/dto/envelope.dto';
import { openMarkedSchemas } from '../common/dto/open-schema';
import { isPublicPath } from '../security/api-key';

/**
 * The OpenAPI document of the service, built from the controllers and the response DTOs the swagger CLI plugin
 * annotates at `nest build`. Served at /api/docs-json and written to openapi.json by `npm run openapi`.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('bots-service')
      .setDescription(
        'RSI trading bots service: a drop-in for the InfoBot bots service (port 5001). Every answer carries `success`; ' +
          'failures add `error`. Runs on the built-in paper exchange unless EXCHANGE is set.',
      )
      .setVersion('1.0')
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'api-key')
      // Every operation sends the key entered under "Authorize"; health and docs are marked as needing none.
      .addSecurityRequirements('api-key')
      .build(),
    { extraModels: [ErrorResponseDto] },
  );
  // One error shape for every operation (the exception filter's), as the `default` response.
  const errorResponse = {
    description: "Any error: {success:false, error} with a 4xx status for the caller's mistake, 5xx otherwise",
    content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorResponseDto) } } },
  };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const operation of Object.values(item)) {
      if (!operation || typeof operation !== 'object' || !('responses' in operation)) continue;
      operation.responses.default ??= errorResponse;
      for (const response of Object.values(operation.responses) as Array<{ description?: string }>) {
        if (response.description === '') response.description = 'OK';
      }
      if (isPublicPath(path)) operation.security = [];
    }
  }
  openMarkedSchemas(document);
  return document;
}

/** Object keys sorted at every level (arrays keep their order): the same document always gives the same text. */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeysDeep((value as Record<string, unknown>)[key]);
  return sorted;
}

/** The committed form of the document: sorted keys, two-space indent, one trailing newline. */
export function canonicalOpenApiJson(document: unknown): string {
  return `${JSON.stringify(sortKeysDeep(document), null, 2)}\n`;
}
