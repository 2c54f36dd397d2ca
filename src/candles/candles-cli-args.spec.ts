import { formatBytes, parseCandlesArgs, progressBar } from './candles-cli-args';

describe('npm run candles arguments', () => {
  it('parses the documented form, dates in UTC', () => {
    expect(parseCandlesArgs(['--timeframe', '6h', '--since', '2025-01-01', '--symbols', 'BTC,eth, SOLUSDT'])).toEqual({
      timeframe: '6h',
      since: Date.UTC(2025, 0, 1),
      until: undefined,
      symbols: ['BTC', 'ETH', 'SOL'],
      concurrency: undefined,
    });
    expect(
      parseCandlesArgs([
        '--since=2025-01-01T06:00',
        '--until',
        '1767225600000',
        '--timeframe=1h',
        '--concurrency',
        '8',
      ]),
    ).toEqual({
      timeframe: '1h',
      since: Date.UTC(2025, 0, 1, 6),
      until: 1767225600000,
      symbols: undefined,
      concurrency: 8,
    });
  });

  it('refuses what it cannot use, naming the option', () => {
    expect(() => parseCandlesArgs([])).toThrow('--since is required');
    expect(() => parseCandlesArgs(['--since', 'yesterday'])).toThrow('--since: "yesterday" is not a date');
    expect(() => parseCandlesArgs(['--since', '2025-01-01', '--timeframe', '1w'])).toThrow(
      /--timeframe: one of 1m, .*1d$/,
    );
    expect(() => parseCandlesArgs(['--since', '2025-01-01', '--symbols', 'BTC,../x'])).toThrow(
      '--symbols: "../x" is not a coin symbol',
    );
    expect(() => parseCandlesArgs(['--since', '2025-01-01', '--until', '2024-01-01'])).toThrow(
      '--until must be after --since',
    );
    expect(() => parseCandlesArgs(['--since', '2025-01-01', '--concurrency', '0'])).toThrow('--concurrency');
    expect(() => parseCandlesArgs(['--since', '2025-01-01', '--from', 'x'])).toThrow('unknown option --from');
    expect(() => parseCandlesArgs(['--since'])).toThrow('--since needs a value');
  });

  it('draws the bar and sizes', () => {
    expect(progressBar(0, 10, 10)).toBe('[..........]   0%');
    expect(progressBar(5, 10, 10)).toBe('[#####.....]  50%');
    expect(progressBar(0, 0, 10)).toBe('[##########] 100%');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MiB');
  });
});
