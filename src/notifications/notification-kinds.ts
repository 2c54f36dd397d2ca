import { DomainEvent, type DomainEventName } from '../events/domain-events';

/**
 * What a channel can subscribe to: one kind per domain event, plus the daily summary and the test message.
 * The names are the ones the API and the settings file use (docs/notifications.md).
 */
export const NOTIFICATION_KINDS = [
  'entry',
  'exit',
  'stop_moved',
  'stop_replaced',
  'closed_outside',
  'lock_set',
  'lock_lifted',
  'delisting',
  'exchange_failing',
  'exchange_recovered',
  'service_started',
  'service_stopping',
  'daily_summary',
  'test',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const KIND_OF_EVENT: Record<DomainEventName, NotificationKind> = {
  [DomainEvent.PositionOpened]: 'entry',
  [DomainEvent.PositionClosed]: 'exit',
  [DomainEvent.StopMoved]: 'stop_moved',
  [DomainEvent.StopReplaced]: 'stop_replaced',
  [DomainEvent.ClosedOutside]: 'closed_outside',
  [DomainEvent.LockSet]: 'lock_set',
  [DomainEvent.LockLifted]: 'lock_lifted',
  [DomainEvent.DelistingDetected]: 'delisting',
  [DomainEvent.ExchangeFailing]: 'exchange_failing',
  [DomainEvent.ExchangeRecovered]: 'exchange_recovered',
  [DomainEvent.ServiceStarted]: 'service_started',
  [DomainEvent.ServiceStopping]: 'service_stopping',
};

export const CHANNEL_IDS = ['telegram', 'webhook', 'discord'] as const;
export type ChannelId = (typeof CHANNEL_IDS)[number];

/** The daily summary's content (trades closed in the last 24 h, open positions at the time). */
export interface DailySummary {
  at: number;
  day: string;
  trades: number;
  wins: number;
  losses: number;
  pnlUsdt: number;
  openPositions: Array<{ symbol: string; side: string }>;
}

export interface TestNotification {
  at: number;
  id: string;
  text: string;
}
