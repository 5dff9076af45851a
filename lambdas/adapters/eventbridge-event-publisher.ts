import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE, type SchedulerEvent } from '../domain/scheduler-event';
import { TransientError } from '../errors';
import type { EventPublisher } from './event-publisher';

/** PutEvents accepts at most 10 entries per call. */
const BATCH_SIZE = 10;

export class EventBridgeEventPublisher implements EventPublisher {
  constructor(
    private readonly eventBusName: string,
    private readonly client: EventBridgeClient = new EventBridgeClient({}),
  ) {}

  async publish(events: readonly SchedulerEvent[]): Promise<void> {
    for (let start = 0; start < events.length; start += BATCH_SIZE) {
      const batch = events.slice(start, start + BATCH_SIZE);
      const response = await this.client.send(
        new PutEventsCommand({
          Entries: batch.map((event) => ({
            EventBusName: this.eventBusName,
            Source: EVENT_SOURCE,
            DetailType: event.detailType,
            Detail: JSON.stringify(event.detail),
          })),
        }),
      );
      if ((response.FailedEntryCount ?? 0) > 0) {
        const codes = (response.Entries ?? [])
          .filter((entry) => entry.ErrorCode)
          .map((entry) => `${entry.ErrorCode}: ${entry.ErrorMessage ?? ''}`);
        throw new TransientError(`EventBridge refused ${response.FailedEntryCount} of ${batch.length} events (${codes.join('; ')})`);
      }
    }
  }
}
