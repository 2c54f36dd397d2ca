/**
 * Bybit v5, linear USDT perpetuals (docs/exchanges.md, "Bybit"): stops ride on the order and on the position
 * (/v5/position/trading-stop), prices and sizes come as strings, a rate limit may come as HTTP 200 + retCode.
 */
import type { bybit as BybitClient, Exchange, OHLCV } from 'ccxt';
import type { InstrumentStatus, MarketInfo, TradingStopRequest } from '../../exchange.types';
import { bybitMalformedReason, bybitRetCode, isBybitRateLimitAnswer } from '../ccxt-errors';
import {
  type BalanceFigures,
  bareCoin,
  DEFAULT_MAX_LEVERAGE,
  DEFAULT_MIN_NOTIONAL,
  type Market,
  num,
  plainNumber,
  positiveOrUndefined,
} from '../mappers';
import { BaseDialect, type DialectContext, priceString } from './dialect';

/** retCodes that mean "already so" and count as success. */
const LEVERAGE_NOT_MODIFIED = 110043;
const TPSL_NOT_MODIFIED = 34040;

const STATUS: Record<string, InstrumentStatus> = {
  Trading: 'Trading',
  PreLaunch: 'PreLaunch',
  Settling: 'Settling',
  Delivering: 'Delivering',
  Closed: 'Closed',
};

export class BybitDialect extends BaseDialect {
  readonly id = 'bybit';
  readonly ccxtClassId = 'bybit';
  readonly capabilities = {
    stopsOnOrder: true,
    stopsAsOrders: false,
    numbersAsStrings: true,
    needsPassword: false,
    maxCandlesPerRequest: 1000,
  };
  protected override readonly duplicateClientIdCodes: ReadonlySet<number> = new Set([110072, 12141]);

  clientOptions(): Record<string, unknown> {
    return {
      defaultType: 'swap',
      defaultSubType: 'linear',
      defaultSettle: 'USDT',
      fetchMarkets: { types: ['linear'] },
      // Preset, so ccxt does not query /v5/user/query-api and /v5/account/info before private calls.
      enableUnifiedMargin: false,
      enableUnifiedAccount: true,
      unifiedMarginStatus: 6,
    };
  }

  override prepareClient(client: Exchange): void {
    installFastBybitOhlcv(client);
  }

  marketInfo(market: Market): MarketInfo {
    return bybitMarketInfo(market);
  }

  balanceFigures(info: unknown): BalanceFigures | undefined {
    return bybitBalanceFigures(info);
  }

  override isRateLimitAnswer(status: number, parsed: unknown): boolean {
    return isBybitRateLimitAnswer(status, parsed);
  }

  override malformedReason(status: number, url: string, text: string, parsed: unknown): string | undefined {
    return bybitMalformedReason(status, url, text, parsed);
  }

  override isLeverageUnchanged(error: unknown): boolean {
    return bybitRetCode(error) === LEVERAGE_NOT_MODIFIED;
  }

  override attachedStopParams(_client: Exchange, _unified: string, stops: TradingStopRequest): Record<string, unknown> {
    const params: Record<string, unknown> = {};
    if (stops.stopLoss !== undefined) params.stopLoss = { triggerPrice: stops.stopLoss };
    if (stops.takeProfit !== undefined) params.takeProfit = { triggerPrice: stops.takeProfit };
    return params;
  }

  async findOrderIdByClientId(client: Exchange, unified: string, clientOrderId: string): Promise<string | undefined> {
    const bybit = client as BybitClient;
    const query = { category: 'linear', symbol: client.market(unified).id, orderLinkId: clientOrderId };
    for (const lookup of [bybit.privateGetV5OrderRealtime, bybit.privateGetV5OrderHistory]) {
      const answer = (await lookup.call(bybit, query)) as { result?: { list?: Array<{ orderId?: string }> } };
      const id = answer?.result?.list?.find((o) => o?.orderId)?.orderId;
      if (id) return String(id);
    }
    return undefined;
  }

  async setTradingStop(context: DialectContext, symbol: string, request: TradingStopRequest): Promise<void> {
    await context.call('setTradingStop', async (client) => {
      const unified = context.unifiedSymbol(symbol, 'setTradingStop');
      const body: Record<string, unknown> = {
        category: 'linear',
        symbol: client.market(unified).id,
        tpslMode: 'Full',
        positionIdx: 0,
      };
      if (request.stopLoss !== undefined) body.stopLoss = priceString(client, unified, request.stopLoss);
      if (request.takeProfit !== undefined) body.takeProfit = priceString(client, unified, request.takeProfit);
      try {
        await (client as BybitClient).privatePostV5PositionTradingStop(body);
      } catch (error) {
        if (bybitRetCode(error) !== TPSL_NOT_MODIFIED) throw error;
      }
    });
  }

  protected override errorCode(error: unknown): number | undefined {
    return bybitRetCode(error);
  }
}

export function bybitMarketInfo(market: Market): MarketInfo {
  const info = (market.info ?? {}) as Record<string, unknown>;
  const lot = (info.lotSizeFilter ?? {}) as Record<string, unknown>;
  const priceFilter = info.priceFilter as Record<string, unknown> | undefined;
  const leverageFilter = info.leverageFilter as Record<string, unknown> | undefined;
  return {
    symbol: bareCoin(market),
    exchangeSymbol: String(market.id),
    status: STATUS[String(info.status)] ?? (market.active === false ? 'Closed' : 'Trading'),
    tickSize: num(priceFilter?.tickSize) ?? num(market.precision?.price) ?? 0,
    qtyStep: num(lot.qtyStep) ?? num(market.precision?.amount) ?? 0,
    minOrderQty: num(lot.minOrderQty) ?? num(market.limits?.amount?.min) ?? 0,
    minNotional: num(lot.minNotionalValue) ?? num(info.minNotionalValue) ?? DEFAULT_MIN_NOTIONAL,
    maxLeverage: num(leverageFilter?.maxLeverage) ?? num(market.limits?.leverage?.max) ?? DEFAULT_MAX_LEVERAGE,
    launchTime: positiveOrUndefined(info.launchTime),
  };
}

/** Bybit UTA wallet-balance: result.list[0] with a USDT coin row. */
export function bybitBalanceFigures(info: unknown): BalanceFigures | undefined {
  const account = (info as { result?: { list?: Array<Record<string, unknown>> } })?.result?.list?.[0];
  if (!account) return undefined;
  // An account that holds no USDT has no USDT row at all: that is a zero balance, not a broken answer.
  const coins = Array.isArray(account.coin) ? (account.coin as Array<Record<string, unknown>>) : [];
  const coin: Record<string, unknown> = coins.find((c) => c?.coin === 'USDT') ?? {
    equity: '0',
    walletBalance: '0',
    unrealisedPnl: '0',
  };
  return {
    equity: num(coin.equity),
    walletBalance: num(coin.walletBalance),
    // availableToWithdraw was dropped from UTA answers in 2025; the account-level figure replaces it.
    available: num(coin.availableToWithdraw) ?? num(account.totalAvailableBalance),
    unrealizedPnl: num(coin.unrealisedPnl),
    marginBalance: num(account.totalMarginBalance),
  };
}

/**
 * ccxt's bybit parseOHLCV reads each field through safeInteger / safeNumber (prop, safeString, numberToString,
 * parseNumber: a dozen calls per field, the largest CPU item of a mass load after JSON.parse). For the plain decimal
 * strings (or finite numbers) Bybit sends, those come down to Math.trunc(Number(s)) for the time and Number(s) for
 * the rest; any other row (empty or missing field, exponent notation, not a string) goes to ccxt's own parser.
 * Still fetchOHLCV, ccxt's sorting and since/limit filtering: only the per-row conversion is shortcut.
 */
export function installFastBybitOhlcv(client: Exchange): void {
  const ccxtParse = client.parseOHLCV.bind(client) as (row: unknown, market?: unknown) => OHLCV;
  client.parseOHLCV = ((row: unknown, market?: { inverse?: unknown }) => {
    const volumeIndex = market?.inverse === true ? 6 : 5;
    const fast = fastBybitOhlcv(row, volumeIndex);
    return fast ?? ccxtParse(row, market);
  }) as Exchange['parseOHLCV'];
}

/** The row as ccxt would parse it, or undefined when the row needs ccxt's general path. */
export function fastBybitOhlcv(row: unknown, volumeIndex: 5 | 6): OHLCV | undefined {
  if (!Array.isArray(row)) return undefined;
  const time = plainNumber(row[0]);
  const open = plainNumber(row[1]);
  const high = plainNumber(row[2]);
  const low = plainNumber(row[3]);
  const close = plainNumber(row[4]);
  const volume = plainNumber(row[volumeIndex]);
  if (
    time === undefined ||
    open === undefined ||
    high === undefined ||
    low === undefined ||
    close === undefined ||
    volume === undefined
  ) {
    return undefined;
  }
  if (!Number.isFinite(time)) return undefined;
  return [Math.trunc(time), open, high, low, close, volume];
}
