import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Paths served without a key even when BOTS_API_KEY is set: the health checks load balancers, Docker and
 * the app.py proxy call, and the API docs (which hold no data; Swagger UI sends the key on "Try it out").
 */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set([
  '/health',
  '/health/live',
  '/health/ready',
  '/api/status',
  '/api/bots/health',
  '/api/docs',
  '/api/docs-json',
]);

/** Express matches routes case-insensitively and with an optional trailing slash; so does this check. */
export function isPublicPath(path: string): boolean {
  const normalized = path.length > 1 ? path.replace(/\/+$/, '').toLowerCase() : path;
  return PUBLIC_PATHS.has(normalized);
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Constant-time comparison: both sides are hashed to equal-length digests first, so neither the length nor
 * the first differing character of the key shows in the response time.
 */
export function apiKeyMatches(expected: string, provided: unknown): boolean {
  if (typeof provided !== 'string' || provided.length === 0) return false;
  return timingSafeEqual(digest(expected), digest(provided));
}
