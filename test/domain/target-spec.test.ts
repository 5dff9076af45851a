import { InvalidInputError } from '../../lambdas/errors';
import { TargetSpecSchema } from '../../lambdas/domain/target-spec';
import { parseInput } from '../../lambdas/domain/validation';
import { WorkflowInputSchema } from '../../lambdas/domain/workflow-input';

const minimal = { name: 'hendrix', eksCluster: 'prod-eks', namespace: 'demo', cluster: 'hendrix' };

function rejection(schema: Parameters<typeof parseInput>[0], value: unknown): InvalidInputError {
  try {
    parseInput(schema, value, 'target');
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('a backup target', () => {
  test('gets hourly backups, 7-day retention and a 90-minute RPO by default', () => {
    expect(TargetSpecSchema.parse(minimal)).toEqual({
      ...minimal,
      auth: { kind: 'eks' },
      schedule: 'cron(0 * * * ? *)',
      backup: { notStartedTimeoutMinutes: 45, runningTimeoutMinutes: 1440 },
      retention: {
        keepWithin: '7d',
        minKeep: 3,
        daily: 0,
        weekly: 0,
        monthly: 0,
        failedKeep: '1d',
        scope: 'managed',
        schedule: 'cron(30 3 * * ? *)',
      },
      rpoMinutes: 90,
      drill: { enabled: true, schedule: 'cron(0 4 ? * SUN *)', maxRtoMinutes: 60, maxAgeDays: 8, timeoutMinutes: 120, checks: [] },
    });
  });

  test.each([
    [{ ...minimal, name: '' }, 'name: must be a lowercase RFC 1123 label'],
    [{ ...minimal, name: 'a'.repeat(41) }, 'name: must be at most 40 characters'],
    [{ ...minimal, cluster: 'Hendrix' }, 'cluster: must be a lowercase RFC 1123 label'],
    [{ ...minimal, namespace: 'demo/prod' }, 'namespace: must be a lowercase RFC 1123 label'],
    [{ ...minimal, cluster: "x'; DROP TABLE" }, 'cluster: must be a lowercase RFC 1123 label'],
    [{ ...minimal, eksCluster: 'prod eks' }, 'eksCluster: must be an EKS cluster name'],
    [{ ...minimal, backup: { target: 'standby' } }, 'backup.target:'],
    [{ ...minimal, backup: { runningTimeoutMinutes: -5 } }, 'backup.runningTimeoutMinutes:'],
    [{ ...minimal, backup: { notStartedTimeoutMinutes: 0 } }, 'backup.notStartedTimeoutMinutes:'],
    [{ ...minimal, backup: { timeoutMinutes: 180 } }, 'backup: Unrecognized key'],
    [{ ...minimal, drill: { schedule: 'weekly' } }, 'drill.schedule:'],
    [{ ...minimal, drill: { maxRtoMinutes: 0 } }, 'drill.maxRtoMinutes:'],
    [{ ...minimal, drill: { checks: [{ name: 'Orders', sql: 'select 1', expected: '1' }] } }, 'drill.checks.0.name:'],
    [{ ...minimal, drill: { checks: [{ name: 'orders', sql: ' ', expected: '1' }] } }, 'drill.checks.0.sql:'],
    [
      {
        ...minimal,
        drill: {
          checks: [
            { name: 'orders', sql: 'select 1', expected: '1' },
            { name: 'orders', sql: 'select 2', expected: '2' },
          ],
        },
      },
      'drill.checks: check names must be unique',
    ],
    [{ ...minimal, backup: { snapshotDeadlineMinutes: 1e9 } }, 'backup.snapshotDeadlineMinutes:'],
    [{ ...minimal, retention: { minKeep: 0 } }, 'retention.minKeep:'],
    [{ ...minimal, retention: { failedKeep: '1y' } }, 'retention.failedKeep: must be a duration'],
    [{ ...minimal, retention: { scope: 'everything' } }, 'retention.scope:'],
    [{ ...minimal, auth: { kind: 'kubeconfig' } }, 'auth.path:'],
    [{ ...minimal, rpoMinutes: 'soon' }, 'rpoMinutes:'],
  ])('rejects %j naming the field', (value, message) => {
    const error = rejection(TargetSpecSchema, value);
    expect(error.message).toContain(message);
    expect(error.issues.length).toBeGreaterThan(0);
  });
});

describe('a workflow input', () => {
  test('takes an optional scheduled time that must carry a zone', () => {
    expect(WorkflowInputSchema.parse({ target: minimal.name }).scheduledTime).toBeUndefined();
    expect(WorkflowInputSchema.parse({ target: minimal.name, scheduledTime: '2026-11-25T05:00:00Z' }).scheduledTime).toBe(
      '2026-11-25T05:00:00Z',
    );
    expect(rejection(WorkflowInputSchema, { target: minimal.name, scheduledTime: '2026-11-25T05:00:00' }).message).toContain(
      'scheduledTime: must be an ISO 8601 time with a zone',
    );
    expect(rejection(WorkflowInputSchema, { target: minimal.name, scheduledTime: 'yesterday' }).message).toContain('scheduledTime:');
  });

  test('rejects unknown fields', () => {
    expect(rejection(WorkflowInputSchema, { target: minimal.name, force: true }).message).toContain('Unrecognized key: "force"');
  });
});
