import { ConfigValidationError } from '../config/config-validation.error';
import { EnvValidationError } from '../config/env';
import { formatNumber, parseBacktestArgs, summaryTable } from './backtest-cli-args';
import { parseTime } from './backtest-runner.service';
import { backtestMaxJobs } from './backtest-settings';

describe('parseTime', () => {
  it('reads dates as UTC, ISO times and epoch ms', () => {
    expect(parseTime('from', '2026-01-01')).toBe(Date.UTC(2026, 0, 1));
    expect(parseTime('from', '2026-01-01T06:30')).toBe(Date.UTC(2026, 0, 1, 6, 30));
    expect(parseTime('from', '2026-01-01T06:30:00+02:00')).toBe(Date.UTC(2026, 0, 1, 4, 30));
    expect(parseTime('to', 1767225600000)).toBe(1767225600000);
    expect(parseTime('to', '1767225600000')).toBe(1767225600000);
  });

  it('names the field of anything else', () => {
    for (const bad of ['soon', '', -1, null, {}, 'x'.repeat(50)]) {
      expect(() => parseTime('to', bad)).toThrow(ConfigValidationError);
      try {
        parseTime('to', bad);
      } catch (error) {
        expect((error as ConfigValidationError).key).toBe('to');
      }
    }
  });
});

describe('parseBacktestArgs', () => {
  it('maps the flags to a request', () => {
    const args = parseBacktestArgs([
      '--from',
      '2026-01-01',
      '--to',
      '2026-06-01',
      '--symbols',
      'BTC, ethusdt',
      '--detail',
      '1m',
      '--balance',
      '2500',
      '--config',
      'o.json',
      '--out',
      'out',
    ]);
    expect(args).toEqual({
      request: {
        from: '2026-01-01',
        to: '2026-06-01',
        symbols: ['BTC', 'ethusdt'],
        detail: true,
        starting_balance: 2500,
      },
      configFile: 'o.json',
      outDir: 'out',
    });
    expect(parseBacktestArgs(['--from', '2026-01-01']).request).toMatchObject({ detail: false });
    expect(parseBacktestArgs(['--from', '2026-01-01']).request).not.toHaveProperty('symbols');
  });

  it('refuses a missing --from, an unknown flag and a detail other than 1m', () => {
    expect(() => parseBacktestArgs([])).toThrow('--from is required');
    expect(() => parseBacktestArgs(['--from', '2026-01-01', '--speed', 'max'])).toThrow(/speed/);
    expect(() => parseBacktestArgs(['--from', '2026-01-01', '--detail', '5m'])).toThrow('--detail');
  });
});

describe('summary formatting', () => {
  it('aligns labels and shows a missing ratio as a dash', () => {
    expect(
      summaryTable([
        ['trades', '3'],
        ['net PnL', '1.00 USDT'],
      ]),
    ).toBe('trades   3\nnet PnL  1.00 USDT');
    expect(formatNumber(null)).toBe('—');
    expect(formatNumber(1.234, 1, ' %')).toBe('1.2 %');
  });
});

describe('BACKTEST_MAX_JOBS', () => {
  it('defaults to 1 and accepts 1 to 16', () => {
    expect(backtestMaxJobs({})).toBe(1);
    expect(backtestMaxJobs({ BACKTEST_MAX_JOBS: '3' })).toBe(3);
    for (const bad of ['0', '17', '1.5', 'many']) {
      expect(() => backtestMaxJobs({ BACKTEST_MAX_JOBS: bad })).toThrow(EnvValidationError);
    }
  });
});
