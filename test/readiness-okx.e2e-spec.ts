/**
 * The whole service on EXCHANGE=okx against the fake OKX: the passphrase (EXCHANGE_API_PASSWORD) reaches the
 * adapter, /health/ready turns ready only after a signed request succeeded, and a wrong passphrase keeps it
 * not ready without showing the passphrase (docs/exchanges.md, "OKX").
 */
import { parseExchangeSettings } from '../src/config/env';
import { startFakeOkx, type FakeOkx } from './fake-exchange/fake-okx';
import { expectReadiness } from './support/readiness';
import { StubExchange } from './support/stub-exchange';
import { createTestApp, type TestApp } from './support/test-app';

describe('EXCHANGE=okx settings', () => {
  it('needs key, secret and passphrase', () => {
    const env = { EXCHANGE: 'okx', EXCHANGE_API_KEY: 'k', EXCHANGE_API_SECRET: 's' };
    expect(() => parseExchangeSettings(env)).toThrow(/EXCHANGE=okx needs EXCHANGE_API_PASSWORD/);
    expect(parseExchangeSettings({ ...env, EXCHANGE_API_PASSWORD: ' p ' })).toMatchObject({
      name: 'okx',
      apiPassword: 'p',
    });
  });
});

describe.each([
  ['the right passphrase', (fake: FakeOkx) => fake.passphrase, 200],
  ['a wrong passphrase', () => 'wrong-passphrase-2468', 503],
])('readiness on OKX with %s', (_label, passphraseOf, status) => {
  let fake: FakeOkx;
  let t: TestApp;
  beforeAll(async () => {
    fake = await startFakeOkx({
      backend: new StubExchange(() => Date.now()),
      apiKey: 'ready-okx-key-1357',
      secret: 'ready-okx-secret-8642',
      passphrase: 'ready-okx-pass-9753',
    });
    t = await createTestApp({
      env: {
        WORKERS_ENABLED: 'false',
        EXCHANGE: 'okx',
        EXCHANGE_API_URL: fake.url,
        EXCHANGE_API_KEY: fake.apiKey,
        EXCHANGE_API_SECRET: fake.secret,
        EXCHANGE_API_PASSWORD: passphraseOf(fake),
        EXCHANGE_TIMEOUT_MS: '2000',
      },
    });
  }, 30_000);
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it(`answers ${status}`, async () => {
    await expectReadiness(t, status, 'okx', '.*50105', 'wrong-passphrase-2468');
    if (status === 200) expect(fake.stats.signedRequests).toBeGreaterThan(0);
  });
});
