import request from 'supertest';
import type { TestApp } from './test-app';

/**
 * GET /health/ready on a real-exchange adapter: 200 with every indicator up, or 503 with the exchange down, the
 * error naming `exchange` and matching `lastError` (a regex source after "(last: "), and `hidden` nowhere in the body.
 */
export async function expectReadiness(
  t: TestApp,
  status: number,
  exchange: string,
  lastError: string,
  hidden: string,
): Promise<void> {
  const ready = await request(t.http).get('/health/ready');
  expect(ready.status).toBe(status);
  if (status === 503) {
    expect(ready.body).toMatchObject({ success: false, details: { exchange: { status: 'down' } } });
    expect(ready.body.error).toMatch(
      new RegExp(`^Not ready: exchange ${exchange}: no signed request has succeeded yet \\(last: ${lastError}`),
    );
    expect(JSON.stringify(ready.body)).not.toContain(hidden);
  } else {
    expect(ready.body).toEqual({
      success: true,
      status: 'ok',
      details: { state: { status: 'up' }, exchange: { status: 'up' }, storage: { status: 'up' } },
    });
  }
}
