/**
 * Strangers steering the bots (docs/security.md): a page on a foreign origin, form and text bodies, junk coin keys,
 * and the headers of every answer. On the real HTTP stack (configureApp) and the paper exchange.
 */
import { statSync } from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import { SYMBOL_INPUT_MAX_LENGTH } from '../src/common/symbol';
import { INDIVIDUAL_SETTINGS_FILE } from '../src/config/individual-settings.service';
import { BotRegistry } from '../src/bots/registry/bot-registry.service';
import { ExchangeService } from '../src/exchange/exchange.service';
import { waitForCoins } from './support/bots';
import { createTestApp, type TestApp } from './support/test-app';

const UI = 'http://ui-host:5000';

/** Workers are off: one full load (the UI's button, JSON without body), then the coin table. */
async function loadCoins(t: TestApp) {
  await request(t.http).post('/api/bots/refresh-rsi-all').set('Content-Type', 'application/json').expect(200);
  return waitForCoins(t);
}
const FOREIGN = 'http://evil.example';

describe('cross-origin writes with CORS_ORIGINS set and no API key', () => {
  let t: TestApp;
  beforeAll(
    async () =>
      (t = await createTestApp({
        env: { CORS_ORIGINS: UI, BOTS_API_KEY: '', WORKERS_ENABLED: 'false', PAPER_SYMBOLS: '40' },
      })),
  );
  afterAll(() => t.close());

  const autoBotEnabled = async () => (await request(t.http).get('/api/bots/auto-bot').expect(200)).body.config.enabled;

  it('a plain HTML form from a foreign page changes nothing', async () => {
    expect(await autoBotEnabled()).toBe(false);
    const form = 'autoBot[enabled]=true&autoBot[max_concurrent]=42';
    const foreign = await request(t.http)
      .post('/api/bots/import-config')
      .set('Origin', FOREIGN)
      .type('form')
      .send(form);
    expect(foreign.status).toBe(403);
    expect(foreign.body).toEqual({
      success: false,
      error: expect.stringContaining('Origin http://evil.example is not allowed'),
    });
    // The same form from the listed origin, or with no Origin at all: JSON only, never "Invalid JSON".
    for (const origin of [UI, undefined]) {
      let req = request(t.http).post('/api/bots/import-config').type('form');
      if (origin) req = req.set('Origin', origin);
      const res = await req.send(form);
      expect(res.status).toBe(415);
      expect(res.body.error).toMatch(
        /^Unsupported Content-Type: application\/x-www-form-urlencoded\. Changes are accepted as JSON only/,
      );
    }
    const text = await request(t.http)
      .post('/api/bots/import-config')
      .set('Content-Type', 'text/plain')
      .send('{"autoBot":{"enabled":true}}');
    expect(text.status).toBe(415);
    // An empty form (no fields) posted at a query-string action is refused too.
    await request(t.http).post('/api/bots/stop?symbol=BTC').type('form').send('').expect(415);
    expect(await autoBotEnabled()).toBe(false);
  });

  it('JSON without Origin (app.py, curl, the protector) and from the listed origin works', async () => {
    const res = await request(t.http)
      .post('/api/bots/import-config')
      .send({ autoBot: { max_concurrent: 7 } })
      .expect(200);
    expect(res.body.success).toBe(true);
    await request(t.http).post('/api/bots/auto-bot').set('Origin', UI).send({ max_concurrent: 8 }).expect(200);
    expect((await request(t.http).get('/api/bots/auto-bot').expect(200)).body.config.max_concurrent).toBe(8);
    // Reads from a foreign page are refused as well; the UI's are not.
    await request(t.http).get('/api/bots/list').set('Origin', FOREIGN).expect(403);
    await request(t.http).get('/api/bots/list').set('Origin', UI).expect(200);
    // Swagger UI on the service's own origin.
    const host = 'bots.local:5001';
    await request(t.http)
      .post('/api/bots/auto-bot')
      .set('Host', host)
      .set('Origin', `http://${host}`)
      .send({ max_concurrent: 9 })
      .expect(200);
  });

  it('body-less POSTs the clients send keep working: no content type, or JSON with an empty body', async () => {
    const symbol = (await loadCoins(t))[0].symbol;
    // The proxy: POST without body and without content type (stop reads the symbol from the query string).
    const stop = await request(t.http).post(`/api/bots/stop?symbol=${symbol}`);
    expect([stop.status, stop.body.error]).toEqual([404, 'Bot not found']);
    const sync = await request(t.http).post('/api/bots/sync-positions').set('Content-Type', 'application/json');
    expect(sync.status).toBe(200);
  });
});

describe('answers that carry helmet headers, refusals and preflights included', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp({ env: { WORKERS_ENABLED: 'false' } })));
  afterAll(() => t.close());

  it('OPTIONS and 415 answers have the security headers and no X-Powered-By', async () => {
    const preflight = await request(t.http)
      .options('/api/bots/create')
      .set('Origin', UI)
      .set('Access-Control-Request-Method', 'POST');
    expect(preflight.status).toBe(204);
    const refused = await request(t.http).post('/api/bots/create').type('form').send('symbol=BTC');
    expect(refused.status).toBe(415);
    for (const res of [preflight, refused]) {
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('create without a symbol says that it is required', async () => {
    const res = await request(t.http).post('/api/bots/create').send({}).expect(400);
    expect(res.body).toMatchObject({ success: false, error: 'symbol is required' });
  });
});

describe('caller-chosen coin keys are bounded symbols', () => {
  let t: TestApp;
  let symbol: string;
  let other: string;
  beforeAll(async () => {
    t = await createTestApp({ env: { WORKERS_ENABLED: 'false', PAPER_SYMBOLS: '40' } });
    const coins = await loadCoins(t);
    [symbol, other] = [coins[0].symbol, coins[1].symbol];
    await request(t.http).post(`/api/bots/individual-settings/${symbol}`).send({ rsi_long_threshold: 27 }).expect(200);
  });
  afterAll(() => t.close());

  const fileSize = () => statSync(path.join(t.dataDir, INDIVIDUAL_SETTINGS_FILE)).size;

  it('junk copy-to-all targets are refused and nothing is stored', async () => {
    const before = fileSize();
    const junk = ['../../ETC/PASSWD', '<SCRIPT>', 'A\u0000B', 'X'.repeat(SYMBOL_INPUT_MAX_LENGTH + 1), 'ZZZZQQQQ'];
    for (const target of junk) {
      const res = await request(t.http)
        .post(`/api/bots/individual-settings/${symbol}/copy-to-all`)
        .send({ targets: [other, target] });
      expect([target, res.status, res.body.field ?? res.body.error]).toEqual([
        target,
        400,
        expect.stringMatching(/targets/),
      ]);
    }
    const many = Array.from({ length: 3000 }, () => other);
    expect(
      (await request(t.http).post(`/api/bots/individual-settings/${symbol}/copy-to-all`).send({ targets: many }))
        .status,
    ).toBe(400);
    expect(fileSize()).toBe(before);
    const settings = (await request(t.http).get(`/api/bots/individual-settings/${other}`)).status;
    expect(settings).toBe(404);
    // Real coins are copied.
    const ok = await request(t.http)
      .post(`/api/bots/individual-settings/${symbol}/copy-to-all`)
      .send({ targets: [other, `${other.toLowerCase()}usdt`] })
      .expect(200);
    expect(ok.body.copied_count).toBe(1);
  });

  it('actions on made-up symbols leave nothing behind (no per-symbol lock kept)', async () => {
    for (let i = 0; i < 300; i++) await request(t.http).post(`/api/bots/stop?symbol=NOBOT${i}`).expect(404);
    expect((t.app.get(BotRegistry) as unknown as { locks: Map<string, unknown> }).locks.size).toBe(0);
  });

  it('whitelist and blacklist entries are bounded symbols, at most 2000', async () => {
    const bad = await request(t.http)
      .post('/api/bots/auto-bot')
      .send({ whitelist: ['../../ETC/PASSWD'] });
    expect(bad.status).toBe(400);
    const long = await request(t.http)
      .post('/api/bots/auto-bot')
      .send({ blacklist: Array.from({ length: 2001 }, (_, i) => `C${i}`) });
    expect(long.status).toBe(400);
  });
});

describe('paper exchange: one source for the leverage limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { WORKERS_ENABLED: 'false', PAPER_SYMBOLS: '40' } });
    await loadCoins(t);
  });
  afterAll(() => t.close());

  it('the listed limit is what the account accepts; a create above it is a 400 naming leverage', async () => {
    const exchange = t.app.get(ExchangeService);
    const max = exchange.market('BTC')!.maxLeverage;
    // BTC's symbol allows 100x, the paper account 50x: the market list says 50.
    expect(max).toBe(50);
    await expect(exchange.setLeverage('BTC', max)).resolves.toBeUndefined();
    await expect(exchange.setLeverage('BTC', max + 1)).rejects.toThrow(/between 1 and 50/);
    const above = await request(t.http)
      .post('/api/bots/create')
      .send({ symbol: 'BTC', skip_maturity_check: true, config: { leverage: max + 1 } });
    expect(above.status).toBe(400);
    expect(above.body).toMatchObject({
      success: false,
      field: 'leverage',
      error: expect.stringMatching(/^config\.leverage: BTC allows at most 50x/),
    });
    expect((await request(t.http).get('/api/bots/list')).body.bots).toEqual([]);
    const at = await request(t.http)
      .post('/api/bots/create')
      .send({ symbol: 'BTC', skip_maturity_check: true, config: { leverage: max } });
    expect(at.status).toBe(200);
  });
});
