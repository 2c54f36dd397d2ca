import { normalizeSymbol } from '../../common/symbol';
import type { FilterDecision } from '../filter.types';

export const SCOPE_FILTER = 'scope';

export interface ScopeParams {
  scope: string;
  whitelist: readonly string[];
  blacklist: readonly string[];
}

/**
 * A list as coin symbols ("btcusdt" and "BTC" compare equal). An entry that is no coin symbol is dropped: it could
 * never match one (the settings specs already refuse such entries on every write).
 */
function symbolSet(entries: readonly string[] | undefined): Set<string> {
  const out = new Set<string>();
  for (const entry of entries ?? []) {
    const symbol = normalizeSymbol(entry);
    if (symbol !== null) out.add(symbol);
  }
  return out;
}

/** Pre-normalized lists, so checking 500 coins costs a Set lookup each. */
export interface CompiledScope {
  scope: string;
  whitelist: Set<string>;
  blacklist: Set<string>;
}

export function compileScope(params: ScopeParams): CompiledScope {
  return {
    scope: String(params.scope ?? 'all'),
    whitelist: symbolSet(params.whitelist),
    blacklist: symbolSet(params.blacklist),
  };
}

/**
 * Whitelist/blacklist rule of docs/trading-logic.md §5.1: the blacklist always blocks; scope "whitelist" with a
 * non-empty whitelist blocks every coin not on it; an empty whitelist allows all.
 */
export function checkScope(symbol: string, scope: CompiledScope): FilterDecision {
  // A name that is no coin symbol is on no list.
  const normalized = normalizeSymbol(symbol);
  const coin = normalized ?? symbol;
  if (normalized !== null && scope.blacklist.has(normalized)) {
    return { filter: SCOPE_FILTER, allowed: false, reason: `${coin} is blacklisted`, details: { scope: scope.scope } };
  }
  if (
    scope.scope === 'whitelist' &&
    scope.whitelist.size > 0 &&
    !(normalized !== null && scope.whitelist.has(normalized))
  ) {
    return {
      filter: SCOPE_FILTER,
      allowed: false,
      reason: `${coin} is not on the whitelist`,
      details: { scope: scope.scope },
    };
  }
  return { filter: SCOPE_FILTER, allowed: true, reason: 'in scope', details: { scope: scope.scope } };
}
