import { Logger } from '@nestjs/common';
import { AppLogger, type AppLoggerOptions } from './app-logger';

function capture(options: Partial<AppLoggerOptions> = {}) {
  let now = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
  const lines: Array<{ line: string; level: string }> = [];
  const logger = new AppLogger({
    format: 'text',
    levels: ['fatal', 'error', 'warn', 'log'],
    now: () => now,
    write: (line, level) => lines.push({ line, level }),
    sweepIntervalMs: 0,
    ...options,
  });
  return { logger, lines, advance: (ms: number) => (now += ms), text: () => lines.map((l) => l.line) };
}

describe('AppLogger', () => {
  it('prints one readable line with time, level, context and structured fields', () => {
    const { logger, text } = capture();
    logger.log({ message: 'opened LONG', symbol: 'BTC', botId: 'BTC_1', size: 0.5 }, 'BotManager');
    expect(text()).toEqual([
      '2026-01-02T03:04:05.006Z INFO    [BotManager] opened LONG symbol=BTC size=0.5 bot_id=BTC_1',
    ]);
  });

  it('prints one JSON object per line when LOG_FORMAT=json', () => {
    const { logger, text } = capture({ format: 'json' });
    logger.warn({ message: 'slow answer', symbol: 'ETH' }, 'Exchange');
    logger.error('order failed', 'Error: boom\n    at x (y.ts:1:1)', 'Bots');
    const [warn, error] = text().map((l) => JSON.parse(l));
    expect(warn).toEqual({
      time: '2026-01-02T03:04:05.006Z',
      level: 'warn',
      context: 'Exchange',
      message: 'slow answer',
      symbol: 'ETH',
    });
    expect(error).toEqual({
      time: '2026-01-02T03:04:05.006Z',
      level: 'error',
      context: 'Bots',
      message: 'order failed',
      stack: 'Error: boom\n    at x (y.ts:1:1)',
    });
    expect(text().every((l) => !l.includes('\n'))).toBe(true);
  });

  it('keeps a multi-line message on one text line', () => {
    const { logger, text } = capture();
    logger.error('failed', 'Error: boom\n    at a (b.ts:1:1)', 'Main');
    expect(text()).toEqual(['2026-01-02T03:04:05.006Z ERROR   [Main] failed ↵ Error: boom ↵ at a (b.ts:1:1)']);
  });

  it('drops levels that are not enabled and can change them', () => {
    const { logger, text } = capture({ levels: ['error'] });
    logger.log('hidden');
    logger.debug('hidden');
    logger.error('shown');
    logger.setLogLevels(['error', 'log']);
    logger.log('now shown');
    expect(text().map((l) => l.slice(25))).toEqual(['ERROR   shown', 'INFO    now shown']);
  });

  it('sends warnings and errors to stderr, the rest to stdout', () => {
    const { logger, lines } = capture();
    logger.log('a');
    logger.warn('b');
    logger.error('c');
    expect(lines.map((l) => l.level)).toEqual(['log', 'warn', 'error']);
  });

  it('suppresses identical entries within 60 s and reports the count when the window ends (fake clock)', () => {
    const { logger, text, advance } = capture();
    logger.warn('bybit fetchTickers failed: timeout', 'Exchange');
    for (let i = 0; i < 5; i++) {
      advance(10_000); // 10..50 s
      logger.warn('bybit fetchTickers failed: timeout', 'Exchange');
    }
    logger.warn('bybit fetchTickers failed: timeout', 'Bots'); // other context: its own line
    logger.log('bybit fetchTickers failed: timeout', 'Exchange'); // other level: its own line
    expect(text()).toHaveLength(3);
    advance(10_000); // 60 s after the first: the next entry of any kind closes the window first
    logger.log('tick done', 'Worker');
    expect(text().slice(3)).toEqual([
      '2026-01-02T03:05:05.006Z WARN    [Exchange] bybit fetchTickers failed: timeout (repeated 5 times)',
      '2026-01-02T03:05:05.006Z INFO    [Worker] tick done',
    ]);
    // The same message after the window prints again.
    logger.warn('bybit fetchTickers failed: timeout', 'Exchange');
    expect(text()).toHaveLength(6);
  });

  it('reports the count as a JSON field too, and flushes open windows at exit', () => {
    const { logger, text } = capture({ format: 'json' });
    logger.error({ message: 'no price', symbol: 'SOL' }, undefined, 'Rsi');
    logger.error({ message: 'no price', symbol: 'SOL' }, undefined, 'Rsi');
    logger.error({ message: 'no price', symbol: 'DOGE' }, undefined, 'Rsi'); // other symbol: not a repeat
    expect(text()).toHaveLength(2);
    logger.close();
    const summary = JSON.parse(text()[2]);
    expect(summary).toMatchObject({
      level: 'error',
      context: 'Rsi',
      message: 'no price (repeated 1 times)',
      symbol: 'SOL',
      repeated: 1,
    });
  });

  it('never prints a known secret, whatever the caller passes', () => {
    const secret = 'sk-test-7f3a9c1e';
    const { logger, text } = capture({ secrets: [secret, null, 'abc'] });
    logger.log(`key is ${secret}`, 'Leaky');
    logger.log({ message: 'fields', apiKey: secret }, 'Leaky');
    logger.log('abc is short, left alone');
    expect(text().join('\n')).not.toContain(secret);
    expect(text()[0]).toContain('key is ***');
    expect(text()[2]).toContain('abc is short');
  });

  it('receives Nest Logger calls with their context', () => {
    const { logger, text } = capture();
    Logger.overrideLogger(logger);
    try {
      new Logger('Exchange').log('ready');
      new Logger('Exchange').error('init failed');
    } finally {
      Logger.overrideLogger(false as never);
    }
    expect(text().map((l) => l.slice(25))).toEqual(['INFO    [Exchange] ready', 'ERROR   [Exchange] init failed']);
  });
});
