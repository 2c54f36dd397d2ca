/**
 * Bad input: every operation of /api/docs-json on the built service (its docs carry the DTO schemas) is fed
 * malformed JSON, wrong top-level types, wrong field types, missing fields, huge bodies, deep nesting,
 * prototype-pollution keys and odd symbols and query values (`../`, NUL, unicode, emoji, 10 kB strings).
 * Proves: no answer is a 5xx, every refusal is the JSON envelope, and a refused change leaves the user state
 * (bots, auto-bot, system and per-coin settings, history) exactly as it was.
 * The background workers are off so that the state only changes through the requests.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ensureBuilt } from './support/built-service';
import { http, readJson, spawnService, waitFor, type ServiceProcess } from './support/reliability';
import { tempDataDir } from './support/test-app';

const LONG = 'x'.repeat(10_240);
const ODD_STRINGS = [
  '../',
  '../../etc/passwd',
  '..\\..\\windows',
  '%00',
  'BTC\u0000',
  'БТЦ',
  '比特币',
  '😀🚀',
  LONG,
  ' ',
  '',
  'BTC USDT',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '${jndi:ldap://x}',
  '__proto__',
  '-1',
  '1e309',
  'NaN',
  'null',
];
const ODD_QUERY = [...ODD_STRINGS, '[]', '{}', '-999999999999', '0x10', 'true'];
const MALFORMED = [
  '{',
  '{"symbol":',
  '[1,2',
  'nul',
  '{"symbol":"BTC",}',
  '{"a":1}}',
  "{'symbol':'BTC'}",
  '\u0000',
  '"unterminated',
];
const WRONG_TOP = ['null', '[]', '"BTC"', '123', 'true', '[{"symbol":"BTC"}]'];
const DEEP = `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`;
const DEEP_ARRAY = `${'['.repeat(5000)}${']'.repeat(5000)}`;
const POLLUTION =
  '{"__proto__":{"polluted":true,"enabled":true},"constructor":{"prototype":{"polluted":true}},"symbol":"BTC"}';
const HUGE = JSON.stringify({ symbol: 'BTC', pad: 'y'.repeat(300_000) });

type Schema = {
  type?: string;
  $ref?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
  required?: string[];
  additionalProperties?: unknown;
  allOf?: Schema[];
};
interface Operation {
  method: string;
  path: string;
  params: Array<{ name: string; in: string; schema?: Schema }>;
  body?: Schema;
}

/** Values of the wrong type for a field of this schema. */
function wrongValues(schema: Schema | undefined, sample?: unknown): unknown[] {
  const type = schema?.type ?? (Array.isArray(sample) ? 'array' : sample === null ? 'null' : typeof sample);
  switch (type) {
    case 'number':
    case 'integer':
      return ['abc', '', 1e308, -1e308, 0.5, -1, true, [], {}, null, LONG];
    case 'boolean':
      return ['maybe', 2, -1, [], {}, LONG];
    case 'array':
      return ['BTC', {}, [null], [[[[]]]], [LONG], new Array(5000).fill('BTC'), 7];
    case 'object':
      return ['str', [], 123, { [LONG]: 1 }];
    default:
      return [123, true, [], { a: 1 }, null, ...ODD_STRINGS];
  }
}

describe('bad input: no 5xx, refused requests change nothing', () => {
  let service: ServiceProcess;
  let doc: { paths: Record<string, Record<string, any>>; components: { schemas: Record<string, Schema> } };
  const dataDir = tempDataDir('bots-badinput-');
  let symbol = 'BTC';

  beforeAll(async () => {
    ensureBuilt();
    service = await spawnService({
      DATA_DIR: dataDir,
      WORKERS_ENABLED: 'false',
      PAPER_SYMBOLS: '40',
      MUTATION_RATE_LIMIT: '1000000',
      LOG_LEVEL: 'error',
    });
    await waitFor(service, '/health/ready');
    doc = (await http(`${service.url}/api/docs-json`, 'GET')).body;
    // Coins, a paused bot and a per-coin setting: state for the refused requests to leave alone.
    expect((await http(`${service.url}/api/bots/refresh-rsi-all`, 'POST', {}, 60_000)).status).toBe(200);
    const coins = Object.values((await http(`${service.url}/api/bots/coins-with-rsi`, 'GET')).body.coins) as Array<{
      symbol: string;
      trading_status: string;
    }>;
    symbol = coins.find((c) => c.trading_status === 'Trading')!.symbol;
    expect(
      (
        await http(`${service.url}/api/bots/create`, 'POST', {
          symbol,
          config: { status: 'paused', volume_mode: 'usdt', volume_value: 10 },
          skip_maturity_check: true,
        })
      ).status,
    ).toBe(200);
    expect(
      (await http(`${service.url}/api/bots/individual-settings/${symbol}`, 'POST', { rsi_long_threshold: 27 })).status,
    ).toBe(200);
  }, 180_000);

  afterAll(async () => {
    service?.child.kill('SIGKILL');
    await service?.exited;
  });

  function resolve(schema: Schema | undefined): Schema | undefined {
    if (!schema) return undefined;
    if (schema.$ref) return resolve(doc.components.schemas[schema.$ref.split('/').pop()!]);
    if (schema.allOf?.length === 1) return resolve(schema.allOf[0]);
    return schema;
  }

  function operations(): Operation[] {
    const ops: Operation[] = [];
    for (const [p, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        ops.push({
          method: method.toUpperCase(),
          path: p,
          params: op.parameters ?? [],
          body: op.requestBody?.content?.['application/json']?.schema,
        });
      }
    }
    return ops;
  }

  /** User state: what a refused request must not touch (volatile caches and worker state left out). */
  async function snapshot(): Promise<string> {
    const files = ['auto_bot_config.json', 'system_config.json', 'individual_coin_settings.json'].map(
      (f) => readJson(dataDir, f) ?? null,
    );
    const state = readJson(dataDir, 'bots_state.json');
    const history = readJson(dataDir, 'bot_history.json');
    const api = await Promise.all(
      [
        '/api/bots/list',
        '/api/bots/auto-bot',
        '/api/bots/system-config',
        '/api/bots/timeframe',
        `/api/bots/individual-settings/${symbol}`,
        '/api/bots/history?limit=1000',
      ].map(async (p) => {
        const res = await http(`${service.url}${p}`, 'GET');
        const body = res.body && typeof res.body === 'object' ? { ...res.body } : res.body;
        if (body && typeof body === 'object') {
          for (const volatile of ['timestamp', 'last_update']) delete (body as Record<string, unknown>)[volatile];
        }
        if (Array.isArray(body?.bots)) {
          body.bots = body.bots.map((b: Record<string, unknown>) => [
            b.symbol,
            b.status,
            b.id,
            b.volume_value,
            b.leverage,
          ]);
        }
        return [res.status, body];
      }),
    );
    return createHash('sha256')
      .update(
        JSON.stringify([files, state?.bots ?? null, history?.trades ?? null, history?.history?.length ?? null, api]),
      )
      .digest('hex');
  }

  it('answers every malformed, mistyped, oversized or odd request without a 5xx and without side effects', async () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThan(60);
    const serverErrors: string[] = [];
    const notEnvelope: string[] = [];
    const sideEffects: string[] = [];
    const acceptedOdd: string[] = [];
    const counts = { requests: 0, refused: 0, accepted: 0 };
    const byStatus = new Map<number, number>();
    let before = await snapshot();
    const autoBotKeys = Object.entries(
      (await http(`${service.url}/api/bots/auto-bot`, 'GET')).body.config as Record<string, unknown>,
    );
    const systemKeys = Object.entries(
      (await http(`${service.url}/api/bots/system-config`, 'GET')).body.config as Record<string, unknown>,
    );

    const send = async (
      op: Operation,
      label: string,
      urlPath: string,
      body?: string,
      contentType = 'application/json',
    ) => {
      const mutating = op.method !== 'GET';
      const res = await http(
        `${service.url}${urlPath}`,
        op.method,
        body,
        30_000,
        body === undefined ? {} : { 'Content-Type': contentType },
      );
      counts.requests++;
      byStatus.set(res.status, (byStatus.get(res.status) ?? 0) + 1);
      const where = `${op.method} ${op.path} [${label}] → ${res.status}`;
      if (res.status >= 500 || res.status === 0) {
        serverErrors.push(`${where}: ${JSON.stringify(res.body).slice(0, 200)}`);
      }
      if (res.status >= 400 && !(res.body && res.body.success === false && typeof res.body.error === 'string')) {
        notEnvelope.push(`${where}: ${JSON.stringify(res.body).slice(0, 200)}`);
      }
      if (res.status >= 400) counts.refused++;
      else counts.accepted++;
      if (!mutating) return;
      const after = await snapshot();
      if (after === before) return;
      if (res.status >= 400) sideEffects.push(where);
      else acceptedOdd.push(where);
      before = after;
    };

    const pathWith = (op: Operation, value: string) => op.path.replace(/\{[^}]+\}/g, encodeURIComponent(value));
    const basePath = (op: Operation) => op.path.replace(/\{[^}]+\}/g, symbol);

    for (const op of ops) {
      const pathParams = op.params.filter((p) => p.in === 'path');
      const queryParams = op.params.filter((p) => p.in === 'query');
      // Odd path values (for a mutating route, with an otherwise harmless body).
      if (pathParams.length) {
        for (const value of ODD_STRINGS) {
          await send(
            op,
            `path ${JSON.stringify(value.slice(0, 20))}`,
            pathWith(op, value),
            op.method === 'GET' ? undefined : '{}',
          );
        }
      }
      // Odd query values, one parameter at a time, and a repeated parameter.
      for (const q of queryParams) {
        for (const value of ODD_QUERY) {
          await send(
            op,
            `query ${q.name}=${JSON.stringify(value.slice(0, 20))}`,
            `${basePath(op)}?${q.name}=${encodeURIComponent(value)}`,
            op.method === 'GET' ? undefined : '{}',
          );
        }
        await send(
          op,
          `query ${q.name} twice`,
          `${basePath(op)}?${q.name}=1&${q.name}=2`,
          op.method === 'GET' ? undefined : '{}',
        );
      }
      if (op.method === 'GET') continue;

      // Bodies that never reach a handler: they must be refused by the parser whatever the route.
      for (const raw of MALFORMED) await send(op, `malformed ${JSON.stringify(raw)}`, basePath(op), raw);
      await send(op, 'huge body', basePath(op), HUGE);
      await send(op, 'deep object', basePath(op), DEEP);
      await send(op, 'deep array', basePath(op), DEEP_ARRAY);
      const schema = resolve(op.body);
      if (!schema) continue; // no input: valid JSON would just run the action

      for (const raw of WRONG_TOP) await send(op, `top-level ${raw}`, basePath(op), raw);
      await send(op, 'empty object', basePath(op), '{}');
      await send(op, 'prototype pollution', basePath(op), POLLUTION);
      await send(op, 'text/plain JSON', basePath(op), `{"symbol":"${symbol}"}`, 'text/plain');
      await send(
        op,
        'form-encoded',
        basePath(op),
        `symbol=${symbol}&config[leverage]=abc`,
        'application/x-www-form-urlencoded',
      );

      // Wrong types field by field: the DTO's properties, or for free-form config bodies the keys the GET answers with.
      const fields: Array<[string, Schema | undefined, unknown]> = schema.properties
        ? Object.entries(schema.properties).map(([k, s]) => [k, resolve(s), undefined])
        : op.path === '/api/bots/system-config'
          ? systemKeys.map(([k, v]) => [k, undefined, v])
          : op.path.startsWith('/api/bots/individual-settings/{symbol}') ||
              op.path === '/api/bots/auto-bot' ||
              op.path === '/api/bots/config'
            ? autoBotKeys.map(([k, v]) => [k, undefined, v])
            : [
                ['autoBot', { type: 'object' }, undefined],
                ['system', { type: 'object' }, undefined],
                ['config', { type: 'object' }, undefined],
              ];
      const valid: Record<string, unknown> = schema.properties?.symbol ? { symbol } : {};
      for (const [key, fieldSchema, sample] of fields) {
        const wrong = wrongValues(fieldSchema, sample);
        // Free-form bodies have many keys: three wrong values each keep the run short.
        for (const value of schema.properties ? wrong : wrong.slice(0, 3)) {
          await send(
            op,
            `${key}=${JSON.stringify(value)?.slice(0, 24)}`,
            basePath(op),
            JSON.stringify({ ...valid, [key]: value }),
          );
        }
      }
    }

    const acceptedByOperation = Object.entries(
      acceptedOdd.reduce<Record<string, number>>((acc, w) => {
        const key = w.slice(0, w.indexOf(' ['));
        return { ...acc, [key]: (acc[key] ?? 0) + 1 };
      }, {}),
    );
    console.log(
      `bad input: ${counts.requests} requests to ${ops.length} operations; ${counts.refused} refused, ${counts.accepted} accepted; ` +
        `by status ${JSON.stringify(Object.fromEntries([...byStatus].sort((a, b) => a[0] - b[0])))}; ` +
        `accepted odd requests that changed state (free-text fields, unknown keys dropped): ${acceptedByOperation.map(([k, n]) => `${k} ×${n}`).join(', ') || 'none'}`,
    );
    expect({ serverErrors, notEnvelope, sideEffects }).toEqual({ serverErrors: [], notEnvelope: [], sideEffects: [] });
    // The service is still healthy and its files parse.
    expect((await http(`${service.url}/health/ready`, 'GET')).status).toBe(200);
    for (const file of ['bots_state.json', 'auto_bot_config.json', 'individual_coin_settings.json']) {
      expect(() => JSON.parse(readFileSync(path.join(dataDir, file), 'utf8'))).not.toThrow();
    }
  }, 300_000);
});
