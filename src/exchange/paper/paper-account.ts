/**
 * The paper account: a USDT wallet with one-way positions (one per symbol), isolated-style margin
 * and liquidation estimates, market fills with a taker fee, and idempotent client order ids.
 * Pure bookkeeping: prices and time come in as arguments; nothing here knows the clock or the market.
 */
import { InsufficientFundsError, InvalidOrderError } from '../exchange.errors';
import type {
  Balance,
  ExchangeClosedTrade,
  MarketOrderRequest,
  OrderResult,
  OrderSide,
  Position,
  PositionSide,
  TradingStopRequest,
} from '../exchange.types';
import type { SymbolSpec } from './symbols';

export const PAPER_STATE_VERSION = 1;
/** Leverage of a symbol nobody has set one for (Bybit's default for new accounts). */
export const DEFAULT_LEVERAGE = 10;
/** Maintenance margin rate used in the liquidation estimate. */
export const MAINTENANCE_MARGIN_RATE = 0.005;
export const MAX_PROCESSED_ORDERS = 1000;
export const MAX_CLOSED_TRADES = 500;

export type CloseReason = ExchangeClosedTrade['reason'];

export interface PaperPositionState {
  symbol: string;
  side: PositionSide;
  size: number;
  entryPrice: number;
  leverage: number;
  stopLoss: number | null;
  takeProfit: number | null;
  /** Opening fees of the remaining size, charged to closed trades pro rata. */
  openFee: number;
  /** Realised PnL of this position so far, fees included (negative right after opening). */
  realizedPnl: number;
  createdAt: number;
  updatedAt: number;
}

/** Everything the service keeps in data/paper_account.json; the market itself is a function of the seed. */
export interface PaperAccountState {
  version: number;
  walletBalance: number;
  positions: PaperPositionState[];
  leverage: Record<string, number>;
  processedOrders: Array<{ clientOrderId: string; result: OrderResult }>;
  closedTrades: ExchangeClosedTrade[];
  /** Clock time of the last stop-loss / take-profit / liquidation check, null before the first. */
  lastTriggerCheck: number | null;
  nextOrderId: number;
}

/** The listing facts the account checks orders against (simulated or a real exchange's). */
export type InstrumentSpec = Pick<SymbolSpec, 'symbol' | 'status' | 'minOrderQty' | 'minNotional' | 'maxLeverage'>;

/** What the account needs to know about an instrument: its rules and rounding. */
export interface InstrumentRules {
  readonly spec: InstrumentSpec;
  floorQty(qty: number): number;
  roundQty(qty: number): number;
  roundPrice(price: number): number;
}

export interface Quote {
  last: number;
  bid: number;
  ask: number;
}

export interface PaperAccountOptions {
  startingBalance: number;
  feeRate: number;
  maxLeverage: number;
}

function direction(side: PositionSide): number {
  return side === 'Long' ? 1 : -1;
}

function money(value: number): number {
  return Math.round(value * 1e8) / 1e8;
}

/**
 * The taker fee of a fill: `qty` coins at `price` times the fee rate. The paper account and the backtest
 * (src/backtest/engine) both charge it through here, so a replayed fill costs what a paper fill costs.
 */
export function takerFee(qty: number, price: number, rate: number): number {
  return qty * price * rate;
}

/** Isolated-margin liquidation estimate: the price where the loss eats the margin down to maintenance. */
export function liquidationPrice(side: PositionSide, entryPrice: number, leverage: number): number {
  return side === 'Long'
    ? entryPrice * (1 - 1 / leverage + MAINTENANCE_MARGIN_RATE)
    : entryPrice * (1 + 1 / leverage - MAINTENANCE_MARGIN_RATE);
}

export function initialMargin(position: Pick<PaperPositionState, 'size' | 'entryPrice' | 'leverage'>): number {
  return (position.size * position.entryPrice) / position.leverage;
}

export class PaperAccount {
  private wallet: number;
  private readonly positions = new Map<string, PaperPositionState>();
  private readonly leverage = new Map<string, number>();
  private readonly processed = new Map<string, OrderResult>();
  private closedTrades: ExchangeClosedTrade[] = [];
  private nextOrderId = 1;
  lastTriggerCheck: number | null = null;

  constructor(private readonly options: PaperAccountOptions) {
    this.wallet = options.startingBalance;
  }

  get walletBalance(): number {
    return this.wallet;
  }

  openPositions(): readonly PaperPositionState[] {
    return [...this.positions.values()];
  }

  position(symbol: string): PaperPositionState | undefined {
    return this.positions.get(symbol);
  }

  maxLeverage(spec: InstrumentSpec): number {
    return Math.min(spec.maxLeverage, this.options.maxLeverage);
  }

  leverageOf(spec: InstrumentSpec): number {
    return this.leverage.get(spec.symbol) ?? Math.min(DEFAULT_LEVERAGE, this.maxLeverage(spec));
  }

  usedMargin(): number {
    let used = 0;
    for (const position of this.positions.values()) used += initialMargin(position);
    return used;
  }

  availableBalance(): number {
    return this.wallet - this.usedMargin();
  }

  /** The result of an earlier order with this client order id, if any. */
  processedOrder(clientOrderId: string): OrderResult | undefined {
    const result = this.processed.get(clientOrderId);
    return result && { ...result };
  }

  /**
   * Fills a market order at the quote (buy at ask, sell at bid). One-way mode: an order against
   * the position reduces it, closes it, or (unless reduce-only) flips it.
   */
  marketOrder(
    rules: InstrumentRules,
    request: MarketOrderRequest,
    quote: Quote,
    now: number,
    closeReason: CloseReason = 'REDUCE',
  ): OrderResult {
    if (request.clientOrderId) {
      const earlier = this.processedOrder(request.clientOrderId);
      if (earlier) return earlier;
    }
    const { spec } = rules;
    const side: OrderSide = request.side;
    if (side !== 'buy' && side !== 'sell') {
      throw new InvalidOrderError(`invalid order side ${String(side)}`, 'createMarketOrder');
    }
    if (!Number.isFinite(request.amount) || request.amount <= 0) {
      throw new InvalidOrderError(`invalid order amount ${request.amount}`, 'createMarketOrder');
    }
    const qty = rules.floorQty(request.amount);
    if (qty < spec.minOrderQty) {
      throw new InvalidOrderError(
        `order qty ${request.amount} is below the minimum ${spec.minOrderQty} for ${spec.symbol}`,
        'createMarketOrder',
      );
    }

    const price = side === 'buy' ? quote.ask : quote.bid;
    const orderSide: PositionSide = side === 'buy' ? 'Long' : 'Short';
    const existing = this.positions.get(spec.symbol);
    const reducing = existing !== undefined && existing.side !== orderSide;
    if (request.reduceOnly && !reducing) {
      throw new InvalidOrderError(
        `reduce-only ${side} order on ${spec.symbol} has no ${side === 'buy' ? 'short' : 'long'} position to reduce`,
        'createMarketOrder',
      );
    }
    const closeQty = reducing ? Math.min(qty, existing.size) : 0;
    const openQty = request.reduceOnly ? 0 : rules.roundQty(qty - closeQty);
    if (openQty > 0 && spec.status !== 'Trading') {
      throw new InvalidOrderError(`${spec.symbol} is not trading (status ${spec.status})`, 'createMarketOrder');
    }
    const filledQty = rules.roundQty(closeQty + openQty);
    if (openQty > 0 && filledQty * price < spec.minNotional) {
      throw new InvalidOrderError(
        `order value ${(filledQty * price).toFixed(4)} USDT is below the minimum ${spec.minNotional} USDT for ${spec.symbol}`,
        'createMarketOrder',
      );
    }

    // The side the position will have afterwards decides which stops make sense.
    const remainingSide: PositionSide | null =
      openQty > 0 ? orderSide : existing && existing.size - closeQty > 0 ? existing.side : null;
    const stops = this.checkStops(rules, remainingSide, request, quote.last, 'createMarketOrder');

    const closeFee = takerFee(closeQty, price, this.options.feeRate);
    const openFee = takerFee(openQty, price, this.options.feeRate);
    const leverage = this.leverageOf(spec);
    if (openQty > 0) {
      let walletAfter = this.wallet;
      let usedAfter = this.usedMargin();
      if (reducing && closeQty > 0) {
        walletAfter += direction(existing.side) * (price - existing.entryPrice) * closeQty - closeFee;
        usedAfter -= (initialMargin(existing) * closeQty) / existing.size;
      }
      const needed = (openQty * price) / leverage + openFee;
      const available = walletAfter - usedAfter;
      if (needed > available + 1e-9) {
        throw new InsufficientFundsError(
          `${spec.symbol}: order needs ${needed.toFixed(4)} USDT (margin at ${leverage}x plus fee), available ${available.toFixed(4)} USDT`,
          'createMarketOrder',
        );
      }
    }

    if (reducing && closeQty > 0) this.reduce(rules, existing, closeQty, price, closeFee, closeReason, now);
    if (openQty > 0) this.open(rules, spec.symbol, orderSide, openQty, price, openFee, leverage, now);
    const after = this.positions.get(spec.symbol);
    if (after && stops) {
      if (stops.stopLoss !== undefined) after.stopLoss = stops.stopLoss;
      if (stops.takeProfit !== undefined) after.takeProfit = stops.takeProfit;
    }

    const result: OrderResult = {
      orderId: `paper-${this.nextOrderId++}`,
      symbol: spec.symbol,
      side,
      amount: filledQty,
      price,
      fee: money(closeFee + openFee),
    };
    if (request.clientOrderId) this.remember(request.clientOrderId, result);
    return { ...result };
  }

  /** Closes the whole position at `price` (a stop, a take-profit or a liquidation), taker fee included. */
  closeAt(
    rules: InstrumentRules,
    symbol: string,
    price: number,
    reason: CloseReason,
    time: number,
  ): ExchangeClosedTrade | null {
    const position = this.positions.get(symbol);
    if (!position) return null;
    return this.reduce(
      rules,
      position,
      position.size,
      price,
      takerFee(position.size, price, this.options.feeRate),
      reason,
      time,
    );
  }

  private open(
    rules: InstrumentRules,
    symbol: string,
    side: PositionSide,
    qty: number,
    price: number,
    fee: number,
    leverage: number,
    now: number,
  ): void {
    this.wallet -= fee;
    const position = this.positions.get(symbol);
    if (!position) {
      this.positions.set(symbol, {
        symbol,
        side,
        size: qty,
        entryPrice: price,
        leverage,
        stopLoss: null,
        takeProfit: null,
        openFee: fee,
        realizedPnl: -fee,
        createdAt: now,
        updatedAt: now,
      });
      return;
    }
    const size = rules.roundQty(position.size + qty);
    position.entryPrice = (position.entryPrice * position.size + price * qty) / size;
    position.size = size;
    position.openFee += fee;
    position.realizedPnl -= fee;
    position.updatedAt = now;
  }

  private reduce(
    rules: InstrumentRules,
    position: PaperPositionState,
    qty: number,
    price: number,
    fee: number,
    reason: CloseReason,
    time: number,
  ): ExchangeClosedTrade {
    const gross = direction(position.side) * (price - position.entryPrice) * qty;
    const openFeeShare = (position.openFee * qty) / position.size;
    this.wallet += gross - fee;
    position.openFee -= openFeeShare;
    position.realizedPnl += gross - fee;
    position.size = rules.roundQty(position.size - qty);
    position.updatedAt = time;
    if (position.size <= 0) this.positions.delete(position.symbol);
    const trade: ExchangeClosedTrade = {
      symbol: position.symbol,
      side: position.side,
      size: qty,
      entryPrice: position.entryPrice,
      exitPrice: price,
      // Net of the closing fee and this part's share of the opening fee, like Bybit's closed PnL.
      pnl: money(gross - fee - openFeeShare),
      reason,
      closedAt: time,
    };
    this.closedTrades.push(trade);
    if (this.closedTrades.length > MAX_CLOSED_TRADES) {
      this.closedTrades.splice(0, this.closedTrades.length - MAX_CLOSED_TRADES);
    }
    return { ...trade };
  }

  /** Validates and rounds stop-loss / take-profit for a position on `side` at the current price; 0 clears. */
  private checkStops(
    rules: InstrumentRules,
    side: PositionSide | null,
    request: TradingStopRequest,
    last: number,
    method: string,
  ): { stopLoss?: number | null; takeProfit?: number | null } | null {
    if (request.stopLoss === undefined && request.takeProfit === undefined) return null;
    if (side === null) return null; // nothing left to protect
    const result: { stopLoss?: number | null; takeProfit?: number | null } = {};
    const check = (kind: 'stopLoss' | 'takeProfit', value: number | undefined) => {
      if (value === undefined) return;
      if (!Number.isFinite(value) || value < 0) {
        throw new InvalidOrderError(`${kind} must be a positive price, got ${value}`, method);
      }
      if (value === 0) {
        result[kind] = null;
        return;
      }
      const price = rules.roundPrice(value);
      const mustBeBelow = (side === 'Long') === (kind === 'stopLoss');
      if (mustBeBelow ? !(price < last) : !(price > last)) {
        throw new InvalidOrderError(
          `${kind} ${price} for a ${side.toLowerCase()} on ${rules.spec.symbol} must be ${mustBeBelow ? 'below' : 'above'} the current price ${last}`,
          method,
        );
      }
      result[kind] = price;
    };
    check('stopLoss', request.stopLoss);
    check('takeProfit', request.takeProfit);
    return result;
  }

  setTradingStop(rules: InstrumentRules, request: TradingStopRequest, last: number, now: number): void {
    const position = this.positions.get(rules.spec.symbol);
    if (!position) throw new InvalidOrderError(`no open position on ${rules.spec.symbol}`, 'setTradingStop');
    const stops = this.checkStops(rules, position.side, request, last, 'setTradingStop');
    if (!stops) return;
    if (stops.stopLoss !== undefined) position.stopLoss = stops.stopLoss;
    if (stops.takeProfit !== undefined) position.takeProfit = stops.takeProfit;
    position.updatedAt = now;
  }

  setLeverage(spec: InstrumentSpec, leverage: number, now: number): void {
    const max = this.maxLeverage(spec);
    if (!Number.isFinite(leverage) || leverage < 1 || leverage > max) {
      throw new InvalidOrderError(
        `leverage ${leverage} for ${spec.symbol} must be between 1 and ${max}`,
        'setLeverage',
      );
    }
    const position = this.positions.get(spec.symbol);
    if (position && position.leverage !== leverage) {
      const extra = (position.size * position.entryPrice) / leverage - initialMargin(position);
      if (extra > this.availableBalance() + 1e-9) {
        throw new InsufficientFundsError(
          `lowering ${spec.symbol} leverage to ${leverage}x needs ${extra.toFixed(4)} USDT more margin`,
          'setLeverage',
        );
      }
      position.leverage = leverage;
      position.updatedAt = now;
    }
    this.leverage.set(spec.symbol, leverage);
  }

  /** The position as the adapter reports it, valued at `mark`. */
  view(position: PaperPositionState, mark: number, rules: InstrumentRules): Position {
    return {
      symbol: position.symbol,
      side: position.side,
      size: position.size,
      entryPrice: position.entryPrice,
      markPrice: mark,
      leverage: position.leverage,
      unrealizedPnl: money(direction(position.side) * (mark - position.entryPrice) * position.size),
      realizedPnl: money(position.realizedPnl),
      stopLoss: position.stopLoss,
      takeProfit: position.takeProfit,
      liquidationPrice: rules.roundPrice(liquidationPrice(position.side, position.entryPrice, position.leverage)),
      positionValue: money(position.size * mark),
      margin: money(initialMargin(position)),
      createdAt: position.createdAt,
      updatedAt: position.updatedAt,
    };
  }

  balance(marks: ReadonlyMap<string, number>): Balance {
    let unrealizedPnl = 0;
    let positionValue = 0;
    for (const position of this.positions.values()) {
      const mark = marks.get(position.symbol) ?? position.entryPrice;
      unrealizedPnl += direction(position.side) * (mark - position.entryPrice) * position.size;
      positionValue += position.size * mark;
    }
    return {
      currency: 'USDT',
      totalEquity: money(this.wallet + unrealizedPnl),
      walletBalance: money(this.wallet),
      // Isolated-style: a position can lose at most its margin, so only the margin is held back.
      availableBalance: money(Math.max(0, this.availableBalance())),
      unrealizedPnl: money(unrealizedPnl),
      marginBalance: money(this.wallet + unrealizedPnl),
      positionValue: money(positionValue),
      activePositions: this.positions.size,
    };
  }

  closedSince(since: number): ExchangeClosedTrade[] {
    return this.closedTrades.filter((trade) => trade.closedAt >= since).map((trade) => ({ ...trade }));
  }

  private remember(clientOrderId: string, result: OrderResult): void {
    this.processed.set(clientOrderId, { ...result });
    if (this.processed.size > MAX_PROCESSED_ORDERS) this.processed.delete(this.processed.keys().next().value as string);
  }

  exportState(): PaperAccountState {
    return {
      version: PAPER_STATE_VERSION,
      walletBalance: this.wallet,
      positions: [...this.positions.values()].map((position) => ({ ...position })),
      leverage: Object.fromEntries(this.leverage),
      processedOrders: [...this.processed].map(([clientOrderId, result]) => ({ clientOrderId, result: { ...result } })),
      closedTrades: this.closedTrades.map((trade) => ({ ...trade })),
      lastTriggerCheck: this.lastTriggerCheck,
      nextOrderId: this.nextOrderId,
    };
  }

  /** Replaces the account with a saved one; throws (changing nothing) when the state is malformed. */
  importState(state: PaperAccountState, isKnownSymbol: (symbol: string) => boolean): void {
    const parsed = parseState(state, isKnownSymbol);
    this.wallet = parsed.walletBalance;
    this.positions.clear();
    for (const position of parsed.positions) this.positions.set(position.symbol, { ...position });
    this.leverage.clear();
    for (const [symbol, value] of Object.entries(parsed.leverage)) this.leverage.set(symbol, value);
    this.processed.clear();
    for (const { clientOrderId, result } of parsed.processedOrders.slice(-MAX_PROCESSED_ORDERS)) {
      this.processed.set(clientOrderId, { ...result });
    }
    this.closedTrades = parsed.closedTrades.slice(-MAX_CLOSED_TRADES).map((trade) => ({ ...trade }));
    this.lastTriggerCheck = parsed.lastTriggerCheck;
    this.nextOrderId = parsed.nextOrderId;
  }
}

// ---- state validation ----------------------------------------------------------------------------

class StateError extends Error {
  constructor(message: string) {
    super(`invalid paper account state: ${message}`);
    this.name = 'PaperStateError';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function finite(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new StateError(`${path} must be a finite number`);
  return value;
}

function nullableFinite(value: unknown, path: string): number | null {
  return value === null || value === undefined ? null : finite(value, path);
}

function text(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new StateError(`${path} must be a non-empty string`);
  return value;
}

function positionSide(value: unknown, path: string): PositionSide {
  if (value !== 'Long' && value !== 'Short') throw new StateError(`${path} must be Long or Short`);
  return value;
}

const CLOSE_REASONS: readonly CloseReason[] = ['STOP_LOSS', 'TAKE_PROFIT', 'LIQUIDATION', 'MANUAL', 'REDUCE'];

function parseState(state: unknown, isKnownSymbol: (symbol: string) => boolean): PaperAccountState {
  if (!isRecord(state)) throw new StateError('not an object');
  if (state.version !== PAPER_STATE_VERSION) throw new StateError(`unsupported version ${String(state.version)}`);
  const list = (key: string): unknown[] => {
    const value = state[key];
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw new StateError(`${key} must be an array`);
    return value;
  };
  const positions = list('positions').map((raw, i): PaperPositionState => {
    const p = `positions[${i}]`;
    if (!isRecord(raw)) throw new StateError(`${p} must be an object`);
    const symbol = text(raw.symbol, `${p}.symbol`);
    if (!isKnownSymbol(symbol)) {
      throw new StateError(`${p}.symbol ${symbol} is not a paper market symbol (different symbolCount?)`);
    }
    const size = finite(raw.size, `${p}.size`);
    const entryPrice = finite(raw.entryPrice, `${p}.entryPrice`);
    const leverage = finite(raw.leverage, `${p}.leverage`);
    if (size <= 0 || entryPrice <= 0 || leverage < 1) {
      throw new StateError(`${p} needs size > 0, entryPrice > 0 and leverage >= 1`);
    }
    return {
      symbol,
      side: positionSide(raw.side, `${p}.side`),
      size,
      entryPrice,
      leverage,
      stopLoss: nullableFinite(raw.stopLoss, `${p}.stopLoss`),
      takeProfit: nullableFinite(raw.takeProfit, `${p}.takeProfit`),
      openFee: nullableFinite(raw.openFee, `${p}.openFee`) ?? 0,
      realizedPnl: nullableFinite(raw.realizedPnl, `${p}.realizedPnl`) ?? 0,
      createdAt: finite(raw.createdAt, `${p}.createdAt`),
      updatedAt: finite(raw.updatedAt, `${p}.updatedAt`),
    };
  });
  if (new Set(positions.map((p) => p.symbol)).size !== positions.length) {
    throw new StateError('two positions on one symbol (one-way mode)');
  }

  const leverage: Record<string, number> = {};
  if (state.leverage !== undefined) {
    if (!isRecord(state.leverage)) throw new StateError('leverage must be an object');
    for (const [symbol, value] of Object.entries(state.leverage)) {
      const lev = finite(value, `leverage.${symbol}`);
      if (lev < 1) throw new StateError(`leverage.${symbol} must be >= 1`);
      leverage[symbol] = lev;
    }
  }

  const processedOrders = list('processedOrders').map((raw, i) => {
    const p = `processedOrders[${i}]`;
    if (!isRecord(raw) || !isRecord(raw.result)) throw new StateError(`${p} must be {clientOrderId, result}`);
    const r = raw.result;
    if (r.side !== 'buy' && r.side !== 'sell') throw new StateError(`${p}.result.side must be buy or sell`);
    return {
      clientOrderId: text(raw.clientOrderId, `${p}.clientOrderId`),
      result: {
        orderId: text(r.orderId, `${p}.result.orderId`),
        symbol: text(r.symbol, `${p}.result.symbol`),
        side: r.side,
        amount: finite(r.amount, `${p}.result.amount`),
        price: nullableFinite(r.price, `${p}.result.price`),
        fee: finite(r.fee, `${p}.result.fee`),
      } satisfies OrderResult,
    };
  });

  const closedTrades = list('closedTrades').map((raw, i): ExchangeClosedTrade => {
    const p = `closedTrades[${i}]`;
    if (!isRecord(raw)) throw new StateError(`${p} must be an object`);
    if (!CLOSE_REASONS.includes(raw.reason as CloseReason)) {
      throw new StateError(`${p}.reason must be one of ${CLOSE_REASONS.join(', ')}`);
    }
    return {
      symbol: text(raw.symbol, `${p}.symbol`),
      side: positionSide(raw.side, `${p}.side`),
      size: finite(raw.size, `${p}.size`),
      entryPrice: finite(raw.entryPrice, `${p}.entryPrice`),
      exitPrice: finite(raw.exitPrice, `${p}.exitPrice`),
      pnl: finite(raw.pnl, `${p}.pnl`),
      reason: raw.reason as CloseReason,
      closedAt: finite(raw.closedAt, `${p}.closedAt`),
    };
  });

  const nextOrderId = state.nextOrderId === undefined ? 1 : finite(state.nextOrderId, 'nextOrderId');
  return {
    version: PAPER_STATE_VERSION,
    walletBalance: finite(state.walletBalance, 'walletBalance'),
    positions,
    leverage,
    processedOrders,
    closedTrades,
    lastTriggerCheck: nullableFinite(state.lastTriggerCheck, 'lastTriggerCheck'),
    nextOrderId: Math.max(1, Math.floor(nextOrderId)),
  };
}
