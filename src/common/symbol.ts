/** Bare coin symbols ("BTC", "1000PEPE"); clients sometimes send "btcusdt" or "BTCUSDT". */
export const SYMBOL_PATTERN = /^[A-Z0-9]{1,20}$/;

/** Upper-cases, strips a trailing USDT; returns null when the result is not a plausible coin symbol. */
export function normalizeSymbol(input: unknown): string | null {
  if (typeof input !== 'string') return null;
  let symbol = input.trim().toUpperCase();
  if (symbol.length > 4 && symbol.endsWith('USDT')) symbol = symbol.slice(0, -4);
  return SYMBOL_PATTERN.test(symbol) ? symbol : null;
}
