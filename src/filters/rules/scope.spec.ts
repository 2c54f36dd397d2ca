import { checkScope, compileScope, normalizeListEntry } from './scope';

describe('scope (whitelist / blacklist, docs/trading-logic.md §5.1)', () => {
  it('normalizes list entries', () => {
    expect(normalizeListEntry(' btcusdt ')).toBe('BTC');
    expect(normalizeListEntry('USDT')).toBe('USDT');
    expect(normalizeListEntry('1000pepe')).toBe('1000PEPE');
  });

  it('the blacklist always blocks, whatever the scope', () => {
    for (const scope of ['all', 'whitelist', 'blacklist']) {
      expect(checkScope('BTC', compileScope({ scope, whitelist: ['BTC'], blacklist: ['btcusdt'] })).allowed).toBe(
        false,
      );
    }
  });

  it('scope "whitelist" with a non-empty list blocks unlisted coins only', () => {
    const compiled = compileScope({ scope: 'whitelist', whitelist: ['ETHUSDT'], blacklist: [] });
    expect(checkScope('ETH', compiled).allowed).toBe(true);
    expect(checkScope('BTC', compiled).allowed).toBe(false);
  });

  it('an empty whitelist allows all; scope "all" ignores the whitelist', () => {
    expect(checkScope('BTC', compileScope({ scope: 'whitelist', whitelist: [], blacklist: [] })).allowed).toBe(true);
    expect(checkScope('BTC', compileScope({ scope: 'all', whitelist: ['ETH'], blacklist: [] })).allowed).toBe(true);
  });
});
