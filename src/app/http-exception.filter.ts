import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ConfigValidationError } from '../config/config-validation.error';
import {
  ExchangeAuthError,
  ExchangeError,
  ExchangeNotReadyError,
  ExchangeRateLimitError,
  ExchangeUnavailableError,
  InsufficientFundsError,
  InvalidOrderError,
  UnknownSymbolError,
} from '../exchange/exchange.errors';
import { PersistenceError } from '../persistence/persistence.error';
import { DomainError } from '../common/errors';

function messageOf(body: unknown, fallback: string): string {
  if (typeof body === 'string') return body;
  if (body && typeof body === 'object') {
    const m = (body as { message?: unknown; error?: unknown }).message ?? (body as { error?: unknown }).error;
    if (Array.isArray(m)) return m.join('; ');
    if (typeof m === 'string') return m;
  }
  return fallback;
}

/** Maps an exchange failure to the status a caller can act on. */
function exchangeStatus(error: ExchangeError): number {
  if (error instanceof ExchangeNotReadyError || error instanceof ExchangeUnavailableError) {
    return HttpStatus.SERVICE_UNAVAILABLE;
  }
  if (error instanceof ExchangeRateLimitError) return HttpStatus.TOO_MANY_REQUESTS;
  if (error instanceof UnknownSymbolError) return HttpStatus.NOT_FOUND;
  if (error instanceof InsufficientFundsError || error instanceof InvalidOrderError) return HttpStatus.BAD_REQUEST;
  if (error instanceof ExchangeAuthError) return HttpStatus.BAD_GATEWAY;
  return HttpStatus.BAD_GATEWAY;
}

interface RouteLayer {
  route?: { methods: Record<string, boolean> };
  match(path: string): boolean;
}

/** Methods registered for the request's path (Express router), so a wrong method gets a JSON 405, not a 404. */
function allowedMethods(request: Request): string[] {
  try {
    const app = request.app as unknown as { router?: { stack: RouteLayer[] }; _router?: { stack: RouteLayer[] } };
    const stack = (app.router ?? app._router)?.stack ?? [];
    const methods = new Set<string>();
    for (const layer of stack) {
      if (!layer.route || !layer.match(request.path)) continue;
      for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') methods.add(method);
    }
    // The route exists for this method: the 404 is the handler's own ("Bot not found"), not a wrong method.
    if (methods.has(request.method === 'HEAD' ? 'get' : request.method.toLowerCase())) return [];
    return [...methods];
  } catch {
    return [];
  }
}

/**
 * Part of the app layer (src/app), above every feature: it knows the exchange and settings errors, so src/common
 * does not. Domain errors (src/common/errors.ts) carry their own status.
 *
 * Every error leaves the API as {success:false, error} with a fitting status, so clients of the
 * original service (which read `error`) keep working. Bodies that already carry `success` pass through.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const response = ctx.getResponse<Response>();
    const request = ctx.getRequest<Request>();
    if (response.headersSent) return;

    let status = HttpStatus.INTERNAL_SERVER_ERROR;
    let body: Record<string, unknown>;

    if (exception instanceof HttpException) {
      status = exception.getStatus();
      const allowed = status === HttpStatus.NOT_FOUND ? allowedMethods(request) : [];
      if (allowed.length > 0) {
        response.setHeader('Allow', allowed.join(', ').toUpperCase());
        response.status(HttpStatus.METHOD_NOT_ALLOWED).json({
          success: false,
          error: `Method ${request.method} not allowed for ${request.path}; use ${allowed.join(' or ').toUpperCase()}`,
        });
        return;
      }
      const raw = exception.getResponse();
      if (raw && typeof raw === 'object' && 'success' in raw) {
        body = raw as Record<string, unknown>;
      } else {
        body = { success: false, error: this.describe(status, messageOf(raw, exception.message), request) };
      }
    } else if (exception instanceof DomainError) {
      status = exception.httpStatus;
      body = {
        success: false,
        error: exception.message,
        ...(exception.field ? { field: exception.field } : {}),
        ...exception.details,
      };
      if (status >= 500) this.logger.error(`${request.method} ${request.path} → ${status}: ${exception.message}`);
    } else if (exception instanceof ConfigValidationError) {
      status = HttpStatus.BAD_REQUEST;
      body = { success: false, error: exception.message, field: exception.key };
    } else if (exception instanceof PersistenceError) {
      // 507 when the disk is full, 503 for any other write failure (docs/reliability.md).
      status = exception.status;
      body = { success: false, error: exception.message };
      this.logger.error(`${request.method} ${request.path} → ${status}: ${exception.message}`);
    } else if (exception instanceof ExchangeError) {
      status = exchangeStatus(exception);
      body = { success: false, error: exception.message };
    } else if (this.isBodyParserError(exception)) {
      const e = exception as { status: number; type?: string; message: string };
      status = e.status;
      body = {
        success: false,
        error: e.type === 'entity.too.large' ? 'Request body too large' : `Invalid JSON: ${e.message}`,
      };
    } else {
      const error = exception as Error;
      this.logger.error(`${request.method} ${request.path}: ${error?.stack ?? String(exception)}`);
      body = { success: false, error: 'Internal server error' };
    }
    if (status >= 500 && exception instanceof HttpException) {
      this.logger.error(`${request.method} ${request.path} → ${status}: ${String(body.error ?? '')}`);
    }
    response.status(status).json(body);
  }

  private describe(status: number, message: string, request: Request): string {
    if (status === HttpStatus.NOT_FOUND && /^Cannot (GET|POST|PUT|DELETE|PATCH)/.test(message)) {
      return 'Endpoint not found';
    }
    if (status === HttpStatus.METHOD_NOT_ALLOWED) return `Method ${request.method} not allowed for ${request.path}`;
    // Nest turns body-parser's SyntaxError into a bare 400; say what it is, as the original did.
    if (
      status === HttpStatus.BAD_REQUEST &&
      /JSON|^Unexpected (token|end|non-whitespace)|^Expected /.test(message) &&
      !message.startsWith('Invalid JSON')
    ) {
      return `Invalid JSON: ${message}`;
    }
    return message;
  }

  private isBodyParserError(exception: unknown): boolean {
    const e = exception as { status?: unknown; type?: unknown };
    return typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && typeof e.type === 'string';
  }
}
