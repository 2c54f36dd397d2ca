/**
 * Environment variables: parsed and checked once at start-up. A bad value stops the service with one
 * line naming the variable and what it accepts (see main.ts), never a half-configured start.
 */
export class EnvValidationError extends Error {}

type Env = Record<string, string | undefined>;

function str(env: Env, key: string, fallback: string): string {
  const v = env[key];
  return v === undefined || v.trim() === '' ? fallback : v.trim();
}

function int(env: Env, key: string, fallback: number, min: number, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new EnvValidationError(`Invalid ${key}=${JSON.stringify(raw)}: must be an integer from ${min} to ${max}`);
  }
  return n;
}

function num(env: Env, key: string, fallback: number, min: number, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new EnvValidationError(`Invalid ${key}=${JSON.stringify(raw)}: must be a number from ${min} to ${max}`);
  }
  return n;
}

function bool(env: Env, key: string, fallback: boolean): boolean {
  const raw = env[key];
  if (raw === undefined || raw.trim() === '') return fallback;
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new EnvValidationError(`Invalid ${key}=${JSON.stringify(raw)}: must be true or false`);
}

function oneOf<T extends string>(env: Env, key: string, fallback: T, values: readonly T[]): T {
  const v = str(env, key, fallback).toLowerCase() as T;
  if (!values.includes(v)) {
    throw new EnvValidationError(`Invalid ${key}=${JSON.stringify(env[key])}: must be one of ${values.join(', ')}`);
  }
  return v;
}

export const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export const EXCHANGES = ['paper', 'bybit', 'binance', 'okx'] as const;
export type ExchangeName = (typeof EXCHANGES)[number];
/** Exchanges whose API keys come with a passphrase (docs/exchanges.md). */
const EXCHANGES_WITH_PASSPHRASE: ReadonlySet<ExchangeName> = new Set(['okx']);
/** Prices of the paper exchange: the seeded simulation, or a real exchange's public data (dry run, docs/dry-run.md). */
export const PAPER_MARKETS = ['sim', 'bybit', 'binance'] as const;
export type PaperMarketName = (typeof PAPER_MARKETS)[number];

export interface AppSettings {
  port: number;
  host: string;
  dataDir: string;
  logLevel: LogLevel;
  /** One readable line per entry, or one JSON object per line for log collectors. */
  logFormat: LogFormat;
  /** When set, every endpoint but health and docs needs header X-API-Key. */
  apiKey: string | null;
  /** '*' (the original's open policy) or a list of allowed origins. */
  corsOrigins: '*' | string[];
  /** Requests per minute per client on mutating endpoints. */
  mutationRateLimit: number;
  /** Auto-save and worker start can be turned off for tools that only read. */
  workersEnabled: boolean;
}

export interface ExchangeSettings {
  name: ExchangeName;
  apiKey: string | null;
  apiSecret: string | null;
  /** The API key's passphrase (EXCHANGE_API_PASSWORD): OKX needs one. */
  apiPassword: string | null;
  testnet: boolean;
  /** Replaces the origin of the exchange's REST URLs (proxy, mirror, local fake exchange). */
  apiUrl: string | null;
  timeoutMs: number;
  /** Requests allowed per rate-limit window (Bybit: 600 per 5 s per IP). */
  rateLimitRequests: number;
  rateLimitWindowMs: number;
  paper: {
    /** 'sim' (seeded simulation) or the exchange whose public prices the paper account trades on (dry run). */
    market: PaperMarketName;
    seed: number;
    symbols: number;
    /** Simulated ms per real ms (1 = real time; 360 = one 6h candle per minute); always 1 on live prices. */
    timeScale: number;
    startingBalance: number;
  };
}

export function parseAppSettings(env: Env): AppSettings {
  const cors = str(env, 'CORS_ORIGINS', '*');
  return {
    port: int(env, 'PORT', 5001, 0, 65535),
    host: str(env, 'HOST', '0.0.0.0'),
    dataDir: str(env, 'DATA_DIR', './data'),
    logLevel: oneOf(env, 'LOG_LEVEL', 'log', LOG_LEVELS),
    logFormat: oneOf(env, 'LOG_FORMAT', 'text', LOG_FORMATS),
    apiKey: env.BOTS_API_KEY?.trim() ? env.BOTS_API_KEY.trim() : null,
    corsOrigins:
      cors === '*'
        ? '*'
        : cors
            .split(',')
            .map((o) => o.trim())
            .filter(Boolean),
    mutationRateLimit: int(env, 'MUTATION_RATE_LIMIT', 600, 1, 1_000_000),
    workersEnabled: bool(env, 'WORKERS_ENABLED', true),
  };
}

export function parseExchangeSettings(env: Env): ExchangeSettings {
  const name = oneOf(env, 'EXCHANGE', 'paper', EXCHANGES);
  const apiKey = env.EXCHANGE_API_KEY?.trim() || null;
  const apiSecret = env.EXCHANGE_API_SECRET?.trim() || null;
  if (name !== 'paper' && (!apiKey || !apiSecret)) {
    throw new EnvValidationError(
      `EXCHANGE=${name} needs EXCHANGE_API_KEY and EXCHANGE_API_SECRET (or use EXCHANGE=paper)`,
    );
  }
  const apiPassword = env.EXCHANGE_API_PASSWORD?.trim() || null;
  if (EXCHANGES_WITH_PASSPHRASE.has(name) && !apiPassword) {
    throw new EnvValidationError(`EXCHANGE=${name} needs EXCHANGE_API_PASSWORD (the API key's passphrase)`);
  }
  const paperMarket = oneOf(env, 'PAPER_MARKET', 'sim', PAPER_MARKETS);
  if (paperMarket !== 'sim' && name !== 'paper') {
    throw new EnvValidationError(
      `PAPER_MARKET=${paperMarket} needs EXCHANGE=paper (it runs the paper account on ${paperMarket}'s public prices)`,
    );
  }
  const timeScale = num(env, 'PAPER_TIME_SCALE', 1, 0.001, 1_000_000);
  if (paperMarket !== 'sim' && timeScale !== 1) {
    throw new EnvValidationError(
      `Invalid PAPER_TIME_SCALE=${JSON.stringify(env.PAPER_TIME_SCALE)}: must be 1 with PAPER_MARKET=${paperMarket} (real prices run in real time)`,
    );
  }
  const apiUrl = env.EXCHANGE_API_URL?.trim() || null;
  if (apiUrl && !/^https?:\/\/[^\s/]+/.test(apiUrl)) {
    throw new EnvValidationError(
      `Invalid EXCHANGE_API_URL=${JSON.stringify(apiUrl)}: must be an http(s) origin like http://127.0.0.1:5099`,
    );
  }
  return {
    name,
    apiKey,
    apiSecret,
    apiPassword,
    testnet: bool(env, 'EXCHANGE_TESTNET', false),
    apiUrl,
    timeoutMs: int(env, 'EXCHANGE_TIMEOUT_MS', 10_000, 100, 120_000),
    rateLimitRequests: int(env, 'EXCHANGE_RATE_LIMIT_REQUESTS', 600, 1, 100_000),
    rateLimitWindowMs: int(env, 'EXCHANGE_RATE_LIMIT_WINDOW_MS', 5000, 100, 600_000),
    paper: {
      market: paperMarket,
      seed: int(env, 'PAPER_SEED', 42, 0, 2 ** 31 - 1),
      symbols: int(env, 'PAPER_SYMBOLS', 540, 10, 2000),
      timeScale,
      startingBalance: num(env, 'PAPER_BALANCE', 10_000, 1, 1e12),
    },
  };
}
