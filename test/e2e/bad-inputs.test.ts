import { DeploymentConfigError, parseDeploymentConfig } from '../../lib/deployment-config';
import { HENDRIX, LocalScheduler } from '../../simulator/local-scheduler';

/**
 * Bad input, at each door: the deployment config (cdk synth), the backup workflow input (schedules and manual runs)
 * and the restore payload (the operator). Each is refused with a message naming the field, and nothing is created.
 */

const target = { ...HENDRIX, eksCluster: 'local-eks' };

const CONFIG_CASES: Array<[string, unknown, string]> = [
  ['no targets', { targets: [] }, 'targets: must list at least one target'],
  ['targets not a list', { targets: 'hendrix' }, 'targets:'],
  ['target name with upper case', { targets: [{ ...target, name: 'Hendrix' }] }, 'targets.0.name: must be a lowercase RFC 1123 label'],
  ['target name too long', { targets: [{ ...target, name: 'h'.repeat(41) }] }, 'targets.0.name: must be at most 40 characters'],
  [
    'namespace with a slash',
    { targets: [{ ...target, namespace: 'demo/prod' }] },
    'targets.0.namespace: must be a lowercase RFC 1123 label',
  ],
  ['five-field cron', { targets: [{ ...target, schedule: 'cron(0 * * * *)' }] }, 'targets.0.schedule: has 5 fields'],
  ['rate expression', { targets: [{ ...target, schedule: 'rate(1 hour)' }] }, 'targets.0.schedule: must look like cron('],
  [
    'negative keepWithin',
    { targets: [{ ...target, retention: { keepWithin: '-7d' } }] },
    'targets.0.retention.keepWithin: must be a duration',
  ],
  [
    'absurd failedKeep',
    { targets: [{ ...target, retention: { failedKeep: '9999999d' } }] },
    'targets.0.retention.failedKeep: must be a duration',
  ],
  ['minKeep of zero', { targets: [{ ...target, retention: { minKeep: 0 } }] }, 'targets.0.retention.minKeep:'],
  ['unknown field', { targets: [{ ...target, retain: '7d' }] }, 'targets.0: Unrecognized key: "retain"'],
  ['duplicate target names', { targets: [target, target] }, 'targets.1.name: "hendrix" is used by another target'],
  [
    'over-long cluster name',
    { targets: [{ ...target, cluster: 'c'.repeat(64) }] },
    'targets.0.cluster: must be a lowercase RFC 1123 label',
  ],
  ['negative timeout', { targets: [{ ...target, backup: { runningTimeoutMinutes: -1 } }] }, 'targets.0.backup.runningTimeoutMinutes:'],
  [
    'timeout of a year',
    { targets: [{ ...target, backup: { notStartedTimeoutMinutes: 525_600 } }] },
    'targets.0.backup.notStartedTimeoutMinutes:',
  ],
  ['online as a string', { targets: [{ ...target, backup: { online: 'yes' } }] }, 'targets.0.backup.online:'],
  ['e-mail that is not one', { targets: [target], notifications: { email: 'oncall' } }, 'notifications.email: must be an e-mail address'],
];

const BACKUP_CASES: Array<[string, unknown, string]> = [
  ['no target', {}, 'input.target: required: the name of a target of this deployment'],
  ['a target spec instead of a name', { target }, 'input.target: must be the name of a target of this deployment'],
  [
    'a discovered target where the deployment discovers nothing',
    { target: { eksCluster: 'local-eks', namespace: 'demo', cluster: 'other', policy: 'hourly' } },
    'input.target.eksCluster: "local-eks" is no EKS cluster this deployment discovers on',
  ],
  [
    'a spec with its own kubeconfig',
    { target: { ...target, auth: { kind: 'kubeconfig', path: '/etc/passwd' } } },
    'input.target: must be the name of a target of this deployment, or a discovered target as {eksCluster, namespace, cluster, policy}; a workflow input never carries a target spec or its auth',
  ],
  [
    'a name with a kubeconfig beside it',
    { target: 'hendrix', auth: { kind: 'kubeconfig', path: '/etc/passwd' } },
    'input: Unrecognized key: "auth"',
  ],
  ['empty target name', { target: '' }, 'input.target: must be a lowercase RFC 1123 label'],
  ['target name with a slash', { target: 'hendrix/../jimi' }, 'input.target: must be a lowercase RFC 1123 label'],
  ['target name in upper case', { target: 'HENDRIX' }, 'input.target: must be a lowercase RFC 1123 label'],
  ['injection-looking target name', { target: "hendrix'; DROP TABLE backups; --" }, 'input.target: must be a lowercase RFC 1123 label'],
  ['over-long target name', { target: 'h'.repeat(41) }, 'input.target: must be at most 40 characters'],
  ['a target the deployment does not hold', { target: 'jimi' }, 'input.target: "jimi" is not a target of this deployment'],
  [
    'scheduled time without a zone',
    { target: 'hendrix', scheduledTime: '2026-11-02T01:00:00' },
    'input.scheduledTime: must be an ISO 8601 time with a zone',
  ],
  [
    'scheduled time as a number',
    { target: 'hendrix', scheduledTime: 1_700_000_000 },
    'input.scheduledTime: must be an ISO 8601 time with a zone',
  ],
  [
    'scheduled time in the future',
    { target: 'hendrix', scheduledTime: '2027-01-01T00:00:00Z' },
    'input.scheduledTime: 2027-01-01T00:00:00Z is in the future',
  ],
  ['unknown field', { target: 'hendrix', force: true }, 'input: Unrecognized key: "force"'],
];

const RETENTION_CASES: Array<[string, unknown, string]> = [
  ['no target', { dryRun: true }, 'input.target: required: the name of a target of this deployment'],
  [
    'a spec with its own kubeconfig',
    { target: { ...target, auth: { kind: 'kubeconfig', path: '/etc/passwd' } }, dryRun: true },
    'input.target: must be the name of a target of this deployment, or a discovered target as {eksCluster, namespace, cluster, policy}; a workflow input never carries a target spec or its auth',
  ],
  [
    'a name with a kubeconfig beside it',
    { target: 'hendrix', auth: { kind: 'kubeconfig', path: '/etc/passwd' } },
    'input: Unrecognized key: "auth"',
  ],
  ['a target the deployment does not hold', { target: 'jimi', dryRun: true }, 'input.target: "jimi" is not a target of this deployment'],
  ['dryRun as a string', { target: 'hendrix', dryRun: 'yes' }, 'input.dryRun: Invalid input: expected boolean, received string'],
  [
    'scheduled time without a zone',
    { target: 'hendrix', scheduledTime: '2026-11-02 03:30' },
    'input.scheduledTime: must be an ISO 8601 time with a zone',
  ],
  ['unknown field', { target: 'hendrix', dryrun: true }, 'input: Unrecognized key: "dryrun"'],
];

const RESTORE_CASES: Array<[string, unknown, string]> = [
  ['no target', { backup: 'latest' }, 'target: required: the name of a configured target'],
  ['unknown target', { target: 'jimi' }, 'target: no configured target is named "jimi"'],
  ['backup name with upper case', { target: 'hendrix', backup: 'Hendrix-1' }, 'backup:'],
  ['before without a zone', { target: 'hendrix', before: '2026-11-02 01:00' }, 'before: must be an ISO 8601 time with a zone'],
  [
    'point in time in the future',
    { target: 'hendrix', pointInTime: '2030-01-01T00:00:00Z' },
    'pointInTime: 2030-01-01T00:00:00Z is in the future',
  ],
  ['cluster name with a slash', { target: 'hendrix', clusterName: 'a/b' }, 'clusterName: must be a DNS-1035 label'],
  ['cluster name starting with a digit', { target: 'hendrix', clusterName: '9lives' }, 'clusterName: must be a DNS-1035 label'],
  [
    'cluster name too long for its recovery Job',
    { target: 'hendrix', clusterName: 'r'.repeat(44) },
    'clusterName: must be at most 43 characters',
  ],
  [
    'cluster name of the live source',
    { target: 'hendrix', clusterName: 'hendrix' },
    'clusterName: must differ from the source cluster hendrix',
  ],
  ['spec source unknown', { target: 'hendrix', specFrom: 'yesterday' }, 'specFrom: must be "cluster"'],
  ['instances negative', { target: 'hendrix', instances: -1 }, 'instances:'],
  ['instances absurd', { target: 'hendrix', instances: 1000 }, 'instances:'],
  [
    'replica and point in time',
    { target: 'hendrix', replica: true, pointInTime: '2026-11-02T00:30:00Z' },
    'replica: a replica cluster follows the source',
  ],
  [
    'backup name and before',
    { target: 'hendrix', backup: 'hendrix-1', before: '2026-11-02T00:30:00Z' },
    'before: cannot be combined with a backup name',
  ],
  ['injection-looking request id', { target: 'hendrix', requestId: '$(rm -rf /)' }, 'requestId: must be a label value'],
  ['unknown field', { target: 'hendrix', namespace: 'kube-system' }, 'Unrecognized key: "namespace"'],
  [
    'coordinates with their own kubeconfig',
    { target: { eksCluster: 'local-eks', namespace: 'demo', cluster: 'hendrix', auth: { kind: 'kubeconfig', path: '/etc/passwd' } } },
    'target: Unrecognized key: "auth"',
  ],
];

describe('bad input is refused with the field named, and changes nothing', () => {
  test('there are at least thirty cases', () =>
    expect(CONFIG_CASES.length + BACKUP_CASES.length + RETENTION_CASES.length + RESTORE_CASES.length).toBeGreaterThanOrEqual(30));

  test.each(CONFIG_CASES)('deployment config: %s', (_name, config, message) => {
    expect(() => parseDeploymentConfig(config)).toThrow(DeploymentConfigError);
    expect(() => parseDeploymentConfig(config)).toThrow(message);
  });

  describe('at the workflows', () => {
    let local: LocalScheduler;
    let objectsBefore: number;
    const allObjects = () =>
      ['clusters', 'backups', 'volumesnapshots', 'persistentvolumeclaims', 'jobs'].reduce(
        (n, resource) => n + local.server.objects(resource).length,
        0,
      );

    beforeAll(async () => {
      local = await LocalScheduler.start({ targets: [target], clusterOptions: { hendrix: { walArchive: 'plugin' } } });
      await local.runWorkflow('backup', { target: 'hendrix' });
      objectsBefore = allObjects();
    });
    afterAll(() => local.close());

    test.each(BACKUP_CASES)('backup workflow input: %s', async (_name, input, message) => {
      const execution = await local.runWorkflow('backup', input);
      expect(execution).toMatchObject({ status: 'FAILED', error: 'InvalidInputError' });
      expect((JSON.parse(execution.cause!) as { errorMessage: string }).errorMessage).toContain(message);
    });

    test.each(RETENTION_CASES)('retention workflow input: %s', async (_name, input, message) => {
      const execution = await local.runWorkflow('retention', input);
      expect(execution).toMatchObject({ status: 'FAILED', error: 'InvalidInputError' });
      expect((JSON.parse(execution.cause!) as { errorMessage: string }).errorMessage).toContain(message);
    });

    test.each(RESTORE_CASES)('restore payload: %s', async (_name, payload, message) => {
      await expect(local.requestRestore(payload)).rejects.toThrow(message);
      await expect(local.requestRestore(payload)).rejects.toMatchObject({ name: 'InvalidInputError' });
    });

    test('and the test server recorded no object created by any of them', () => {
      expect(allObjects()).toBe(objectsBefore);
      // The one create is the valid backup of the setup.
      expect(local.server.requests.filter((r) => r.verb === 'create' && r.status === 201)).toHaveLength(1);
    });
  });
});
