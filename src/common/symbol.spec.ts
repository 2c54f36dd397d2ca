import { ValidationError } from './errors';
import { firstGiven, requireSymbol } from './symbol';

describe('requireSymbol (the one symbol check of path, query and body values)', () => {
  it('normalises a coin symbol', () => {
    expect(requireSymbol('btcusdt')).toBe('BTC');
    expect(requireSymbol(' 1000pepe ')).toBe('1000PEPE');
  });

  it('missing → "Symbol required", malformed → names the field; both ValidationErrors', () => {
    for (const missing of [undefined, null, '', '   ']) {
      expect(() => requireSymbol(missing)).toThrow(new ValidationError('symbol', 'Symbol required'));
    }
    let caught: unknown;
    try {
      requireSymbol('BTC/USDT', 'coin');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect(caught).toMatchObject({
      field: 'coin',
      message: 'coin must be a coin symbol such as BTC or BTCUSDT',
      httpStatus: 400,
    });
  });

  it('firstGiven takes the first non-blank string (body before query)', () => {
    expect(firstGiven(undefined, ' ', 'eth', 'btc')).toBe('eth');
    expect(firstGiven(5, null)).toBeUndefined();
  });
});
