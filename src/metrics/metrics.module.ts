import { Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

@Global()
@Module({
  imports: [DiscoveryModule],
  controllers: [MetricsController],
  providers: [MetricsService],
  exports: [MetricsService],
})
export class MetricsModule implements NestModule {
  constructor(private readonly metrics: MetricsService) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply((req: Request, res: Response, next: NextFunction) => {
        const started = performance.now();
        res.once('finish', () => {
          // The route pattern, not the URL: /api/bots/{symbol} stays one series however many symbols are asked for.
          const route = (req.route as { path?: unknown } | undefined)?.path;
          this.metrics.observeHttp(
            req.method,
            typeof route === 'string' ? route : 'unmatched',
            res.statusCode,
            performance.now() - started,
          );
        });
        next();
      })
      .forRoutes('*');
  }
}
