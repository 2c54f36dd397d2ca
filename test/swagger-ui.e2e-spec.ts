/**
 * The API docs as operators get them from the built service: every operation of /api/docs-json has a tag
 * and a summary, and Swagger UI really works in a headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core): the page renders under our CSP, lists every tag, and "Try it out" → Execute on
 * GET /api/bots/list answers 200 once the API key is entered through "Authorize".
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { ensureBuilt, startService, type RunningService } from './support/built-service';
import { tempDataDir } from './support/test-app';

const CHROMIUM = '/usr/bin/chromium';
const KEY = 'swagger-ui-e2e-key-61f0c2';
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

interface OpenApiOperation {
  tags?: string[];
  summary?: string;
  operationId?: string;
}
interface OpenApiDoc {
  tags?: Array<{ name: string }>;
  paths: Record<string, Record<string, OpenApiOperation>>;
}

let service: RunningService;
let doc: OpenApiDoc;

beforeAll(async () => {
  ensureBuilt();
  service = await startService({ DATA_DIR: tempDataDir('bots-swagger-'), BOTS_API_KEY: KEY, PAPER_SYMBOLS: '60' });
  doc = (await (await fetch(`${service.url}/api/docs-json`)).json()) as OpenApiDoc;
}, 180_000);

afterAll(async () => {
  service?.process.kill('SIGTERM');
  await service?.exited;
});

function operations(): Array<{ method: string; path: string; op: OpenApiOperation }> {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
  );
}

describe('API docs completeness', () => {
  it('every operation has a tag and a summary', () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThan(10);
    const missing = ops
      .filter(({ op }) => !op.tags?.length || !op.summary?.trim())
      .map(
        ({ method, path, op }) =>
          `${method} ${path} (${op.operationId ?? '?'}): ${!op.tags?.length ? 'no tag' : ''}${!op.tags?.length && !op.summary?.trim() ? ', ' : ''}${!op.summary?.trim() ? 'no summary' : ''}`,
      );
    expect(missing).toEqual([]);
  });

  it('documents the X-API-Key scheme for the Authorize button', () => {
    const schemes =
      (
        doc as unknown as {
          components?: { securitySchemes?: Record<string, { type: string; in: string; name: string }> };
        }
      ).components?.securitySchemes ?? {};
    expect(schemes['api-key']).toEqual(expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }));
    // Required everywhere but on health and docs, which answer without the key.
    expect((doc as unknown as { security?: unknown }).security).toEqual([{ 'api-key': [] }]);
    for (const path of ['/health', '/health/live', '/health/ready', '/api/status', '/api/bots/health']) {
      expect([path, (doc.paths[path]?.get as { security?: unknown } | undefined)?.security]).toEqual([path, []]);
    }
    expect((doc.paths['/api/bots/status'].get as { security?: unknown }).security).toBeUndefined();
  });
});

const describeBrowser = existsSync(CHROMIUM) ? describe : describe.skip;
if (!existsSync(CHROMIUM)) {
  // Visible in the test output, so a skipped browser check is not mistaken for a passed one.
  console.warn(`Swagger UI browser check SKIPPED: ${CHROMIUM} not found (apt-get install -y chromium)`);
}

describeBrowser('Swagger UI in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('renders, lists every tag, and Execute on GET /api/bots/list answers 200 with the key', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    // Nothing but the service itself is contacted (no CDN, no validator badge).
    const foreign: string[] = [];
    page.on('request', (req) => {
      if (!req.url().startsWith(service.url) && !req.url().startsWith('data:')) foreign.push(req.url());
    });

    await page.goto(`${service.url}/api/docs`, { waitUntil: 'load' });
    await page.locator('.swagger-ui .info .title').filter({ hasText: 'bots-service' }).waitFor({ timeout: 20_000 });

    const expectedTags = [...new Set(operations().flatMap(({ op }) => op.tags ?? []))].sort();
    expect(expectedTags.length).toBeGreaterThan(3);
    const shownTags = (
      await page
        .locator('.opblock-tag[data-tag]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-tag') ?? ''))
    ).sort();
    expect(shownTags).toEqual(expectedTags);

    const listPath = doc.paths['/api/bots/list']?.get ? '/api/bots/list' : '/api/bots/status';
    const block = page
      .locator('.opblock.opblock-get')
      .filter({ has: page.locator(`.opblock-summary-path[data-path="${listPath}"]`) })
      .first();
    await block.locator('.opblock-summary').first().click();
    await block.locator('button.try-out__btn').click();

    // Without the key the service refuses, and Swagger UI shows it.
    await block.locator('button.execute').click();
    await expect(
      block.locator('.live-responses-table .response .response-col_status').first().textContent({ timeout: 15_000 }),
    ).resolves.toContain('401');

    // Authorize with the key, then the same call succeeds.
    await page.locator('.auth-wrapper button.authorize').first().click();
    const dialog = page.locator('.dialog-ux .modal-ux');
    await dialog.locator('input[type="text"], input[type="password"]').first().fill(KEY);
    await dialog.locator('button.authorize').first().click();
    await dialog.locator('button.btn-done, button.close-modal').first().click();
    // Clearing the previous answer is cosmetic; some Swagger UI versions have no Clear button.
    await block
      .locator('button.btn-clear')
      .click()
      .catch(() => undefined);
    await block.locator('button.execute').click();
    const status = block.locator('.live-responses-table .response .response-col_status').first();
    await expect(status.filter({ hasText: '200' }).waitFor({ timeout: 15_000 })).resolves.toBeUndefined();
    const body = await block
      .locator(
        '.live-responses-table .response-col_description .microlight, .live-responses-table .response-col_description pre',
      )
      .first()
      .textContent();
    expect(body).toContain('"success": true');

    expect(problems.filter((p) => !/401 \(Unauthorized\)/.test(p))).toEqual([]);
    expect(foreign).toEqual([]);
    await page.close();
  }, 90_000);
});
