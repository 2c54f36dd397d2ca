import type { LoggerService, LogLevel } from '@nestjs/common';
import { formatJson, formatText, type LogEntry, type LogLevelName } from './log-format';
import { RepeatSuppressor } from './repeat-suppressor';

export type LogFormatName = 'text' | 'json';

export interface AppLoggerOptions {
  format: LogFormatName;
  /** Levels printed (Nest's names); everything else is dropped. */
  levels: LogLevel[];
  /** Identical entries within this window print once, then "(repeated N times)". Default 60 s. */
  repeatWindowMs?: number;
  /** Wall clock for timestamps and windows; tests pass a fake one. */
  now?: () => number;
  /** Where a finished line goes; default stdout (stderr for warn and worse). */
  write?: (line: string, level: LogLevelName) => void;
  /** Values never printed, whatever a caller passes in (API keys, exchange secrets). */
  secrets?: Array<string | null | undefined>;
  /** How often pending repeat summaries are checked without new log traffic; 0 = never (tests). Default 5 s. */
  sweepIntervalMs?: number;
}

/** Fields a caller may attach: `logger.log({ message: 'opened LONG', symbol: 'BTC', botId: 'BTC_1' })`. */
export interface LogFields {
  message?: unknown;
  msg?: unknown;
  symbol?: string;
  botId?: string;
  bot_id?: string;
  [key: string]: unknown;
}

const STDERR_LEVELS = new Set<LogLevelName>(['fatal', 'error', 'warn']);
/** Secrets shorter than this are not searched for (they would blank ordinary words). */
const MIN_SECRET_LENGTH = 6;

function defaultWrite(line: string, level: LogLevelName): void {
  (STDERR_LEVELS.has(level) ? process.stderr : process.stdout).write(`${line}\n`);
}

/**
 * The service's Nest LoggerService: one line per entry, readable text or JSON (LOG_FORMAT), with the Nest
 * context plus structured fields (symbol, bot_id), floods of identical entries collapsed, and known
 * secrets blanked as a last line of defence.
 */
export class AppLogger implements LoggerService {
  private levels: Set<LogLevel>;
  private readonly now: () => number;
  private readonly write: (line: string, level: LogLevelName) => void;
  private readonly suppressor: RepeatSuppressor<LogEntry>;
  private readonly secrets: string[];
  private readonly sweep: NodeJS.Timeout | null;

  constructor(private readonly options: AppLoggerOptions) {
    this.levels = new Set(options.levels);
    this.now = options.now ?? Date.now;
    this.write = options.write ?? defaultWrite;
    this.suppressor = new RepeatSuppressor<LogEntry>({ windowMs: options.repeatWindowMs ?? 60_000, now: this.now });
    this.secrets = [
      ...new Set(
        (options.secrets ?? []).filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH),
      ),
    ]
      .flatMap((s) => [s, JSON.stringify(s).slice(1, -1)])
      .sort((a, b) => b.length - a.length);
    const sweepMs = options.sweepIntervalMs ?? 5000;
    this.sweep = sweepMs > 0 ? setInterval(() => this.printDueSummaries(), sweepMs) : null;
    this.sweep?.unref();
  }

  log(message: unknown, ...params: unknown[]): void {
    this.entry('log', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.entry('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.entry('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.entry('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.entry('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.entry('fatal', message, params);
  }

  setLogLevels(levels: LogLevel[]): void {
    this.levels = new Set(levels);
  }

  isLevelEnabled(level: LogLevel): boolean {
    return this.levels.has(level);
  }

  /** Prints the summaries of every held-back run (at exit, so no count is lost). */
  flushRepeats(): void {
    for (const summary of this.suppressor.flushAll()) {
      this.print({ ...summary.entry, time: this.now(), repeated: summary.count });
    }
  }

  close(): void {
    this.flushRepeats();
    if (this.sweep) clearInterval(this.sweep);
  }

  private printDueSummaries(): void {
    for (const summary of this.suppressor.flushExpired()) {
      this.print({ ...summary.entry, time: this.now(), repeated: summary.count });
    }
  }

  private entry(level: LogLevelName, message: unknown, params: unknown[]): void {
    if (!this.levels.has(level as LogLevel)) return;
    const entry = this.toEntry(level, message, params);
    this.printDueSummaries();
    const key = `${entry.level}|${entry.context ?? ''}|${entry.message}|${safeJson(entry.fields)}`;
    if (this.suppressor.offer(key, entry)) this.print(entry);
  }

  /** Reads Nest's calling convention: (message, ...extras, context) and, for errors, (message, stack, context). */
  private toEntry(level: LogLevelName, message: unknown, params: unknown[]): LogEntry {
    const rest = [...params];
    let context: string | undefined;
    if (rest.length > 0 && typeof rest[rest.length - 1] === 'string') context = rest.pop() as string;
    let stack: string | undefined;
    if (
      (level === 'error' || level === 'fatal') &&
      rest.length > 0 &&
      (typeof rest[0] === 'string' || rest[0] === undefined)
    ) {
      stack = rest.shift() as string | undefined;
    }
    const fields: Record<string, unknown> = {};
    let text: string;
    if (message instanceof Error) {
      text = message.message;
      stack ??= message.stack;
    } else if (message !== null && typeof message === 'object') {
      const { message: m, msg, botId, bot_id, ...others } = message as LogFields;
      text = typeof m === 'string' ? m : typeof msg === 'string' ? msg : safeJson(message);
      Object.assign(fields, others);
      if (botId ?? bot_id) fields.bot_id = botId ?? bot_id;
    } else {
      text = String(message);
    }
    const extras: string[] = [];
    for (const extra of rest) {
      if (extra === undefined) continue;
      if (extra instanceof Error) stack ??= extra.stack;
      else if (extra !== null && typeof extra === 'object') Object.assign(fields, extra);
      else extras.push(String(extra));
    }
    if (extras.length) text = `${text} ${extras.join(' ')}`;
    return { time: this.now(), level, context, message: text, fields, stack };
  }

  private print(entry: LogEntry): void {
    let line = this.options.format === 'json' ? formatJson(entry) : formatText(entry);
    for (const secret of this.secrets) if (line.includes(secret)) line = line.split(secret).join('***');
    this.write(line, entry.level);
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return String(value);
  }
}
