/**
 * Typed domain events (emitted with @nestjs/event-emitter's EventEmitter2, heard with @OnEvent).
 * Lower modules announce what happened; upper ones (notifications, metrics, protections) listen. The event name
 * constants and payload types live here, below every feature module, so emitters and listeners share one vocabulary.
 * Payload times are epoch milliseconds from the injected clock.
 */
export const DomainEvent = {
  PositionOpened: 'position.opened',
  PositionClosed: 'position.closed',
  StopMoved: 'position.stop-moved',
  StopReplaced: 'position.stop-replaced',
  ClosedOutside: 'position.closed-outside',
  LockSet: 'protection.lock-set',
  LockLifted: 'protection.lock-lifted',
  DelistingDetected: 'market.delisting-detected',
  ExchangeFailing: 'exchange.failing',
  ExchangeRecovered: 'exchange.recovered',
  ServiceStarted: 'service.started',
  ServiceStopping: 'service.stopping',
} as const;
export type DomainEventName = (typeof DomainEvent)[keyof typeof DomainEvent];

export type Side = 'LONG' | 'SHORT';

export interface PositionOpenedEvent {
  at: number;
  botId: string;
  symbol: string;
  side: Side;
  price: number;
  quantity: number;
  leverage: number;
  stopLoss: number | null;
  takeProfit: number | null;
  source: 'auto' | 'manual';
}

export interface PositionClosedEvent {
  at: number;
  botId: string;
  symbol: string;
  side: Side;
  entryPrice: number;
  exitPrice: number;
  reason: string;
  pnlUsdt: number;
  roiPercent: number;
  holdMs: number;
  /** Entry time (epoch ms): with botId, identifies the trade exactly once. */
  entryAt: number;
}

export interface StopMovedEvent {
  at: number;
  botId: string;
  symbol: string;
  kind: 'break_even' | 'trailing';
  stopLoss: number;
}

export interface StopReplacedEvent {
  at: number;
  symbol: string;
  stopLoss: number | null;
  takeProfit: number | null;
}

export interface ClosedOutsideEvent {
  at: number;
  symbol: string;
  side: Side;
  reason: string;
  exitPrice: number | null;
  pnlUsdt: number | null;
}

export interface LockEvent {
  at: number;
  lockId: string;
  /** A coin, or null for a lock on the whole account. */
  symbol: string | null;
  rule: string;
  reason: string;
  until: number;
}

export interface DelistingDetectedEvent {
  at: number;
  symbols: string[];
}

export interface ExchangeHealthEvent {
  at: number;
  /** Since when calls have been failing (epoch ms). */
  since: number;
  lastError: string | null;
}

export interface ServiceLifecycleEvent {
  at: number;
  mode: string;
}

/** Name → payload, so emit/listen helpers can be typed. */
export interface DomainEventMap {
  [DomainEvent.PositionOpened]: PositionOpenedEvent;
  [DomainEvent.PositionClosed]: PositionClosedEvent;
  [DomainEvent.StopMoved]: StopMovedEvent;
  [DomainEvent.StopReplaced]: StopReplacedEvent;
  [DomainEvent.ClosedOutside]: ClosedOutsideEvent;
  [DomainEvent.LockSet]: LockEvent;
  [DomainEvent.LockLifted]: LockEvent;
  [DomainEvent.DelistingDetected]: DelistingDetectedEvent;
  [DomainEvent.ExchangeFailing]: ExchangeHealthEvent;
  [DomainEvent.ExchangeRecovered]: ExchangeHealthEvent;
  [DomainEvent.ServiceStarted]: ServiceLifecycleEvent;
  [DomainEvent.ServiceStopping]: ServiceLifecycleEvent;
}
