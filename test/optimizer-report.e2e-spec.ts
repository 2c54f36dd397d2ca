/**
 * The optimization report page in a real browser (Debian's /usr/bin/chromium through playwright-core, as the
 * backtest report check): served with its own CSP header by a tiny local server; every candidate is a point on the
 * parameter charts and on the in-sample vs out-of-sample scatter, nothing is logged as an error, nothing fetched.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import {
  renderOptimizationReport,
  type OptimizationReportData,
} from '../src/optimizer/report/render-optimization-report';

const CHROMIUM = '/usr/bin/chromium';
const HOSTILE = '</script><script>window.__pwned=1</script>';

type Handle = {
  __report: {
    paramSeries: Record<string, { data(): Array<{ time: number; value: number }> }>;
    scatterSeries: { data(): Array<{ time: number; value: number }> };
    equitySeries: Array<{ data(): Array<{ time: number; value: number }> }>;
    equityMarkers: { markers(): Array<{ time: number; text: string }> } | null;
  };
  __pwned?: number;
};

/** 60 candidates; every 10th breaks a constraint in-sample (no score), every 7th out-of-sample. */
function reportData(): OptimizationReportData {
  const candidates = Array.from({ length: 60 }, (_, i) => ({
    index: i,
    params: { rsi_long_threshold: 20 + (i % 15), leverage: 1 + (i % 5), trend_detection_enabled: i % 2 === 0 },
    in_sample: i % 10 === 0 ? null : Math.sin(i) / 2,
    out_of_sample: i % 7 === 0 ? null : Math.cos(i) / 3,
    holdout: null,
  }));
  // The best 5 candidates' curves as the service stores them (≤ 500 points each, 6h steps), different lengths.
  const H6 = 6 * 3_600_000;
  const start = Date.UTC(2026, 0, 1);
  const equityCandidates = [500, 480, 300, 120, 2].map((points, k) => ({
    index: [7, 3, 21, 44, 58][k],
    in_sample: 0.5 - k / 10,
    out_of_sample: k === 4 ? null : 0.3 - k / 10,
    time: Array.from({ length: points }, (_, i) => start + Math.round((i * 499) / Math.max(1, points - 1)) * H6),
    equity: Array.from({ length: points }, (_, i) => 100 + (5 - k) * Math.sin(i / 20) + i / 50),
  }));
  return {
    equity: {
      source: 'replay',
      // 4 folds: 5 segments of 100 steps; the last one (steps 400…499) is the holdout.
      out_of_sample_from_ms: start + 400 * H6,
      error: null,
      candidates: equityCandidates,
    },
    id: HOSTILE,
    objective: 'sharpe',
    status: 'completed',
    evaluated: 60,
    budget: 60,
    seed: 1,
    evaluator: 'backtest',
    keys: ['rsi_long_threshold', 'leverage', 'trend_detection_enabled'],
    candidates,
  };
}

const describeBrowser = existsSync(CHROMIUM) ? describe : describe.skip;
if (!existsSync(CHROMIUM)) {
  console.warn(`Optimization report browser check SKIPPED: ${CHROMIUM} not found (apt-get install -y chromium)`);
}

describeBrowser('optimization report in headless Chromium', () => {
  let browser: Browser;
  let server: Server;
  let base = '';
  const data = reportData();

  beforeAll(async () => {
    const pages = new Map([
      ['/report.html', renderOptimizationReport(data)],
      // Still running: no curves yet, the page says so.
      ['/running.html', renderOptimizationReport({ ...data, status: 'running', equity: null })],
    ]);
    server = createServer((req, res) => {
      const page = pages.get(req.url ?? '');
      if (!page) return void res.writeHead(404).end();
      res
        .writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy': `${page.contentSecurityPolicy}; frame-ancestors 'none'`,
        })
        .end(page.html);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('plots every scored candidate against each parameter and in-sample vs out-of-sample', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    const problems: string[] = [];
    const foreign: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('request', (req) => {
      if (!/\/(report|running)\.html$/.test(req.url()) || !req.url().startsWith(base)) foreign.push(req.url());
    });
    await page.goto(`${base}/report.html`, { waitUntil: 'load' });
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 20_000 });

    const scored = data.candidates.filter((c) => c.in_sample !== null);
    const both = scored.filter((c) => c.out_of_sample !== null);
    const seen = await page.evaluate(() => {
      const r = (window as unknown as Handle).__report;
      return {
        params: Object.fromEntries(Object.entries(r.paramSeries).map(([k, s]) => [k, s.data()])),
        scatter: r.scatterSeries.data(),
        pwned: (window as unknown as Handle).__pwned ?? null,
      };
    });
    expect(Object.keys(seen.params)).toEqual(data.keys);
    for (const key of data.keys) expect(seen.params[key]).toHaveLength(scored.length);
    // The points are the candidates' values: leverage 1…5, scores as given (sorted by value, equal x nudged apart).
    const leverage = seen.params.leverage;
    expect(Math.round(leverage[0].time)).toBe(1);
    expect(Math.round(leverage[leverage.length - 1].time)).toBe(5);
    expect(leverage.map((p) => p.value).sort()).toEqual(scored.map((c) => c.in_sample).sort());
    expect(seen.scatter).toHaveLength(both.length);
    expect(seen.scatter.map((p) => p.value).sort()).toEqual(both.map((c) => c.out_of_sample).sort());
    expect(await page.locator('#is-oos canvas').count()).toBeGreaterThan(0);
    expect(await page.locator('#top tr').count()).toBe(21);
    // One line per best candidate with every stored point, a legend entry each (+ the shading's), the holdout marked
    // at the best curve's first point in it (step 400 of 500 → its 400th of 500 points).
    const equity = await page.evaluate(() => {
      const r = (window as unknown as Handle).__report;
      return { series: r.equitySeries.map((s) => s.data()), markers: r.equityMarkers?.markers() ?? [] };
    });
    const curves = data.equity!.candidates;
    expect(equity.series.map((points) => points.length)).toEqual(curves.map((c) => c.time.length));
    equity.series.forEach((points, k) => {
      expect(points[0]).toEqual({ time: curves[k].time[0] / 1000, value: curves[k].equity[0] });
      expect(points[points.length - 1].value).toBe(curves[k].equity[curves[k].equity.length - 1]);
    });
    expect(equity.markers).toEqual([
      expect.objectContaining({ time: data.equity!.out_of_sample_from_ms / 1000, text: 'out-of-sample from here' }),
    ]);
    expect(await page.locator('#equity-legend .k').allTextContents()).toEqual([
      '#7 (in-sample 0.5, out-of-sample 0.3)',
      '#3 (in-sample 0.4, out-of-sample 0.2)',
      '#21 (in-sample 0.3, out-of-sample 0.1)',
      '#44 (in-sample 0.2, out-of-sample 0)',
      '#58 (in-sample 0.1, out-of-sample —)',
      'out-of-sample (holdout)',
    ]);
    expect(await page.locator('#equity-chart canvas').count()).toBeGreaterThan(0);
    await expect(page.locator('#equity-note').textContent()).resolves.toContain('Shaded from 2026-04-11 00:00 UTC');
    // The hostile id is text, never markup or script.
    expect(seen.pwned).toBeNull();
    expect(await page.locator('h1').textContent()).toContain(HOSTILE);
    expect({ problems, foreign }).toEqual({ problems: [], foreign: [] });
    await page.close();
  }, 60_000);

  it('says the equity curves come when the run finishes while it is running', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    await page.goto(`${base}/running.html`, { waitUntil: 'load' });
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 20_000 });
    await expect(page.locator('#equity-note').textContent()).resolves.toBe(
      'The equity curves are replayed when the run finishes.',
    );
    expect(await page.evaluate(() => (window as unknown as Handle).__report.equitySeries.length)).toBe(0);
    expect(await page.locator('#equity-chart canvas').count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});
