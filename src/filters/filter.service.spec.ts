import { Logger } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createMarketHarness, pumpAt, slideAtEnd, wave, type MarketHarness } from '../../test/support/market-harness';
import type { AutoBotConfig } from '../config/defaults';

/**
 * The filter and maturity decorators on a scripted market:
 * SLIDE  – a long wave, then 12 candles falling 2 % each: RSI deep in the long zone for many candles; mature.
 * PUMP   – the wave, a calm stretch, then the forming candle jumps 20 %: RSI in the short zone, but an exit-scam
 *        candle.
 * YOUNG  – 150 candles only, sliding like SLIDE: in the long zone but not mature.
 * WAVE   – the plain wave, ending just past a top: mature, RSI between the zones.
 * GONE   – an instrument in status Closed.
 */
const coins = () => [
  { symbol: 'SLIDE', path: slideAtEnd(50, 12, 2) },
  { symbol: 'PUMP', path: pumpAt(20, 999, 20) },
  { symbol: 'YOUNG', history: 150, path: slideAtEnd(3, 12, 2) },
  // Shifted so that the newest candle sits just past the top of the wave: RSI between the zones.
  { symbol: 'WAVE', path: (i: number) => wave(100)(i + 44) },
  { symbol: 'GONE', status: 'Closed' as const, path: wave(1) },
];

/** Waits (event-loop turns and short sleeps, at most ~5 s) until `done` holds; the assertion after it decides. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('FilterService and MaturityService on the coin table', () => {
  let h: MarketHarness;
  let config: AutoBotConfig;

  beforeAll(() => Logger.overrideLogger(['error']));

  beforeEach(async () => {
    h = await createMarketHarness(coins());
    await h.rsi.requestFullLoad();
    config = h.autoBot.get();
  });

  it('sets signal, zone, flags and the effective signal of every coin', () => {
    const slide = h.rsi.getCoin('SLIDE')!;
    expect(slide.rsi!).toBeLessThanOrEqual(29);
    expect(slide).toMatchObject({
      signal: 'ENTER_LONG',
      rsi_zone: 'BUY_ZONE',
      is_mature: true,
      blocked_by_exit_scam: false,
      blocked_by_rsi_time: false,
      effective_signal: 'ENTER_LONG',
    });
    expect(slide.time_filter_info).toMatchObject({ filter: 'rsi_time_filter', allowed: true });
    expect(h.filters.effectiveSignal('SLIDE')).toEqual({ signal: 'ENTER_LONG', reason: expect.any(String) });

    const pump = h.rsi.getCoin('PUMP')!;
    expect(pump.rsi!).toBeGreaterThanOrEqual(71);
    expect(pump).toMatchObject({
      signal: 'ENTER_SHORT',
      rsi_zone: 'SELL_ZONE',
      blocked_by_exit_scam: true,
      effective_signal: 'WAIT',
    });
    expect(pump.exit_scam_info).toMatchObject({ filter: 'exit_scam', allowed: false });
    expect(h.filters.effectiveSignal('PUMP')).toEqual({ signal: 'WAIT', reason: 'blocked by the exit-scam filter' });

    const young = h.rsi.getCoin('YOUNG')!;
    expect(young).toMatchObject({ signal: 'ENTER_LONG', is_mature: false, effective_signal: 'WAIT' });
    expect(h.filters.effectiveSignal('YOUNG').reason).toBe('coin is not mature');

    const plain = h.rsi.getCoin('WAVE')!;
    expect(plain.rsi!).toBeGreaterThan(29);
    expect(plain.rsi!).toBeLessThan(71);
    expect(plain.signal).toBe('WAIT');
    expect(plain.time_filter_info).toBeUndefined();
    expect(h.filters.effectiveSignal('NOPE')).toEqual({ signal: 'WAIT', reason: expect.stringContaining('unknown') });
  });

  it('checkEntry runs maturity, RSI time, exit-scam, scope, delisted in order and stops at the first refusal', () => {
    const ok = h.filters.checkEntry('SLIDE', 'LONG', config);
    expect(ok.allowed).toBe(true);
    expect(ok.decisions.map((d) => d.filter)).toEqual([
      'maturity',
      'rsi_time_filter',
      'exit_scam',
      'scope',
      'delisted',
    ]);

    const young = h.filters.checkEntry('YOUNG', 'LONG', config);
    expect(young).toMatchObject({ allowed: false, blockedBy: 'maturity' });
    expect(young.decisions).toHaveLength(1);

    const pump = h.filters.checkEntry('PUMP', 'SHORT', { ...config, rsi_time_filter_enabled: false });
    expect(pump).toMatchObject({ allowed: false, blockedBy: 'exit_scam' });
    expect(pump.decisions.map((d) => [d.filter, d.allowed])).toEqual([
      ['maturity', true],
      ['rsi_time_filter', true],
      ['exit_scam', false],
    ]);
    expect(pump.decisions[1].reason).toBe('filter disabled');
    // With the time filter on, the single pump candle has not held the zone for 7 candles: refused there first.
    expect(h.filters.checkEntry('PUMP', 'SHORT', config).blockedBy).toBe('rsi_time_filter');
    // Each filter respects its flag.
    expect(
      h.filters.checkEntry('PUMP', 'SHORT', { ...config, rsi_time_filter_enabled: false, exit_scam_enabled: false })
        .allowed,
    ).toBe(true);
    expect(h.filters.checkEntry('YOUNG', 'LONG', { ...config, enable_maturity_check: false }).decisions[0].reason).toBe(
      'filter disabled',
    );

    const listed = h.filters.checkEntry('SLIDE', 'LONG', { ...config, blacklist: ['slideusdt'] });
    expect(listed).toMatchObject({ allowed: false, blockedBy: 'scope' });
    expect(listed.decisions).toHaveLength(4);
    expect(
      h.filters.checkEntry('SLIDE', 'LONG', { ...config, scope: 'whitelist', whitelist: ['WAVE'] }).blockedBy,
    ).toBe('scope');
  });

  it('the scope rule blocks in the table too, after a config change', async () => {
    await h.autoBot.update({ blacklist: ['SLIDE'] });
    expect(h.rsi.getCoin('SLIDE')).toMatchObject({ blocked_by_scope: true, signal: 'WAIT', effective_signal: 'WAIT' });
    await h.autoBot.update({ blacklist: [], scope: 'whitelist', whitelist: ['WAVE'] });
    expect(h.rsi.getCoin('SLIDE')!.blocked_by_scope).toBe(true);
    expect(h.rsi.getCoin('WAVE')!.blocked_by_scope).toBe(false);
    await h.autoBot.update({ whitelist: [] });
    expect(h.rsi.getCoin('SLIDE')!.effective_signal).toBe('ENTER_LONG');
  });

  it('loss re-entry: a losing exit within the last 3 candles blocks, a winning one does not', () => {
    const candles = h.rsi.getCandles('SLIDE');
    h.trades.set('SLIDE', [{ pnl: -3, exitTime: candles.at(-2)!.time }]);
    const version = h.rsi.dataVersion;
    // The last round saw no trades: the record says allowed.
    const before = h.rsi.getCoin('SLIDE')!.loss_reentry_info;
    expect(before).toMatchObject({ allowed: true });
    expect(h.filters.effectiveSignal('SLIDE')).toEqual({
      signal: 'WAIT',
      reason: 'blocked by loss re-entry protection',
    });
    // A query: the coin table (RsiService's) is neither written nor versioned by it.
    expect(h.rsi.getCoin('SLIDE')!.loss_reentry_info).toEqual(before);
    expect(h.rsi.getCoin('SLIDE')!.effective_signal).toBe('ENTER_LONG');
    expect(h.rsi.dataVersion).toBe(version);
    // The owner applies the enricher's fields and bumps its version.
    h.rsi.reenrich(['SLIDE']);
    expect(h.rsi.getCoin('SLIDE')!.loss_reentry_info).toMatchObject({ allowed: false, details: { candles_passed: 2 } });
    expect(h.rsi.getCoin('SLIDE')!.effective_signal).toBe('WAIT');
    expect(h.rsi.dataVersion).toBe(version + 1);
    h.trades.set('SLIDE', [{ pnl: -3, exitTime: candles.at(-3)!.time }]);
    expect(h.filters.effectiveSignal('SLIDE').signal).toBe('ENTER_LONG');
    h.trades.set('SLIDE', [{ pnl: 4, exitTime: candles.at(-1)!.time }]);
    expect(h.filters.effectiveSignal('SLIDE').signal).toBe('ENTER_LONG');
  });

  it('delisted coins get no entry: scan of Closed instruments, and coins reported by the bots', async () => {
    expect(h.filters.isDelisted('GONE')).toBe(true); // status Closed, even before a scan
    const scan = await h.delisting.scan();
    expect(scan.added).toEqual(['GONE']);
    const file = JSON.parse(readFileSync(path.join(h.dataDir, 'delisted.json'), 'utf8'));
    expect(file).toMatchObject({
      delisted_coins: { GONE: { source: 'exchange_scan' } },
      scan_enabled: true,
      last_scan: expect.any(String),
    });
    await h.delisting.markDelisted('SLIDE', 'order rejected: 30228');
    expect(h.filters.effectiveSignal('SLIDE')).toEqual({ signal: 'WAIT', reason: 'coin is being delisted' });
    expect(h.filters.checkEntry('SLIDE', 'LONG', config)).toMatchObject({ allowed: false, blockedBy: 'delisted' });
  });

  it('maturity: stored in mature_coins.json; a change of its settings clears the store and re-checks', async () => {
    expect(h.maturity.isMature('WAVE')).toBe(true);
    expect(h.maturity.isMature('YOUNG')).toBe(false);
    await h.maturity.flush();
    const stored = JSON.parse(readFileSync(path.join(h.dataDir, 'mature_coins.json'), 'utf8'));
    expect(Object.keys(stored).sort()).toEqual(['PUMP', 'SLIDE', 'WAVE']);
    expect(stored.WAVE.maturity_data.details).toMatchObject({
      candles_count: 1000,
      min_required: 400,
      timeframe: '6h',
      config_min_rsi_low: 35,
      config_max_rsi_high: 65,
    });
    const rsiMin = stored.WAVE.maturity_data.details.rsi_min as number;
    // Just below WAVE's lowest RSI: WAVE never reached it, so it is not mature under the new setting.
    await h.autoBot.update({ min_rsi_low: Math.floor((rsiMin - 0.01) * 100) / 100 });
    // The settings listener clears the store in the background (save first, then memory): wait for it to land.
    await until(() => !h.maturity.isMature('WAVE'));
    expect(h.maturity.isMature('WAVE')).toBe(false);
    expect(h.rsi.getCoin('WAVE')!.is_mature).toBe(false);
    await h.autoBot.update({ min_rsi_low: rsiMin });
    await until(() => h.maturity.isMature('WAVE'));
    expect(h.maturity.isMature('WAVE')).toBe(true);
    // The check switched off: every coin counts as mature.
    await h.autoBot.update({ enable_maturity_check: false });
    expect(h.rsi.getCoin('YOUNG')!.is_mature).toBe(true);
    expect(h.maturity.isMature('YOUNG')).toBe(true);
  });

  it('enhanced RSI (system setting) adds its verdict to entry-zone coins and drives the effective signal', async () => {
    expect(h.rsi.getCoin('SLIDE')!.enhanced_rsi).toEqual({ enabled: false });
    await h.system.update({ enhanced_rsi_enabled: true });
    const enhanced = h.rsi.getCoin('SLIDE')!.enhanced_rsi!;
    expect(enhanced.enabled).toBe(true);
    expect(['ENTER_LONG', 'WAIT']).toContain(enhanced.signal);
    expect(enhanced).toHaveProperty('adaptive_levels');
    const verdict = h.filters.effectiveSignal('SLIDE');
    if (enhanced.signal === 'WAIT') expect(verdict).toEqual({ signal: 'WAIT', reason: 'enhanced RSI did not confirm' });
    else expect(verdict.signal).toBe('ENTER_LONG');
    // Strict mode needs a bullish divergence, which a steady slide does not have.
    await h.system.update({ enhanced_rsi_require_divergence_confirmation: true });
    expect(h.rsi.getCoin('SLIDE')!.enhanced_rsi!.signal).toBe('WAIT');
    expect(h.filters.effectiveSignal('SLIDE').signal).toBe('WAIT');
  });
});
