/**
 * Binance USDⓈ-M futures (docs/exchanges.md, "Binance"): no stops on the position, so stops are close-position
 * conditional orders (STOP_MARKET / TAKE_PROFIT_MARKET) placed after the fill and read back onto the positions.
 */
import type { Exchange } from 'ccxt';
import { InvalidOrderError } from '../../exchange.errors';
import type { InstrumentStatus, MarketInfo, Position, TradingStopRequest } from '../../exchange.types';
import { internals } from '../ccxt-client';
import {
  type BalanceFigures,
  bareCoin,
  DEFAULT_MAX_LEVERAGE,
  DEFAULT_MIN_NOTIONAL,
  type Market,
  num,
  positiveOrNull,
  positiveOrUndefined,
} from '../mappers';
import { BaseDialect, ccxtIs, closeSide, type DialectContext, priceString } from './dialect';

const STATUS: Record<string, InstrumentStatus> = {
  TRADING: 'Trading',
  PENDING_TRADING: 'PreLaunch',
  PRE_TRADING: 'PreLaunch',
  SETTLING: 'Settling',
  DELIVERING: 'Delivering',
  PRE_DELIVERING: 'Delivering',
  DELIVERED: 'Closed',
  CLOSE: 'Closed',
};

export class BinanceDialect extends BaseDialect {
  readonly id = 'binance';
  readonly ccxtClassId = 'binanceusdm';
  // Order ids are JSON numbers: ccxt's unsafe-integer walk stays on.
  readonly capabilities = {
    stopsOnOrder: false,
    stopsAsOrders: true,
    numbersAsStrings: false,
    needsPassword: false,
    maxCandlesPerRequest: 1000,
  };
  protected override readonly duplicateClientIdCodes: ReadonlySet<number> = new Set([-4116]);

  clientOptions(): Record<string, unknown> {
    // Reading stops back needs the open conditional orders of every symbol at once (one request per sync).
    return { defaultType: 'swap', fetchMarkets: { types: ['linear'] }, fetchOpenOrders: { warnWithoutSymbol: false } };
  }

  marketInfo(market: Market): MarketInfo {
    return binanceMarketInfo(market);
  }

  balanceFigures(info: unknown): BalanceFigures | undefined {
    return binanceBalanceFigures(info);
  }

  async findOrderIdByClientId(client: Exchange, unified: string, clientOrderId: string): Promise<string | undefined> {
    const order = await client.fetchOrder('', unified, { origClientOrderId: clientOrderId });
    return order?.id ? String(order.id) : undefined;
  }

  /**
   * Binance keeps stops as close-position conditional orders, not on the position: they are read back onto it, so
   * position sync sees a stop that is there (and does not "restore" it on every pass) and one that is missing.
   */
  override async readStops(context: DialectContext, client: Exchange, positions: Position[]): Promise<void> {
    const resting = await client.fetchOpenOrders(undefined, undefined, undefined, { trigger: true });
    for (const order of resting) {
      const info = (order.info ?? {}) as Record<string, unknown>;
      if (String(info.closePosition) !== 'true') continue;
      const position = positions.find((p) => p.symbol === context.bare(String(order.symbol)));
      if (!position || order.side !== closeSide(position)) continue;
      const trigger = positiveOrNull(order.triggerPrice ?? order.stopPrice ?? info.triggerPrice);
      if (trigger === null) continue;
      if (info.orderType === 'STOP_MARKET') position.stopLoss = trigger;
      else if (info.orderType === 'TAKE_PROFIT_MARKET') position.takeProfit = trigger;
    }
  }

  /** No position-level SL/TP: close-position stop orders instead. */
  async setTradingStop(context: DialectContext, symbol: string, request: TradingStopRequest): Promise<void> {
    const positions = await context.call('setTradingStop', async (client) =>
      context.openPositions(client, context.unifiedSymbol(symbol, 'setTradingStop')),
    );
    const position = positions.find((p) => p.symbol === symbol);
    if (!position) throw new InvalidOrderError(`setTradingStop: no open position on ${symbol}`, 'setTradingStop');
    const side = closeSide(position);
    const legs: Array<[string, number | undefined]> = [
      ['STOP_MARKET', request.stopLoss],
      ['TAKE_PROFIT_MARKET', request.takeProfit],
    ];
    for (const [type, price] of legs) {
      if (price === undefined) continue;
      const clientOrderId = this.newClientOrderId();
      await context.call('setTradingStop', async (client) => {
        const unified = context.unifiedSymbol(symbol, 'setTradingStop');
        // Binance keeps one close-position order per type and direction (a second one is refused with -4130):
        // moving a stop replaces the resting one, and 0 just lifts it.
        const resting = await client.fetchOpenOrders(unified, undefined, undefined, { trigger: true });
        for (const order of resting) {
          const info = (order.info ?? {}) as Record<string, unknown>;
          if (
            info.orderType !== type ||
            String(info.closePosition) !== 'true' ||
            order.clientOrderId === clientOrderId
          ) {
            continue;
          }
          try {
            await client.cancelOrder(String(order.id), unified, { trigger: true });
          } catch (error) {
            if (!ccxtIs(error, 'OrderNotFound')) throw error; // already gone (triggered, or an earlier attempt)
          }
        }
        if (price === 0) return;
        try {
          await internals(client).createOrder(unified, type, side, undefined, undefined, {
            stopPrice: priceString(client, unified, price),
            closePosition: true,
            clientOrderId,
          });
        } catch (error) {
          if (!this.isDuplicateClientOrderId(error)) throw error;
        }
      });
    }
  }
}

export function binanceMarketInfo(market: Market): MarketInfo {
  const info = (market.info ?? {}) as Record<string, unknown>;
  const filters = Array.isArray(info.filters) ? (info.filters as Array<Record<string, string>>) : [];
  const filter = (type: string) => filters.find((f) => f.filterType === type) ?? {};
  return {
    symbol: bareCoin(market),
    exchangeSymbol: String(market.id),
    status: STATUS[String(info.status)] ?? (market.active === false ? 'Closed' : 'Trading'),
    tickSize: num(filter('PRICE_FILTER').tickSize) ?? num(market.precision?.price) ?? 0,
    qtyStep:
      num(filter('MARKET_LOT_SIZE').stepSize) ?? num(filter('LOT_SIZE').stepSize) ?? num(market.precision?.amount) ?? 0,
    minOrderQty:
      num(filter('MARKET_LOT_SIZE').minQty) ?? num(filter('LOT_SIZE').minQty) ?? num(market.limits?.amount?.min) ?? 0,
    minNotional: num(filter('MIN_NOTIONAL').notional) ?? num(market.limits?.cost?.min) ?? DEFAULT_MIN_NOTIONAL,
    maxLeverage: num(market.limits?.leverage?.max) ?? DEFAULT_MAX_LEVERAGE,
    launchTime: positiveOrUndefined(info.onboardDate),
  };
}

/** Binance /fapi account: assets[] with a USDT row, totals at the top. */
export function binanceBalanceFigures(info: unknown): BalanceFigures | undefined {
  const account = info as Record<string, unknown> | undefined;
  if (!account || typeof account !== 'object') return undefined;
  const assets = Array.isArray(account.assets) ? (account.assets as Array<Record<string, unknown>>) : [];
  const asset: Record<string, unknown> = assets.find((a) => a?.asset === 'USDT') ?? {};
  return {
    equity: num(asset.marginBalance) ?? num(account.totalMarginBalance),
    walletBalance: num(asset.walletBalance) ?? num(account.totalWalletBalance),
    available: num(asset.availableBalance) ?? num(account.availableBalance),
    unrealizedPnl: num(asset.unrealizedProfit) ?? num(account.totalUnrealizedProfit),
    marginBalance: num(asset.marginBalance) ?? num(account.totalMarginBalance),
  };
}
