/**
 * Security settings on the real HTTP stack: the optional API key (BOTS_API_KEY), CORS origins, helmet headers
 * and the per-client budget of mutating requests (MUTATION_RATE_LIMIT).
 */
import { Body, Controller, Delete, Get, INestApplication, Module, Post, Put } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { configureApp } from '../src/bootstrap';
import { ManualClock } from '../src/common/clock';
import { appConfig } from '../src/config/app.config';
import { SecurityModule } from '../src/security/security.module';
import { StubExchange } from './support/stub-exchange';
import { createTestApp, type TestApp } from './support/test-app';

const KEY = 'test-bots-key-5f2c9a71';
const PUBLIC = ['/health', '/health/live', '/health/ready', '/api/status', '/api/bots/health', '/api/docs-json'];

function stubbed(env: Record<string, string>): Promise<TestApp> {
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 3));
  return createTestApp({
    clock,
    adapter: new StubExchange(() => clock.now()),
    env: { WORKERS_ENABLED: 'false', ...env },
  });
}

describe('API key off (default): open like the original service', () => {
  let t: TestApp;
  beforeAll(async () => (t = await stubbed({ BOTS_API_KEY: '' })));
  afterAll(() => t.close());

  it('serves every endpoint without a key', async () => {
    await request(t.http).get('/api/bots/status').expect(200);
    await request(t.http).get('/metrics').expect(200);
    // A key sent anyway is ignored.
    await request(t.http).get('/api/bots/status').set('X-API-Key', 'whatever').expect(200);
  });
});

describe('API key on (BOTS_API_KEY set)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await stubbed({ BOTS_API_KEY: KEY })));
  afterAll(() => t.close());

  it('health and docs stay open', async () => {
    for (const path of PUBLIC) {
      const res = await request(t.http).get(path);
      expect([path, res.status]).toEqual([path, 200]);
    }
    await request(t.http).get('/api/docs/').expect(200);
    // Express matches case-insensitively and with a trailing slash; so does the public list.
    await request(t.http).get('/HEALTH/').expect(200);
  });

  it('everything else needs the key: 401 in the envelope without it or with a wrong one', async () => {
    for (const path of ['/api/bots/status', '/metrics']) {
      const missing = await request(t.http).get(path).expect(401);
      expect(missing.body).toEqual({ success: false, error: 'Missing X-API-Key header' });
      const wrong = await request(t.http).get(path).set('X-API-Key', `${KEY}x`).expect(401);
      expect(wrong.body).toEqual({ success: false, error: 'Invalid API key' });
      await request(t.http).get(path).set('X-API-Key', KEY.slice(0, -1)).expect(401);
      await request(t.http).get(path).set('X-API-Key', '').expect(401);
      await request(t.http).get(path).set('x-api-key', KEY).expect(200);
    }
  });

  it('never echoes the key, right or wrong', async () => {
    const right = await request(t.http).get('/api/bots/status').set('X-API-Key', KEY);
    const wrong = await request(t.http).get('/api/bots/status').set('X-API-Key', 'guess-123456');
    expect(JSON.stringify(right.body) + JSON.stringify(right.headers)).not.toContain(KEY);
    expect(JSON.stringify(wrong.body)).not.toContain('guess-123456');
  });

  it('CORS preflight passes without a key (browsers never send custom headers on OPTIONS)', async () => {
    const res = await request(t.http)
      .options('/api/bots/status')
      .set('Origin', 'http://192.0.2.1:5000')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type,x-api-key');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-headers'].toLowerCase()).toContain('x-api-key');
  });

  it('unknown routes and wrong methods keep their 404/405 answers', async () => {
    await request(t.http).get('/api/nope').expect(404);
    await request(t.http).delete('/api/bots/health').expect(405);
  });
});

describe('CORS origins (CORS_ORIGINS)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await stubbed({ CORS_ORIGINS: 'http://UI.local:5000/, http://10.0.0.5:5000' })));
  afterAll(() => t.close());

  it('allows only the listed origins', async () => {
    const allowed = await request(t.http).get('/api/status').set('Origin', 'http://10.0.0.5:5000');
    expect(allowed.headers['access-control-allow-origin']).toBe('http://10.0.0.5:5000');
    const other = await request(t.http).get('/api/status').set('Origin', 'http://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('an entry written with capitals or a trailing slash matches what the browser sends', async () => {
    const res = await request(t.http).get('/api/status').set('Origin', 'http://ui.local:5000').expect(200);
    expect(res.headers['access-control-allow-origin']).toBe('http://ui.local:5000');
  });
});

describe('security headers (helmet)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await stubbed({})));
  afterAll(() => t.close());

  it('API answers carry a CSP that allows nothing, nosniff, and no HSTS or https upgrade', async () => {
    const res = await request(t.http).get('/api/bots/status').expect(200);
    expect(res.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    // The web UI on another origin reads this API.
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(res.headers['strict-transport-security']).toBeUndefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('Swagger UI gets a CSP that lets it run over plain http', async () => {
    const res = await request(t.http).get('/api/docs/').expect(200);
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self' 'unsafe-inline'");
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toContain("img-src 'self' data:");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    const asset = await request(t.http).get('/api/docs/swagger-ui-init.js').expect(200);
    expect(asset.headers['content-security-policy']).toBe(csp);
  });
});

// The mutation budget is a property of the guard, whatever the endpoints: a small app of probe endpoints
// (the app's own POST endpoints belong to other modules) with the real SecurityModule and HTTP stack.
@Controller('probe')
class ProbeController {
  private count = 0;
  @Get()
  read() {
    return { success: true, count: this.count };
  }
  @Post()
  create(@Body() _body: unknown) {
    return { success: true, count: ++this.count };
  }
  @Put()
  replace() {
    return { success: true, count: ++this.count };
  }
  @Delete()
  remove() {
    return { success: true, count: ++this.count };
  }
}

@Module({
  imports: [ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [appConfig] }), SecurityModule],
  controllers: [ProbeController],
})
class ProbeModule {}

async function probeApp(env: Record<string, string>): Promise<{ app: INestApplication; close: () => Promise<void> }> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  const moduleRef = await Test.createTestingModule({ imports: [ProbeModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error'] });
  configureApp(app);
  await app.init();
  return {
    app,
    close: async () => {
      await app.close();
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    },
  };
}

describe('JSON nesting limit', () => {
  it('a body nested deeper than 32 levels is a 400 in the envelope, not a stack overflow; normal nesting passes', async () => {
    const { app, close } = await probeApp({ BOTS_API_KEY: '' });
    try {
      const http = app.getHttpServer();
      const deep = await request(http)
        .post('/probe')
        .set('Content-Type', 'application/json')
        .send(`${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`);
      expect(deep.status).toBe(400);
      expect(deep.body).toEqual({ success: false, error: 'Invalid JSON: JSON nested deeper than 32 levels' });
      await request(http)
        .post('/probe')
        .send({ config: { autoBot: { whitelist: ['BTC'] }, system: {} } })
        .expect(201);
    } finally {
      await close();
    }
  });
});

describe('rate limit of mutating requests (MUTATION_RATE_LIMIT per minute per client)', () => {
  it('throttles POST/PUT/DELETE after the limit, in the envelope, one budget across endpoints; reads never', async () => {
    const { app, close } = await probeApp({ MUTATION_RATE_LIMIT: '3', BOTS_API_KEY: '' });
    try {
      const http = app.getHttpServer();
      await request(http).post('/probe').send({}).expect(201);
      await request(http).put('/probe').expect(200);
      await request(http).delete('/probe').expect(200);
      const limited = await request(http).post('/probe').send({});
      expect(limited.status).toBe(429);
      expect(limited.body).toEqual({
        success: false,
        error: 'Too many changes: at most 3 POST/PUT/PATCH/DELETE requests per minute; try again shortly',
      });
      expect(Number(limited.headers['retry-after-mutations'])).toBeGreaterThan(0);
      await request(http).delete('/probe').expect(429);
      // The refused requests did nothing; reads go on unthrottled.
      for (let i = 0; i < 50; i++) {
        const res = await request(http).get('/probe').expect(200);
        expect(res.body.count).toBe(3);
      }
    } finally {
      await close();
    }
  });

  it('checks the key first: callers without it get 401 and use up no budget', async () => {
    const { app, close } = await probeApp({ MUTATION_RATE_LIMIT: '2', BOTS_API_KEY: KEY });
    try {
      const http = app.getHttpServer();
      for (let i = 0; i < 5; i++) await request(http).post('/probe').send({}).expect(401);
      await request(http).post('/probe').set('X-API-Key', KEY).send({}).expect(201);
      await request(http).post('/probe').set('X-API-Key', KEY).send({}).expect(201);
      await request(http).post('/probe').set('X-API-Key', KEY).send({}).expect(429);
    } finally {
      await close();
    }
  });

  it('defaults to 600 per minute', async () => {
    const { app, close } = await probeApp({ BOTS_API_KEY: '' });
    try {
      const res = await request(app.getHttpServer()).post('/probe').send({}).expect(201);
      expect(res.headers['x-ratelimit-limit-mutations']).toBe('600');
      expect(res.headers['x-ratelimit-remaining-mutations']).toBe('599');
    } finally {
      await close();
    }
  });
});
