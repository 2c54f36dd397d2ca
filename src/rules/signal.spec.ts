import {
  baseSignal,
  DEFAULT_EXIT_THRESHOLDS,
  effectiveSignal,
  exitSignal,
  pickLevel,
  rsiZone,
  type EffectiveSignalInput,
  type EffectiveSignalSettings,
} from './signal';

const thresholds = { longThreshold: 29, shortThreshold: 71 };

describe('base signal and zone', () => {
  it('ENTER_LONG at RSI <= 29, WAIT at 29.01; ENTER_SHORT at >= 71, WAIT at 70.99', () => {
    expect(baseSignal(29, thresholds)).toBe('ENTER_LONG');
    expect(baseSignal(29.01, thresholds)).toBe('WAIT');
    expect(baseSignal(71, thresholds)).toBe('ENTER_SHORT');
    expect(baseSignal(70.99, thresholds)).toBe('WAIT');
    expect(baseSignal(null, thresholds)).toBe('WAIT');
    expect(rsiZone(29, thresholds)).toBe('BUY_ZONE');
    expect(rsiZone(71, thresholds)).toBe('SELL_ZONE');
    expect(rsiZone(50, thresholds)).toBe('NEUTRAL');
  });
});

describe('effective signal (§5.2)', () => {
  const settings: EffectiveSignalSettings = {
    ...thresholds,
    enhancedRsiEnabled: false,
    exitScamEnabled: true,
    rsiTimeFilterEnabled: true,
    lossReentryEnabled: true,
    maturityCheckEnabled: true,
    avoidDownTrend: false,
    avoidUpTrend: false,
  };
  const clean: EffectiveSignalInput = {
    rsi: 25,
    signal: 'ENTER_LONG',
    trend: 'NEUTRAL',
    blockedByScope: false,
    blockedByExitScam: false,
    blockedByRsiTime: false,
    blockedByLossReentry: false,
    isMature: true,
  };

  it('passes a clean entry through', () => {
    expect(effectiveSignal(clean, settings).signal).toBe('ENTER_LONG');
    expect(effectiveSignal({ ...clean, rsi: 75, signal: 'ENTER_SHORT' }, settings).signal).toBe('ENTER_SHORT');
  });

  it('each block answers WAIT, and only while its filter is enabled', () => {
    const cases: Array<[Partial<EffectiveSignalInput>, Partial<EffectiveSignalSettings>]> = [
      [{ blockedByExitScam: true }, { exitScamEnabled: false }],
      [{ blockedByRsiTime: true }, { rsiTimeFilterEnabled: false }],
      [{ blockedByLossReentry: true }, { lossReentryEnabled: false }],
      [{ isMature: false }, { maturityCheckEnabled: false }],
    ];
    for (const [block, disable] of cases) {
      expect(effectiveSignal({ ...clean, ...block }, settings).signal).toBe('WAIT');
      expect(effectiveSignal({ ...clean, ...block }, { ...settings, ...disable }).signal).toBe('ENTER_LONG');
    }
    expect(effectiveSignal({ ...clean, blockedByScope: true }, settings).signal).toBe('WAIT');
    expect(effectiveSignal({ ...clean, rsi: null }, settings).signal).toBe('WAIT');
    expect(effectiveSignal({ ...clean, signal: 'WAIT' }, settings).signal).toBe('WAIT');
  });

  it('re-checks the thresholds and the trend-avoid flags', () => {
    expect(effectiveSignal({ ...clean, rsi: 29.01 }, settings).signal).toBe('WAIT');
    expect(effectiveSignal({ ...clean, trend: 'DOWN' }, settings).signal).toBe('ENTER_LONG');
    expect(effectiveSignal({ ...clean, trend: 'DOWN' }, { ...settings, avoidDownTrend: true }).signal).toBe('WAIT');
    const short = { ...clean, rsi: 80, signal: 'ENTER_SHORT' as const, trend: 'UP' as const };
    expect(effectiveSignal(short, settings).signal).toBe('ENTER_SHORT');
    expect(effectiveSignal(short, { ...settings, avoidUpTrend: true }).signal).toBe('WAIT');
  });

  it('with enhanced RSI enabled its verdict replaces the signal', () => {
    const enhanced = { ...settings, enhancedRsiEnabled: true };
    expect(effectiveSignal({ ...clean, enhancedSignal: 'WAIT' }, enhanced).signal).toBe('WAIT');
    expect(effectiveSignal({ ...clean, enhancedSignal: null }, enhanced).signal).toBe('WAIT');
    expect(effectiveSignal({ ...clean, enhancedSignal: 'ENTER_LONG' }, enhanced).signal).toBe('ENTER_LONG');
  });
});

describe('exit signal (§5.3, seed defaults 65 / 35)', () => {
  it('LONG exits at RSI >= 65, SHORT at <= 35', () => {
    expect(exitSignal(65, 'LONG', 'NEUTRAL', DEFAULT_EXIT_THRESHOLDS).signal).toBe('EXIT_LONG');
    expect(exitSignal(64.99, 'LONG', 'NEUTRAL', DEFAULT_EXIT_THRESHOLDS).exit).toBe(false);
    expect(exitSignal(35, 'SHORT', 'NEUTRAL', DEFAULT_EXIT_THRESHOLDS).signal).toBe('EXIT_SHORT');
    expect(exitSignal(35.01, 'SHORT', 'NEUTRAL', DEFAULT_EXIT_THRESHOLDS).exit).toBe(false);
    expect(exitSignal(null, 'LONG', 'UP', DEFAULT_EXIT_THRESHOLDS).exit).toBe(false);
  });

  it('picks the with-trend or against-trend level from the entry trend', () => {
    const levels = { longWithTrend: 65, longAgainstTrend: 60, shortWithTrend: 35, shortAgainstTrend: 40 };
    expect(exitSignal(62, 'LONG', 'UP', levels).exit).toBe(false);
    expect(exitSignal(60, 'LONG', 'NEUTRAL', levels).exit).toBe(true);
    expect(exitSignal(38, 'SHORT', 'DOWN', levels).exit).toBe(false);
    expect(exitSignal(40, 'SHORT', 'UP', levels).threshold).toBe(40);
  });

  it('a level of 0 counts as unset', () => {
    expect(pickLevel(0, undefined, 65)).toBe(65);
    expect(pickLevel(null, 61, 65)).toBe(61);
  });
});
