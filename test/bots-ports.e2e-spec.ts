import request from 'supertest';
import { TradingBot } from '../src/bots/engine/trading-bot';
import { BotHistoryService } from '../src/bots/history/bot-history.service';
import { BotRegistry } from '../src/bots/registry/bot-registry.service';
import { FilterService } from '../src/filters/filter.service';
import { TRADE_HISTORY } from '../src/filters/trade-history.port';
import { BOT_COUNTS } from '../src/health/bot-counts.port';
import { StatusService } from '../src/health/status.service';
import { createTestApp, type TestApp } from './support/test-app';

jest.setTimeout(120_000);

/**
 * The ports the bots module fills for filters and health come from Nest DI at construction, not from setters at init.
 */
describe('ports from bots to the modules below it', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { PAPER_SYMBOLS: '20' } });
  });
  afterAll(async () => t?.close());

  it('the filters get the bots history as their trade history, injected into the constructor', () => {
    const history = t.app.get(BotHistoryService);
    expect(t.app.get(TRADE_HISTORY, { strict: false })).toBe(history);
    expect((t.app.get(FilterService) as unknown as { tradeHistory: unknown }).tradeHistory).toBe(history);
  });

  it('the status endpoints count the registry through BOT_COUNTS', async () => {
    const registry = t.app.get(BotRegistry);
    expect(t.app.get(BOT_COUNTS, { strict: false })).toBe(registry);
    expect((t.app.get(StatusService) as unknown as { botCounts: unknown }).botCounts).toBe(registry);
    const before = (await request(t.http).get('/api/bots/status').expect(200)).body.bots;
    await registry.withLock('PORTX', () =>
      registry.add(
        TradingBot.create({
          symbol: 'PORTX',
          nowMs: Date.UTC(2026, 0, 1),
          volumeMode: 'usdt',
          volumeValue: 10,
          leverage: 5,
          autoManaged: false,
        }),
      ),
    );
    const after = (await request(t.http).get('/api/bots/status').expect(200)).body.bots;
    expect(after).toEqual({ total: before.total + 1, active: before.active + 1 });
  });
});
