/**
 * The backtest report page in a real browser (Debian's /usr/bin/chromium, driven by playwright-core, as the
 * Swagger UI check does): a synthetic result of 3 coins, 40 trades and 1 000 equity points, served with the page's
 * own CSP header by a tiny local server. The page renders, the equity chart holds every equity point, clicking a
 * trade shows its candles with entry/exit markers, nothing is logged as an error and nothing is fetched but the page.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { BacktestResult } from '../src/backtest/result/backtest-result';
import { renderReportPage } from '../src/backtest/report/render-report';
import { syntheticBacktestResult } from './support/backtest-fixtures';

const CHROMIUM = '/usr/bin/chromium';
const HOSTILE = '</script><script>window.__pwned=1</script>';

interface ReportHandle {
  __report: {
    equitySeries: { data(): unknown[] };
    balanceSeries: { data(): unknown[] };
    benchmarkSeries: { data(): unknown[] };
    drawdownSeries: { data(): unknown[] };
    tradeSeries: { data(): unknown[] } | null;
    tradeMarkers: { markers(): Array<{ time: number; shape: string; position: string; text: string }> } | null;
    selectedTrade(): number;
  };
  __pwned?: number;
}

const describeBrowser = existsSync(CHROMIUM) ? describe : describe.skip;
if (!existsSync(CHROMIUM)) {
  // Visible in the test output, so a skipped browser check is not mistaken for a passed one.
  console.warn(`Backtest report browser check SKIPPED: ${CHROMIUM} not found (apt-get install -y chromium)`);
}

describeBrowser('backtest report in headless Chromium', () => {
  let browser: Browser;
  let server: Server;
  let base = '';
  const pages = new Map<string, { html: string; csp: string }>();
  const result = syntheticBacktestResult({ symbols: ['BTC', 'ETH', 'SOL'], trades: 40, points: 1000 });

  function publish(path: string, r: BacktestResult) {
    const page = renderReportPage(r);
    pages.set(path, { html: page.html, csp: `${page.contentSecurityPolicy}; frame-ancestors 'none'` });
  }

  // Two locks as the engine reports them (src/backtest/result/assemble-result.ts): a coin's cooldown, an account lock.
  const T = Date.UTC(2026, 0, 2, 6);
  result.protection_locks = [
    {
      id: `cooldown-ETH-${T}-1`,
      rule: 'cooldown',
      symbol: 'ETH',
      scope: 'coin',
      reason: 'cooldown: ETH closed a position 240 min ago (cooldown 1440 min)',
      locked_at_ms: T,
      until_ms: T + 20 * 3_600_000,
    },
    {
      id: `max_drawdown-all-${T}-2`,
      rule: 'max_drawdown',
      symbol: null,
      scope: 'account',
      reason: HOSTILE,
      locked_at_ms: T + 6 * 3_600_000,
      until_ms: T + 30 * 3_600_000,
    },
  ];

  beforeAll(async () => {
    publish('/report.html', result);
    const evil = syntheticBacktestResult({ trades: 6, points: 100 });
    evil.trades[0].symbol = HOSTILE;
    evil.parameters.symbols = [HOSTILE];
    // The second trade has no stored candles: its row opens the panel with a note instead of a chart.
    evil.price_paths = evil.price_paths!.filter((p) => p.trade_id !== evil.trades[1].id);
    publish('/hostile.html', evil);
    server = createServer((req, res) => {
      const page = pages.get(req.url ?? '');
      if (!page) {
        res.writeHead(404).end();
        return;
      }
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': page.csp })
        .end(page.html);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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
    await new Promise((resolve) => server?.close(resolve));
  });

  async function open(path: string): Promise<{ page: Page; problems: string[]; foreign: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    const problems: string[] = [];
    const foreign: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') {
        problems.push(`console ${message.type()}: ${message.text()}`);
      }
    });
    page.on('dialog', (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      dialog.dismiss().catch(() => undefined);
    });
    page.on('request', (req) => {
      if (req.url() !== `${base}${path}`) foreign.push(req.url());
    });
    await page.goto(`${base}${path}`, { waitUntil: 'load' });
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 20_000 });
    return { page, problems, foreign };
  }

  it('renders the charts with every equity point, the tables, and a trade chart on click', async () => {
    const { page, problems, foreign } = await open('/report.html');

    await expect(page.locator('h1').textContent()).resolves.toContain('Backtest synthetic-1');
    const counts = await page.evaluate(() => {
      const r = (window as unknown as ReportHandle).__report;
      return {
        equity: r.equitySeries.data().length,
        balance: r.balanceSeries.data().length,
        benchmark: r.benchmarkSeries.data().length,
        drawdown: r.drawdownSeries.data().length,
      };
    });
    expect(counts).toEqual({ equity: 1000, balance: 1000, benchmark: 1000, drawdown: 1000 });
    // The charts drew something: lightweight-charts paints into canvases inside each container.
    expect(await page.locator('#equity-chart canvas').count()).toBeGreaterThan(0);
    expect(await page.locator('#drawdown-chart canvas').count()).toBeGreaterThan(0);

    await expect(page.locator('#trades tbody tr').count()).resolves.toBe(40);
    await expect(page.locator('#by-symbol tbody tr').count()).resolves.toBe(3);
    const netPnlRow = page.locator('#summary tr').filter({ hasText: 'Net PnL' });
    await expect(netPnlRow.locator('td').nth(1).textContent()).resolves.toBe(result.statistics.net_pnl_usdt.toFixed(2));

    // The protection locks, one row each: rule, scope, reason (as text), from, until (UTC).
    const lockRows = await page
      .locator('#locks tbody tr')
      .evaluateAll((rows) => rows.map((row) => Array.from(row.querySelectorAll('td'), (td) => td.textContent)));
    expect(lockRows).toEqual([
      [
        'cooldown',
        'ETH',
        'cooldown: ETH closed a position 240 min ago (cooldown 1440 min)',
        '2026-01-02 06:00',
        '2026-01-03 02:00',
      ],
      ['max_drawdown', 'account (every coin)', HOSTILE, '2026-01-02 12:00', '2026-01-03 12:00'],
    ]);
    expect(await page.locator('#locks-none').isHidden()).toBe(true);
    const locksRow = page.locator('#summary tr').filter({ hasText: 'Protection locks set' });
    await expect(locksRow.locator('td').nth(1).textContent()).resolves.toBe('2');

    // No trade chart until a row is clicked.
    expect(await page.locator('#trade-panel').isHidden()).toBe(true);
    const index = 4;
    const trade = result.trades[index];
    const path = result.price_paths!.find((p) => p.trade_id === trade.id)!;
    await page.locator('#trades tbody tr').nth(index).click();
    await page.locator('#trade-panel').waitFor({ state: 'visible' });
    await expect(page.locator('#trade-title').textContent()).resolves.toContain(
      `#${index + 1} ${trade.symbol} ${trade.direction}`,
    );
    const shown = await page.evaluate(() => {
      const r = (window as unknown as ReportHandle).__report;
      return { selected: r.selectedTrade(), candles: r.tradeSeries!.data().length, markers: r.tradeMarkers!.markers() };
    });
    expect(shown.selected).toBe(index);
    expect(shown.candles).toBe(path.candles.length);
    expect(shown.markers).toHaveLength(2);
    const [entry, exit] = shown.markers;
    expect(entry.time).toBe(trade.entry_timestamp / 1000);
    expect(entry.shape).toBe(trade.direction === 'LONG' ? 'arrowUp' : 'arrowDown');
    expect(entry.text).toMatch(/^Entry /);
    expect(exit.time).toBe(trade.close_time_ms / 1000);
    expect(exit.text).toContain(trade.close_reason);
    expect(await page.locator('#trade-chart canvas').count()).toBeGreaterThan(0);

    const dir = join(tmpdir(), 'bots-backtest-report');
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: join(dir, 'report.png'), fullPage: true });

    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
    await page.close();
  }, 90_000);

  it('shows a hostile symbol as text and runs none of it; a trade without candles gets a note, not a chart', async () => {
    const { page, problems, foreign } = await open('/hostile.html');
    await expect(page.locator('#trades tbody tr').first().locator('td').nth(1).textContent()).resolves.toBe(HOSTILE);
    expect(await page.evaluate(() => (window as unknown as ReportHandle).__pwned)).toBeUndefined();
    expect(await page.locator('script').count()).toBe(3);
    // A run that set no lock says so.
    expect(await page.locator('#locks-none').isVisible()).toBe(true);
    expect(await page.locator('#locks tr').count()).toBe(0);
    await page.locator('#trades tbody tr').nth(1).click();
    await page.locator('#trade-no-path').waitFor({ state: 'visible' });
    expect(await page.locator('#trade-chart').isHidden()).toBe(true);
    await page.locator('#trades tbody tr').nth(0).click();
    await page.locator('#trade-chart').waitFor({ state: 'visible' });
    expect(await page.locator('#trade-no-path').isHidden()).toBe(true);
    await expect(page.locator('#trade-title').textContent()).resolves.toContain(HOSTILE);
    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
    await page.close();
  }, 60_000);
});
