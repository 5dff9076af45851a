import type { EventPublisher, SchedulerEvent } from '../../lambdas/adapters/event-publisher';

/** Keeps every published event in memory, in order, so tests and the demo can read what EventBridge would get. */
export class RecordingEventPublisher implements EventPublisher {
  readonly events: SchedulerEvent[] = [];

  async publish(events: readonly SchedulerEvent[]): Promise<void> {
    this.events.push(...structuredClone([...events]));
  }

  ofType(detailType: string): SchedulerEvent[] {
    return this.events.filter((event) => event.detailType === detailType);
  }
}
