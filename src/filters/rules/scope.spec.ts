import { checkScope, compileScope } from './scope';

describe('scope (whitelist / blacklist, docs/trading-logic.md §5.1)', () => {
  it('normalizes list entries and the coin alike (src/common/symbol.ts)', () => {
    const blocked = (coin: string, entry: string) =>
      !checkScope(coin, compileScope({ scope: 'all', whitelist: [], blacklist: [entry] })).allowed;
    expect(blocked('BTC', ' btcusdt ')).toBe(true);
    expect(blocked('btcusdt', 'BTC')).toBe(true);
    expect(blocked('USDT', 'USDT')).toBe(true);
    expect(blocked('1000PEPE', '1000pepe')).toBe(true);
    expect(blocked('ETH', 'btcusdt')).toBe(false);
  });

  it('a list entry or a coin that is no coin symbol matches nothing', () => {
    const compiled = compileScope({ scope: 'whitelist', whitelist: ['ETH', 'BTC/USDT'], blacklist: ['BTC-PERP'] });
    expect(checkScope('BTC', compiled)).toMatchObject({ allowed: false, reason: 'BTC is not on the whitelist' });
    expect(checkScope('BTC/USDT', compiled)).toMatchObject({
      allowed: false,
      reason: 'BTC/USDT is not on the whitelist',
    });
    expect(checkScope('ETH', compiled).allowed).toBe(true);
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
