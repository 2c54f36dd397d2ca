import { renderChartPage, type RenderedReport } from '../../backtest/report/chart-page';

/**
 * The optimization report (docs/optimizer.md, "Report"): one self-contained HTML page like the backtest report
 * (src/backtest/report/render-report.ts): the chart library, the data, the script and the style inline, the data as
 * escaped JSON in a non-executed element, text written through textContent only, and a CSP allowing exactly its two
 * scripts and its style by hash. Charts: in-sample score against each tuned parameter, and out-of-sample against
 * in-sample score per candidate (lightweight-charts' options chart: a numeric horizontal axis), and the best
 * candidates' equity curves over the scored range with the out-of-sample holdout shaded.
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
  /** The best candidates' equity curves, best first; null until the run has finished and they are replayed. */
  equity: {
    source: 'replay' | 'closed-trades';
    /** The last fold's test segment (no ranking saw it) starts here. */
    out_of_sample_from_ms: number;
    error: string | null;
    candidates: Array<{
      index: number;
      in_sample: number | null;
      out_of_sample: number | null;
      /** Epoch ms, ascending; `equity` (percent of the starting balance) has the same length. */
      time: number[];
      equity: number[];
    }>;
  } | null;
};

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2330;background:#fafbfc}
header,main,footer{max-width:1200px;margin:0 auto;padding:12px 20px}
h1{font-size:20px;margin:8px 0}h2{font-size:15px;margin:18px 0 6px}
.chart{height:260px;background:#fff;border:1px solid #e3e6eb}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(360px,1fr));gap:12px}
table{border-collapse:collapse;background:#fff}td,th{border:1px solid #e3e6eb;padding:3px 8px;text-align:right}
th{background:#f1f3f6}footer{color:#6b7280;font-size:12px}
.chart.tall{height:340px}.note{color:#6b7280;margin:4px 0}.legend{margin:4px 0}
.k{margin-right:16px;white-space:nowrap}.k::before{content:"";display:inline-block;width:18px;height:3px;margin:0 6px 3px 0;vertical-align:middle}
.c0::before{background:#2962ff}.c1::before{background:#e8590c}.c2::before{background:#2b8a3e}.c3::before{background:#862e9c}.c4::before{background:#c92a2a}
.oos::before{height:10px;background:rgba(232,89,12,0.15)}
`;

const SCRIPT = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var LWC = window.LightweightCharts;
  var report = { paramSeries: {}, scatterSeries: null, equitySeries: [], equityMarkers: null };
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

  // The best candidates' equity curves, one line each, the out-of-sample holdout shaded (docs/optimizer.md, "Report").
  var COLORS = ['#2962ff', '#e8590c', '#2b8a3e', '#862e9c', '#c92a2a'];
  var eq = data.equity;
  var note = document.getElementById('equity-note');
  var fmtScore = function (v) { return v === null ? '—' : String(Math.round(v * 1e4) / 1e4); };
  function pad(n) { return n < 10 ? '0' + n : String(n); }
  function fmtTime(ms) {
    var d = new Date(ms);
    return d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate()) + ' ' + pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes());
  }
  // Strictly ascending whole seconds, as the time scale wants (a second seen twice keeps its last value).
  function timeSeries(time, value) {
    var out = [];
    for (var i = 0; i < time.length; i++) {
      var t = Math.floor(time[i] / 1000);
      if (out.length && out[out.length - 1].time >= t) { out[out.length - 1].value = value[i]; continue; }
      out.push({ time: t, value: value[i] });
    }
    return out;
  }
  if (!eq) note.textContent = 'The equity curves are replayed when the run finishes.';
  else if (eq.error) note.textContent = 'The equity curves could not be computed: ' + eq.error;
  else if (!eq.candidates.length) note.textContent = 'No candidate has an in-sample score: no equity curve.';
  else {
    var boundary = Math.floor(eq.out_of_sample_from_ms / 1000);
    note.textContent = (eq.source === 'replay'
      ? 'Balance + unrealised PnL at every candle close'
      : 'Closed trades only (100 + the running sum of their PnL)') +
      ', % of the starting balance. Shaded from ' + fmtTime(eq.out_of_sample_from_ms) +
      ' UTC: the out-of-sample segment of the last fold, which no ranking saw (before it, every segment was in-sample for a fold).';
    var chart = LWC.createChart(document.getElementById('equity-chart'), {
      autoSize: true,
      layout: { background: { color: '#ffffff' }, textColor: '#1d2330', attributionLogo: false },
      grid: { vertLines: { color: '#eef0f3' }, horzLines: { color: '#eef0f3' } },
      timeScale: { timeVisible: true, secondsVisible: false },
      localization: { priceFormatter: function (v) { return v.toFixed(2) + ' %'; } },
    });
    var shade = chart.addSeries(LWC.HistogramSeries, {
      priceScaleId: 'oos', color: 'rgba(232,89,12,0.12)', priceLineVisible: false, lastValueVisible: false,
    });
    chart.priceScale('oos').applyOptions({ scaleMargins: { top: 0, bottom: 0 }, visible: false });
    var legend = document.getElementById('equity-legend');
    var shaded = {};
    eq.candidates.forEach(function (c, k) {
      var points = timeSeries(c.time, c.equity);
      var line = chart.addSeries(LWC.LineSeries, {
        color: COLORS[k % COLORS.length], lineWidth: k === 0 ? 3 : 2, title: '#' + c.index,
        priceLineVisible: false, lastValueVisible: false,
      });
      line.setData(points);
      report.equitySeries.push(line);
      points.forEach(function (p) { if (p.time >= boundary) shaded[p.time] = true; });
      var key = document.createElement('span');
      key.className = 'k c' + (k % COLORS.length);
      key.textContent = '#' + c.index + ' (in-sample ' + fmtScore(c.in_sample) + ', out-of-sample ' + fmtScore(c.out_of_sample) + ')';
      legend.appendChild(key);
    });
    var oosKey = document.createElement('span');
    oosKey.className = 'k oos';
    oosKey.textContent = 'out-of-sample (holdout)';
    legend.appendChild(oosKey);
    shade.setData(Object.keys(shaded).map(Number).sort(function (a, b) { return a - b; })
      .map(function (t) { return { time: t, value: 1 }; }));
    var best = report.equitySeries[0].data();
    var first = null;
    for (var i = 0; i < best.length && first === null; i++) if (best[i].time >= boundary) first = best[i].time;
    if (first !== null) {
      report.equityMarkers = LWC.createSeriesMarkers(report.equitySeries[0], [
        { time: first, position: 'aboveBar', shape: 'arrowDown', color: '#e8590c', text: 'out-of-sample from here' },
      ]);
    }
    chart.timeScale().fitContent();
  }

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
    main: `<section><h2>Equity of the best candidates (in-sample and out-of-sample range)</h2><p id="equity-legend" class="legend"></p><div id="equity-chart" class="chart tall"></div><p id="equity-note" class="note"></p></section>
<section><h2>Out-of-sample vs in-sample score (one point per candidate; the search ranks by in-sample only)</h2><div id="is-oos" class="chart"></div></section>
<section id="params" class="grid"></section>
<section><h2>Best 20 by in-sample score</h2><table id="top"></table></section>`,
  });
}
