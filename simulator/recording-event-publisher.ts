import type { EventPublisher } from '../lambdas/adapters/event-publisher';
import type { SchedulerEvent } from '../lambdas/domain/scheduler-event';
import { TransientError } from '../lambdas/errors';

/** Keeps every published event in memory, in order, so tests and the demo can read what EventBridge would get. */
export class RecordingEventPublisher implements EventPublisher {
  readonly events: SchedulerEvent[] = [];
  private failures = 0;

  /** The next `count` publishes fail as EventBridge does when it refuses entries. */
  failNext(count: number): void {
    this.failures = count;
  }

  publish(events: readonly SchedulerEvent[]): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      return Promise.reject(new TransientError('EventBridge refused 1 of 1 events (ThrottlingException: Rate exceeded)'));
    }
    this.events.push(...structuredClone([...events]));
    return Promise.resolve();
  }

  ofType(detailType: string): SchedulerEvent[] {
    return this.events.filter((event) => event.detailType === detailType);
  }
}
