/**
 * /health/ready on a real-exchange adapter (the fake Bybit): ready means a signed request has succeeded, not only
 * that public market data loaded — a wrong secret loads markets fine and fails every order (docs/security.md).
 */
import { startFakeBybit, type FakeBybit } from './fake-exchange/fake-bybit';
import { expectReadiness } from './support/readiness';
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
    await expectReadiness(t, status, 'bybit', '.+\\)', 'wrong-secret-0000-1111');
  });
});
