import { INestApplication, Logger, LogLevel } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import type { AppSettings } from './config/env';
import { HttpExceptionFilter } from './app/http-exception.filter';
import { createValidationPipe } from './common/validation';
import { buildOpenApiDocument } from './openapi/openapi-document';
import { rejectDeepJson } from './security/json-depth';
import { allowedOrigins, refuseForeignOrigins, requireJsonBodies } from './security/request-guards';
import { limitHttpServer } from './security/http-server-limits';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

export function logLevels(level: string): LogLevel[] {
  const index = LEVELS.indexOf(level as LogLevel);
  return LEVELS.slice(0, index < 0 ? 4 : index + 1);
}

/**
 * helmet's headers, in two variants: the JSON API gets a CSP that allows nothing (it serves no pages), and
 * Swagger UI gets one that allows its own scripts, inline styles and data: icons. Neither upgrades requests
 * to https (the service is usually reached over plain http on a LAN) and HSTS is left to a TLS proxy.
 * Cross-Origin-Resource-Policy is cross-origin because the web UI reads this API from another origin.
 */
export function securityHeaders() {
  const common = { crossOriginResourcePolicy: { policy: 'cross-origin' as const }, strictTransportSecurity: false };
  const api = helmet({
    ...common,
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  });
  const docs = helmet({
    ...common,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        scriptSrc: ["'self'", "'unsafe-inline'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'self'"],
      },
    },
  });
  return (req: Request, res: Response, next: NextFunction) =>
    (/^\/api\/docs(\/|$)/i.test(req.path) ? docs : api)(req, res, next);
}

/**
 * Everything main.ts and the e2e tests share: CORS, error envelope, validation, OpenAPI docs.
 * Kept in one function so the tests run exactly the HTTP stack that production runs.
 */
export function configureApp(app: INestApplication): INestApplication {
  const settings = app.get(ConfigService).get<AppSettings>('app')!;
  // Request timeouts and a connection cap that keeps half the file descriptors for saves (docs/security.md).
  limitHttpServer(app.getHttpServer());
  // First, so every answer carries them: CORS preflights and the guards' refusals included (docs/security.md).
  (app.getHttpAdapter().getInstance() as { disable?: (setting: string) => unknown }).disable?.('x-powered-by');
  app.use(securityHeaders());
  // A page on a foreign origin steers nothing: unlisted origins get 403, form/text bodies 415 (docs/security.md).
  app.use(refuseForeignOrigins(settings.corsOrigins));
  app.use(requireJsonBodies());
  // The web UI calls the service straight from the browser on another port: the original allowed any origin.
  app.enableCors({
    // The same normalised list the origin guard checks: the browser sends "http://ui:5000" for "http://UI:5000/".
    origin: settings.corsOrigins === '*' ? '*' : [...allowedOrigins(settings.corsOrigins)],
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Content-Type', 'X-API-Key', 'Authorization', 'X-Requested-With'],
    maxAge: 600,
  });
  // Registered before Nest's default JSON parser, which then stands aside: same 100 kB limit, plus a depth check.
  const express = app as INestApplication & {
    useBodyParser?: (type: 'json', options: { verify: typeof rejectDeepJson }) => unknown;
  };
  express.useBodyParser?.('json', { verify: rejectDeepJson });
  app.useGlobalFilters(new HttpExceptionFilter());
  app.useGlobalPipes(createValidationPipe());

  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('api/docs', app, document, {
    jsonDocumentUrl: 'api/docs-json',
    swaggerOptions: { persistAuthorization: true, tryItOutEnabled: false, displayRequestDuration: true },
  });
  new Logger('Bootstrap').debug('HTTP stack configured');
  return app;
}
