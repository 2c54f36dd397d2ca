import { exceedsJsonDepth, MAX_JSON_DEPTH, rejectDeepJson } from './json-depth';

const bytes = (text: string) => Buffer.from(text, 'utf8');
const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

describe('JSON nesting depth', () => {
  it('allows bodies up to the limit and refuses deeper ones', () => {
    expect(exceedsJsonDepth(bytes(nested(MAX_JSON_DEPTH)))).toBe(false);
    expect(exceedsJsonDepth(bytes(nested(MAX_JSON_DEPTH + 1)))).toBe(true);
    expect(exceedsJsonDepth(bytes(`${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`))).toBe(true);
  });

  it('counts only structure, not brackets inside strings (escaped quotes included)', () => {
    expect(exceedsJsonDepth(bytes(JSON.stringify({ a: '['.repeat(100), b: '\\"{{{{' + '{'.repeat(100) })))).toBe(false);
    expect(exceedsJsonDepth(bytes('{"config":{"autoBot":{"whitelist":["BTC","ETH"]},"system":{}}}'))).toBe(false);
    expect(exceedsJsonDepth(bytes('{"a":[[[1]]]}'), 3)).toBe(true);
    expect(exceedsJsonDepth(bytes('{"a":[[1]]}'), 3)).toBe(false);
  });

  it('the body-parser hook throws a 400 the error filter reports', () => {
    expect(() => rejectDeepJson(null, null, Buffer.from(nested(100)))).toThrow(
      expect.objectContaining({
        status: 400,
        type: 'entity.verify.failed',
        message: `JSON nested deeper than ${MAX_JSON_DEPTH} levels`,
      }),
    );
    expect(() => rejectDeepJson(null, null, Buffer.from('{"symbol":"BTC"}'))).not.toThrow();
  });
});
