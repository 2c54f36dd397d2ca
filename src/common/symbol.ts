import { ValidationError } from './errors';

/**
 * The one definition of a coin symbol for the whole service (docs/security.md, "Bounds"): a bare coin ("BTC",
 * "1000PEPE") is 1–20 letters/digits; clients sometimes send "btcusdt" or "BTCUSDT", so inputs may carry the
 * "USDT" suffix (at most 24 characters) and are normalised before use.
 */
export const SYMBOL_MAX_LENGTH = 20;
export const SYMBOL_PATTERN = new RegExp(`^[A-Z0-9]{1,${SYMBOL_MAX_LENGTH}}$`);
const QUOTE_SUFFIX = 'USDT';
/** Longest symbol a caller may send: a bare symbol plus the quote suffix. */
export const SYMBOL_INPUT_MAX_LENGTH = SYMBOL_MAX_LENGTH + QUOTE_SUFFIX.length;
/** Most entries in any caller-supplied list of symbols (whitelist, blacklist, copy targets, removals). */
export const MAX_SYMBOL_LIST = 2000;

/** Upper-cases, strips a trailing USDT; returns null when the result is not a plausible coin symbol. */
export function normalizeSymbol(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > SYMBOL_INPUT_MAX_LENGTH + 64) return null;
  let symbol = input.trim().toUpperCase();
  if (symbol.length > QUOTE_SUFFIX.length && symbol.endsWith(QUOTE_SUFFIX)) {
    symbol = symbol.slice(0, -QUOTE_SUFFIX.length);
  }
  return SYMBOL_PATTERN.test(symbol) ? symbol : null;
}

/**
 * The first of `candidates` that is a non-blank string (body before query, as the clients send them), else undefined.
 */
export function firstGiven(...candidates: unknown[]): unknown {
  return candidates.find((c) => typeof c === 'string' && c.trim() !== '');
}

/**
 * A symbol from a path, query or body value, normalised ("btcusdt" → "BTC"). Missing → 400 "Symbol required",
 * malformed → 400 naming the field (both as ValidationError, mapped by the exception filter).
 */
export function requireSymbol(raw: unknown, field = 'symbol'): string {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) {
    throw new ValidationError(field, 'Symbol required');
  }
  const symbol = normalizeSymbol(raw);
  if (!symbol) throw new ValidationError(field, `${field} must be a coin symbol such as BTC or BTCUSDT`);
  return symbol;
}
