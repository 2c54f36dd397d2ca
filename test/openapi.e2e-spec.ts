/**
 * The committed openapi.json is the HTTP contract under review: the document the built service serves must be
 * exactly the committed one (regenerate with `npm run openapi` after changing a controller or a response DTO),
 * and every operation must say what its success answer looks like.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { canonicalOpenApiJson } from '../src/openapi/openapi-document';
import { ensureBuilt, startService, type RunningService } from './support/built-service';
import { tempDataDir } from './support/test-app';

const COMMITTED_FILE = path.resolve(__dirname, '../openapi.json');
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const REGENERATE = 'openapi.json is out of date: run `npm run openapi` and commit the result';

interface Operation {
  operationId?: string;
  responses?: Record<string, { content?: Record<string, { schema?: Record<string, unknown> }> }>;
}
interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
}

let service: RunningService;
let servedText: string;
const committedText = readFileSync(COMMITTED_FILE, 'utf8');
const committed = JSON.parse(committedText) as OpenApiDoc;

beforeAll(async () => {
  ensureBuilt();
  service = await startService({ DATA_DIR: tempDataDir('bots-openapi-'), PAPER_SYMBOLS: '20', BOTS_API_KEY: 'openapi-e2e-key-5d1e' });
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
  const paths = [...new Set([...names(served.paths), ...names(stored.paths)])].filter((p) => differ(served.paths[p], stored.paths[p]));
  const schemas = [...new Set([...names(served.components?.schemas), ...names(stored.components?.schemas)])].filter((s) =>
    differ(served.components?.schemas?.[s], stored.components?.schemas?.[s]),
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
      .filter(({ op }) => !Object.entries(op.responses ?? {}).some(([code, r]) => /^2\d\d$/.test(code) && Object.values(r.content ?? {}).some((c) => c.schema)))
      .map(({ name }) => name);
    expect(missing).toEqual([]);
    const refs = [...committedText.matchAll(/"\$ref": "#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(0);
    expect([...new Set(refs)].filter((name) => !committed.components?.schemas?.[name])).toEqual([]);
  });

  it('describes the answers clients read with their real field names (spot checks)', () => {
    const schemas = committed.components!.schemas as Record<string, { properties?: Record<string, { type?: string; additionalProperties?: unknown }> }>;
    const responseSchema = (p: string, method: string) =>
      (committed.paths[p][method].responses!['200'].content!['application/json'].schema as { $ref: string }).$ref.split('/').pop()!;
    expect(responseSchema('/api/bots/coins-with-rsi', 'get')).toBe('CoinsWithRsiResponseDto');
    // Coins keyed by symbol and the coin's rsi<tf> / trend<tf> keys are dynamic.
    expect(schemas.CoinsWithRsiResponseDto.properties!.coins.additionalProperties).toEqual({ $ref: '#/components/schemas/CoinDto' });
    expect(Object.keys(schemas.BotListEntryDto.properties!)).toEqual(expect.arrayContaining(['work_time', 'bot_status', 'rsi_data', 'exchange_position']));
    expect(schemas.ActiveBotDto.properties!.position_side).toEqual(expect.objectContaining({ enum: ['Long', 'Short'] }));
    expect(Object.keys(schemas.AccountInfoResponseDto.properties!)).toEqual(
      expect.arrayContaining(['total_wallet_balance', 'total_available_balance', 'total_unrealized_pnl', 'active_positions', 'active_bots', 'insufficient_funds']),
    );
    expect(responseSchema('/api/status', 'get')).toBe('PingResponseDto');
    expect(schemas.PingResponseDto.properties!.success).toBeUndefined();
  });
});
