/**
 * Pure mappers from ccxt's unified answers to the service's exchange types (docs/exchanges.md, "Mappers"). Nothing
 * here knows an exchange by name: what differs per exchange (raw market filters, raw balance rows) lives in that
 * exchange's dialect under ./dialects/ and arrives here as plain figures.
 */
import type { Market as MaybeMarket, OHLCV, Position as CcxtPosition, Ticker as CcxtTicker } from 'ccxt';
import type { Balance, CandleColumns, Position, Ticker } from '../exchange.types';
import { columnsToCandles, emptyColumns } from '../exchange.types';

export type Market = NonNullable<MaybeMarket>;

export const DEFAULT_MIN_NOTIONAL = 5;
export const DEFAULT_MAX_LEVERAGE = 20;

/** A finite number from a number or numeric string; undefined for empty, missing or non-numeric values. */
export function num(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

export function positiveOrUndefined(value: unknown): number | undefined {
  const n = num(value);
  return n !== undefined && n > 0 ? n : undefined;
}

export function positiveOrNull(value: unknown): number | null {
  const n = num(value);
  return n !== undefined && n > 0 ? n : null;
}

/** The only markets the service trades: linear perpetual swaps settled and quoted in USDT. */
export function isUsdtPerpetual(market: Market): boolean {
  return market.swap === true && market.linear === true && market.settle === 'USDT' && market.quote === 'USDT';
}

/** The service's symbol of a market: the bare coin ("BTC"). */
export function bareCoin(market: Market): string {
  return String(market.baseId ?? market.base);
}

/**
 * The bare coin of a fetchTickers key: keys are unified symbols, but rows for markets ccxt does not know come under
 * the raw id ("XUSDT" on Bybit and Binance, "X-USDT-SWAP" on OKX).
 */
export function bareFromTickerKey(key: string, bareBySymbol: ReadonlyMap<string, string>): string | undefined {
  const known = bareBySymbol.get(key);
  if (known) return known;
  if (key.includes('/')) return key.endsWith('/USDT:USDT') ? key.split('/')[0] : undefined;
  if (key.endsWith('-USDT-SWAP') && key.length > 10) return key.slice(0, -10);
  return key.endsWith('USDT') && key.length > 4 ? key.slice(0, -4) : undefined;
}

export function toTicker(bare: string, ticker: CcxtTicker): Ticker | undefined {
  const last = num(ticker.last) ?? num(ticker.close);
  if (last === undefined) return undefined;
  const info = (ticker.info ?? {}) as Record<string, unknown>;
  return {
    symbol: bare,
    last,
    bid: num(ticker.bid) ?? last,
    ask: num(ticker.ask) ?? last,
    mark: num(ticker.markPrice) ?? num(info.markPrice) ?? last,
    high24h: num(ticker.high) ?? last,
    low24h: num(ticker.low) ?? last,
    change24hPercent: num(ticker.percentage) ?? 0,
    volume24h: num(ticker.baseVolume) ?? 0,
    turnover24h: num(ticker.quoteVolume) ?? 0,
    timestamp: num(ticker.timestamp) ?? Date.now(),
  };
}

/**
 * A ccxt position row, or undefined for a flat or sideless one. `contractSize` turns contracts into coins (OKX
 * counts positions in contracts of e.g. 0.01 BTC; Bybit and Binance in coins, size 1).
 */
export function toPosition(bare: string, row: CcxtPosition, contractSize = 1): Position | undefined {
  const size = Math.abs(num(row.contracts) ?? 0) * contractSize;
  if (!(size > 0) || (row.side !== 'long' && row.side !== 'short')) return undefined;
  const info = (row.info ?? {}) as Record<string, unknown>;
  const markPrice = num(row.markPrice) ?? 0;
  const createdAt = num(row.timestamp) ?? 0;
  return {
    symbol: bare,
    side: row.side === 'long' ? 'Long' : 'Short',
    size: contractSize === 1 ? size : roundQty(size),
    entryPrice: num(row.entryPrice) ?? 0,
    markPrice,
    // Binance's v3 position rows carry no leverage; their initial margin is |notional| / leverage.
    leverage: num(row.leverage) ?? impliedLeverage(row) ?? 1,
    unrealizedPnl: num(row.unrealizedPnl) ?? 0,
    realizedPnl: num(row.realizedPnl) ?? num(info.cumRealisedPnl) ?? 0,
    stopLoss: positiveOrNull(row.stopLossPrice),
    takeProfit: positiveOrNull(row.takeProfitPrice),
    liquidationPrice: positiveOrNull(row.liquidationPrice),
    positionValue: num(row.notional) ?? size * markPrice,
    margin: num(row.initialMargin) ?? 0,
    createdAt,
    updatedAt: num(row.lastUpdateTimestamp) ?? createdAt,
  };
}

/** Drops the binary noise of contracts × contract size (3 × 0.1 = 0.30000000000000004). */
function roundQty(value: number): number {
  return Number(value.toPrecision(12));
}

function impliedLeverage(row: CcxtPosition): number | undefined {
  const notional = num(row.notional);
  const margin = num(row.initialMargin);
  return notional !== undefined && margin !== undefined && margin > 0
    ? Math.max(1, Math.round(Math.abs(notional) / margin))
    : undefined;
}

/** The USDT figures a dialect reads from the exchange's raw balance answer; what it leaves out is derived. */
export interface BalanceFigures {
  equity?: number;
  walletBalance?: number;
  available?: number;
  unrealizedPnl?: number;
  marginBalance?: number;
}

/** ccxt's unified USDT row of fetchBalance. */
export interface UnifiedUsdt {
  free?: number;
  total?: number;
}

/**
 * The account balance from the dialect's figures, ccxt's unified USDT row and the open positions; undefined when
 * neither the figures nor the unified row exist (a malformed answer).
 */
export function toBalance(
  figures: BalanceFigures | undefined,
  usdt: UnifiedUsdt | undefined,
  positions: readonly Position[],
): Balance | undefined {
  if (!figures && !usdt) return undefined;
  const walletBalance = figures?.walletBalance ?? usdt?.total ?? 0;
  const unrealizedPnl = figures?.unrealizedPnl ?? positions.reduce((sum, p) => sum + p.unrealizedPnl, 0);
  const totalEquity = figures?.equity ?? walletBalance + unrealizedPnl;
  return {
    currency: 'USDT',
    totalEquity,
    walletBalance,
    availableBalance: figures?.available ?? usdt?.free ?? 0,
    unrealizedPnl,
    marginBalance: figures?.marginBalance ?? totalEquity,
    positionValue: positions.reduce((sum, p) => sum + p.positionValue, 0),
    activePositions: positions.length,
  };
}

/**
 * ccxt OHLCV rows to columns: rows with a non-finite field, before `since` or from `until` on are dropped, the rest
 * sorted by time (the later of two equal times wins), the newest `limit` kept.
 */
export function ohlcvColumns(
  rows: readonly OHLCV[],
  since: number | undefined,
  limit: number,
  until?: number,
): CandleColumns {
  const kept: OHLCV[] = [];
  let sorted = true;
  for (const row of rows) {
    // Field by field: this runs for every candle of a mass load, so no temporary arrays.
    const time = Number(row[0]);
    if (!(
      Number.isFinite(time) &&
      Number.isFinite(Number(row[1])) &&
      Number.isFinite(Number(row[2])) &&
      Number.isFinite(Number(row[3])) &&
      Number.isFinite(Number(row[4])) &&
      Number.isFinite(Number(row[5] ?? 0))
    )) {
      continue;
    }
    if ((since !== undefined && time < since) || (until !== undefined && time >= until)) continue;
    if (kept.length > 0 && time <= Number(kept[kept.length - 1][0])) sorted = false;
    kept.push(row);
  }
  if (!sorted) {
    kept.sort((a, b) => Number(a[0]) - Number(b[0]));
    // Equal times: keep the later row, as a merge would.
    for (let i = kept.length - 2; i >= 0; i--) if (Number(kept[i][0]) === Number(kept[i + 1][0])) kept.splice(i, 1);
  }
  const start = Math.max(0, kept.length - limit);
  const n = kept.length - start;
  const columns = emptyColumns(n);
  for (let i = 0; i < n; i++) {
    const row = kept[start + i];
    columns.time[i] = Number(row[0]);
    columns.open[i] = Number(row[1]);
    columns.high[i] = Number(row[2]);
    columns.low[i] = Number(row[3]);
    columns.close[i] = Number(row[4]);
    columns.volume[i] = Number(row[5] ?? 0);
  }
  return columns;
}

export { columnsToCandles };

/**
 * Number(value) for a non-empty string without 'e' or a finite number; undefined (= ask ccxt) for anything else or NaN.
 */
export function plainNumber(value: unknown): number | undefined {
  let n: number;
  if (typeof value === 'string') {
    if (value.length === 0 || value.includes('e') || value.includes('E')) return undefined;
    n = Number(value);
  } else if (typeof value === 'number' && Number.isFinite(value)) {
    n = value;
  } else {
    return undefined;
  }
  return Number.isNaN(n) ? undefined : n;
}

export function urlPath(url: string): string {
  return url.replace(/^[a-z]+:\/\/[^/]+/i, '').split('?')[0];
}
