/**
 * Two Express middlewares that keep a foreign web page from steering the bots (docs/security.md):
 *
 * - JSON only: a POST/PUT/PATCH/DELETE that carries a body must say `Content-Type: application/json`.
 *   Form and text bodies are what an HTML form (or a no-preflight fetch) on any page can send, so they get 415.
 *   A body-less request (the proxy's `POST …/copy-to-all`, `POST /stop?symbol=X`) keeps working when it names
 *   no content type or JSON; naming a form/text type with no body is still refused (an empty `<form>` post).
 * - Origins: when CORS_ORIGINS is a list, a request whose `Origin` is neither listed nor the service's own
 *   (Swagger UI on the same host) gets 403 before anything runs. Requests without `Origin` (app.py, curl, the
 *   protector) are not browsers acting for a page and pass.
 */
import type { NextFunction, Request, Response } from 'express';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** application/json and the structured `+json` types (application/merge-patch+json…). */
const JSON_TYPE = /^application\/([a-z0-9.+-]*\+)?json$/;

function mediaType(contentType: string | undefined): string | null {
  if (contentType === undefined) return null;
  const type = contentType.split(';')[0].trim().toLowerCase();
  return type === '' ? null : type;
}

function hasBody(req: Request): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && length.trim() !== '0';
}

/** Why a mutating request is refused with 415, or null when it may pass. Pure: tests call it directly. */
export function nonJsonReason(method: string, contentType: string | undefined, bodyPresent: boolean): string | null {
  if (!MUTATING.has(method.toUpperCase())) return null;
  const type = mediaType(contentType);
  if (type !== null && JSON_TYPE.test(type)) return null;
  if (type === null && !bodyPresent) return null;
  const sent = type === null ? 'a body without Content-Type' : type;
  return `Unsupported Content-Type: ${sent}. Changes are accepted as JSON only (Content-Type: application/json); form and text bodies are refused`;
}

export function requireJsonBodies() {
  return (req: Request, res: Response, next: NextFunction) => {
    const reason = nonJsonReason(req.method, req.headers['content-type'], hasBody(req));
    if (reason === null) return next();
    // The body is not read: close the connection afterwards so its unread bytes are not taken for a next request.
    res.setHeader('Connection', 'close');
    res.status(415).json({ success: false, error: reason });
  };
}

/** An origin as compared: trimmed, without trailing slashes, lower-case ("http://UI:5000/" → "http://ui:5000"). */
export function normalizeOrigin(origin: string): string {
  return origin.trim().replace(/\/+$/, '').toLowerCase();
}

/** The CORS_ORIGINS list normalised once, at start-up (the CORS middleware gets the same list). */
export function allowedOrigins(listed: readonly string[]): ReadonlySet<string> {
  return new Set(listed.map(normalizeOrigin));
}

/** True when `origin` may call the API: listed, or the service's own origin (same host as the request). */
export function originAllowed(origin: string, allowed: ReadonlySet<string>, host: string | undefined): boolean {
  const normalized = normalizeOrigin(origin);
  if (allowed.has(normalized)) return true;
  if (!host) return false;
  try {
    return new URL(normalized).host === host.toLowerCase();
  } catch {
    return false;
  }
}

export function refuseForeignOrigins(listed: '*' | readonly string[]) {
  const allowed = listed === '*' ? '*' : allowedOrigins(listed);
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.headers.origin;
    if (allowed === '*' || origin === undefined || originAllowed(origin, allowed, req.headers.host)) return next();
    res.setHeader('Connection', 'close');
    res.status(403).json({ success: false, error: `Origin ${origin} is not allowed (CORS_ORIGINS)` });
  };
}
