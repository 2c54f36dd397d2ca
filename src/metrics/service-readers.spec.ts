import { botFigures, botList, readBots, readRsi, readTrades, readWorkers } from './service-readers';

describe('metrics: reading other services', () => {
  const bots = [
    { status: 'in_position_long', position_side: 'LONG', unrealized_pnl_usdt: 3 },
    { status: 'in_position_short', position_side: 'SHORT', unrealized_pnl_usdt: -1 },
    { status: 'running', position_side: null, unrealized_pnl_usdt: 0 },
    { status: 'running', position_side: null, unrealized_pnl_usdt: Number.NaN },
    { status: 'paused', position_side: 'LONG', unrealized_pnl_usdt: 0.5 },
  ];

  it('counts bots by status, open positions (paused ones holding a position included) and unrealised PnL', () => {
    const f = botFigures(bots);
    expect(Object.fromEntries(f.byStatus)).toEqual({
      in_position_long: 1,
      in_position_short: 1,
      running: 2,
      paused: 1,
    });
    expect(f.openPositions).toBe(3);
    expect(f.unrealizedPnl).toBe(2.5);
  });

  it('reads TradingBot-like objects through their record', () => {
    expect(botList([{ record: bots[0] }, { record: bots[2] }])).toEqual([bots[0], bots[2]]);
  });

  it('sums realised PnL of real closed trades, demo history left out', () => {
    const history = { closedTrades: () => [{ pnl: 12.5 }, { pnl: -2.5 }, { pnl: 100, is_demo: true }, { pnl: 'x' }] };
    expect(readTrades(history)).toEqual({ closedTrades: 3, realizedPnl: 10 });
    expect(readTrades({})).toBeNull();
  });

  it('accepts an array, a Map, a {symbol: bot} object or {bots: …}', () => {
    expect(botList(bots)).toHaveLength(5);
    expect(botList(new Map([['BTC', bots[0]]]))).toEqual([bots[0]]);
    expect(botList({ BTC: bots[0], ETH: bots[1] })).toEqual([bots[0], bots[1]]);
    expect(botList({ bots: { BTC: bots[0] } })).toEqual([bots[0]]);
    expect(botList(undefined)).toBeNull();
  });

  it('finds the list method of a manager, or gives up quietly', () => {
    expect(readBots({ all: () => bots.map((record) => ({ record })) })?.openPositions).toBe(3);
    expect(readBots({ bots: new Map([['BTC', bots[0]]]) })?.openPositions).toBe(1);
    expect(readBots({})).toBeNull();
    expect(readBots(null)).toBeNull();
  });

  it('reads RSI load figures, null where a number is missing', () => {
    const rsi = { coinsCount: () => 530, getLoadProgress: () => ({ durationMs: 4200, inProgress: false, failed: 3 }) };
    expect(readRsi(rsi)).toEqual({ coinsLoaded: 530, loadDurationMs: 4200, loadInProgress: false, failedCoins: 3 });
    expect(readRsi(undefined)).toEqual({
      coinsLoaded: null,
      loadDurationMs: null,
      loadInProgress: null,
      failedCoins: null,
    });
  });

  it('reads the per-worker counts of a BotsWorkers-like service', () => {
    const workers = {
      allStates: () => ({
        position_sync_worker: { runs: 4, failures: 1, last_duration_ms: 12.5, running: false },
        broken: null,
      }),
    };
    expect(readWorkers(workers)).toEqual([
      { name: 'position_sync_worker', runs: 4, failures: 1, lastDurationMs: 12.5, running: false },
    ]);
    expect(readWorkers({})).toEqual([]);
  });
});
