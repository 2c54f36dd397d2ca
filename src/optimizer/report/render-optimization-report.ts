import { renderChartPage, type RenderedReport } from '../../backtest/report/chart-page';

/**
 * The optimization report (docs/optimizer.md, "Report"): one self-contained HTML page like the backtest report
 * (src/backtest/report/render-report.ts): the chart library, the data, the script and the style inline, the data as
 * escaped JSON in a non-executed element, text written through textContent only, and a CSP allowing exactly its two
 * scripts and its style by hash. Charts: in-sample score against each tuned parameter, and out-of-sample against
 * in-sample score per candidate (lightweight-charts' options chart: a numeric horizontal axis).
 */
export type OptimizationReportData = {
  id: string;
  objective: string;
  status: string;
  evaluated: number;
  budget: number;
  seed: number;
  evaluator: string;
  /** The tuned setting keys, in space order. */
  keys: string[];
  candidates: Array<{
    index: number;
    params: Record<string, number | boolean>;
    in_sample: number | null;
    out_of_sample: number | null;
    holdout: number | null;
  }>;
};

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2330;background:#fafbfc}
header,main,footer{max-width:1200px;margin:0 auto;padding:12px 20px}
h1{font-size:20px;margin:8px 0}h2{font-size:15px;margin:18px 0 6px}
.chart{height:260px;background:#fff;border:1px solid #e3e6eb}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(360px,1fr));gap:12px}
table{border-collapse:collapse;background:#fff}td,th{border:1px solid #e3e6eb;padding:3px 8px;text-align:right}
th{background:#f1f3f6}footer{color:#6b7280;font-size:12px}
`;

const SCRIPT = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var LWC = window.LightweightCharts;
  var report = { paramSeries: {}, scatterSeries: null };
  window.__report = report;
  document.getElementById('run').textContent = data.evaluator + ' evaluator, objective ' + data.objective +
    ', seed ' + data.seed + ', ' + data.evaluated + ' of ' + data.budget + ' evaluated, ' + data.status;

  // The options chart's horizontal axis needs ascending, distinct values: equal ones are nudged apart invisibly.
  function points(list) {
    list.sort(function (a, b) { return a.x - b.x || a.y - b.y; });
    var out = [];
    var last = -Infinity;
    for (var i = 0; i < list.length; i++) {
      var x = list[i].x;
      if (x <= last) x = last + Math.max(Math.abs(last) * 1e-9, 1e-9);
      out.push({ time: x, value: list[i].y });
      last = x;
    }
    return out;
  }
  function scatter(container, list, color) {
    var chart = LWC.createOptionsChart(container, {
      autoSize: true,
      layout: { background: { color: '#ffffff' }, textColor: '#1d2330', attributionLogo: false },
      grid: { vertLines: { color: '#eef0f3' }, horzLines: { color: '#eef0f3' } },
    });
    var series = chart.addSeries(LWC.LineSeries, {
      color: color, lineVisible: false, pointMarkersVisible: true, pointMarkersRadius: 3,
      lastValueVisible: false, priceLineVisible: false, crosshairMarkerVisible: false,
    });
    series.setData(points(list));
    chart.timeScale().fitContent();
    return series;
  }

  var grid = document.getElementById('params');
  data.keys.forEach(function (key) {
    var box = document.createElement('div');
    var title = document.createElement('h2');
    title.textContent = 'In-sample score vs ' + key;
    var chart = document.createElement('div');
    chart.className = 'chart';
    chart.setAttribute('data-key', key);
    box.appendChild(title);
    box.appendChild(chart);
    grid.appendChild(box);
    var list = [];
    data.candidates.forEach(function (c) {
      var v = c.params[key];
      if (c.in_sample === null || v === undefined) return;
      list.push({ x: typeof v === 'boolean' ? (v ? 1 : 0) : v, y: c.in_sample });
    });
    report.paramSeries[key] = scatter(chart, list, '#2962ff');
  });

  var both = [];
  data.candidates.forEach(function (c) {
    if (c.in_sample !== null && c.out_of_sample !== null) both.push({ x: c.in_sample, y: c.out_of_sample });
  });
  report.scatterSeries = scatter(document.getElementById('is-oos'), both, '#e8590c');

  var table = document.getElementById('top');
  var head = table.insertRow();
  ['#', 'in-sample', 'out-of-sample', 'holdout'].concat(data.keys).forEach(function (h) {
    var th = document.createElement('th');
    th.textContent = h;
    head.appendChild(th);
  });
  var fmt = function (v) { return v === null ? '—' : typeof v === 'number' ? String(Math.round(v * 1e4) / 1e4) : String(v); };
  data.candidates.slice().sort(function (a, b) {
    if (a.in_sample === null || b.in_sample === null) return a.in_sample === null ? (b.in_sample === null ? a.index - b.index : 1) : -1;
    return b.in_sample - a.in_sample || a.index - b.index;
  }).slice(0, 20).forEach(function (c) {
    var row = table.insertRow();
    [c.index, c.in_sample, c.out_of_sample, c.holdout].concat(data.keys.map(function (k) { return c.params[k]; }))
      .forEach(function (v) { row.insertCell().textContent = fmt(v); });
  });
  document.body.setAttribute('data-ready', 'true');
})();
`;

export function renderOptimizationReport(data: OptimizationReportData): RenderedReport {
  const title = `Optimization ${data.id} — ${data.objective}, ${data.evaluated} candidates`;
  return renderChartPage({
    title,
    style: STYLE,
    script: SCRIPT,
    data,
    main: `<section><h2>Out-of-sample vs in-sample score (one point per candidate; the search ranks by in-sample only)</h2><div id="is-oos" class="chart"></div></section>
<section id="params" class="grid"></section>
<section><h2>Best 20 by in-sample score</h2><table id="top"></table></section>`,
  });
}
