import { PROTECTION_RULES, type EquityPoint, type ProtectionRule } from './rules/rule.types';

export const PROTECTION_LOCKS_FILE = 'protection_locks.json';

/** One active lock: no new entries on `symbol` (null = every coin) until `until`. */
export interface ProtectionLock {
  id: string;
  rule: ProtectionRule;
  symbol: string | null;
  reason: string;
  /** Epoch ms the lock was set. */
  locked_at: number;
  /** Epoch ms the lock ends. */
  until: number;
}

/** data/protection_locks.json. */
export interface ProtectionLocksFile {
  version: 1;
  locks: ProtectionLock[];
  /**
   * Per rule and scope (coin, or "*" for the account): facts at or before this time no longer count
   * (docs/protections.md).
   */
  resets: Partial<Record<ProtectionRule, Record<string, number>>>;
  /** Bounded equity history of the drawdown rule. */
  equity: EquityPoint[];
  last_saved: string | null;
}

export function emptyLocksFile(): ProtectionLocksFile {
  return { version: 1, locks: [], resets: {}, equity: [], last_saved: null };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function isProtectionLock(value: unknown): value is ProtectionLock {
  if (!isObject(value)) return false;
  return (
    typeof value.id === 'string' &&
    (PROTECTION_RULES as readonly string[]).includes(value.rule as string) &&
    (value.symbol === null || typeof value.symbol === 'string') &&
    typeof value.reason === 'string' &&
    Number.isFinite(value.locked_at) &&
    Number.isFinite(value.until)
  );
}

/** Shape check for the JsonStore: a file that fails it is kept aside and the .bak is used. */
export function validateLocksFile(value: unknown): string | null {
  if (!isObject(value)) return 'expected a JSON object';
  if (!Array.isArray(value.locks)) return 'locks must be a list';
  const bad = value.locks.findIndex((lock) => !isProtectionLock(lock));
  if (bad >= 0) return `locks[${bad}] is not a lock`;
  if (value.resets !== undefined && !isObject(value.resets)) return 'resets must be an object';
  if (value.equity !== undefined && !Array.isArray(value.equity)) return 'equity must be a list';
  return null;
}

/** A loaded file with its optional parts filled in and malformed equity samples dropped. */
export function normalizeLocksFile(value: ProtectionLocksFile): ProtectionLocksFile {
  const resets: ProtectionLocksFile['resets'] = {};
  for (const rule of PROTECTION_RULES) {
    const scopes = value.resets?.[rule];
    if (!isObject(scopes)) continue;
    resets[rule] = Object.fromEntries(Object.entries(scopes).filter(([, t]) => Number.isFinite(t))) as Record<
      string,
      number
    >;
  }
  const equity = (value.equity ?? []).filter(
    (p): p is EquityPoint => isObject(p) && Number.isFinite(p.time) && Number.isFinite(p.equity),
  );
  return { version: 1, locks: [...value.locks], resets, equity, last_saved: value.last_saved ?? null };
}
