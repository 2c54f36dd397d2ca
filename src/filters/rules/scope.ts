import type { FilterDecision } from '../filter.types';

export const SCOPE_FILTER = 'scope';

export interface ScopeParams {
  scope: string;
  whitelist: readonly string[];
  blacklist: readonly string[];
}

/** Upper-cases a list entry and strips a trailing USDT, so "btcusdt" and "BTC" compare equal. */
export function normalizeListEntry(entry: string): string {
  const upper = String(entry).trim().toUpperCase();
  return upper.endsWith('USDT') && upper.length > 4 ? upper.slice(0, -4) : upper;
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
    whitelist: new Set((params.whitelist ?? []).map(normalizeListEntry)),
    blacklist: new Set((params.blacklist ?? []).map(normalizeListEntry)),
  };
}

/**
 * Whitelist/blacklist rule of docs/trading-logic.md §5.1: the blacklist always blocks; scope "whitelist" with a
 * non-empty whitelist blocks every coin not on it; an empty whitelist allows all.
 */
export function checkScope(symbol: string, scope: CompiledScope): FilterDecision {
  const coin = normalizeListEntry(symbol);
  if (scope.blacklist.has(coin)) {
    return { filter: SCOPE_FILTER, allowed: false, reason: `${coin} is blacklisted`, details: { scope: scope.scope } };
  }
  if (scope.scope === 'whitelist' && scope.whitelist.size > 0 && !scope.whitelist.has(coin)) {
    return {
      filter: SCOPE_FILTER,
      allowed: false,
      reason: `${coin} is not on the whitelist`,
      details: { scope: scope.scope },
    };
  }
  return { filter: SCOPE_FILTER, allowed: true, reason: 'in scope', details: { scope: scope.scope } };
}
