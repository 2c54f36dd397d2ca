import { BadRequestException } from '@nestjs/common';
import { normalizeSymbol } from '../common/symbol';

/** Path/query symbol → bare coin ("btcusdt" → "BTC"); a malformed one is a 400 naming the field. */
export function requireSymbol(raw: unknown, field = 'symbol'): string {
  const symbol = normalizeSymbol(raw);
  if (!symbol) throw new BadRequestException(`${field} must be a coin symbol such as BTC or BTCUSDT`);
  return symbol;
}
