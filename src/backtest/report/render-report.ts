import { renderChartPage, type RenderedReport } from './chart-page';
import type { BacktestResult } from '../result/backtest-result';
import { REPORT_SCRIPT, REPORT_STYLE } from './report-page-assets';

/**
 * The backtest report: one self-contained HTML page (no network: the chart library, the data, the script and the
 * style are all inline) that works from a file or from the service. See docs/backtest-report.md.
 *
 * Safety: the result is embedded as JSON in a non-executed <script type="application/json">, with every `<`, `>`,
 * `&` and the JS line separators written as \u escapes, so no string in it (a symbol, a close reason, an override)
 * can close the element or open a comment; the page's own script reads it with JSON.parse and writes text only
 * through textContent. The page carries a CSP allowing exactly its two scripts and its style (by hash) and nothing
 * else: no connections, no frames, no forms.
 */

// The page shell lives in chart-page.ts; these stay importable from here.
export { chartLibrary, escapeHtml, jsonForScriptElement, sha256, type RenderedReport } from './chart-page';

export function renderReportPage(result: BacktestResult): RenderedReport {
  const title = `Backtest ${result.id} — ${result.parameters.symbols.length} coins, ${result.parameters.timeframe}`;
  return renderChartPage({
    title,
    style: REPORT_STYLE,
    script: REPORT_SCRIPT,
    data: result,
    main: `<section><h2>Equity</h2><p class="legend"><span class="k equity">Equity (balance + unrealised)</span><span class="k balance">Balance</span><span class="k bench">Buy &amp; hold, equal weight</span></p><div id="equity-chart" class="chart"></div></section>
<section><h2>Drawdown, % below peak equity</h2><div id="drawdown-chart" class="chart small"></div></section>
<section class="grid"><div><h2>Summary</h2><table id="summary" class="kv"></table></div><div><h2>By direction</h2><table id="by-direction"></table><h2>By close reason</h2><table id="by-reason"></table></div></section>
<section><h2>By coin</h2><div class="scroll short"><table id="by-symbol"></table></div></section>
<section><h2>Protection locks <small>(account protections: no new entries while a lock holds)</small></h2><p id="locks-none" hidden>No protection lock was set.</p><div class="scroll short"><table id="locks"></table></div></section>
<section id="trade-panel" hidden><h2 id="trade-title">Trade</h2><p id="trade-facts"></p><div id="trade-chart" class="chart"></div><p id="trade-no-path" hidden>No candles were stored for this trade.</p></section>
<section><h2>Trades <small>(click a row for its price chart)</small></h2><div class="scroll"><table id="trades" class="trades"></table></div></section>`,
  });
}

/** The report as one HTML string. */
export function renderReport(result: BacktestResult): string {
  return renderReportPage(result).html;
}
