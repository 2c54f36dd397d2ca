import request from 'supertest';
import { ManualClock } from '../src/common/clock';
import { ExchangeService } from '../src/exchange/exchange.service';
import { DelistingService } from '../src/filters/delisting.service';
import { bot, bots, eventually, expectedPnl, step, waitForCoins, workers, type CoinView } from './support/bots';
import { createTestApp, type TestApp } from './support/test-app';

jest.setTimeout(180_000);

/**
 * The auto-bot on the paper exchange with a hand-moved clock: bots for the coins whose signal passes the filters,
 * positions with an exchange stop-loss, exits, and the trades they leave in history.
 */
describe('auto-bot on the paper exchange', () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 3, 0));
  let t: TestApp;
  let coins: CoinView[];

  beforeAll(async () => {
    t = await createTestApp({ clock, env: { PAPER_SYMBOLS: '120' } });
    // The tests drive the bots' workers tick by tick.
    await workers(t).stop();
    coins = await waitForCoins(t);
  });
  afterAll(async () => t?.close());

  it('does nothing but record its state while disabled', async () => {
    await workers(t).runNow('auto_bot_worker');
    const state = (await request(t.http).get('/api/bots/process-state').expect(200)).body.process_state;
    expect(state.auto_bot_worker).toMatchObject({ runs: 1, failures: 0, enabled: false });
    expect(state.auto_bot_signals).toMatchObject({ enabled: false, note: 'auto-bot disabled', created: [] });
    expect(await bots(t)).toEqual([]);
  });

  it('creates a bot and opens a position for each coin whose effective signal is an entry; every other candidate is skipped with its reason', async () => {
    const entries = coins.filter((c) => c.effective_signal === 'ENTER_LONG' || c.effective_signal === 'ENTER_SHORT');
    const inZone = coins.filter((c) => c.signal !== 'WAIT');
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.length).toBeLessThanOrEqual(5); // max_concurrent default

    const post = await request(t.http).post('/api/bots/auto-bot').send({ enabled: true }).expect(200);
    expect(post.body).toMatchObject({ success: true, changes_count: 1, changed_params: ['enabled: false → true'] });
    await workers(t).runNow('auto_bot_worker');

    const list = await bots(t);
    expect(list.map((b) => b.symbol).sort()).toEqual(entries.map((c) => c.symbol).sort());
    for (const coin of entries) {
      const b = list.find((x) => x.symbol === coin.symbol);
      expect(b.status).toBe(coin.effective_signal === 'ENTER_LONG' ? 'in_position_long' : 'in_position_short');
      expect(b).toMatchObject({
        auto_managed: true,
        opened_by_autobot: true,
        entry_timeframe: '6h',
        bot_status: 'Активен',
      });
      expect(b.entry_rsi).toBe(coin.rsi);
    }

    const round = (await request(t.http).get('/api/bots/process-state')).body.process_state.auto_bot_signals;
    expect(round.created.sort()).toEqual(entries.map((c) => c.symbol).sort());
    const skipped = round.decisions.filter((d: any) => d.action === 'skipped');
    expect(skipped.map((d: any) => d.symbol).sort()).toEqual(
      inZone
        .filter((c) => !entries.includes(c))
        .map((c) => c.symbol)
        .sort(),
    );
    for (const d of skipped) expect(d.reason).toEqual(expect.any(String));
  });

  it('places the stop-loss with the entry order: 15 % from entry, pulled inside the liquidation distance', async () => {
    const exchange = t.app.get(ExchangeService);
    const positions = await exchange.fetchPositions();
    const list = await bots(t);
    expect(positions.map((p) => p.symbol).sort()).toEqual(list.map((b) => b.symbol).sort());
    for (const p of positions) {
      const b = list.find((x) => x.symbol === p.symbol);
      const tick = exchange.market(p.symbol)!.tickSize;
      // 15 % (max_loss_percent) would lie beyond liquidation at 10x (~10 %): the stop uses 80 % of that distance.
      const percent = Math.min(15, (100 / b.leverage) * 0.8);
      expect(b.leverage).toBe(10);
      const expected =
        b.position_side === 'LONG' ? b.entry_price * (1 - percent / 100) : b.entry_price * (1 + percent / 100);
      expect(p.stopLoss).not.toBeNull();
      expect(Math.abs(p.stopLoss! - expected)).toBeLessThanOrEqual(tick);
      expect(p.size).toBe(b.position_size_coins);
      expect(p.entryPrice).toBe(b.entry_price);
    }
    const detailed = (await request(t.http).get('/api/bots/active-detailed').expect(200)).body;
    expect(detailed.total).toBe(list.length);
    for (const d of detailed.bots) {
      expect(['Long', 'Short']).toContain(d.position_side);
      expect(d.stop_loss_pnl).toBeCloseTo(-8, 0); // the loss at the stop: 80 % of the 10 % liquidation distance
    }
  });

  it('never opens a second bot or position for a symbol that has one', async () => {
    const before = (await bots(t)).map((b) => b.symbol);
    await workers(t).runNow('auto_bot_worker');
    const round = (await request(t.http).get('/api/bots/process-state')).body.process_state.auto_bot_signals;
    expect(round.created).toEqual([]);
    for (const symbol of before) {
      const decision = round.decisions.find((d: any) => d.symbol === symbol);
      if (decision) expect(decision.filter).toBe('bot_exists');
    }
    expect((await t.app.get(ExchangeService).fetchPositions()).length).toBe(before.length);
  });

  it('closes the positions by stop-loss, trailing stop or RSI exit and records each trade with its PnL', async () => {
    // Tight protections so that the positions end within simulated days; auto-bot off so none reopens.
    await request(t.http)
      .post('/api/bots/auto-bot')
      .send({
        enabled: false,
        max_loss_percent: 1.5,
        trailing_stop_activation: 1,
        trailing_stop_distance: 0.5,
        close_at_profit_enabled: false,
        break_even_protection: false,
      })
      .expect(200);
    const opened = await bots(t);
    for (let i = 0; i < 2000 && (await bots(t)).some((b) => b.position_side !== null); i++) await step(t, clock, 10);
    expect((await bots(t)).filter((b) => b.position_side !== null)).toEqual([]);

    const trades = (await request(t.http).get('/api/bots/trades').expect(200)).body.trades;
    expect(trades.map((x: any) => x.symbol).sort()).toEqual(opened.map((b) => b.symbol).sort());
    const exchangeTrades = await t.app.get(ExchangeService).fetchClosedTrades(0);
    for (const trade of trades) {
      const b = opened.find((x) => x.symbol === trade.symbol);
      expect(trade).toMatchObject({
        direction: b.position_side,
        entry_price: b.entry_price,
        size: b.position_size_coins,
        status: 'CLOSED',
        is_simulated: true,
      });
      expect(['STOP_LOSS', 'TRAILING_STOP', 'RSI_EXIT', 'BREAKEVEN_WAIT_EXIT']).toContain(trade.close_reason);
      expect(trade.pnl).toBeCloseTo(expectedPnl(trade), 6);
      expect(trade.roi).toBeCloseTo((trade.pnl / ((trade.entry_price * trade.size) / trade.leverage)) * 100, 2);
      expect(trade.is_successful).toBe(trade.pnl > 0);
      // The exchange's own record of the close agrees on price and net PnL.
      const onExchange = exchangeTrades.find((e) => e.symbol === trade.symbol);
      expect(onExchange).toBeDefined();
      expect(onExchange!.exitPrice).toBe(trade.exit_price);
      expect(trade.net_pnl).toBeCloseTo(onExchange!.pnl, 6);
      if (trade.close_reason === 'STOP_LOSS') expect(trade.pnl_percent).toBeLessThanOrEqual(-1.5 + 0.05);
      if (trade.close_reason === 'TRAILING_STOP') {
        expect(trade.exit_price >= trade.entry_price === (trade.direction === 'LONG')).toBe(true);
      }
    }
    const stats = (await request(t.http).get('/api/bots/statistics').expect(200)).body.statistics;
    const total = trades.reduce((s: number, x: any) => s + x.pnl, 0);
    expect(stats.total_trades).toBe(trades.length);
    expect(stats.total_pnl).toBeCloseTo(total, 6);
    expect(stats.profitable_trades + stats.losing_trades).toBeLessThanOrEqual(trades.length);
  });
});

/** One exit at a time on manually created bots, steered through per-coin settings. */
describe('bot exits and position sync', () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 3, 0));
  let t: TestApp;
  let coins: CoinView[];
  let exchange: ExchangeService;
  const neutralRsiExit = {
    rsi_exit_long_with_trend: 99,
    rsi_exit_long_against_trend: 99,
    rsi_exit_short_with_trend: 1,
    rsi_exit_short_against_trend: 1,
  };
  const quiet = {
    close_at_profit_enabled: false,
    break_even_protection: false,
    trailing_stop_distance: 0,
    ...neutralRsiExit,
  };
  let pick = 0;

  /** The next coin without a bot or position. */
  function nextCoin(): string {
    return coins[pick++].symbol;
  }

  async function openManual(
    symbol: string,
    direction: 'LONG' | 'SHORT',
    settings: Record<string, unknown>,
  ): Promise<any> {
    await request(t.http).post(`/api/bots/individual-settings/${symbol}`).send(settings).expect(200);
    const res = await request(t.http)
      .post('/api/bots/create')
      .send({
        symbol,
        config: { volume_mode: 'usdt', volume_value: 200, leverage: 5 },
        signal: `ENTER_${direction}`,
        skip_maturity_check: true,
        force_manual_entry: true,
      })
      .expect(200);
    expect(res.body).toMatchObject({ success: true, existing_position: false });
    return eventually(async () => {
      const b = await bot(t, symbol);
      return b?.status === `in_position_${direction.toLowerCase()}` ? b : undefined;
    });
  }

  async function runUntilClosed(symbol: string, minutes: number, maxSteps: number): Promise<any> {
    for (let i = 0; i < maxSteps; i++) {
      const trade = (await request(t.http).get(`/api/bots/trades?symbol=${symbol}`)).body.trades[0];
      if (trade) return trade;
      await step(t, clock, minutes);
    }
    throw new Error(`${symbol} did not close`);
  }

  beforeAll(async () => {
    t = await createTestApp({ clock, env: { PAPER_SYMBOLS: '120' } });
    await workers(t).stop();
    coins = (await waitForCoins(t)).filter((c) => c.trading_status === 'Trading' && !c.is_delisting);
    exchange = t.app.get(ExchangeService);
  });
  afterAll(async () => t?.close());

  it('stop-loss: a long closes at about −0.5 % and the trade carries the loss', async () => {
    const symbol = nextCoin();
    const opened = await openManual(symbol, 'LONG', { ...quiet, max_loss_percent: 0.5 });
    const trade = await runUntilClosed(symbol, 5, 3000);
    expect(trade.close_reason).toBe('STOP_LOSS');
    expect(trade.entry_price).toBe(opened.entry_price);
    expect(trade.pnl_percent).toBeLessThanOrEqual(-0.5 + 0.02);
    expect(trade.pnl).toBeLessThan(0);
    expect(trade.pnl).toBeCloseTo(expectedPnl(trade), 6);
    expect(trade.is_successful).toBe(false);
    const b = await bot(t, symbol);
    expect(b.status).toBe('idle');
    expect(b.position_side).toBeNull();
  });

  it('trailing stop: a short arms at +0.4 %, the stop follows the price down, and it closes TRAILING_STOP', async () => {
    const symbol = nextCoin();
    await openManual(symbol, 'SHORT', {
      ...quiet,
      max_loss_percent: 20,
      trailing_stop_activation: 0.4,
      trailing_stop_distance: 0.3,
      trailing_update_interval: 0,
    });
    const trade = await runUntilClosed(symbol, 5, 5000);
    expect(trade.close_reason).toBe('TRAILING_STOP');
    expect(trade.pnl).toBeCloseTo(expectedPnl(trade), 6);
    const moves = (
      await request(t.http).get(`/api/bots/history?symbol=${symbol}&action_type=STOP_LOSS_UPDATED&limit=1000`)
    ).body.history;
    expect(moves.length).toBeGreaterThan(0);
    // Oldest first: a short's stop only ever moves down.
    const stops = moves.map((m: any) => m.stop_loss).reverse();
    for (let i = 1; i < stops.length; i++) expect(stops[i]).toBeLessThan(stops[i - 1]);
    expect(trade.exit_price).toBeLessThanOrEqual(trade.entry_price);
  });

  it('RSI exit: with the long exit level below the current RSI the position closes RSI_EXIT', async () => {
    const symbol = nextCoin();
    const rsi = coins.find((c) => c.symbol === symbol)!.rsi;
    await openManual(symbol, 'LONG', {
      ...quiet,
      rsi_exit_long_with_trend: 1,
      rsi_exit_long_against_trend: 1,
      exit_wait_breakeven_when_loss: false,
    });
    const pass = await request(t.http).post('/api/bots/process-trading-signals').expect(200);
    expect(pass.body.closed).toEqual([{ symbol, reason: 'RSI_EXIT' }]);
    const trade = (await request(t.http).get(`/api/bots/trades?symbol=${symbol}`)).body.trades[0];
    expect(trade).toMatchObject({ close_reason: 'RSI_EXIT', exit_rsi: rsi, direction: 'LONG' });
    expect(trade.pnl).toBeCloseTo(expectedPnl(trade), 6);
  });

  it('RSI exit in a loss waits for break-even when exit_wait_breakeven_when_loss is on', async () => {
    const symbol = nextCoin();
    await openManual(symbol, 'LONG', {
      ...quiet,
      rsi_exit_long_with_trend: 1,
      rsi_exit_long_against_trend: 1,
      exit_wait_breakeven_when_loss: true,
      max_loss_percent: 30,
    });
    // Bought at the ask: marked at the price the position is a little in loss, so the RSI exit turns into a wait.
    await request(t.http).post('/api/bots/process-trading-signals').expect(200);
    const b = await bot(t, symbol);
    expect(b.unrealized_pnl_percent).toBeLessThan(0);
    expect(b.exit_waiting_breakeven).toBe(true);
    expect(b.status).toBe('in_position_long');
    const trade = await runUntilClosed(symbol, 5, 5000);
    expect(trade.close_reason).toBe('BREAKEVEN_WAIT_EXIT');
    expect(trade.pnl_percent).toBeGreaterThanOrEqual(0.05 - 1e-6);
  });

  it('max position hours really closes the position', async () => {
    const symbol = nextCoin();
    await openManual(symbol, 'SHORT', { ...quiet, max_loss_percent: 30, max_position_hours: 1 });
    await step(t, clock, 30);
    expect((await bot(t, symbol)).position_side).toBe('SHORT');
    await step(t, clock, 31);
    const trade = (await request(t.http).get(`/api/bots/trades?symbol=${symbol}`)).body.trades[0];
    expect(trade.close_reason).toBe('MAX_POSITION_HOURS');
  });

  it('a coin being delisted is closed at once (DELISTING_EMERGENCY)', async () => {
    const symbol = nextCoin();
    await openManual(symbol, 'LONG', { ...quiet, max_loss_percent: 30 });
    await t.app.get(DelistingService).markDelisted(symbol, 'test: delisting announced');
    const pass = await request(t.http).post('/api/bots/process-trading-signals').expect(200);
    expect(pass.body.closed).toEqual([{ symbol, reason: 'DELISTING_EMERGENCY' }]);
    expect((await exchange.fetchPositions()).some((p) => p.symbol === symbol)).toBe(false);
  });

  it('close-position market-closes, leaves the bot idle and records a MANUAL_CLOSE trade', async () => {
    const symbol = nextCoin();
    await openManual(symbol, 'LONG', { ...quiet, max_loss_percent: 30 });
    const res = await request(t.http).post('/api/bots/close-position').send({ symbol }).expect(200);
    expect(res.body.closed_positions).toHaveLength(1);
    expect(res.body.closed_positions[0]).toMatchObject({ side: 'Long' });
    expect((await bot(t, symbol)).status).toBe('idle');
    const trade = (await request(t.http).get(`/api/bots/trades?symbol=${symbol}`)).body.trades[0];
    expect(trade.close_reason).toBe('MANUAL_CLOSE');
    const onExchange = (await exchange.fetchClosedTrades(0)).filter((e) => e.symbol === symbol).at(-1)!;
    expect(trade.exit_price).toBe(onExchange.exitPrice);
    expect(trade.net_pnl).toBeCloseTo(onExchange.pnl, 6);
    await request(t.http).post('/api/bots/close-position').send({ symbol }).expect(404);
  });

  it('a position closed outside the service closes its bot and records the trade; a missing stop is placed again', async () => {
    const symbolA = nextCoin();
    await openManual(symbolA, 'LONG', { ...quiet, max_loss_percent: 10 });
    await exchange.closePosition(symbolA);
    const sync = await request(t.http).post('/api/bots/sync-positions').expect(200);
    expect(sync.body.closed).toEqual([symbolA]);
    const trade = (await request(t.http).get(`/api/bots/trades?symbol=${symbolA}`)).body.trades[0];
    expect(trade.close_reason).toBe('CLOSED_ON_EXCHANGE');
    expect(trade.exit_price).toBe(
      (await exchange.fetchClosedTrades(0)).filter((e) => e.symbol === symbolA).at(-1)!.exitPrice,
    );

    const symbolB = nextCoin();
    const opened = await openManual(symbolB, 'SHORT', { ...quiet, max_loss_percent: 10 });
    await exchange.setTradingStop(symbolB, { stopLoss: 0 });
    expect((await exchange.fetchPositions()).find((p) => p.symbol === symbolB)!.stopLoss).toBeNull();
    const resync = await request(t.http).post('/api/bots/sync-positions').expect(200);
    expect(resync.body.stops_restored).toEqual([symbolB]);
    const stop = (await exchange.fetchPositions()).find((p) => p.symbol === symbolB)!.stopLoss!;
    expect(Math.abs(stop - opened.entry_price * 1.1)).toBeLessThanOrEqual(exchange.market(symbolB)!.tickSize);
  });

  it('a position without a bot is reported as a manual position, and a fetch error is never read as "no positions"', async () => {
    const symbol = nextCoin();
    const market = exchange.market(symbol)!;
    const price = (await exchange.fetchTickers()).get(symbol)!.last;
    await exchange.createMarketOrder({
      symbol,
      side: 'buy',
      amount: Math.max(market.minOrderQty, Math.ceil(20 / price / market.qtyStep) * market.qtyStep),
    });
    const manual = (await request(t.http).post('/api/bots/manual-positions/refresh').expect(200)).body;
    expect(manual.positions).toContain(symbol);
    expect((await request(t.http).get('/api/bots/coins-with-rsi')).body.manual_positions).toContain(symbol);

    const before = await bots(t);
    const original = exchange.fetchPositions.bind(exchange);
    exchange.fetchPositions = async () => {
      throw new Error('network down');
    };
    try {
      await workers(t).runNow('position_sync_worker');
    } finally {
      exchange.fetchPositions = original;
    }
    const state = (await request(t.http).get('/api/bots/process-state')).body.process_state.position_sync_worker;
    expect(state.last_error).toBe('network down');
    expect(await bots(t)).toEqual(before);
  });

  it('stop leaves the bot paused with its position; start resumes it; delete removes only the bot', async () => {
    const symbol = nextCoin();
    await openManual(symbol, 'LONG', { ...quiet, max_loss_percent: 30 });
    await request(t.http).post(`/api/bots/stop?symbol=${symbol}`).expect(200);
    let b = await bot(t, symbol);
    expect(b).toMatchObject({ status: 'paused', position_side: 'LONG', bot_status: 'Приостановлен' });
    expect((await exchange.fetchPositions()).some((p) => p.symbol === symbol)).toBe(true);
    await request(t.http).post('/api/bots/start').send({ symbol }).expect(200);
    b = await bot(t, symbol);
    expect(b.status).toBe('in_position_long');
    await request(t.http).post('/api/bots/delete').send({ symbol }).expect(200);
    expect(await bot(t, symbol)).toBeUndefined();
    expect((await exchange.fetchPositions()).some((p) => p.symbol === symbol)).toBe(true);
    await request(t.http).post('/api/bots/stop').send({ symbol }).expect(404);
  });
});
