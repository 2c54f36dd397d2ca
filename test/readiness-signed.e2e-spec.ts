/**
 * /health/ready on a real-exchange adapter (the fake Bybit): ready means a signed request has succeeded, not only
 * that public market data loaded — a wrong secret loads markets fine and fails every order (docs/security.md).
 */
import request from 'supertest';
import { startFakeBybit, type FakeBybit } from './fake-exchange/fake-bybit';
import { StubExchange } from './support/stub-exchange';
import { createTestApp, type TestApp } from './support/test-app';

describe.each([
  ['the right secret', (fake: FakeBybit) => fake.secret, 200],
  ['a wrong secret', () => 'wrong-secret-0000-1111', 503],
])('readiness with %s', (_label, secretOf, status) => {
  let fake: FakeBybit;
  let t: TestApp;
  beforeAll(async () => {
    fake = await startFakeBybit({
      backend: new StubExchange(() => Date.now()),
      apiKey: 'ready-key-4411',
      secret: 'ready-secret-9932',
    });
    t = await createTestApp({
      env: {
        WORKERS_ENABLED: 'false',
        EXCHANGE: 'bybit',
        EXCHANGE_API_URL: fake.url,
        EXCHANGE_API_KEY: fake.apiKey,
        EXCHANGE_API_SECRET: secretOf(fake),
        EXCHANGE_TIMEOUT_MS: '2000',
      },
    });
  }, 30_000);
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it(`answers ${status}`, async () => {
    const ready = await request(t.http).get('/health/ready');
    expect(ready.status).toBe(status);
    if (status === 503) {
      expect(ready.body).toMatchObject({ success: false, details: { exchange: { status: 'down' } } });
      expect(ready.body.error).toMatch(/^Not ready: exchange bybit: no signed request has succeeded yet \(last: .+\)/);
      expect(JSON.stringify(ready.body)).not.toContain('wrong-secret-0000-1111');
    } else {
      expect(ready.body).toEqual({
        success: true,
        status: 'ok',
        details: { state: { status: 'up' }, exchange: { status: 'up' }, storage: { status: 'up' } },
      });
    }
  });
});
