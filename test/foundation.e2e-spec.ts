import request from 'supertest';
import { ManualClock } from '../src/common/clock';
import { createTestApp, type TestApp } from './support/test-app';
import { StubExchange } from './support/stub-exchange';

describe('HTTP foundation (status, docs, envelope, CORS, validation)', () => {
  let t: TestApp;
  beforeAll(async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 3));
    t = await createTestApp({ clock, adapter: new StubExchange(() => clock.now()), env: { WORKERS_ENABLED: 'false' } });
  });
  afterAll(() => t.close());

  it('GET /api/status answers the liveness ping without a success field', async () => {
    const res = await request(t.http).get('/api/status').expect(200);
    expect(res.body).toMatchObject({ status: 'online', service: 'bots', test: 'simple_endpoint' });
    expect(res.body.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    expect(res.body).not.toHaveProperty('success');
  });

  it('GET /health answers status ok for the app.py proxy', async () => {
    const res = await request(t.http).get('/health').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', service: 'bots', exchange_connected: true });
    expect(typeof res.body.coins_loaded).toBe('number');
    expect(typeof res.body.bots_active).toBe('number');
  });

  it('GET /api/bots/health reports components', async () => {
    const res = await request(t.http).get('/api/bots/health').expect(200);
    expect(res.body).toMatchObject({ status: 'healthy', service: 'bots', components: { exchange: true } });
    expect(res.body.uptime).toBeGreaterThanOrEqual(0);
    expect(typeof res.body.components.coins_loaded).toBe('boolean');
    expect(typeof res.body.components.bots_active).toBe('number');
  });

  it('GET /api/bots/status has the contract fields', async () => {
    const res = await request(t.http).get('/api/bots/status').expect(200);
    for (const key of [
      'status',
      'service',
      'timestamp',
      'last_update',
      'update_in_progress',
      'coins_loaded',
      'total_coins',
      'successful_coins',
      'failed_coins',
    ]) {
      expect(res.body).toHaveProperty(key);
    }
    expect(res.body.bots).toEqual({ total: expect.any(Number), active: expect.any(Number) });
  });

  it('serves valid OpenAPI 3 at /api/docs-json and Swagger UI at /api/docs', async () => {
    const doc = (await request(t.http).get('/api/docs-json').expect(200)).body;
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.title).toBe('bots-service');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/status', '/health', '/api/bots/health', '/api/bots/status']),
    );
    const ui = await request(t.http).get('/api/docs/').expect(200);
    expect(ui.text).toContain('swagger-ui');
  });

  it('an unknown route is a JSON 404 in the envelope', async () => {
    const res = await request(t.http).get('/api/nope').expect(404);
    expect(res.body).toEqual({ success: false, error: 'Endpoint not found' });
  });

  it('a wrong method is a JSON 405 naming the allowed one', async () => {
    const res = await request(t.http).delete('/api/bots/health').expect(405);
    expect(res.body).toEqual({ success: false, error: expect.stringContaining('use GET') });
    expect(res.headers.allow).toContain('GET');
  });

  it('malformed JSON is a 400 naming the problem, never a 500', async () => {
    const res = await request(t.http).post('/api/bots/status').set('Content-Type', 'application/json').send('{"a":');
    expect(res.status).toBe(400);
    expect(res.body.success).toBe(false);
    expect(res.body.error).toMatch(/Invalid JSON/);
  });

  it('a huge body is refused with 413 in the envelope', async () => {
    const res = await request(t.http)
      .post('/api/bots/status')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ x: 'y'.repeat(2_000_000) }));
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ success: false, error: 'Request body too large' });
  });

  it('answers CORS preflight for JSON POST and DELETE from another origin', async () => {
    for (const method of ['POST', 'DELETE']) {
      const res = await request(t.http)
        .options('/api/bots/status')
        .set('Origin', 'http://192.0.2.1:5000')
        .set('Access-Control-Request-Method', method)
        .set('Access-Control-Request-Headers', 'content-type');
      expect(res.status).toBeLessThan(300);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['access-control-allow-methods']).toContain(method);
      expect(res.headers['access-control-allow-headers'].toLowerCase()).toContain('content-type');
    }
    const res = await request(t.http).get('/api/status').set('Origin', 'http://192.0.2.1:5000');
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });
});
