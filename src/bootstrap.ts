import { INestApplication, Logger, LogLevel } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { AppSettings } from './config/env';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { createValidationPipe } from './common/validation';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

export function logLevels(level: string): LogLevel[] {
  const index = LEVELS.indexOf(level as LogLevel);
  return LEVELS.slice(0, index < 0 ? 4 : index + 1);
}

/**
 * Everything main.ts and the e2e tests share: CORS, error envelope, validation, OpenAPI docs.
 * Kept in one function so the tests run exactly the HTTP stack that production runs.
 */
export function configureApp(app: INestApplication): INestApplication {
  const settings = app.get(ConfigService).get<AppSettings>('app')!;
  // The web UI calls the service straight from the browser on another port: the original allowed any origin.
  app.enableCors({
    origin: settings.corsOrigins === '*' ? '*' : settings.corsOrigins,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Content-Type', 'X-API-Key', 'Authorization', 'X-Requested-With'],
    maxAge: 600,
  });
  app.useGlobalFilters(new HttpExceptionFilter());
  app.useGlobalPipes(createValidationPipe());

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
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, {
    jsonDocumentUrl: 'api/docs-json',
    swaggerOptions: { persistAuthorization: true, tryItOutEnabled: false, displayRequestDuration: true },
  });
  new Logger('Bootstrap').debug('HTTP stack configured');
  return app;
}
