/**
 * Arguments of `npm run candles` (docs/candle-store.md): pure parsing, so that a typo is one clear line.
 */
import { normalizeSymbol } from '../common/symbol';
import type { Timeframe } from '../exchange/exchange.types';
import { isStorableTimeframe, STORABLE_TIMEFRAMES } from './candle-ranges';
import { MAX_SYMBOLS_PER_FILL } from './candle-store.service';

export interface CandlesCliArgs {
  timeframe: Timeframe;
  since: number;
  /** Exclusive; undefined: up to the newest closed candle. */
  until: number | undefined;
  /** undefined: every symbol the exchange trades. */
  symbols: string[] | undefined;
  concurrency: number | undefined;
}

export const CANDLES_USAGE =
  'usage: npm run candles -- --since 2025-01-01 [--timeframe 6h] [--until 2026-01-01] [--symbols BTC,ETH] [--concurrency 4]';

/** 2025-01-01, 2025-01-01T06:00Z (UTC when no zone is given) or epoch ms. */
function parseTime(flag: string, value: string): number {
  const text = value.trim();
  const time = /^\d{10,}$/.test(text)
    ? Number(text)
    : Date.parse(
        /^\d{4}-\d{2}-\d{2}(T[\d:.]+)?$/.test(text) ? `${text}${text.includes('T') ? 'Z' : 'T00:00:00Z'}` : text,
      );
  if (!Number.isFinite(time)) throw new Error(`${flag}: "${value}" is not a date (e.g. 2025-01-01)`);
  return time;
}

export function parseCandlesArgs(argv: readonly string[]): CandlesCliArgs {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new Error(`unexpected argument "${arg}"`);
    const [, name, inline] = match;
    if (!['timeframe', 'since', 'until', 'symbols', 'concurrency'].includes(name)) {
      throw new Error(`unknown option --${name}`);
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    values.set(name, value);
  }
  const timeframe = values.get('timeframe') ?? '6h';
  if (!isStorableTimeframe(timeframe)) throw new Error(`--timeframe: one of ${STORABLE_TIMEFRAMES.join(', ')}`);
  const sinceText = values.get('since');
  if (sinceText === undefined) throw new Error('--since is required');
  const since = parseTime('--since', sinceText);
  const untilText = values.get('until');
  const until = untilText === undefined ? undefined : parseTime('--until', untilText);
  if (until !== undefined && !(since < until)) throw new Error('--until must be after --since');
  let symbols: string[] | undefined;
  const symbolsText = values.get('symbols');
  if (symbolsText !== undefined) {
    const parts = symbolsText
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    if (parts.length === 0 || parts.length > MAX_SYMBOLS_PER_FILL) {
      throw new Error(`--symbols: 1 to ${MAX_SYMBOLS_PER_FILL} comma-separated coins`);
    }
    symbols = parts.map((part) => {
      const symbol = normalizeSymbol(part);
      if (!symbol) throw new Error(`--symbols: "${part}" is not a coin symbol`);
      return symbol;
    });
  }
  const concurrencyText = values.get('concurrency');
  let concurrency: number | undefined;
  if (concurrencyText !== undefined) {
    concurrency = Number(concurrencyText);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16) {
      throw new Error('--concurrency: an integer from 1 to 16');
    }
  }
  return { timeframe, since, until, symbols, concurrency };
}

/** `[#####.....]  42%  120/284 requests  3/10 symbols` for a terminal line. */
export function progressBar(done: number, total: number, width = 30): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}%`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
