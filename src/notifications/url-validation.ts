export const MAX_TARGET_URL_LENGTH = 2048;

/**
 * A webhook target: http or https only, bounded length, no user:password part (it would leak into logs of
 * proxies). Loopback and private addresses are allowed on purpose: operators run receivers beside the service.
 * Returns the problem, or null when the URL is acceptable.
 */
export function targetUrlProblem(value: string): string | null {
  if (typeof value !== 'string' || value.length === 0) return 'must be a non-empty URL';
  if (value.length > MAX_TARGET_URL_LENGTH) return `must be at most ${MAX_TARGET_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must use http or https';
  if (!url.hostname) return 'must name a host';
  if (url.username || url.password) return 'must not carry a user name or password';
  return null;
}
