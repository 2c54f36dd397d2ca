import { Logger } from '@nestjs/common';
import { ManualClock } from '../common/clock';
import type { JsonStore } from '../persistence/json-store.service';
import { RsiCacheFile } from './rsi-cache-file';

/** A store holding only optimal_ema.json with `content`. */
function cacheFileWith(content: unknown): RsiCacheFile {
  const store = { exists: async () => true, load: async () => structuredClone(content) } as unknown as JsonStore;
  const logger = new Logger('test');
  logger.log = () => undefined;
  return new RsiCacheFile(store, new ManualClock(0), logger);
}

describe('RsiCacheFile.loadOptimalEma', () => {
  it('keys the pairs by coin symbol, read as every symbol is (src/common/symbol.ts)', async () => {
    const pairs = await cacheFileWith({
      btcusdt: { ema_short: 20, ema_long: 100 },
      ETH: { ema_short: 12, ema_long: 50 },
      ' solusdt ': { ema_short: 9, ema_long: 30 },
    }).loadOptimalEma();
    expect([...pairs]).toEqual([
      ['BTC', { fast: 20, slow: 100 }],
      ['ETH', { fast: 12, slow: 50 }],
      ['SOL', { fast: 9, slow: 30 }],
    ]);
  });

  it('skips a key that is no coin symbol and a pair out of range', async () => {
    const pairs = await cacheFileWith({
      'BTC/USDT': { ema_short: 20, ema_long: 100 },
      ETH: { ema_short: 50, ema_long: 12 },
      XRP: { ema_short: 10, ema_long: 40 },
    }).loadOptimalEma();
    expect([...pairs]).toEqual([['XRP', { fast: 10, slow: 40 }]]);
  });
});
