import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import type { Request } from 'express';
import { appConfig } from '../config/app.config';
import { ApiKeyGuard } from './api-key.guard';

export const MUTATING_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const MINUTE_MS = 60_000;

/**
 * API key (when configured) and a per-client budget of changes per minute. Reads are never throttled:
 * the web UI polls several endpoints every few seconds. Guards run in the order listed: a caller without
 * the key gets 401 and does not use up anyone's budget.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: (app: ConfigType<typeof appConfig>) => ({
        throttlers: [{ name: 'mutations', ttl: MINUTE_MS, limit: app.mutationRateLimit }],
        skipIf: (context) =>
          context.getType() !== 'http' || !MUTATING_METHODS.has(context.switchToHttp().getRequest<Request>().method),
        // One budget per client across all mutating endpoints, not one per endpoint.
        generateKey: (_context, tracker, name) => `${name}:${tracker}`,
        errorMessage: `Too many changes: at most ${app.mutationRateLimit} POST/PUT/PATCH/DELETE requests per minute; try again shortly`,
      }),
    }),
  ],
  providers: [
    ApiKeyGuard,
    { provide: APP_GUARD, useExisting: ApiKeyGuard },
    { provide: APP_GUARD, useClass: ThrottlerGuard },
  ],
  exports: [ApiKeyGuard],
})
export class SecurityModule {}
