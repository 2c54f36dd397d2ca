/**
 * Building a ccxt client: loading only the one exchange class we use, pointing its URLs at `apiUrl`, and the small
 * slice of ccxt internals the service touches, typed once here (docs/exchanges.md, "Structure").
 */
import { dirname, join } from 'node:path';
import type { Exchange } from 'ccxt';

export type CcxtClassId = 'bybit' | 'binanceusdm' | 'okx';
type CcxtModule = typeof import('ccxt');
export type CcxtExchangeClass = new (config: Record<string, unknown>) => Exchange;

/**
 * ccxt internals that its public typings leave out or type too loosely: the binance family's error lookup by URL
 * host, undici's dispatcher, and createOrder without an amount (Binance close-position stops).
 */
export interface CcxtInternals {
  getExceptionsByUrl?: (url: string, exactOrBroad: string) => unknown;
  fetchDispatcher?: { destroy?: () => Promise<void> };
  has: Record<string, unknown>;
  createOrder(
    symbol: string,
    type: string,
    side: string,
    amount: number | undefined,
    price?: number,
    params?: object,
  ): ReturnType<Exchange['createOrder']>;
}

/** The one view of a client's internals (a structural cast: these members exist on every ccxt exchange object). */
export function internals(client: Exchange): CcxtInternals {
  return client as unknown as CcxtInternals;
}

/**
 * The one ccxt exchange class we use, loaded from ccxt's CommonJS build without the other ~140 exchanges that
 * `require('ccxt')` loads and compiles (~40 MB of RSS and ~0.4 s at start-up). The files are the same ones the
 * full entry point loads (same module cache, same classes); if ccxt's layout ever differs, the full entry point is
 * used.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- the path is computed at run time and the point is to
   load one file lazily; the types are declared above. */
export function loadCcxtClass(id: CcxtClassId): CcxtExchangeClass {
  try {
    const root = join(dirname(require.resolve('ccxt')), 'cjs');
    // What ccxt's own entry point requires first: rollup's helpers for the bundled dependencies.
    require(join(root, '_virtual', '_commonjsHelpers.js'));
    require(join(root, '_virtual', 'index.cjs.js'));
    const loaded = (require(join(root, 'src', `${id}.js`)) as { default?: unknown }).default;
    if (typeof loaded === 'function' && (loaded as { name?: string }).name === id) return loaded as CcxtExchangeClass;
  } catch {
    // fall through to the documented entry point
  }
  return (require('ccxt') as CcxtModule)[id] as unknown as CcxtExchangeClass;
}
/* eslint-enable @typescript-eslint/no-require-imports */

export type UrlTree = { [key: string]: string | UrlTree };

export function flattenUrls(urls: UrlTree, prefix = '', into = new Map<string, string>()): Map<string, string> {
  for (const [key, value] of Object.entries(urls)) {
    if (typeof value === 'string') into.set(prefix + key, value);
    else if (value && typeof value === 'object') flattenUrls(value, `${prefix}${key}.`, into);
  }
  return into;
}

/** Swaps scheme://host[:port] of every URL (nested too) for `apiUrl`, keeping each URL's path. */
export function replaceApiOrigins(urls: UrlTree, apiUrl: string): void {
  const origin = apiUrl.replace(/\/+$/, '');
  for (const [key, value] of Object.entries(urls)) {
    if (typeof value === 'string') urls[key] = value.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]+/i, origin);
    else if (value && typeof value === 'object') replaceApiOrigins(value, apiUrl);
  }
}

/**
 * ccxt's binance picks the error codes of a market type by the request URL's host (e.g. -2019 "Margin is
 * insufficient" is InsufficientFunds only for https://fapi.binance.com/...). Behind `apiUrl` every host is the same,
 * so the lookup is given the exchange's own URL back; without this such codes end up as plain ExchangeErrors.
 * Exchanges without such a lookup are left alone.
 */
function keepErrorMappingByHost(client: Exchange, before: Map<string, string>, after: Map<string, string>): void {
  const target = internals(client);
  const lookup = target.getExceptionsByUrl?.bind(client);
  if (!lookup) return;
  const pairs: Array<[string, string]> = [];
  for (const [key, replaced] of after) {
    const original = before.get(key);
    if (original && original !== replaced) pairs.push([replaced, original]);
  }
  pairs.sort((a, b) => b[0].length - a[0].length);
  target.getExceptionsByUrl = (url: string, exactOrBroad: string) => {
    const pair =
      typeof url === 'string'
        ? pairs.find(
            ([replaced]) => url === replaced || url.startsWith(`${replaced}/`) || url.startsWith(`${replaced}?`),
          )
        : undefined;
    return lookup(pair ? pair[1] + url.slice(pair[0].length) : url, exactOrBroad);
  };
}

export interface ClientSettings {
  apiKey?: string;
  secret?: string;
  password?: string;
  timeoutMs: number;
  testnet?: boolean;
  apiUrl?: string;
  /** ccxt `options` of the exchange (from its dialect). */
  options: Record<string, unknown>;
}

/** A client of `ExchangeClass` with ccxt's own throttle off (the transport's limiter replaces it). */
export function createCcxtClient(ExchangeClass: CcxtExchangeClass, settings: ClientSettings): Exchange {
  const client = new ExchangeClass({
    apiKey: settings.apiKey,
    secret: settings.secret,
    ...(settings.password !== undefined ? { password: settings.password } : {}),
    enableRateLimit: false, // our limiter follows the exchange's real limit
    timeout: settings.timeoutMs,
    options: settings.options,
  });
  // Otherwise loadMarkets first calls a signed currencies endpoint we have no use for.
  internals(client).has.fetchCurrencies = false;
  if (settings.testnet) client.setSandboxMode(true);
  if (settings.apiUrl) {
    const urls = client.urls.api as UrlTree;
    const before = flattenUrls(urls);
    replaceApiOrigins(urls, settings.apiUrl);
    keepErrorMappingByHost(client, before, flattenUrls(urls));
  }
  return client;
}

/**
 * Closes the client and its sockets at once (close alone would wait for a stalled answer until undici's body timeout).
 */
export async function destroyCcxtClient(client: Exchange): Promise<void> {
  await client.close();
  // The client is closed already; destroying the sockets only hurries them, a failure leaves them to time out.
  await internals(client)
    .fetchDispatcher?.destroy?.()
    .catch(() => undefined);
}
