/** One log entry and its two printed forms (one line each). No Nest imports. */

export type LogLevelName = 'fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose';

export interface LogEntry {
  time: number;
  level: LogLevelName;
  /** The Nest logger context: the module or class that wrote the line ("Exchange", "BotManager"). */
  context?: string;
  message: string;
  /** Structured context: symbol, bot_id and anything else the caller attached. */
  fields: Record<string, unknown>;
  stack?: string;
  /** Set on the summary line of a suppressed run of identical entries. */
  repeated?: number;
}

/** Collectors know "info", not Nest's "log". */
const LEVEL_NAME: Record<LogLevelName, string> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'verbose',
};

function oneLine(text: string): string {
  return text.replace(/\r?\n\s*/g, ' ↵ ');
}

function fieldValue(value: unknown): string {
  if (typeof value === 'string') return /[\s="]/.test(value) ? JSON.stringify(value) : value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function messageWithRepeats(entry: LogEntry): string {
  return entry.repeated ? `${entry.message} (repeated ${entry.repeated} times)` : entry.message;
}

/** `2026-01-01T12:00:00.000Z INFO  [Exchange] message symbol=BTC bot_id=BTC_1` */
export function formatText(entry: LogEntry): string {
  const level = LEVEL_NAME[entry.level].toUpperCase().padEnd(7);
  const context = entry.context ? `[${entry.context}] ` : '';
  const fields = Object.entries(entry.fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}=${fieldValue(v)}`)
    .join('');
  const stack = entry.stack ? ` ↵ ${entry.stack}` : '';
  return oneLine(
    `${new Date(entry.time).toISOString()} ${level} ${context}${messageWithRepeats(entry)}${fields}${stack}`,
  );
}

/** `{"time":"…","level":"info","context":"Exchange","message":"…","symbol":"BTC"}` */
export function formatJson(entry: LogEntry): string {
  const record: Record<string, unknown> = { time: new Date(entry.time).toISOString(), level: LEVEL_NAME[entry.level] };
  if (entry.context) record.context = entry.context;
  record.message = messageWithRepeats(entry);
  for (const [key, value] of Object.entries(entry.fields)) {
    if (value !== undefined && !(key in record)) record[key] = value;
  }
  if (entry.repeated) record.repeated = entry.repeated;
  if (entry.stack) record.stack = entry.stack;
  try {
    return JSON.stringify(record);
  } catch {
    // A field that cannot be serialised (a cycle) must not lose the line.
    return JSON.stringify({ time: record.time, level: record.level, context: entry.context, message: record.message });
  }
}
