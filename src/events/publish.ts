import type { Logger } from '@nestjs/common';
import type { EventEmitter2 } from '@nestjs/event-emitter';
import type { DomainEventMap, DomainEventName } from './domain-events';

/**
 * Emits a domain event and waits for its listeners (the notifications outbox resolves once the event is on
 * disk), so the action that the event reports is acknowledged only after it. A listener failure is logged and
 * never turns the action itself into an error: the trade happened either way.
 */
export async function publishEvent<K extends DomainEventName>(
  emitter: EventEmitter2 | undefined,
  name: K,
  payload: DomainEventMap[K],
  logger?: Logger,
): Promise<void> {
  if (!emitter) return;
  try {
    await emitter.emitAsync(name, payload);
  } catch (error) {
    logger?.error(`Event ${name} could not be handled: ${(error as Error).message}`);
  }
}
