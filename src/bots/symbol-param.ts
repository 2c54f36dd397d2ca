import { ValidationError } from '../common/errors';
import { requireSymbol } from '../common/symbol';

/** An optional symbol filter ("all" or empty = none). */
export function optionalSymbol(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    throw new ValidationError('symbol', 'symbol must be a string (a coin symbol or "all")');
  }
  if (value.trim() === '' || value.trim().toLowerCase() === 'all') return null;
  return requireSymbol(value);
}
