import type {
  ClosedOutsideEvent,
  DelistingDetectedEvent,
  ExchangeHealthEvent,
  LockEvent,
  PositionClosedEvent,
  PositionOpenedEvent,
  ServiceLifecycleEvent,
  StopMovedEvent,
  StopReplacedEvent,
} from '../events/domain-events';
import type { DailySummary, NotificationKind, TestNotification } from './notification-kinds';

export interface PayloadOf {
  entry: PositionOpenedEvent;
  exit: PositionClosedEvent;
  stop_moved: StopMovedEvent;
  stop_replaced: StopReplacedEvent;
  closed_outside: ClosedOutsideEvent;
  lock_set: LockEvent;
  lock_lifted: LockEvent;
  delisting: DelistingDetectedEvent;
  exchange_failing: ExchangeHealthEvent;
  exchange_recovered: ExchangeHealthEvent;
  service_started: ServiceLifecycleEvent;
  service_stopping: ServiceLifecycleEvent;
  daily_summary: DailySummary;
  test: TestNotification;
}

export interface FormattedNotification {
  /** Names this event once: the same event reported twice (a retry after a crash) gets the same key. */
  eventKey: string;
  text: string;
}

/** Prices with up to 8 significant digits, no exponent for small coins. */
export function formatPrice(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return Number(value.toPrecision(8)).toString();
}

export function formatUsdt(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${value >= 0 ? '+' : ''}${value.toFixed(2)} USDT`;
}

/** 0m, 45m, 3h 05m, 2d 4h. */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

const utc = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

/** One plain-text message per event (no markup: nothing to escape for Telegram or Discord). */
export function formatNotification<K extends NotificationKind>(kind: K, p: PayloadOf[K]): FormattedNotification {
  switch (kind) {
    case 'entry': {
      const e = p as PositionOpenedEvent;
      return {
        eventKey: `entry:${e.botId}:${e.at}`,
        text: `Entry ${e.side} ${e.symbol} @ ${formatPrice(e.price)}\nsize ${formatPrice(e.quantity)}, leverage ${e.leverage}x, stop ${formatPrice(e.stopLoss)}, take-profit ${formatPrice(e.takeProfit)} (${e.source})`,
      };
    }
    case 'exit': {
      const e = p as PositionClosedEvent;
      return {
        eventKey: `exit:${e.botId}:${e.entryAt}`,
        text: `Exit ${e.side} ${e.symbol} (${e.reason}) @ ${formatPrice(e.exitPrice)}\nentry ${formatPrice(e.entryPrice)}, PnL ${formatUsdt(e.pnlUsdt)}, ROI ${e.roiPercent.toFixed(2)} %, held ${formatDuration(e.holdMs)}`,
      };
    }
    case 'stop_moved': {
      const e = p as StopMovedEvent;
      return {
        // A bot keeps its id across trades: the time tells two moves to the same level apart.
        eventKey: `stop:${e.botId}:${e.kind}:${e.stopLoss}:${e.at}`,
        text: `Stop ${e.symbol} moved to ${formatPrice(e.stopLoss)} (${e.kind === 'break_even' ? 'break-even' : 'trailing'})`,
      };
    }
    case 'stop_replaced': {
      const e = p as StopReplacedEvent;
      return {
        eventKey: `restop:${e.symbol}:${e.at}`,
        text: `Stop-loss of ${e.symbol} was missing on the exchange: placed again at ${formatPrice(e.stopLoss)}`,
      };
    }
    case 'closed_outside': {
      const e = p as ClosedOutsideEvent;
      return {
        eventKey: `outside:${e.symbol}:${e.at}`,
        text: `${e.side} ${e.symbol} was closed outside the service (${e.reason}) @ ${formatPrice(e.exitPrice)}, PnL ${formatUsdt(e.pnlUsdt)}`,
      };
    }
    case 'lock_set':
    case 'lock_lifted': {
      const e = p as LockEvent;
      const scope = e.symbol ?? 'all coins';
      return kind === 'lock_set'
        ? {
            eventKey: `lock-set:${e.lockId}`,
            text: `Protection lock on ${scope} (${e.rule}): ${e.reason}; until ${utc(e.until)}`,
          }
        : { eventKey: `lock-lifted:${e.lockId}`, text: `Protection lock on ${scope} (${e.rule}) lifted` };
    }
    case 'delisting': {
      const e = p as DelistingDetectedEvent;
      return {
        eventKey: `delisting:${[...e.symbols].sort().join(',')}:${e.at}`,
        text: `Delisting detected: ${e.symbols.join(', ')}`,
      };
    }
    case 'exchange_failing': {
      const e = p as ExchangeHealthEvent;
      return {
        eventKey: `exchange-failing:${e.since}`,
        text: `Exchange failing since ${utc(e.since)} (${formatDuration(e.at - e.since)})${e.lastError ? `: ${e.lastError}` : ''}`,
      };
    }
    case 'exchange_recovered': {
      const e = p as ExchangeHealthEvent;
      return {
        eventKey: `exchange-recovered:${e.since}`,
        text: `Exchange recovered after ${formatDuration(e.at - e.since)} of failures`,
      };
    }
    case 'service_started':
    case 'service_stopping': {
      const e = p as ServiceLifecycleEvent;
      return kind === 'service_started'
        ? { eventKey: `started:${e.at}`, text: `bots-service started (${e.mode})` }
        : { eventKey: `stopping:${e.at}`, text: `bots-service stopping (${e.mode})` };
    }
    case 'daily_summary': {
      const e = p as DailySummary;
      const open = e.openPositions.length ? e.openPositions.map((o) => `${o.symbol} ${o.side}`).join(', ') : 'none';
      return {
        eventKey: `daily:${e.day}`,
        text: `Daily summary ${e.day}: ${e.trades} trades (${e.wins} won, ${e.losses} lost), PnL ${formatUsdt(e.pnlUsdt)}\nopen positions (${e.openPositions.length}): ${open}`,
      };
    }
    case 'test': {
      const e = p as TestNotification;
      return { eventKey: `test:${e.id}`, text: e.text };
    }
  }
  throw new Error(`unknown notification kind ${String(kind)}`);
}
