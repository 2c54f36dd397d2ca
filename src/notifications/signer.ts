import { createHmac } from 'node:crypto';

/**
 * The generic webhook's signature: HMAC-SHA256 over `<timestamp>.<body>` with the shared secret, hex, as
 * `X-Bots-Signature: sha256=<hex>` next to `X-Bots-Timestamp` (docs/notifications.md shows how to verify it).
 * Signing the timestamp too lets a receiver refuse replays of old bodies.
 */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}
