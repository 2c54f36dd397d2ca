import { createHash } from 'node:crypto';
import { syntheticBacktestResult } from '../../../test/support/backtest-fixtures';
import { parseBacktestResult, type BacktestResult } from '../result/backtest-result';
import { escapeHtml, jsonForScriptElement, renderReport, renderReportPage } from './render-report';

const HOSTILE = '</script><script>alert(1)</script><!--';

function embeddedJson(html: string): string {
  const match = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  if (!match) throw new Error('no data element');
  return match[1];
}

function hostileResult(): BacktestResult {
  const result = syntheticBacktestResult({ trades: 6, points: 60 });
  result.id = `x"><img src=x onerror=alert(2)>`;
  result.parameters.symbols = [HOSTILE, 'ETH'];
  result.parameters.settings_overrides = { [HOSTILE]: '<!-- \u2028 </SCRIPT >', nested: ['&amp;', '<b>'] };
  result.trades[0].symbol = HOSTILE;
  result.trades[1].close_reason = '</script ><!--' as BacktestResult['trades'][number]['close_reason'];
  result.trades[2].decision!.filters_passed = ['<script>alert(3)</script>'];
  result.statistics.by_symbol[HOSTILE] = result.statistics.by_symbol.BTC;
  return result;
}

describe('renderReport', () => {
  const result = syntheticBacktestResult();

  it('is one self-contained page: chart library inline, nothing loaded from elsewhere', () => {
    const html = renderReport(result);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('TradingView Lightweight Charts');
    expect(html).toContain('window.__report');
    expect(html).not.toMatch(/<script[^>]*\ssrc=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/<iframe|<img\b/i);
    // The only URL outside the chart library's own code is the attribution link the library's licence asks for.
    const outsideLibrary = html.replace(/<script>[\s\S]*?<\/script>/g, '');
    expect([...outsideLibrary.matchAll(/https?:\/\/[^"'\s<)]+/g)].map((m) => m[0])).toEqual([
      'https://www.tradingview.com/',
    ]);
  });

  it('embeds the result as JSON that reads back equal', () => {
    const html = renderReport(result);
    const back = parseBacktestResult(embeddedJson(html));
    expect(back).toEqual(result);
    expect(back.equity).toHaveLength(1000);
    expect(back.trades).toHaveLength(40);
  });

  it('hostile strings in symbols, reasons, overrides and the id cannot end the data element or inject markup', () => {
    const evil = hostileResult();
    const html = renderReport(evil);
    // Exactly the page's three script elements, each closed once.
    expect(html.match(/<script/gi)).toHaveLength(3);
    expect(html.match(/<\/script/gi)).toHaveLength(3);
    expect(html).not.toContain('<!--');
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toContain('\u2028');
    const json = embeddedJson(html);
    expect(json).not.toMatch(/[<>&]/);
    expect(JSON.parse(json)).toEqual(evil);
    // The id shows in <title> and <h1> only as text.
    expect(html).toContain('<title>Backtest x&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
  });

  it('declares a CSP that allows exactly its own scripts and style, by hash', () => {
    const { html, contentSecurityPolicy } = renderReportPage(result);
    const hash = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    expect(scripts).toHaveLength(2);
    expect(contentSecurityPolicy).toBe(
      `default-src 'none'; script-src ${hash(scripts[0])} ${hash(scripts[1])}; style-src ${hash(style)}; img-src data:; base-uri 'none'; form-action 'none'`,
    );
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy)}">`,
    );
  });

  it('renders the same page for the same result (the library is read once and reused)', () => {
    expect(renderReport(result)).toBe(renderReport(result));
  });
});

describe('jsonForScriptElement / escapeHtml', () => {
  it('escapes <, >, & and the JS line separators, and stays valid JSON', () => {
    const value = { s: '</script>&<!--\u2028\u2029' };
    const out = jsonForScriptElement(value);
    expect(out).toBe('{"s":"\\u003c/script\\u003e\\u0026\\u003c!--\\u2028\\u2029"}');
    expect(JSON.parse(out)).toEqual(value);
  });
  it('escapes the five HTML specials', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('the synthetic result (fixture used by the report tests)', () => {
  it('is consistent: equity ends at start + net PnL, benchmark sampled at every equity point', () => {
    const r = syntheticBacktestResult();
    expect(r.statistics.trades).toBe(40);
    expect(r.buy_and_hold).toHaveLength(r.equity.length);
    expect(r.drawdown).toHaveLength(r.equity.length);
    expect(r.statistics.final_equity).toBeCloseTo(1000 + r.statistics.net_pnl_usdt, 6);
    expect(Object.keys(r.statistics.by_symbol)).toEqual(['BTC', 'ETH', 'SOL']);
    expect(r.price_paths).toHaveLength(40);
  });
});
