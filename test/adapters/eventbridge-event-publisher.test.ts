import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { EventBridgeEventPublisher } from '../../lambdas/adapters/eventbridge-event-publisher';
import { TransientError } from '../../lambdas/errors';

const bridge = mockClient(EventBridgeClient);

describe('publishing events to EventBridge', () => {
  beforeEach(() => bridge.reset());

  test('sends each event with the scheduler source, its detail type and JSON detail, to the configured bus', async () => {
    bridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
    await new EventBridgeEventPublisher('platform-events', new EventBridgeClient({})).publish([
      { detailType: 'Backup Completed', detail: { target: 'hendrix', backup: 'hendrix-20261125050000' } },
    ]);
    expect(bridge).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [
        {
          EventBusName: 'platform-events',
          Source: 'cnpg-snapshot-scheduler',
          DetailType: 'Backup Completed',
          Detail: '{"target":"hendrix","backup":"hendrix-20261125050000"}',
        },
      ],
    });
  });

  test('sends at most ten entries per call', async () => {
    bridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
    const events = Array.from({ length: 23 }, (_, i) => ({ detailType: 'Retention Applied' as const, detail: { i } }));
    await new EventBridgeEventPublisher('default', new EventBridgeClient({})).publish(events);
    expect(bridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries!.length)).toEqual([10, 10, 3]);
  });

  test('refused entries are a transient error naming the codes, so the workflow retries', async () => {
    bridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }] });
    const publish = new EventBridgeEventPublisher('default', new EventBridgeClient({})).publish([
      { detailType: 'Backup Failed', detail: {} },
    ]);
    await expect(publish).rejects.toBeInstanceOf(TransientError);
    await expect(publish).rejects.toThrow('EventBridge refused 1 of 1 events (ThrottlingException: Rate exceeded)');
  });
});
