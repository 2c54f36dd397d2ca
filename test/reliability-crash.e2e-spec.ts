/**
 * Crash safety: the built service trades on the local fake Bybit (an exchange that outlives the service, as a
 * real one does) while bots and settings are changed through the API; it is killed with SIGKILL at random
 * moments — some during start-up, most in the middle of requests — at least 20 times, and restarted on the
 * same data folder. After every kill: each data file parses and none had to be quarantined; every acknowledged
 * change is on disk (bots created, paused, deleted; trades of acknowledged closes; auto-bot and per-coin
 * settings); after every restart the API shows the same. Requests in flight at the kill may land or not.
 * RELIABILITY_SEED replays a run.
 */
import { SystemClock } from '../src/common/clock';
import { PaperExchange } from '../src/exchange/paper/paper-exchange';
import { startFakeBybit, type FakeBybit } from './fake-exchange/fake-bybit';
import { ensureBuilt } from './support/built-service';
import {
  checkDataFiles,
  http,
  readJson,
  seededRandom,
  sleep,
  spawnService,
  waitFor,
  type ServiceProcess,
} from './support/reliability';
import { tempDataDir } from './support/test-app';

const CYCLES = 20;
const SEED = Number(process.env.RELIABILITY_SEED ?? Date.now() % 1_000_000);

type BotExpectation = 'none' | 'paused' | 'active' | 'idle' | 'deleted' | 'unknown';

interface Model {
  bots: Map<string, BotExpectation>;
  /** Id of the acknowledged bot per symbol: a bot the service itself closed later is accounted for by its trade. */
  ids: Map<string, string>;
  /** Acknowledged closes of a position the bot held, per symbol. */
  closes: Map<string, number>;
  /** Values sent but not acknowledged since the last acknowledged one (the kill may have let any of them land). */
  autoBot: { acked: number; pending: Set<number> };
  coin: Map<string, { acked: number | null; pending: Set<number> }>;
}

/**
 * A bot the service closed by itself after our acknowledgement (its position ended on the exchange, e.g. at its
 * stop-loss or take-profit, or while the service was down) is idle or gone but left a trade: not a lost bot.
 */
function closedByService(
  model: Model,
  symbol: string,
  bot: { status: string; id: string } | undefined,
  trades: Array<{ symbol: string; bot_id: string; close_reason?: string }>,
): boolean {
  const id = model.ids.get(symbol);
  if (!id || (bot && bot.status !== 'idle') || (bot && bot.id !== id)) return false;
  const trade = trades.find((t) => t.symbol === symbol && t.bot_id === id);
  if (trade) serviceCloses.set(`${symbol}/${id}`, trade.close_reason ?? '?');
  return trade !== undefined;
}
/** Bots the service closed by itself after our acknowledgement, with the close reason (printed). */
const serviceCloses = new Map<string, string>();

/** What the test did to each symbol, for the failure message. */
const events = new Map<string, string[]>();
function note(symbol: string, event: string): void {
  const list = events.get(symbol) ?? [];
  list.push(event);
  if (list.length > 12) list.shift();
  events.set(symbol, list);
}
function describe_(symbol: string): string {
  return `(last events: ${(events.get(symbol) ?? []).join(' | ')})`;
}

describe('crash safety: kill -9 at random points, restart, nothing acknowledged is lost', () => {
  let backend: PaperExchange;
  let fake: FakeBybit;
  const dataDir = tempDataDir('bots-crash-');
  const random = seededRandom(SEED);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
  let symbols: string[] = [];
  const violations: string[] = [];
  const serverErrors: string[] = [];
  const stats = {
    cycles: 0,
    killsDuringStartup: 0,
    requests: 0,
    acknowledged: 0,
    inFlightAtKill: 0,
    restartMs: [] as number[],
  };

  beforeAll(async () => {
    ensureBuilt();
    backend = new PaperExchange({ clock: new SystemClock(), seed: 42, symbolCount: 30 });
    await backend.init();
    fake = await startFakeBybit({ backend, apiKey: 'crash-test-key-0001', secret: 'crash-test-secret-0001' });
    symbols = (await backend.listMarkets())
      .filter((m) => m.status === 'Trading')
      .map((m) => m.symbol)
      .slice(0, 10);
  }, 180_000);

  afterAll(async () => {
    await fake?.close();
    await backend?.close();
  });

  const env = () => ({
    DATA_DIR: dataDir,
    EXCHANGE: 'bybit',
    EXCHANGE_API_URL: fake.url,
    EXCHANGE_API_KEY: fake.apiKey,
    EXCHANGE_API_SECRET: fake.secret,
    EXCHANGE_TIMEOUT_MS: '3000',
    MUTATION_RATE_LIMIT: '100000',
  });

  function checkFilesAgainst(model: Model, cycle: number): void {
    const report = checkDataFiles(dataDir);
    for (const u of report.unparsable) violations.push(`cycle ${cycle}: unparsable ${u}`);
    for (const q of report.quarantined) violations.push(`cycle ${cycle}: quarantined ${q}`);
    const state = readJson(dataDir, 'bots_state.json');
    const stored: Record<string, { status: string; id: string }> = state?.bots ?? {};
    const trades: Array<{ symbol: string; bot_id: string }> = readJson(dataDir, 'bot_history.json')?.trades ?? [];
    for (const [symbol, expected] of model.bots) {
      const bot = stored[symbol];
      if ((expected === 'paused' || expected === 'active') && closedByService(model, symbol, bot, trades)) continue;
      if (expected === 'paused' && bot?.status !== 'paused') {
        violations.push(
          `cycle ${cycle}: ${symbol} acknowledged paused, file has ${bot?.status ?? 'no bot'} ${describe_(symbol)}`,
        );
      }
      if (expected === 'active' && !['running', 'in_position_long', 'in_position_short'].includes(bot?.status)) {
        violations.push(
          `cycle ${cycle}: ${symbol} acknowledged active, file has ${bot?.status ?? 'no bot'} ${describe_(symbol)}`,
        );
      }
      if (expected === 'deleted' && bot) {
        violations.push(`cycle ${cycle}: ${symbol} acknowledged deleted, file still has it (${bot.status})`);
      }
      if (expected === 'idle' && bot && bot.status !== 'idle') {
        violations.push(`cycle ${cycle}: ${symbol} acknowledged closed, file has ${bot.status}`);
      }
    }
    for (const [symbol, count] of model.closes) {
      const onDisk = trades.filter((t) => t.symbol === symbol).length;
      if (onDisk < count) {
        violations.push(`cycle ${cycle}: ${symbol} has ${count} acknowledged closes, ${onDisk} trades on disk`);
      }
    }
    const autoBot = readJson(dataDir, 'auto_bot_config.json');
    if (
      autoBot &&
      autoBot.rsi_long_threshold !== model.autoBot.acked &&
      !model.autoBot.pending.has(autoBot.rsi_long_threshold)
    ) {
      violations.push(
        `cycle ${cycle}: auto-bot rsi_long_threshold ${autoBot.rsi_long_threshold}, acknowledged ${model.autoBot.acked}`,
      );
    }
    const coins = readJson(dataDir, 'individual_coin_settings.json') ?? {};
    for (const [symbol, value] of model.coin) {
      if (value.acked === null) continue;
      const onDisk = coins[symbol]?.rsi_long_threshold;
      if (onDisk !== value.acked && !value.pending.has(onDisk)) {
        violations.push(`cycle ${cycle}: ${symbol} rsi_long_threshold ${onDisk} on disk, acknowledged ${value.acked}`);
      }
    }
  }

  /** After a restart: the API serves what was acknowledged; symbols left uncertain by the kill are re-read. */
  async function checkApiAndResync(service: ServiceProcess, model: Model, cycle: number): Promise<void> {
    const list = await http(`${service.url}/api/bots/list`, 'GET');
    const bots = new Map<string, string>(
      (list.body?.bots ?? []).map((b: { symbol: string; status: string }) => [b.symbol, b.status]),
    );
    const ids = new Map<string, string>(
      (list.body?.bots ?? []).map((b: { symbol: string; id: string }) => [b.symbol, b.id]),
    );
    const trades: Array<{ symbol: string; bot_id: string }> =
      (await http(`${service.url}/api/bots/trades?limit=5000`, 'GET')).body?.trades ?? [];
    for (const [symbol, expected] of model.bots) {
      const status = bots.get(symbol);
      if (
        (expected === 'paused' || expected === 'active') &&
        closedByService(model, symbol, status ? { status, id: ids.get(symbol)! } : undefined, trades)
      ) {
        model.bots.set(symbol, status ? 'active' : 'none');
        continue;
      }
      if (expected === 'paused' && status !== 'paused') {
        violations.push(
          `cycle ${cycle}: after restart ${symbol} is ${status ?? 'gone'}, acknowledged paused ${describe_(symbol)}`,
        );
      }
      if (expected === 'active' && !['running', 'in_position_long', 'in_position_short'].includes(status ?? '')) {
        violations.push(
          `cycle ${cycle}: after restart ${symbol} is ${status ?? 'gone'}, acknowledged active ${describe_(symbol)}`,
        );
      }
      if ((expected === 'deleted' || expected === 'idle') && status) {
        violations.push(`cycle ${cycle}: after restart ${symbol} is ${status}, acknowledged ${expected}`);
      }
    }
    for (const symbol of symbols) {
      if (model.bots.get(symbol) !== 'unknown') continue;
      const status = bots.get(symbol);
      model.bots.set(symbol, status === 'paused' ? 'paused' : status && status !== 'idle' ? 'active' : 'none');
      if (status) model.ids.set(symbol, ids.get(symbol)!);
    }
    for (const [symbol, count] of model.closes) {
      const trades = await http(`${service.url}/api/bots/trades?symbol=${symbol}&limit=1000`, 'GET');
      if ((trades.body?.count ?? 0) < count) {
        violations.push(
          `cycle ${cycle}: after restart ${symbol} shows ${trades.body?.count} trades, ${count} acknowledged`,
        );
      }
    }
    const autoBot = (await http(`${service.url}/api/bots/auto-bot`, 'GET')).body?.config?.rsi_long_threshold;
    if (autoBot !== model.autoBot.acked && !model.autoBot.pending.has(autoBot)) {
      violations.push(`cycle ${cycle}: after restart auto-bot rsi_long_threshold ${autoBot}`);
    }
    model.autoBot = { acked: autoBot, pending: new Set() };
    for (const [symbol, value] of model.coin) {
      if (value.pending.size === 0 && value.acked === null) continue;
      const settings = await http(`${service.url}/api/bots/individual-settings/${symbol}`, 'GET');
      const current = settings.status === 200 ? (settings.body.settings?.rsi_long_threshold ?? null) : null;
      if (value.acked !== null && current !== value.acked && !value.pending.has(current)) {
        violations.push(`cycle ${cycle}: after restart ${symbol} rsi_long_threshold ${current}`);
      }
      model.coin.set(symbol, { acked: current, pending: new Set() });
    }
  }

  /** The start-up position sync reconciles restored bots with the exchange; the checks read the state after it. */
  async function firstPositionSync(service: ServiceProcess): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const state = (await http(`${service.url}/api/bots/process-state`, 'GET')).body?.process_state
        ?.position_sync_worker;
      if ((state?.runs ?? 0) + (state?.failures ?? 0) >= 1) return;
      await sleep(50);
    }
    throw new Error('the start-up position sync did not run within 10 s');
  }

  /** Random bot and settings changes, one request per symbol at a time, until `stop()` is true. */
  async function drive(service: ServiceProcess, model: Model, stop: () => boolean): Promise<void> {
    const busy = new Set<string>();
    let configBusy = false;
    const lane = async () => {
      while (!stop()) {
        const free = symbols.filter((s) => !busy.has(s));
        const roll = random();
        if (roll < 0.12 && !configBusy) {
          configBusy = true;
          const value = 20 + Math.floor(random() * 15);
          model.autoBot.pending.add(value);
          const res = await http(`${service.url}/api/bots/auto-bot`, 'POST', { rsi_long_threshold: value });
          stats.requests++;
          if (res.status === 200) {
            model.autoBot = { acked: value, pending: new Set() };
            stats.acknowledged++;
          } else if (res.status === 0) stats.inFlightAtKill++;
          else model.autoBot.pending.delete(value);
          if (res.status >= 500) {
            serverErrors.push(`POST /api/bots/auto-bot → ${res.status} ${JSON.stringify(res.body)}`);
          }
          configBusy = false;
          continue;
        }
        if (free.length === 0) {
          await sleep(5);
          continue;
        }
        const symbol = pick(free);
        busy.add(symbol);
        try {
          await act(service, model, symbol, roll);
        } finally {
          busy.delete(symbol);
        }
      }
    };
    await Promise.all([lane(), lane(), lane()]);
  }

  async function act(service: ServiceProcess, model: Model, symbol: string, roll: number): Promise<void> {
    const before = model.bots.get(symbol) ?? 'none';
    const send = async (method: string, path: string, body?: unknown) => {
      const res = await http(`${service.url}${path}`, method, body);
      stats.requests++;
      note(
        symbol,
        `${method} ${path.replace('/api/bots/', '')}${body && typeof body === 'object' && 'signal' in body ? ' enter' : ''}${body && typeof body === 'object' && 'config' in body && (body as { config: { status?: string } }).config.status ? ' paused' : ''} → ${res.status}${res.body?.bot?.status ? ` ${res.body.bot.status}` : ''}`,
      );
      if (res.status >= 500) serverErrors.push(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
      if (res.status === 0) {
        stats.inFlightAtKill++;
        model.bots.set(symbol, 'unknown');
      }
      if (res.status >= 200 && res.status < 300) stats.acknowledged++;
      return res;
    };
    const volume = { volume_mode: 'usdt', volume_value: 15, leverage: 2 };
    if (roll < 0.3) {
      const res = await send('POST', '/api/bots/create', {
        symbol,
        config: { ...volume, status: 'paused' },
        skip_maturity_check: true,
      });
      if (res.status === 200) {
        model.bots.set(symbol, res.body.bot?.status === 'paused' ? 'paused' : 'active');
        model.ids.set(symbol, res.body.bot?.id);
      }
    } else if (roll < 0.5) {
      const signal = random() < 0.5 ? 'ENTER_LONG' : 'ENTER_SHORT';
      const res = await send('POST', '/api/bots/create', {
        symbol,
        config: volume,
        signal,
        skip_maturity_check: true,
        force_manual_entry: true,
      });
      if (res.status === 200) {
        model.bots.set(symbol, 'active');
        model.ids.set(symbol, res.body.bot?.id);
      }
    } else if (roll < 0.6) {
      const res = await send('POST', '/api/bots/stop', { symbol });
      if (res.status === 200) model.bots.set(symbol, 'paused');
      else if (res.status === 404 && ['paused', 'active'].includes(before)) {
        violations.push(`${symbol}: stop answered 404 for a bot acknowledged ${before}`);
      }
    } else if (roll < 0.75) {
      // Only a bot seen holding a position must leave a trade when its close is acknowledged.
      const status = await send('GET', `/api/bots/status/${symbol}`);
      const held = status.status === 200 && String(status.body?.status).startsWith('in_position');
      if (status.status === 0) return;
      const res = await send('POST', '/api/bots/close-position', { symbol });
      if (res.status === 200 && (res.body.closed_positions?.length ?? 0) > 0) {
        // The symbol's bot goes idle whatever it was (also when the position closed was a left-over one).
        model.bots.set(symbol, 'idle');
        if (held) model.closes.set(symbol, (model.closes.get(symbol) ?? 0) + 1);
      }
    } else if (roll < 0.85) {
      const res = await send('POST', '/api/bots/delete', { symbol });
      if (res.status === 200) model.bots.set(symbol, 'deleted');
    } else {
      const value = 20 + Math.floor(random() * 15);
      const entry = model.coin.get(symbol) ?? { acked: null, pending: new Set<number>() };
      entry.pending.add(value);
      model.coin.set(symbol, entry);
      const res = await send('POST', `/api/bots/individual-settings/${symbol}`, { rsi_long_threshold: value });
      if (res.status === 200) model.coin.set(symbol, { acked: value, pending: new Set() });
      else if (res.status !== 0) entry.pending.delete(value);
    }
  }

  it(`survives ${CYCLES} kill -9 at random points without losing an acknowledged change`, async () => {
    const started = Date.now();
    const model: Model = {
      bots: new Map(),
      ids: new Map(),
      closes: new Map(),
      autoBot: { acked: 29, pending: new Set() },
      coin: new Map(),
    };
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const spawnedAt = Date.now();
      const service = await spawnService(env());
      if (cycle > 0 && random() < 0.25) {
        // Killed while starting: loading state, first saves, exchange init.
        await sleep(100 + random() * 1200);
        service.child.kill('SIGKILL');
        await service.exited;
        stats.killsDuringStartup++;
        stats.cycles++;
        checkFilesAgainst(model, cycle);
        continue;
      }
      await waitFor(service, '/health/ready', 30_000);
      stats.restartMs.push(Date.now() - spawnedAt);
      await firstPositionSync(service);
      if (cycle > 0) await checkApiAndResync(service, model, cycle);
      for (const symbol of symbols) note(symbol, `restart ${cycle}`);

      let stopped = false;
      const driving = drive(service, model, () => stopped);
      await sleep(150 + random() * 1200);
      // No new request after the kill: what is in flight now is what the kill interrupts.
      stopped = true;
      service.child.kill('SIGKILL');
      await service.exited;
      await driving;
      stats.cycles++;
      checkFilesAgainst(model, cycle);
    }

    // A last clean start: everything loads.
    const service = await spawnService(env());
    await waitFor(service, '/health/ready', 30_000);
    await firstPositionSync(service);
    await checkApiAndResync(service, model, CYCLES);
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    checkFilesAgainst(model, CYCLES);

    const restart = [...stats.restartMs].sort((a, b) => a - b);
    console.log(
      `crash test (seed ${SEED}): ${stats.cycles} kills (${stats.killsDuringStartup} during start-up) in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
        `${stats.requests} requests, ${stats.acknowledged} acknowledged, ${stats.inFlightAtKill} in flight at a kill; ` +
        `bots on disk at the end: ${Object.keys(readJson(dataDir, 'bots_state.json')?.bots ?? {}).length}, ` +
        `trades: ${(readJson(dataDir, 'bot_history.json')?.trades ?? []).length} (${[...model.closes.values()].reduce((a, b) => a + b, 0)} acknowledged closes); ` +
        `closed by the service itself: ${JSON.stringify(Object.entries([...serviceCloses.values()].reduce<Record<string, number>>((acc, r) => ({ ...acc, [r]: (acc[r] ?? 0) + 1 }), {})))}; ` +
        `restart to ready: median ${restart[Math.floor(restart.length / 2)]} ms, max ${restart.at(-1)} ms`,
    );
    expect(stats.cycles).toBeGreaterThanOrEqual(20);
    expect(stats.acknowledged).toBeGreaterThan(CYCLES);
    expect(serverErrors).toEqual([]);
    expect(violations).toEqual([]);
  }, 240_000);
});
