import type { SchedulerEvent } from '../domain/scheduler-event';

/** Publishes the scheduler's events (source `cnpg-snapshot-scheduler`) to the configured EventBridge bus. */
export interface EventPublisher {
  publish(events: readonly SchedulerEvent[]): Promise<void>;
}
