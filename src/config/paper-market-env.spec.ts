import { EnvValidationError, parseExchangeSettings } from './env';

describe('PAPER_MARKET (dry run on live prices)', () => {
  it('defaults to the seeded simulation', () => {
    expect(parseExchangeSettings({}).paper.market).toBe('sim');
  });

  it('accepts bybit and binance with the paper exchange, case-insensitive, keys not needed', () => {
    expect(parseExchangeSettings({ PAPER_MARKET: 'bybit' }).paper).toMatchObject({ market: 'bybit', timeScale: 1 });
    expect(
      parseExchangeSettings({ EXCHANGE: 'paper', PAPER_MARKET: 'Binance', EXCHANGE_API_URL: 'http://127.0.0.1:5099' }),
    ).toMatchObject({
      name: 'paper',
      apiUrl: 'http://127.0.0.1:5099',
      paper: { market: 'binance' },
    });
  });

  it.each([
    [{ PAPER_MARKET: 'kraken' }, 'Invalid PAPER_MARKET="kraken": must be one of sim, bybit, binance'],
    [
      { EXCHANGE: 'bybit', EXCHANGE_API_KEY: 'k', EXCHANGE_API_SECRET: 's', PAPER_MARKET: 'bybit' },
      "PAPER_MARKET=bybit needs EXCHANGE=paper (it runs the paper account on bybit's public prices)",
    ],
    [
      { PAPER_MARKET: 'bybit', PAPER_TIME_SCALE: '360' },
      'Invalid PAPER_TIME_SCALE="360": must be 1 with PAPER_MARKET=bybit (real prices run in real time)',
    ],
  ])('refuses %j with one line', (env, message) => {
    expect(() => parseExchangeSettings(env)).toThrow(EnvValidationError);
    expect(() => parseExchangeSettings(env)).toThrow(message);
    try {
      parseExchangeSettings(env);
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('keeps a time scale for the simulation', () => {
    expect(parseExchangeSettings({ PAPER_TIME_SCALE: '360' }).paper).toMatchObject({ market: 'sim', timeScale: 360 });
  });
});
