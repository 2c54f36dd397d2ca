/**
 * The report page's own style and script (docs/backtest-report.md). Kept as constants so the page's CSP can name
 * them by hash. The script runs in the browser: plain ES2020, no template literals (this file is one), and it only
 * ever writes text through textContent, never HTML.
 *
 * It exposes `window.__report` for tests and for a curious user's console: the chart series (their `.data()`),
 * the trade chart's markers plugin, and `showTrade(index)`.
 */

export const REPORT_STYLE = `
:root { color-scheme: light; --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --up: #1a7f37; --down: #cf222e; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #f6f8fa; }
header, main, footer { max-width: 1280px; margin: 0 auto; padding: 0 16px; }
header h1 { font-size: 20px; margin: 16px 0 4px; }
#run { color: var(--muted); margin: 0 0 8px; word-break: break-word; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px 12px; margin: 12px 0; }
h2 { font-size: 15px; margin: 4px 0 8px; }
h2 small { font-weight: normal; color: var(--muted); }
.chart { height: 320px; position: relative; }
.chart.small { height: 160px; }
.grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 24px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: right; padding: 3px 8px; border-bottom: 1px solid #eaeef2; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
#locks td:nth-child(3) { text-align: left; white-space: normal; }
th { position: sticky; top: 0; background: #fff; color: var(--muted); font-weight: 600; }
.kv td:first-child { color: var(--muted); }
.scroll { max-height: 420px; overflow: auto; }
.scroll.short { max-height: 260px; }
.trades tbody tr { cursor: pointer; }
.trades tbody tr:hover { background: #f0f6ff; }
.trades tbody tr.selected { background: #ddf4ff; }
.pos { color: var(--up); }
.neg { color: var(--down); }
.legend { margin: 0 0 6px; color: var(--muted); }
.k { margin-right: 16px; }
.k::before { content: ""; display: inline-block; width: 18px; height: 3px; margin: 0 6px 3px 0; vertical-align: middle; }
.k.equity::before { background: #2962ff; }
.k.balance::before { background: #26a69a; }
.k.bench::before { background: repeating-linear-gradient(90deg, #f57c00 0 5px, transparent 5px 8px); }
#trade-facts { color: var(--muted); margin: 0 0 8px; }
footer { color: var(--muted); font-size: 12px; padding: 8px 16px 24px; }
@media (max-width: 900px) { .grid { grid-template-columns: 1fr; } }
`;

export const REPORT_SCRIPT = `
(function () {
  'use strict';
  var LC = window.LightweightCharts;
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var stats = data.statistics;
  var params = data.parameters;
  var trades = data.trades;

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }
  function pad(n) { return n < 10 ? '0' + n : String(n); }
  function fmtTime(ms) {
    var d = new Date(ms);
    return d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate()) + ' ' + pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes());
  }
  function fmtNum(v, digits) { return v === null || v === undefined || !isFinite(v) ? '—' : Number(v).toFixed(digits); }
  function fmtPrice(v) {
    if (v === null || v === undefined || !isFinite(v)) return '—';
    var a = Math.abs(v);
    return a >= 1000 ? v.toFixed(2) : a >= 1 ? v.toFixed(4) : Number(v.toPrecision(6)).toString();
  }
  function signClass(v) { return v > 0 ? 'pos' : v < 0 ? 'neg' : ''; }
  function seconds(ms) { return Math.floor(ms / 1000); }
  // The chart wants strictly ascending times: keep the last value of any second seen twice.
  function series(points, value) {
    var out = [];
    for (var i = 0; i < points.length; i++) {
      var t = seconds(points[i].time_ms);
      var item = { time: t, value: value(points[i]) };
      if (out.length && out[out.length - 1].time >= t) {
        if (out[out.length - 1].time === t) out[out.length - 1] = item;
        continue;
      }
      out.push(item);
    }
    return out;
  }

  document.getElementById('run').textContent =
    fmtTime(params.from_ms) + ' → ' + fmtTime(params.to_ms) + ' UTC · ' + params.timeframe +
    ' candles · detail ' + (params.detail || 'none (candle resolution)') + ' · start ' + fmtNum(params.starting_balance, 2) +
    ' USDT · ' + params.symbols.length + ' coins: ' + params.symbols.slice(0, 30).join(', ') + (params.symbols.length > 30 ? ', …' : '') +
    (Object.keys(params.settings_overrides || {}).length ? ' · overrides ' + JSON.stringify(params.settings_overrides) : '') +
    (params.seed !== null && params.seed !== undefined ? ' · seed ' + params.seed : '');

  var base = {
    autoSize: true,
    layout: { attributionLogo: false, background: { color: '#ffffff' }, textColor: '#1f2328', fontSize: 11 },
    grid: { vertLines: { color: '#f0f3f6' }, horzLines: { color: '#f0f3f6' } },
    timeScale: { timeVisible: true, secondsVisible: false, borderColor: '#d0d7de' },
    rightPriceScale: { borderColor: '#d0d7de' }
  };
  function withFormatter(format) {
    return Object.assign({}, base, { localization: { priceFormatter: format } });
  }

  var equityChart = LC.createChart(document.getElementById('equity-chart'), withFormatter(function (v) { return v.toFixed(2); }));
  var benchmarkSeries = equityChart.addSeries(LC.LineSeries, { color: '#f57c00', lineWidth: 2, lineStyle: 2, title: 'Buy & hold', priceLineVisible: false });
  var balanceSeries = equityChart.addSeries(LC.LineSeries, { color: '#26a69a', lineWidth: 1, title: 'Balance', priceLineVisible: false, lastValueVisible: false });
  var equitySeries = equityChart.addSeries(LC.LineSeries, { color: '#2962ff', lineWidth: 2, title: 'Equity' });
  equitySeries.setData(series(data.equity, function (p) { return p.equity; }));
  balanceSeries.setData(series(data.equity, function (p) { return p.balance; }));
  benchmarkSeries.setData(series(data.buy_and_hold, function (p) { return p.equity; }));
  equityChart.timeScale().fitContent();

  var drawdownChart = LC.createChart(document.getElementById('drawdown-chart'), withFormatter(function (v) { return v.toFixed(2) + ' %'; }));
  var drawdownSeries = drawdownChart.addSeries(LC.AreaSeries, {
    lineColor: '#cf222e', topColor: 'rgba(207,34,46,0.05)', bottomColor: 'rgba(207,34,46,0.35)', invertFilledArea: true, lineWidth: 1
  });
  drawdownSeries.setData(series(data.drawdown, function (p) { return -p.drawdown_pct; }));
  drawdownChart.timeScale().fitContent();
  // Both charts share the equity points' times: scroll and zoom them together.
  var syncing = false;
  function sync(from, to) {
    from.timeScale().subscribeVisibleLogicalRangeChange(function (range) {
      if (syncing || !range) return;
      syncing = true;
      to.timeScale().setVisibleLogicalRange(range);
      syncing = false;
    });
  }
  sync(equityChart, drawdownChart);
  sync(drawdownChart, equityChart);

  function table(id, head, rows) {
    var t = document.getElementById(id);
    var thead = el('thead'); var hr = el('tr');
    head.forEach(function (h) { hr.appendChild(el('th', h)); });
    thead.appendChild(hr); t.appendChild(thead);
    var body = el('tbody');
    rows.forEach(function (r) {
      var tr = el('tr');
      r.forEach(function (cell) {
        var td = cell !== null && typeof cell === 'object' ? el('td', cell.text, cell.cls) : el('td', cell);
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    t.appendChild(body);
    return body;
  }
  function money(v) { return { text: fmtNum(v, 2), cls: signClass(v) }; }

  var bh = stats.buy_and_hold;
  table('summary', ['Figure', 'Value'], [
    ['Net PnL, USDT (after fees)', money(stats.net_pnl_usdt)],
    ['ROI, % of starting balance', money(stats.roi_pct)],
    ['Final equity / balance, USDT', fmtNum(stats.final_equity, 2) + ' / ' + fmtNum(stats.final_balance, 2)],
    ['Buy & hold return, % (final equity)', bh ? fmtNum(bh.return_pct, 2) + ' (' + fmtNum(bh.final_equity, 2) + ')' : '—'],
    ['Trades (wins / losses)', stats.trades + ' (' + stats.wins + ' / ' + stats.losses + ')'],
    ['Win rate, %', fmtNum(stats.win_rate_pct, 2)],
    ['Profit factor', fmtNum(stats.profit_factor, 2)],
    ['Expectancy per trade, USDT', money(stats.expectancy_usdt)],
    ['Average win / loss, USDT', fmtNum(stats.avg_win_usdt, 2) + ' / ' + fmtNum(stats.avg_loss_usdt, 2)],
    ['Gross PnL / fees, USDT', fmtNum(stats.gross_pnl_usdt, 2) + ' / ' + fmtNum(stats.fees_usdt, 2)],
    ['Max drawdown, USDT (%)', fmtNum(stats.max_drawdown_usdt, 2) + ' (' + fmtNum(stats.max_drawdown_pct, 2) + ' %)'],
    ['Buy & hold max drawdown, %', bh ? fmtNum(bh.max_drawdown_pct, 2) : '—'],
    ['Sharpe / Sortino (annualised)', fmtNum(stats.sharpe, 2) + ' / ' + fmtNum(stats.sortino, 2)],
    ['Calmar', fmtNum(stats.calmar, 2)],
    ['Annualised return, %', fmtNum(stats.annualised_return_pct, 2)],
    ['Return period, h (periods per year)', fmtNum(stats.return_period_ms / 3600000, 2) + ' (' + fmtNum(stats.periods_per_year, 1) + ')'],
    ['Average hold, h', fmtNum(stats.avg_hold_hours, 2)],
    ['Exposure, % of time', fmtNum(stats.exposure_pct, 2)],
    ['Open at the end', String(data.open_positions.length)],
    ['Protection locks set', data.protection_locks ? String(data.protection_locks.length) : '—']
  ]);
  function groupRows(groups) {
    return Object.keys(groups).map(function (k) {
      var g = groups[k];
      return [k, g.trades, g.wins + ' / ' + g.losses, fmtNum(g.win_rate_pct, 1), money(g.net_pnl_usdt), money(g.avg_net_pnl_usdt)];
    });
  }
  var groupHead = ['', 'Trades', 'W / L', 'Win %', 'Net PnL', 'Avg'];
  table('by-direction', ['Direction'].concat(groupHead.slice(1)), groupRows(stats.by_direction));
  table('by-reason', ['Close reason'].concat(groupHead.slice(1)), groupRows(stats.by_close_reason));
  table('by-symbol', ['Coin'].concat(groupHead.slice(1)), groupRows(stats.by_symbol));

  // Results stored before locks were recorded have no protection_locks: shown as none.
  var locks = data.protection_locks || [];
  document.getElementById('locks-none').hidden = locks.length > 0;
  if (locks.length) {
    table('locks', ['Rule', 'Scope', 'Reason', 'From (UTC)', 'Until (UTC)'], locks.map(function (l) {
      return [l.rule, l.symbol === null ? 'account (every coin)' : l.symbol, l.reason, fmtTime(l.locked_at_ms), fmtTime(l.until_ms)];
    }));
  }

  var paths = {};
  (data.price_paths || []).forEach(function (p) { paths[p.trade_id] = p; });
  var body = table('trades', ['#', 'Coin', 'Dir', 'Entry (UTC)', 'Exit (UTC)', 'Entry', 'Exit', 'Size', 'Net PnL', 'ROI %', 'Reason', 'Hold h', 'RSI in / out'],
    trades.map(function (t, i) {
      return [i + 1, t.symbol, t.direction, fmtTime(t.entry_timestamp), fmtTime(t.close_time_ms), fmtPrice(t.entry_price), fmtPrice(t.exit_price),
        fmtPrice(t.size), money(t.net_pnl), { text: fmtNum(t.roi, 2), cls: signClass(t.roi) }, t.close_reason,
        fmtNum((t.close_time_ms - t.entry_timestamp) / 3600000, 1), fmtNum(t.rsi, 1) + ' / ' + fmtNum(t.exit_rsi, 1)];
    }));
  Array.prototype.forEach.call(body.rows, function (tr, i) { tr.dataset.index = String(i); tr.tabIndex = 0; });

  var tradeChart = null, tradeSeries = null, tradeMarkers = null, priceLines = [], selected = -1;
  function ensureTradeChart() {
    if (tradeChart) return;
    tradeChart = LC.createChart(document.getElementById('trade-chart'), withFormatter(fmtPrice));
    tradeSeries = tradeChart.addSeries(LC.CandlestickSeries, { upColor: '#26a69a', downColor: '#ef5350', borderVisible: false, wickUpColor: '#26a69a', wickDownColor: '#ef5350' });
    tradeMarkers = LC.createSeriesMarkers(tradeSeries, []);
    window.__report.tradeSeries = tradeSeries;
    window.__report.tradeMarkers = tradeMarkers;
  }
  // A marker sits on a bar: the candle whose open time is the last one at or before the event.
  function barTime(candles, ms) {
    var t = candles[0].time;
    for (var i = 0; i < candles.length && candles[i].time <= seconds(ms); i++) t = candles[i].time;
    return t;
  }
  function showTrade(index) {
    var t = trades[index];
    if (!t) return false;
    selected = index;
    Array.prototype.forEach.call(body.rows, function (tr) { tr.classList.toggle('selected', Number(tr.dataset.index) === index); });
    var panel = document.getElementById('trade-panel');
    panel.hidden = false;
    document.getElementById('trade-title').textContent = '#' + (index + 1) + ' ' + t.symbol + ' ' + t.direction + ' · ' + t.close_reason + ' · net ' + fmtNum(t.net_pnl, 2) + ' USDT';
    var a = t.decision || {};
    document.getElementById('trade-facts').textContent = t.decision
      ? 'Decided ' + fmtTime(a.decision_time_ms) + ' on RSI ' + fmtNum(a.decision_rsi, 2) + ' at ' + fmtPrice(a.decision_price) +
        ' (' + (t.entry_timeframe || '') + ' candle ' + (a.decision_candle_time ? fmtTime(a.decision_candle_time) : '—') + ', trend ' +
        (a.decision_trend || '—') + ') · filters passed: ' + ((a.filters_passed || []).join(', ') || '—') + ' · stop ' +
        fmtPrice(a.stop_loss_set) + ' · take-profit ' + fmtPrice(a.take_profit_set) +
        (t.exit_by ? ' · closed by ' + t.exit_by + (t.exit_path ? ' (' + t.exit_path + ' path)' : '') : '')
      : 'No entry decision recorded for this trade.';
    var path = paths[t.id];
    var chartBox = document.getElementById('trade-chart');
    document.getElementById('trade-no-path').hidden = !!(path && path.candles.length);
    chartBox.hidden = !(path && path.candles.length);
    if (!path || !path.candles.length) return true;
    ensureTradeChart();
    var candles = path.candles.map(function (c) { return { time: seconds(c[0]), open: c[1], high: c[2], low: c[3], close: c[4] }; });
    tradeSeries.setData(candles);
    var long = t.direction === 'LONG';
    tradeMarkers.setMarkers([
      { time: barTime(candles, t.entry_timestamp), position: long ? 'belowBar' : 'aboveBar', shape: long ? 'arrowUp' : 'arrowDown', color: '#2962ff', text: 'Entry ' + fmtPrice(t.entry_price) },
      { time: barTime(candles, t.close_time_ms), position: long ? 'aboveBar' : 'belowBar', shape: 'circle', color: t.net_pnl >= 0 ? '#1a7f37' : '#cf222e', text: 'Exit ' + fmtPrice(t.exit_price) + ' ' + t.close_reason }
    ]);
    priceLines.forEach(function (l) { tradeSeries.removePriceLine(l); });
    priceLines = [];
    function line(price, color, title, style) {
      if (price === null || price === undefined || !isFinite(price)) return;
      priceLines.push(tradeSeries.createPriceLine({ price: price, color: color, lineWidth: 1, lineStyle: style, axisLabelVisible: true, title: title }));
    }
    line(t.entry_price, '#2962ff', 'entry', 0);
    line(t.exit_price, t.net_pnl >= 0 ? '#1a7f37' : '#cf222e', 'exit', 0);
    line(a.stop_loss_set, '#cf222e', 'stop', 2);
    line(a.take_profit_set, '#1a7f37', 'take-profit', 2);
    tradeChart.timeScale().fitContent();
    return true;
  }
  function rowIndex(event) {
    var tr = event.target.closest('tr');
    return tr && tr.dataset.index !== undefined ? Number(tr.dataset.index) : -1;
  }
  body.addEventListener('click', function (event) {
    var i = rowIndex(event);
    if (i >= 0) { showTrade(i); document.getElementById('trade-panel').scrollIntoView({ block: 'nearest' }); }
  });
  body.addEventListener('keydown', function (event) {
    if (event.key === 'Enter') { var i = rowIndex(event); if (i >= 0) showTrade(i); }
  });

  window.__report = {
    data: data,
    equityChart: equityChart,
    equitySeries: equitySeries,
    balanceSeries: balanceSeries,
    benchmarkSeries: benchmarkSeries,
    drawdownSeries: drawdownSeries,
    tradeSeries: null,
    tradeMarkers: null,
    showTrade: showTrade,
    selectedTrade: function () { return selected; }
  };
  document.body.dataset.ready = 'true';
})();
`;
