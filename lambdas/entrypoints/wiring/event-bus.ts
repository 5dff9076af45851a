import type { EventPublisher } from '../../adapters/event-publisher';
import { EventBridgeEventPublisher } from '../../adapters/eventbridge-event-publisher';
import { requiredEnv } from '../../runtime/environment';

/** The scheduler's EventBridge bus, built on first publish so that importing an entry point reads no environment. */
export function productionEventBus(): EventPublisher {
  let publisher: EventPublisher | undefined;
  return { publish: (batch) => (publisher ??= new EventBridgeEventPublisher(requiredEnv('EVENT_BUS_NAME'))).publish(batch) };
}
