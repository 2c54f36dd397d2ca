import { EnvValidationError, parseAppSettings, parseExchangeSettings } from './env';

describe('environment settings', () => {
  it('defaults to port 5001 on all interfaces with the paper exchange', () => {
    expect(parseAppSettings({})).toMatchObject({
      port: 5001,
      host: '0.0.0.0',
      dataDir: './data',
      logLevel: 'log',
      apiKey: null,
      corsOrigins: '*',
    });
    expect(parseExchangeSettings({})).toMatchObject({
      name: 'paper',
      apiKey: null,
      testnet: false,
      apiUrl: null,
      paper: { seed: 42, timeScale: 1 },
    });
  });

  it.each([
    [{ PORT: '70000' }, 'Invalid PORT="70000": must be an integer from 0 to 65535'],
    [{ PORT: 'abc' }, 'Invalid PORT="abc"'],
    [{ LOG_LEVEL: 'loud' }, 'Invalid LOG_LEVEL="loud": must be one of error, warn, log, debug, verbose'],
  ])('rejects %j', (env, message) => {
    expect(() => parseAppSettings(env)).toThrow(EnvValidationError);
    expect(() => parseAppSettings(env)).toThrow(message);
  });

  it('needs keys for a real exchange and never echoes them', () => {
    expect(() => parseExchangeSettings({ EXCHANGE: 'bybit' })).toThrow(
      'EXCHANGE=bybit needs EXCHANGE_API_KEY and EXCHANGE_API_SECRET',
    );
    expect(() => parseExchangeSettings({ EXCHANGE: 'kraken' })).toThrow('must be one of paper, bybit, binance');
    const real = parseExchangeSettings({
      EXCHANGE: 'bybit',
      EXCHANGE_API_KEY: 'k',
      EXCHANGE_API_SECRET: 's',
      EXCHANGE_API_URL: 'http://127.0.0.1:5099',
    });
    expect(real).toMatchObject({ name: 'bybit', apiUrl: 'http://127.0.0.1:5099' });
    expect(() => parseExchangeSettings({ EXCHANGE_API_URL: 'ftp://x' })).toThrow('EXCHANGE_API_URL');
  });

  it('splits a CORS origin list', () => {
    expect(parseAppSettings({ CORS_ORIGINS: 'http://a:5000, http://b:5000' }).corsOrigins).toEqual([
      'http://a:5000',
      'http://b:5000',
    ]);
  });
});
