import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Request } from 'express';
import { appConfig } from '../config/app.config';
import { apiKeyMatches, isPublicPath } from './api-key';

export const API_KEY_HEADER = 'x-api-key';

/**
 * Global guard: with BOTS_API_KEY set, every route but health and docs needs header X-API-Key.
 * Without it the service is open, as the original was (its web UI calls it from the browser without credentials).
 * CORS preflights never reach a guard: the CORS middleware answers OPTIONS first.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly expected: string | null;

  constructor(@Inject(appConfig.KEY) app: ConfigType<typeof appConfig>) {
    this.expected = app.apiKey;
  }

  get enabled(): boolean {
    return this.expected !== null;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected || context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<Request>();
    if (request.method === 'OPTIONS') return true;
    const routePath = (request.route as { path?: unknown } | undefined)?.path;
    if (isPublicPath(typeof routePath === 'string' ? routePath : request.path)) return true;
    const provided = request.headers[API_KEY_HEADER];
    if (apiKeyMatches(this.expected, provided)) return true;
    throw new UnauthorizedException(provided === undefined ? 'Missing X-API-Key header' : 'Invalid API key');
  }
}
