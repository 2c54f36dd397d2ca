/**
 * Reads numbers from the market-data and bots services without importing them: metrics must keep working
 * (and compiling) whatever those modules look like, and a missing or failing method just leaves a gauge empty.
 * No Nest imports.
 */

export interface BotLike {
  status?: unknown;
  position_side?: unknown;
  unrealized_pnl_usdt?: unknown;
}

export interface BotFigures {
  byStatus: Map<string, number>;
  openPositions: number;
  unrealizedPnl: number;
}

export interface TradeFigures {
  closedTrades: number;
  realizedPnl: number;
}

export interface RsiFigures {
  coinsLoaded: number | null;
  loadDurationMs: number | null;
  loadInProgress: boolean | null;
  failedCoins: number | null;
}

type AnyObject = Record<string, unknown>;

function call(target: unknown, names: string[]): unknown {
  if (!target || typeof target !== 'object') return undefined;
  for (const name of names) {
    const member = (target as AnyObject)[name];
    if (typeof member === 'function') return (member as () => unknown).call(target);
    if (member !== undefined && typeof member !== 'function') return member;
  }
  return undefined;
}

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A bot's plain record: TradingBot keeps it in `.record`; a plain record is its own. */
function recordOf(bot: unknown): BotLike {
  const record = (bot as { record?: unknown } | null)?.record;
  return (record && typeof record === 'object' ? record : bot) as BotLike;
}

/** Bots as a list of records, whatever the manager hands out: an array, a Map, or a {symbol: bot} object. */
export function botList(value: unknown): BotLike[] | null {
  if (Array.isArray(value)) return value.map(recordOf);
  if (value instanceof Map) return [...value.values()].map(recordOf);
  if (value && typeof value === 'object') {
    const bots = (value as AnyObject).bots;
    if (bots !== undefined) return botList(bots);
    return Object.values(value as AnyObject)
      .filter((v) => v && typeof v === 'object')
      .map(recordOf);
  }
  return null;
}

export function botFigures(bots: BotLike[]): BotFigures {
  const byStatus = new Map<string, number>();
  let openPositions = 0;
  let unrealizedPnl = 0;
  for (const bot of bots) {
    const status = typeof bot.status === 'string' ? bot.status : 'unknown';
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    if (bot.position_side === 'LONG' || bot.position_side === 'SHORT' || status.startsWith('in_position')) {
      openPositions++;
    }
    unrealizedPnl += finite(bot.unrealized_pnl_usdt) ?? 0;
  }
  return { byStatus, openPositions, unrealizedPnl };
}

/** Closed real trades (demo history excluded) and their summed PnL, from a BotHistoryService-like service. */
export function readTrades(history: unknown): TradeFigures | null {
  if (!history || typeof (history as AnyObject).closedTrades !== 'function') return null;
  const trades = (history as { closedTrades(q?: object): unknown }).closedTrades({});
  if (!Array.isArray(trades)) return null;
  let closedTrades = 0;
  let realizedPnl = 0;
  for (const trade of trades as Array<{ pnl?: unknown; is_demo?: unknown }>) {
    if (trade?.is_demo === true) continue;
    closedTrades++;
    realizedPnl += finite(trade?.pnl) ?? 0;
  }
  return { closedTrades, realizedPnl };
}

/** Reads the bots of a BotManager-like service; null when it offers no list. */
export function readBots(manager: unknown): BotFigures | null {
  const list = botList(call(manager, ['listBots', 'getBots', 'list', 'all', 'bots']));
  return list ? botFigures(list) : null;
}

/** Reads the RSI service's load figures (getLoadProgress() and coinsCount(), as registered with StatusService). */
export function readRsi(rsi: unknown): RsiFigures {
  const progress = call(rsi, ['getLoadProgress']) as AnyObject | undefined;
  return {
    coinsLoaded: finite(call(rsi, ['coinsCount'])),
    loadDurationMs: finite(progress?.durationMs),
    loadInProgress: typeof progress?.inProgress === 'boolean' ? progress.inProgress : null,
    failedCoins: finite(progress?.failed),
  };
}

export interface WorkerFigures {
  name: string;
  runs: number | null;
  failures: number | null;
  lastDurationMs: number | null;
  running: boolean | null;
}

/**
 * Per-worker counts a BotsWorkers-like service keeps (allStates(): {name: {runs, failures, last_duration_ms,
 * running}}).
 */
export function readWorkers(workers: unknown): WorkerFigures[] {
  const states = call(workers, ['allStates']);
  if (!states || typeof states !== 'object') return [];
  return Object.entries(states as Record<string, AnyObject>)
    .filter(([, state]) => state && typeof state === 'object')
    .map(([name, state]) => ({
      name,
      runs: finite(state.runs),
      failures: finite(state.failures),
      lastDurationMs: finite(state.last_duration_ms),
      running: typeof state.running === 'boolean' ? state.running : null,
    }));
}
