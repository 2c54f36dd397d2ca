import { BOT_STATUSES, type BotRecord } from './bot.types';
import { TradingBot } from './trading-bot';

/** data/bots_state.json, in the original's shape. */
export interface BotsStateFile {
  bots: Record<string, BotRecord>;
  auto_bot_config: Record<string, unknown>;
  global_stats: { active_bots: number; bots_in_position: number; total_pnl: number };
  last_saved: string;
  version: '1.0';
}

export function validateBotsStateFile(value: unknown): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'expected a JSON object';
  const bots = (value as Record<string, unknown>).bots;
  if (bots === null || typeof bots !== 'object' || Array.isArray(bots)) return 'bots must be an object keyed by symbol';
  return null;
}

export interface RestoreResult {
  bots: TradingBot[];
  droppedIdle: string[];
  invalid: string[];
}

/**
 * Rebuilds bots from a saved file: idle bots are dropped, bots that were in a position are flagged
 * needs_exchange_sync, and records written by older versions get the fields they lack.
 */
export function restoreBots(file: { bots: Record<string, unknown> }, nowMs: number): RestoreResult {
  const out: RestoreResult = { bots: [], droppedIdle: [], invalid: [] };
  for (const [key, raw] of Object.entries(file.bots)) {
    if (!raw || typeof raw !== 'object') {
      out.invalid.push(key);
      continue;
    }
    const stored = raw as Partial<BotRecord>;
    const symbol = typeof stored.symbol === 'string' && stored.symbol ? stored.symbol : key;
    if (!/^[A-Z0-9]{1,20}$/.test(symbol) || !stored.status || !BOT_STATUSES.includes(stored.status)) {
      out.invalid.push(key);
      continue;
    }
    if (stored.status === 'idle') {
      out.droppedIdle.push(symbol);
      continue;
    }
    const base = TradingBot.create({
      symbol,
      nowMs,
      volumeMode: 'percent',
      volumeValue: 5,
      leverage: 10,
      autoManaged: false,
    }).record;
    const record = { ...base, ...stored, symbol } as BotRecord;
    if (record.config === null || typeof record.config !== 'object') record.config = {};
    const bot = new TradingBot(record);
    bot.awaitExchangeSync(nowMs);
    out.bots.push(bot);
  }
  return out;
}

export function globalStats(bots: Iterable<TradingBot>): BotsStateFile['global_stats'] {
  let active = 0;
  let inPosition = 0;
  let pnl = 0;
  for (const bot of bots) {
    if (bot.isActive) active++;
    if (bot.holdsPosition) inPosition++;
    pnl += bot.record.realized_pnl + (bot.holdsPosition ? bot.record.unrealized_pnl_usdt : 0);
  }
  return { active_bots: active, bots_in_position: inPosition, total_pnl: Math.round(pnl * 1e8) / 1e8 };
}
