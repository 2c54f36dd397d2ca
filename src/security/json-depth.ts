/**
 * Nesting depth of a JSON text, counted on the raw bytes before parsing: a body nested thousands of levels
 * deep parses fine but overflows the stack of the recursive DTO transform and validation that follow.
 * Brackets inside strings do not count. No Nest imports.
 */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;

/** True when the text nests objects/arrays deeper than `max` levels (stops scanning as soon as it does). */
export function exceedsJsonDepth(bytes: Uint8Array, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) {
      inString = true;
    } else if (b === OPEN_OBJECT || b === OPEN_ARRAY) {
      if (++depth > max) return true;
    } else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
      depth--;
    }
  }
  return false;
}

/** body-parser `verify` hook: refuses a too-deep body as a 400 before it is parsed. */
export function rejectDeepJson(_req: unknown, _res: unknown, buf: Buffer): void {
  if (exceedsJsonDepth(buf)) {
    const error = new Error(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`) as Error & {
      status: number;
      type: string;
    };
    error.status = 400;
    error.type = 'entity.verify.failed';
    throw error;
  }
}
