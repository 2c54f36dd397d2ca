import { MAX_SYMBOL_LIST, normalizeSymbol } from '../common/symbol';
import { ConfigValidationError } from './config-validation.error';

/** Describes one setting: its type and allowed range. The single place a value's validity is decided. */
export type SettingSpec =
  | { type: 'int' | 'number'; min: number; max: number }
  | { type: 'bool' }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'string'; maxLength: number }
  | { type: 'symbols' }
  | { type: 'numbers'; min: number; max: number; maxItems: number }
  | { type: 'opaque' };

function describe(spec: SettingSpec): string {
  switch (spec.type) {
    case 'int':
      return `an integer from ${spec.min} to ${spec.max}`;
    case 'number':
      return `a number from ${spec.min} to ${spec.max}`;
    case 'bool':
      return 'true or false';
    case 'enum':
      return `one of ${spec.values.join(', ')}`;
    case 'string':
      return `a string of at most ${spec.maxLength} characters`;
    case 'symbols':
      return `a list of at most ${MAX_SYMBOL_LIST} coin symbols`;
    case 'numbers':
      return `a list of at most ${spec.maxItems} numbers from ${spec.min} to ${spec.max}`;
    case 'opaque':
      return 'any JSON value';
  }
}

/**
 * Coerces a client value (numeric strings, "true"/"false", 0/1) to the spec's type and checks its range.
 * Throws ConfigValidationError naming the key and the allowed range.
 */
export function coerceSetting(key: string, spec: SettingSpec, value: unknown): unknown {
  const fail = (): never => {
    throw new ConfigValidationError(
      key,
      `${key} must be ${describe(spec)} (got ${JSON.stringify(value)?.slice(0, 60)})`,
    );
  };
  switch (spec.type) {
    case 'int':
    case 'number': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n)) return fail();
      if (spec.type === 'int' && !Number.isInteger(n)) return fail();
      if (n < spec.min || n > spec.max) return fail();
      return n;
    }
    case 'bool':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 1 || value === '1') return true;
      if (value === 'false' || value === 0 || value === '0') return false;
      return fail();
    case 'enum':
      if (typeof value !== 'string' || !spec.values.includes(value)) return fail();
      return value;
    case 'string':
      if (typeof value !== 'string' || value.length > spec.maxLength) return fail();
      return value;
    case 'symbols': {
      if (!Array.isArray(value) || value.length > MAX_SYMBOL_LIST) return fail();
      const out = new Set<string>();
      for (const item of value) {
        const symbol = normalizeSymbol(item);
        if (symbol === null) return fail();
        out.add(symbol);
      }
      return [...out];
    }
    case 'numbers': {
      if (!Array.isArray(value) || value.length > spec.maxItems) return fail();
      return value.map((item) => {
        const n = typeof item === 'string' ? Number(item) : item;
        if (typeof n !== 'number' || !Number.isFinite(n) || n < spec.min || n > spec.max) return fail();
        return n;
      });
    }
    case 'opaque':
      return value;
  }
}

/**
 * Validates a partial update against a spec table: known keys are coerced (first bad one throws),
 * unknown keys are dropped and reported, so echoed whole objects with computed keys are harmless.
 */
export function coerceSettings(
  specs: Record<string, SettingSpec>,
  input: Record<string, unknown>,
): { values: Record<string, unknown>; ignored: string[] } {
  const values: Record<string, unknown> = {};
  const ignored: string[] = [];
  for (const [key, value] of Object.entries(input)) {
    const spec = specs[key];
    if (!spec) {
      ignored.push(key);
      continue;
    }
    if (value === null || value === undefined) continue;
    values[key] = coerceSetting(key, spec, value);
  }
  return { values, ignored };
}
