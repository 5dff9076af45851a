import { TargetCatalog } from '../../lambdas/domain/target-catalog';
import { TargetSpecSchema } from '../../lambdas/domain/target-spec';
import { InvalidInputError } from '../../lambdas/errors';
import { createReportWorkflowFailure } from '../../lambdas/handlers/report-workflow-failure';
import { MemoryLog } from '../../simulator/memory-log';
import { RecordingEventPublisher } from '../../simulator/recording-event-publisher';
import { RecordingMetrics } from '../../simulator/recording-metrics';

const catalog = new TargetCatalog({
  targets: [TargetSpecSchema.parse({ name: 'hendrix', eksCluster: 'prod-eks', namespace: 'demo', cluster: 'hendrix' })],
  fanOut: { concurrencyPerEksCluster: 5 },
  policies: {},
  discovery: [],
});

function reporter() {
  const events = new RecordingEventPublisher();
  const metrics = new RecordingMetrics();
  return { events, metrics, report: createReportWorkflowFailure({ catalog: () => catalog, events, metrics, log: new MemoryLog() }) };
}

const lambdaCause = JSON.stringify({ errorType: 'PreconditionFailedError', errorMessage: 'Cluster demo/hendrix is hibernated' });

describe('reporting a failed workflow', () => {
  test('publishes "<Workflow> Failed" with the target and the Lambda error message, and counts it for the target', async () => {
    const { events, metrics, report } = reporter();
    await report({
      workflow: 'backup',
      execution: 'hendrix-backup-20261102100000',
      error: { Error: 'PreconditionFailedError', Cause: lambdaCause },
      input: { target: 'hendrix' },
    });
    expect(events.events).toEqual([
      {
        detailType: 'Backup Failed',
        detail: {
          execution: 'hendrix-backup-20261102100000',
          target: 'hendrix',
          eksCluster: 'prod-eks',
          namespace: 'demo',
          cluster: 'hendrix',
          errorName: 'PreconditionFailedError',
          error: 'Cluster demo/hendrix is hibernated',
        },
      },
    ]);
    expect(metrics.points).toEqual([{ target: 'hendrix', name: 'WorkflowFailed', value: 1, unit: 'Count' }]);
  });

  test('still reports and counts when the workflow input itself was malformed (no target to name)', async () => {
    const { events, metrics, report } = reporter();
    await report({ workflow: 'restore', execution: 'x', error: { Error: 'States.Timeout', Cause: 'not json' }, input: 'garbage' });
    expect(events.events).toEqual([
      { detailType: 'Restore Failed', detail: { execution: 'x', errorName: 'States.Timeout', error: 'not json' } },
    ]);
    expect(metrics.points).toEqual([{ name: 'WorkflowFailed', value: 1, unit: 'Count' }]);
  });

  test('names a target the deployment does not hold as given, and counts the failure on no target', async () => {
    const { events, metrics, report } = reporter();
    await report({ workflow: 'backup', execution: 'x', error: { Error: 'InvalidInputError' }, input: { target: 'jimi' } });
    expect(events.events[0]!.detail).toEqual({
      execution: 'x',
      target: 'jimi',
      errorName: 'InvalidInputError',
      error: 'InvalidInputError',
    });
    expect(metrics.points).toEqual([{ name: 'WorkflowFailed', value: 1, unit: 'Count' }]);
  });

  test('rejects an unknown workflow and publishes nothing', async () => {
    const { events, report } = reporter();
    await expect(report({ workflow: 'vacuum', execution: 'x', error: { Error: 'E' }, input: {} })).rejects.toThrow(InvalidInputError);
    expect(events.events).toEqual([]);
  });
});
