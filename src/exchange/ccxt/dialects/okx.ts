/**
 * OKX v5, USDT-margined perpetual swaps in one-way ("net") mode, cross margin (docs/exchanges.md, "OKX"): the key
 * needs a passphrase, sizes are in contracts of `ctVal` coins, client order ids are alphanumeric (≤ 32), stops ride
 * on the order as attached algo orders and are moved through the algo-order API (amend, else place; 0 lifts a leg).
 */
import { createHash } from 'node:crypto';
import type { Exchange, okx as OkxClient } from 'ccxt';
import { InvalidOrderError } from '../../exchange.errors';
import type { InstrumentStatus, MarketInfo, Position, TradingStopRequest } from '../../exchange.types';
import {
  type BalanceFigures,
  bareCoin,
  DEFAULT_MAX_LEVERAGE,
  DEFAULT_MIN_NOTIONAL,
  type Market,
  num,
  positiveOrNull,
  positiveOrUndefined,
  urlPath,
} from '../mappers';
import { BaseDialect, closeSide, type DialectContext, priceString } from './dialect';

const STATUS: Record<string, InstrumentStatus> = {
  live: 'Trading',
  preopen: 'PreLaunch',
  settlement: 'Settling',
  suspend: 'Closed',
  expired: 'Closed',
};
/** Both TP/SL algo types a position's stops can rest in (the pending list takes them comma-separated). */
const STOP_ALGO_TYPES = 'conditional,oco';
/** "Too many requests" (HTTP 429) and the per-account order rate limit. */
const RATE_LIMIT_CODES = new Set(['50011', '50061']);
/** Successful answers whose data must name the order. */
const ORDER_ID_PATHS = ['/api/v5/trade/order', '/api/v5/trade/cancel-order'];

/** A row of /api/v5/trade/orders-algo-pending (the fields we read). */
interface AlgoRow {
  algoId?: string;
  instId?: string;
  side?: string;
  slTriggerPx?: string;
  tpTriggerPx?: string;
}

export class OkxDialect extends BaseDialect {
  readonly id = 'okx';
  readonly ccxtClassId = 'okx';
  readonly capabilities = {
    stopsOnOrder: true,
    stopsAsOrders: true,
    numbersAsStrings: true,
    needsPassword: true,
    maxCandlesPerRequest: 300,
  };
  protected override readonly duplicateClientIdCodes: ReadonlySet<number> = new Set([51016]);

  clientOptions(): Record<string, unknown> {
    // One order per request: /trade/order, not ccxt's default /trade/batch-orders.
    return { defaultType: 'swap', fetchMarkets: { types: ['swap'] }, createOrder: 'privatePostTradeOrder' };
  }

  marketInfo(market: Market): MarketInfo {
    return okxMarketInfo(market);
  }

  balanceFigures(info: unknown): BalanceFigures | undefined {
    return okxBalanceFigures(info);
  }

  override isRateLimitAnswer(status: number, parsed: unknown): boolean {
    return status === 429 || RATE_LIMIT_CODES.has(String((parsed as { code?: unknown } | null)?.code));
  }

  override malformedReason(status: number, url: string, text: string, parsed: unknown): string | undefined {
    return okxMalformedReason(status, url, text, parsed);
  }

  override leverageParams(): Record<string, unknown> {
    return { marginMode: 'cross' };
  }

  override attachedStopParams(_client: Exchange, _unified: string, stops: TradingStopRequest): Record<string, unknown> {
    const params: Record<string, unknown> = {};
    if (stops.stopLoss !== undefined && stops.stopLoss > 0) params.stopLoss = { triggerPrice: stops.stopLoss };
    if (stops.takeProfit !== undefined && stops.takeProfit > 0) params.takeProfit = { triggerPrice: stops.takeProfit };
    return params;
  }

  /** OKX takes [A-Za-z0-9]{1,32}: the caller's id is stripped (and hashed when longer), the same on every retry. */
  override clientOrderId(id: string): string {
    const plain = id.replace(/[^A-Za-z0-9]/g, '');
    if (plain.length > 0 && plain.length <= 32) return plain;
    return `b${createHash('sha256').update(id).digest('hex').slice(0, 31)}`;
  }

  override newClientOrderId(): string {
    return this.clientOrderId(super.newClientOrderId());
  }

  async findOrderIdByClientId(client: Exchange, unified: string, clientOrderId: string): Promise<string | undefined> {
    const order = await client.fetchOrder('', unified, { clOrdId: clientOrderId });
    return order?.id ? String(order.id) : undefined;
  }

  /** Attached and placed TP/SL algo orders are read back onto the positions, as Binance's stop orders are. */
  override async readStops(context: DialectContext, client: Exchange, positions: Position[]): Promise<void> {
    for (const row of await pendingStopAlgos(client, undefined)) {
      const market = client.safeMarket(String(row.instId));
      const position = positions.find((p) => p.symbol === context.bare(market.symbol));
      if (!position || row.side !== closeSide(position)) continue;
      position.stopLoss = positiveOrNull(row.slTriggerPx) ?? position.stopLoss;
      position.takeProfit = positiveOrNull(row.tpTriggerPx) ?? position.takeProfit;
    }
  }

  /**
   * Moves the resting TP/SL algo order of the position in one amend (a leg set to 0 is deleted); without one, places
   * a close-position TP/SL (closeFraction 1). Each attempt reads the pending list first, so a retry after a lost
   * answer amends what the first attempt placed instead of placing a second one.
   */
  async setTradingStop(context: DialectContext, symbol: string, request: TradingStopRequest): Promise<void> {
    const positions = await context.call('setTradingStop', async (client) =>
      context.openPositions(client, context.unifiedSymbol(symbol, 'setTradingStop')),
    );
    const position = positions.find((p) => p.symbol === symbol);
    if (!position) throw new InvalidOrderError(`setTradingStop: no open position on ${symbol}`, 'setTradingStop');
    const side = closeSide(position);
    await context.call('setTradingStop', async (client) => {
      const okx = client as OkxClient;
      const unified = context.unifiedSymbol(symbol, 'setTradingStop');
      const instId = client.market(unified).id;
      const resting = (await pendingStopAlgos(client, instId)).filter((row) => row.side === side && row.algoId);
      const [current, ...extra] = resting;
      const stopLoss = request.stopLoss ?? num(current?.slTriggerPx) ?? 0;
      const takeProfit = request.takeProfit ?? num(current?.tpTriggerPx) ?? 0;
      const cancel = (rows: AlgoRow[]) =>
        rows.length > 0
          ? okx.privatePostTradeCancelAlgos(rows.map((row) => ({ instId, algoId: row.algoId })))
          : undefined;
      await cancel(extra);
      if (!(stopLoss > 0) && !(takeProfit > 0)) {
        await cancel(current ? [current] : []);
        return;
      }
      if (current) {
        const amend: Record<string, unknown> = { instId, algoId: current.algoId };
        if (request.stopLoss !== undefined) {
          Object.assign(amend, { newSlTriggerPx: priceString(client, unified, request.stopLoss), newSlOrdPx: '-1' });
        }
        if (request.takeProfit !== undefined) {
          Object.assign(amend, { newTpTriggerPx: priceString(client, unified, request.takeProfit), newTpOrdPx: '-1' });
        }
        await okx.privatePostTradeAmendAlgos(amend);
        return;
      }
      const order: Record<string, unknown> = {
        instId,
        tdMode: 'cross',
        side,
        ordType: stopLoss > 0 && takeProfit > 0 ? 'oco' : 'conditional',
        closeFraction: '1',
        reduceOnly: 'true',
      };
      if (stopLoss > 0) Object.assign(order, { slTriggerPx: priceString(client, unified, stopLoss), slOrdPx: '-1' });
      if (takeProfit > 0) {
        Object.assign(order, { tpTriggerPx: priceString(client, unified, takeProfit), tpOrdPx: '-1' });
      }
      await okx.privatePostTradeOrderAlgo(order);
    });
  }

  /** OKX puts the code of a refused order in data[].sCode (the envelope's code is then "1"). */
  protected override errorCode(error: unknown): number | undefined {
    const message = error instanceof Error ? error.message : '';
    const match = /"sCode"\s*:\s*"?(-?\d+)/.exec(message) ?? /"code"\s*:\s*"?(-?\d+)/.exec(message);
    return match ? Number(match[1]) : undefined;
  }
}

async function pendingStopAlgos(client: Exchange, instId: string | undefined): Promise<AlgoRow[]> {
  const query: Record<string, string> = { instType: 'SWAP', ordType: STOP_ALGO_TYPES };
  if (instId) query.instId = instId;
  const answer = (await (client as OkxClient).privateGetTradeOrdersAlgoPending(query)) as { data?: unknown };
  return Array.isArray(answer?.data) ? (answer.data as AlgoRow[]) : [];
}

/** Instrument sizes are in contracts of ctVal coins; the service counts coins. */
export function okxMarketInfo(market: Market): MarketInfo {
  const info = (market.info ?? {}) as Record<string, unknown>;
  const contractSize = num(info.ctVal) ?? market.contractSize ?? 1;
  const inCoins = (contracts: number | undefined) =>
    contracts === undefined ? undefined : Number((contracts * contractSize).toPrecision(12));
  return {
    symbol: bareCoin(market),
    exchangeSymbol: String(market.id),
    status: STATUS[String(info.state)] ?? (market.active === false ? 'Closed' : 'Trading'),
    tickSize: num(info.tickSz) ?? num(market.precision?.price) ?? 0,
    qtyStep: inCoins(num(info.lotSz) ?? num(market.precision?.amount)) ?? 0,
    minOrderQty: inCoins(num(info.minSz) ?? num(market.limits?.amount?.min)) ?? 0,
    // OKX has no notional minimum of its own, only minSz; the usual exchange floor stays as a guard.
    minNotional: DEFAULT_MIN_NOTIONAL,
    maxLeverage: num(info.lever) ?? num(market.limits?.leverage?.max) ?? DEFAULT_MAX_LEVERAGE,
    launchTime: positiveOrUndefined(info.listTime),
  };
}

/** /api/v5/account/balance: data[0] with totals and a details[] row per currency. */
export function okxBalanceFigures(info: unknown): BalanceFigures | undefined {
  const account = (info as { data?: Array<Record<string, unknown>> } | undefined)?.data?.[0];
  if (!account || typeof account !== 'object') return undefined;
  // An account without USDT has no USDT row: a zero balance, not a broken answer.
  const details = Array.isArray(account.details) ? (account.details as Array<Record<string, unknown>>) : [];
  const usdt: Record<string, unknown> = details.find((d) => d?.ccy === 'USDT') ?? { eq: '0', cashBal: '0', upl: '0' };
  const equity = num(usdt.eq) ?? num(account.totalEq);
  return {
    equity,
    walletBalance: num(usdt.cashBal),
    available: num(usdt.availEq) ?? num(usdt.availBal),
    unrealizedPnl: num(usdt.upl),
    marginBalance: num(account.adjEq) ?? equity,
  };
}

/**
 * ccxt accepts an HTTP 200 whose body is not JSON or has no `data` list (it returns empty lists or an order
 * without id). Returns why such an answer is malformed; error answers (code ≠ 0) are left to ccxt.
 */
export function okxMalformedReason(status: number, url: string, text: string, parsed: unknown): string | undefined {
  if (status < 200 || status >= 300) return undefined;
  if (parsed === undefined) return text.length === 0 ? 'empty body' : 'body is not JSON';
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'body is not a JSON object';
  const answer = parsed as { code?: unknown; data?: unknown };
  if (answer.code === undefined || answer.code === null) return 'no code';
  if (String(answer.code) !== '0') return undefined;
  if (!Array.isArray(answer.data)) return 'data missing';
  if (ORDER_ID_PATHS.includes(urlPath(url))) {
    const id = (answer.data[0] as { ordId?: unknown } | undefined)?.ordId;
    if (typeof id !== 'string' || id.length === 0) return 'data[0].ordId missing';
  }
  return undefined;
}
