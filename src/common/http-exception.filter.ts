import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ConfigValidationError } from '../config/config-validation.error';
import {
  ExchangeAuthError, ExchangeError, ExchangeNotReadyError, ExchangeRateLimitError, ExchangeUnavailableError,
  InsufficientFundsError, InvalidOrderError, UnknownSymbolError,
} from '../exchange/exchange.errors';

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
  if (error instanceof ExchangeNotReadyError || error instanceof ExchangeUnavailableError) return HttpStatus.SERVICE_UNAVAILABLE;
  if (error instanceof ExchangeRateLimitError) return HttpStatus.TOO_MANY_REQUESTS;
  if (error instanceof UnknownSymbolError) return HttpStatus.NOT_FOUND;
  if (error instanceof InsufficientFundsError || error instanceof InvalidOrderError) return HttpStatus.BAD_REQUEST;
  if (error instanceof ExchangeAuthError) return HttpStatus.BAD_GATEWAY;
  return HttpStatus.BAD_GATEWAY;
}

/**
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
      const raw = exception.getResponse();
      if (raw && typeof raw === 'object' && 'success' in raw) {
        body = raw as Record<string, unknown>;
      } else {
        body = { success: false, error: this.describe(status, messageOf(raw, exception.message), request) };
      }
    } else if (exception instanceof ConfigValidationError) {
      status = HttpStatus.BAD_REQUEST;
      body = { success: false, error: exception.message, field: exception.key };
    } else if (exception instanceof ExchangeError) {
      status = exchangeStatus(exception);
      body = { success: false, error: exception.message };
    } else if (this.isBodyParserError(exception)) {
      const e = exception as { status: number; type?: string; message: string };
      status = e.status;
      body = { success: false, error: e.type === 'entity.too.large' ? 'Request body too large' : `Invalid JSON: ${e.message}` };
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
    if (status === HttpStatus.NOT_FOUND && /^Cannot (GET|POST|PUT|DELETE|PATCH)/.test(message)) return 'Endpoint not found';
    if (status === HttpStatus.METHOD_NOT_ALLOWED) return `Method ${request.method} not allowed for ${request.path}`;
    return message;
  }

  private isBodyParserError(exception: unknown): boolean {
    const e = exception as { status?: unknown; type?: unknown };
    return typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && typeof e.type === 'string';
  }
}
