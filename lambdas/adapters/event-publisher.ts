/** Publishes the scheduler's events (source `cnpg-snapshot-scheduler`) to the configured EventBridge bus. */
export interface SchedulerEvent {
  detailType: string;
  detail: Record<string, unknown>;
}

export interface EventPublisher {
  publish(events: readonly SchedulerEvent[]): Promise<void>;
}
