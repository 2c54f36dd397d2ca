/**
 * The committed openapi.json is the HTTP contract under review: the document the built service serves must be
 * exactly the committed one (regenerate with `npm run openapi` after changing a controller or a response DTO),
 * and every operation must say what its success answer looks like.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { canonicalOpenApiJson } from '../src/openapi/openapi-document';
import { ensureBuilt, startService, type RunningService } from './support/built-service';
import { schemaViolations, type Schema } from './support/schema-check';
import { tempDataDir } from './support/test-app';

const COMMITTED_FILE = path.resolve(__dirname, '../openapi.json');
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const KEY = 'openapi-e2e-key-5d1e';
const REGENERATE = 'openapi.json is out of date: run `npm run openapi` and commit the result';

interface Operation {
  operationId?: string;
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}
interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

let service: RunningService;
let servedText: string;
const committedText = readFileSync(COMMITTED_FILE, 'utf8');
const committed = JSON.parse(committedText) as OpenApiDoc;

beforeAll(async () => {
  ensureBuilt();
  service = await startService({ DATA_DIR: tempDataDir('bots-openapi-'), PAPER_SYMBOLS: '20', BOTS_API_KEY: KEY });
  servedText = canonicalOpenApiJson(await (await fetch(`${service.url}/api/docs-json`)).json());
}, 180_000);

afterAll(async () => {
  service?.process.kill('SIGTERM');
  await service?.exited;
});

/** Top-level path and schema names whose text differs, so the failure says where the contract changed. */
function changedParts(served: OpenApiDoc, stored: OpenApiDoc): string[] {
  const differ = (a: unknown, b: unknown) => JSON.stringify(a) !== JSON.stringify(b);
  const names = (x?: Record<string, unknown>) => Object.keys(x ?? {});
  const paths = [...new Set([...names(served.paths), ...names(stored.paths)])].filter((p) =>
    differ(served.paths[p], stored.paths[p]),
  );
  const schemas = [...new Set([...names(served.components?.schemas), ...names(stored.components?.schemas)])].filter(
    (s) => differ(served.components?.schemas?.[s], stored.components?.schemas?.[s]),
  );
  return [...paths.map((p) => `path ${p}`), ...schemas.map((s) => `schema ${s}`)];
}

function operations(doc: OpenApiDoc): Array<{ name: string; op: Operation }> {
  return Object.entries(doc.paths).flatMap(([p, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({ name: `${method.toUpperCase()} ${p}`, op })),
  );
}

describe('committed OpenAPI document', () => {
  it('is what the built service serves (sorted keys, no host-specific values)', () => {
    if (servedText !== committedText) {
      const parts = changedParts(JSON.parse(servedText) as OpenApiDoc, committed);
      throw new Error(`${REGENERATE}. Changed: ${parts.slice(0, 20).join('; ') || 'formatting only'}`);
    }
    expect(servedText).toBe(committedText);
  });

  it('gives every operation a 2xx response with a schema, and every $ref resolves', () => {
    const ops = operations(committed);
    expect(ops.length).toBeGreaterThanOrEqual(80);
    const missing = ops
      .filter(
        ({ op }) =>
          !Object.entries(op.responses ?? {}).some(
            ([code, r]) => /^2\d\d$/.test(code) && Object.values(r.content ?? {}).some((c) => c.schema),
          ),
      )
      .map(({ name }) => name);
    expect(missing).toEqual([]);
    const refs = [...committedText.matchAll(/"\$ref": "#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(0);
    expect([...new Set(refs)].filter((name) => !committed.components?.schemas?.[name])).toEqual([]);
  });

  it('describes the answers clients read with their real field names (spot checks)', () => {
    const schemas = committed.components!.schemas as Record<
      string,
      { properties?: Record<string, { type?: string; additionalProperties?: unknown }> }
    >;
    const responseSchema = (p: string, method: string) =>
      (committed.paths[p][method].responses!['200'].content!['application/json'].schema as { $ref: string }).$ref
        .split('/')
        .pop()!;
    expect(responseSchema('/api/bots/coins-with-rsi', 'get')).toBe('CoinsWithRsiResponseDto');
    // Coins keyed by symbol and the coin's rsi<tf> / trend<tf> keys are dynamic.
    expect(schemas.CoinsWithRsiResponseDto.properties!.coins.additionalProperties).toEqual({
      $ref: '#/components/schemas/CoinDto',
    });
    expect(Object.keys(schemas.BotListEntryDto.properties!)).toEqual(
      expect.arrayContaining(['work_time', 'bot_status', 'rsi_data', 'exchange_position']),
    );
    expect(schemas.ActiveBotDto.properties!.position_side).toEqual(
      expect.objectContaining({ enum: ['Long', 'Short'] }),
    );
    expect(Object.keys(schemas.AccountInfoResponseDto.properties!)).toEqual(
      expect.arrayContaining([
        'total_wallet_balance',
        'total_available_balance',
        'total_unrealized_pnl',
        'active_positions',
        'active_bots',
        'insufficient_funds',
      ]),
    );
    expect(responseSchema('/api/status', 'get')).toBe('PingResponseDto');
    expect(schemas.PingResponseDto.properties!.success).toBeUndefined();
  });
});

/** One request against the running service; the answer is checked against the operation's 200 schema. */
async function call(
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const headers: Record<string, string> = { 'X-API-Key': KEY };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${service.url}${url}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

/** The documented path template an URL belongs to, e.g. /api/bots/status/{symbol}. */
function templateOf(url: string): string {
  const bare = url.split('?')[0];
  const match = Object.keys(committed.paths).find((template) =>
    new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(bare),
  );
  if (!match) throw new Error(`${bare} is not in openapi.json`);
  return match;
}

async function answerViolations(
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  body?: unknown,
  expected = 200,
): Promise<string[]> {
  const { status, json } = await call(method, url, body);
  if (status !== expected) return [`${method} ${url}: HTTP ${status} ${JSON.stringify(json).slice(0, 200)}`];
  // A success is checked against the operation's 200 schema, an error against its `default` (the error envelope).
  const responses = committed.paths[templateOf(url)][method.toLowerCase()].responses!;
  const schema = responses[expected === 200 ? '200' : 'default'].content!['application/json'].schema!;
  return schemaViolations(committed.components!.schemas!, schema, json).map((v) => `${method} ${url} ${v}`);
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('answers of the running service match their documented schemas', () => {
  let symbol: string;

  beforeAll(async () => {
    const coins = await until(
      async () =>
        (await call('GET', '/api/bots/coins-with-rsi')).json as {
          total: number;
          coins: Record<string, { rsi: number | null }>;
        },
      (c) => c.total > 0 && Object.values(c.coins).some((coin) => coin.rsi !== null),
    );
    symbol = Object.keys(coins.coins).sort()[0];
    const created = await call('POST', '/api/bots/create', {
      symbol,
      signal: 'ENTER_LONG',
      skip_maturity_check: true,
      force_manual_entry: true,
      config: { volume_mode: 'usdt', volume_value: 20, leverage: 5 },
    });
    expect(created.status).toBe(200);
    await until(
      async () => (await call('GET', '/api/bots/active-detailed')).json as { total: number },
      (a) => a.total > 0,
    );
  }, 120_000);

  it('read endpoints, with a bot in a position', async () => {
    const urls = [
      '/api/status',
      '/health',
      '/health/live',
      '/health/ready',
      '/api/bots/health',
      '/api/bots/status',
      '/api/bots/pairs',
      '/api/bots/async-status',
      '/api/bots/smart-rsi-status',
      '/api/bots/list',
      '/api/bots/active-detailed',
      '/api/bots/coins-with-rsi',
      `/api/bots/status/${symbol}`,
      `/api/bots/rsi-history/${symbol}`,
      `/api/bots/candles/${symbol}?period=2`,
      '/api/bots/account-info',
      `/api/bots/exchange-info?symbol=${symbol}`,
      '/api/bots/auto-bot',
      '/api/bots/default-config',
      '/api/bots/system-config',
      '/api/bots/config',
      '/api/bots/export-config',
      '/api/bots/timeframe',
      '/api/bots/mature-coins-list',
      '/api/bots/mature-coins',
      `/api/bots/test-exit-scam/${symbol}`,
      `/api/bots/test-rsi-time-filter/${symbol}`,
      '/api/bots/delisted-coins',
      '/api/bots/process-state',
      '/api/bots/debug-init',
      '/api/bots/history?limit=50',
      '/api/bots/sync-positions',
    ];
    const violations: string[] = [];
    for (const url of urls) violations.push(...(await answerViolations('GET', url)));
    expect(violations).toEqual([]);
  });

  it('commands, then the trade they leave in history', async () => {
    const violations: string[] = [];
    const steps: Array<['GET' | 'POST' | 'DELETE', string, unknown?]> = [
      ['POST', '/api/bots/sync-positions'],
      ['POST', '/api/bots/manual-positions/refresh'],
      ['POST', '/api/bots/process-trading-signals'],
      ['POST', '/api/bots/auto-bot', { max_concurrent: 4 }],
      ['POST', '/api/bots/system-config', { position_sync_interval: 3 }],
      ['POST', `/api/bots/individual-settings/${symbol}`, { rsi_long_threshold: 27 }],
      ['GET', `/api/bots/individual-settings/${symbol}`],
      ['POST', '/api/bots/auto-bot/test-signals'],
      ['POST', '/api/bots/control', { action: 'pause', symbol }],
      ['POST', '/api/bots/start', { symbol }],
      ['POST', '/api/bots/stop', { symbol }],
      ['POST', '/api/bots/resume', { symbol }],
      ['POST', '/api/bots/pause', { symbol }],
      ['POST', '/api/bots/config', { max_concurrent: 5 }],
      ['GET', `/api/bots/test-anti-pump/${symbol}`],
      ['POST', '/api/bots/close-position', { symbol }],
      ['POST', '/api/bots/history/demo'],
      ['GET', '/api/bots/trades?limit=20'],
      ['GET', '/api/bots/statistics'],
      ['GET', '/api/bots/stops'],
      ['GET', '/api/bots/analytics'],
      ['GET', '/api/bots/analytics/rsi-audit'],
      ['GET', '/api/bots/history?limit=20'],
      ['DELETE', `/api/bots/individual-settings/${symbol}`],
      ['POST', '/api/bots/delete', { symbol }],
      ['POST', '/api/bots/create', { symbol, signal: 'WAIT', skip_maturity_check: true }],
      ['POST', '/api/bots/delete', { symbol }],
      ['POST', '/api/bots/history/clear', { symbol }],
    ];
    for (const [method, url, body] of steps) violations.push(...(await answerViolations(method, url, body)));
    expect(violations).toEqual([]);
  });

  it('settings, maturity, market-data and maintenance commands', async () => {
    const steps: Array<['GET' | 'POST' | 'DELETE', string, unknown?]> = [
      ['POST', `/api/bots/individual-settings/${symbol}`, { max_loss_percent: 10 }],
      ['POST', `/api/bots/individual-settings/${symbol}/copy-to-all`, { targets: [] }],
      ['POST', `/api/bots/individual-settings/${symbol}/learn-exit-scam`, { aggressiveness: 'normal' }],
      ['POST', '/api/bots/individual-settings/learn-exit-scam-all', { aggressiveness: 'conservative' }],
      ['POST', '/api/bots/individual-settings/reset-exit-scam-all', {}],
      ['DELETE', '/api/bots/individual-settings/reset-all'],
      ['POST', '/api/bots/auto-bot/restore-defaults'],
      ['POST', '/api/bots/import-config', { config: { autoBot: { max_concurrent: 3 } } }],
      ['POST', '/api/bots/mature-coins/reload'],
      ['POST', '/api/bots/remove-mature-coins', { coins: [symbol, 'NOPE'] }],
      ['POST', '/api/bots/activate-trading-rules'],
      ['POST', '/api/bots/mature-coins/clear'],
      ['POST', `/api/bots/refresh-rsi/${symbol}`],
      ['POST', '/api/bots/reset-update-flag'],
      ['POST', '/api/bots/delisted-coins/force-scan'],
      ['POST', '/api/bots/cleanup-inactive'],
      ['POST', '/api/bots/test-stop', { symbol }],
      ['POST', '/api/bots/async-control', { action: 'restart' }],
      ['POST', '/api/bots/reload-modules'],
      ['POST', '/api/system/reload-modules', {}],
      ['POST', '/api/bots/restart-service'],
      ['POST', '/api/bots/refresh-rsi-all'],
      ['POST', '/api/bots/timeframe', { timeframe: '1h' }],
      ['POST', '/api/bots/force-rsi-update'],
    ];
    const violations: string[] = [];
    for (const [method, url, body] of steps) violations.push(...(await answerViolations(method, url, body)));
    expect(violations).toEqual([]);
  });

  it('errors, in the documented error envelope', async () => {
    const violations = [
      ...(await answerViolations('GET', '/api/bots/status/NOPE', undefined, 404)),
      ...(await answerViolations('POST', '/api/bots/start', {}, 400)),
      ...(await answerViolations('POST', '/api/bots/timeframe', { timeframe: '7m' }, 400)),
      ...(await answerViolations('POST', '/api/bots/close-position', { symbol }, 404)),
      ...(await answerViolations('GET', `/api/bots/individual-settings/${symbol}`, undefined, 404)),
      ...(await answerViolations('DELETE', '/api/bots/mature-coins/NOPE', undefined, 404)),
    ];
    expect(violations).toEqual([]);
  });
});
