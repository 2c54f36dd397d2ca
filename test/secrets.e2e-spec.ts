/**
 * Secrets never leave the process: the built service runs with known fake keys (BOTS_API_KEY, and exchange
 * keys for the local fake Bybit it trades on), every GET endpoint of /api/docs-json is called (export-config
 * included) with the right key, a wrong one and none, a bot is created and the service stopped so that every
 * data file is written; then every log line, response body and header, and every file in DATA_DIR is searched
 * for the key strings.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { SystemClock } from '../src/common/clock';
import { PaperExchange } from '../src/exchange/paper/paper-exchange';
import { startFakeBybit, type FakeBybit } from './fake-exchange/fake-bybit';
import { ensureBuilt, startService, type RunningService } from './support/built-service';
import { tempDataDir } from './support/test-app';

const BOTS_API_KEY = 'bk-secrets-e2e-API-KEY-5e3a91';
const EXCHANGE_KEY = 'xk-secrets-e2e-EXCHANGE-KEY-4b1d9e';
const EXCHANGE_SECRET = 'xs-secrets-e2e-EXCHANGE-SECRET-8c2f7a';
const SECRETS = [BOTS_API_KEY, EXCHANGE_KEY, EXCHANGE_SECRET];

interface Operation {
  method: string;
  path: string;
}

function operations(doc: { paths: Record<string, Record<string, unknown>> }): Operation[] {
  const ops: Operation[] = [];
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const method of Object.keys(item)) {
      if (['get', 'post', 'put', 'patch', 'delete'].includes(method)) {
        ops.push({ method: method.toUpperCase(), path: p });
      }
    }
  }
  return ops;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

/** Where each secret shows up (empty = nowhere). */
function leaks(haystacks: Array<{ where: string; text: string }>): string[] {
  const found: string[] = [];
  for (const { where, text } of haystacks) {
    for (const secret of SECRETS) {
      // Also a secret cut in half (a prefix long enough to be useful) or upper-cased.
      const needles = [secret, secret.slice(0, Math.ceil(secret.length / 2)), secret.toUpperCase()];
      if (needles.some((n) => text.includes(n))) found.push(`${secret.slice(0, 6)}… in ${where}`);
    }
  }
  return found;
}

describe('secrets never appear in logs, responses, exported configs or data files', () => {
  let backend: PaperExchange;
  let fake: FakeBybit;
  let service: RunningService;
  const dataDir = tempDataDir('bots-secrets-');
  const responses: Array<{ where: string; text: string }> = [];
  let exitCode: number | null = null;

  beforeAll(async () => {
    ensureBuilt();
    backend = new PaperExchange({ clock: new SystemClock(), seed: 7, symbolCount: 40 });
    await backend.init();
    fake = await startFakeBybit({ backend, apiKey: EXCHANGE_KEY, secret: EXCHANGE_SECRET });
    service = await startService({
      DATA_DIR: dataDir,
      LOG_LEVEL: 'verbose',
      EXCHANGE: 'bybit',
      EXCHANGE_API_URL: fake.url,
      EXCHANGE_API_KEY: EXCHANGE_KEY,
      EXCHANGE_API_SECRET: EXCHANGE_SECRET,
      BOTS_API_KEY,
    });
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && (await fetch(`${service.url}/health/ready`)).status !== 200) {
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 180_000);

  afterAll(async () => {
    if (exitCode === null) service?.process.kill('SIGKILL');
    await fake?.close();
    await backend?.close();
  });

  async function call(method: string, p: string, key: string | null, body?: unknown): Promise<number> {
    const headers: Record<string, string> = {};
    if (key !== null) headers['X-API-Key'] = key;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`${service.url}${p}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    });
    const text = await res.text();
    responses.push({
      where: `${method} ${p} (${key === BOTS_API_KEY ? 'key' : key === null ? 'no key' : 'wrong key'}) → ${res.status}`,
      text: `${JSON.stringify([...res.headers])}\n${text}`,
    });
    return res.status;
  }

  it('the service really uses the keys: signed requests reach the fake exchange, none refused', async () => {
    expect((await fetch(`${service.url}/health/ready`)).status).toBe(200);
    expect(fake.stats.count('/v5/market/instruments-info')).toBeGreaterThan(0);
    // A private (signed) endpoint: the balance behind account-info.
    expect(await call('GET', '/api/bots/account-info', BOTS_API_KEY)).toBe(200);
    expect(fake.stats.authFailures).toBe(0);
  });

  it('drives every GET endpoint of the docs with the key, without it and with a wrong one; creates a bot; exports the config', async () => {
    const doc = await (await fetch(`${service.url}/api/docs-json`)).json();
    const gets = operations(doc).filter((o) => o.method === 'GET');
    expect(gets.length).toBeGreaterThan(20);
    const symbol = (await backend.listMarkets()).find((m) => m.status === 'Trading')!.symbol;

    const created = await call('POST', '/api/bots/create', BOTS_API_KEY, { symbol, config: { status: 'paused' } });
    expect(created).toBeLessThan(300);

    const statuses: string[] = [];
    for (const op of gets) {
      const p = op.path.replace(/\{[^}]+\}/g, (param) => (/symbol|coin/i.test(param) ? symbol : '1'));
      const status = await call('GET', p, BOTS_API_KEY);
      statuses.push(`${status} ${p}`);
      await call('GET', p, null);
      await call('GET', p, `${BOTS_API_KEY.slice(0, -1)}0`);
    }
    // No GET is a server error, and the endpoints did answer (not all 401 or 404).
    expect(statuses.filter((s) => s.startsWith('5'))).toEqual([]);
    expect(statuses.filter((s) => s.startsWith('200')).length).toBeGreaterThan(gets.length / 2);

    const exported = await fetch(`${service.url}/api/bots/export-config`, { headers: { 'X-API-Key': BOTS_API_KEY } });
    expect(exported.status).toBe(200);
    const config = await exported.text();
    responses.push({ where: 'export-config', text: config });
    expect(JSON.parse(config)).toHaveProperty('config');
  }, 120_000);

  it('no key string in any log line, response, or file of DATA_DIR (after a SIGTERM save)', async () => {
    service.process.kill('SIGTERM');
    exitCode = await service.exited;
    expect(exitCode).toBe(0);

    const files = filesUnder(dataDir);
    expect(files.map((f) => path.basename(f))).toEqual(expect.arrayContaining(['bots_state.json']));
    const haystacks = [
      { where: 'service output', text: service.output() },
      ...responses,
      ...files.map((f) => ({ where: `data file ${path.relative(dataDir, f)}`, text: readFileSync(f, 'latin1') })),
    ];
    // The log really was verbose (the search covered something).
    expect(service.output().split('\n').length).toBeGreaterThan(50);
    expect(leaks(haystacks)).toEqual([]);
  });
});
