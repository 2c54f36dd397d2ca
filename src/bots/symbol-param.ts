import { BadRequestException } from '@nestjs/common';
import { normalizeSymbol } from '../common/symbol';

/** The symbol from a body / query / path value: missing → 400 "Symbol required", malformed → 400 naming the field. */
export function requireSymbol(...candidates: Array<string | undefined | null>): string {
  const raw = candidates.find((c) => typeof c === 'string' && c.trim() !== '');
  if (raw === undefined || raw === null) throw new BadRequestException({ success: false, error: 'Symbol required', field: 'symbol' });
  const symbol = normalizeSymbol(raw);
  if (!symbol) throw new BadRequestException({ success: false, error: 'symbol must be a coin symbol such as BTC or BTCUSDT', field: 'symbol' });
  return symbol;
}

/** An optional symbol filter ("all" or empty = none). */
export function optionalSymbol(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new BadRequestException({ success: false, error: 'symbol must be a string (a coin symbol or "all")', field: 'symbol' });
  if (value.trim() === '' || value.trim().toLowerCase() === 'all') return null;
  return requireSymbol(value);
}
