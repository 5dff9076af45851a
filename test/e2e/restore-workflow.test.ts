import type { Cluster } from '../../lambdas/domain/kube-objects';
import { crdSchemaViolations } from '../../simulator/crd-schemas';
import { HENDRIX, LocalScheduler } from '../../simulator/local-scheduler';
import { VirtualClock } from '../../simulator/virtual-clock';

/** The restore entry point and workflow, with their real handlers, against the Kubernetes API test server. */

const START = Date.parse('2026-11-24T00:00:00Z');
const HOUR = 3_600_000;

describe('restore end to end', () => {
  let local: LocalScheduler;

  beforeAll(async () => {
    local = await LocalScheduler.start({
      clock: new VirtualClock(new Date(START)),
      targets: [HENDRIX, { ...HENDRIX, name: 'jimi', cluster: 'jimi' }],
      clusterOptions: { hendrix: { walArchive: 'plugin' } },
    });
    for (let hour = 0; hour < 4; hour += 1) {
      const slot = new Date(START + hour * HOUR);
      local.clock.advanceTo(slot);
      await local.fireSchedule('backup', 'hendrix', slot);
      await local.fireSchedule('backup', 'jimi', slot);
    }
    local.clock.advanceTo(new Date(START + 4 * HOUR));
  });
  afterAll(() => local.close());

  const clusters = () => local.server.objects<Cluster>('clusters', 'demo');
  const restoreOf = async (payload: Record<string, unknown>) => {
    const result = await local.requestRestore(payload);
    return { result, execution: result.executionName ? local.execution(result.executionName) : undefined };
  };

  test('latest: a new cluster from the newest backup, followed to ready, with its RTO', async () => {
    const { result, execution } = await restoreOf({ target: 'hendrix', clusterName: 'hendrix-latest' });
    expect(result).toMatchObject({
      dryRun: false,
      backup: 'hendrix-20261124030000',
      clusterName: 'hendrix-latest',
      namespace: 'demo',
      started: true,
    });
    expect(crdSchemaViolations('Cluster', result.manifest)).toEqual([]);
    expect(execution?.status).toBe('SUCCEEDED');
    const created = clusters().find((c) => c.metadata.name === 'hendrix-latest')!;
    expect(created.status?.phase).toBe('Cluster in healthy state');
    const completed = local.events.ofType('Restore Completed').find((e) => e.detail.clusterName === 'hendrix-latest')!;
    const readyAt = local.server.cnpg.readyAt('demo', 'hendrix-latest')!;
    const simulatedRto = (readyAt.getTime() - Date.parse(created.metadata.creationTimestamp!)) / 1000;
    expect(Math.abs(Number(completed.detail.rtoSeconds) - simulatedRto)).toBeLessThanOrEqual(10);
    expect(Number(completed.detail.detectionLagSeconds)).toBeLessThanOrEqual(10);
    expect(local.events.ofType('Restore Started').map((e) => e.detail.clusterName)).toContain('hendrix-latest');
    expect(local.metrics.points.filter((p) => p.name === 'RestoreRtoSeconds')).toEqual([
      { target: 'hendrix', name: 'RestoreRtoSeconds', value: completed.detail.rtoSeconds, unit: 'Seconds' },
    ]);
  });

  test('by name: exactly that backup', async () => {
    const { result, execution } = await restoreOf({ target: 'hendrix', backup: 'hendrix-20261124010000', clusterName: 'hendrix-by-name' });
    expect(result.backup).toBe('hendrix-20261124010000');
    expect(execution?.status).toBe('SUCCEEDED');
  });

  test('before a time: the latest backup that ended by then', async () => {
    const { result, execution } = await restoreOf({ target: 'hendrix', before: '2026-11-24T02:30:00Z', clusterName: 'hendrix-before' });
    expect(result.backup).toBe('hendrix-20261124020000');
    expect(execution?.status).toBe('SUCCEEDED');
  });

  test('point in time: the backup before it, replaying WAL from the source archive to the target time', async () => {
    const { result, execution } = await restoreOf({ target: 'hendrix', pointInTime: '2026-11-24T02:47:00Z', clusterName: 'hendrix-pitr' });
    expect(result.backup).toBe('hendrix-20261124020000');
    expect(result.manifest.spec.bootstrap).toMatchObject({
      recovery: { source: 'origin', recoveryTarget: { targetTime: '2026-11-24T02:47:00Z' } },
    });
    expect(execution?.status).toBe('SUCCEEDED');
  });

  test('replica: a replica cluster of the source through its archive', async () => {
    const { result, execution } = await restoreOf({ target: 'hendrix', replica: true, clusterName: 'hendrix-dr' });
    expect(result.manifest.spec.replica).toEqual({ enabled: true, source: 'origin' });
    expect(execution?.status).toBe('SUCCEEDED');
  });

  test('dry run: the manifest, and nothing created', async () => {
    const before = clusters().length;
    const { result } = await restoreOf({ target: 'hendrix', dryRun: true, clusterName: 'hendrix-dry' });
    expect(result).toMatchObject({ dryRun: true, clusterName: 'hendrix-dry' });
    expect(result.executionArn).toBeUndefined();
    expect(clusters()).toHaveLength(before);
  });

  test('a retried request is recognised, not restored twice', async () => {
    const first = await restoreOf({ target: 'jimi', clusterName: 'jimi-restore', requestId: 'incident-1' });
    expect(first.execution?.status).toBe('SUCCEEDED');
    const again = await local.requestRestore({ target: 'jimi', clusterName: 'jimi-restore', requestId: 'incident-1' });
    expect(again.started).toBe(false);
    await expect(local.requestRestore({ target: 'jimi', clusterName: 'jimi-other', requestId: 'incident-1' })).rejects.toThrow(
      'This request was already made: cluster demo/jimi-restore was restored for it',
    );
    expect(clusters().filter((c) => c.metadata.labels?.['cnpg-snapshot-scheduler/restore-request'] === 'incident-1')).toHaveLength(1);
  });

  test.each([
    [{ target: 'hendrix', clusterName: 'jimi' }, 'ConflictError', 'Cluster demo/jimi already exists; choose another clusterName'],
    [
      { target: 'hendrix', pointInTime: '2026-11-23T00:00:00Z' },
      'PreconditionFailedError',
      'No completed backup of cluster hendrix ended at or before',
    ],
    [
      { target: 'jimi', pointInTime: '2026-11-24T02:47:00Z' },
      'PreconditionFailedError',
      'pointInTime needs a WAL archive, and cluster jimi has none',
    ],
    [{ target: 'hendrix', backup: 'hendrix-20991124010000' }, 'PreconditionFailedError', 'Backup hendrix-20991124010000 does not exist'],
    [{ target: 'nobody' }, 'InvalidInputError', 'no configured target is named "nobody"'],
    [{ target: 'hendrix', clusterName: 'x'.repeat(60) }, 'InvalidInputError', 'clusterName: must be at most 43 characters'],
  ])('refuses %j with %s, creating nothing', async (payload, errorName, message) => {
    const before = { clusters: clusters().length, creates: local.server.requests.filter((r) => r.verb === 'create').length };
    const error = await local.requestRestore(payload).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.name).toBe(errorName);
    expect(error?.message).toContain(message);
    expect(clusters()).toHaveLength(before.clusters);
    expect(local.server.requests.filter((r) => r.verb === 'create')).toHaveLength(before.creates);
  });

  test('a snapshot deleted before the restore is refused up front', async () => {
    const kube = await local.kube('jimi');
    await kube.delete('volumesnapshots', 'demo', 'jimi-20261124030000-wal');
    const error = await local.requestRestore({ target: 'jimi', clusterName: 'jimi-gone' }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toBe(
      'VolumeSnapshot demo/jimi-20261124030000-wal of backup jimi-20261124030000 does not exist (deleted?); choose another backup',
    );
    expect(clusters().find((c) => c.metadata.name === 'jimi-gone')).toBeUndefined();
  });

  test('a snapshot deleted after the request leaves CNPG waiting, and the restore times out saying why', async () => {
    const planned = await local.requestRestore({ target: 'jimi', backup: 'jimi-20261124020000', clusterName: 'jimi-late', dryRun: true });
    const { dryRun, manifest, requestId, ...summary } = planned;
    const kube = await local.kube('jimi');
    await kube.delete('volumesnapshots', 'demo', 'jimi-20261124020000');
    const execution = await local.runWorkflow('restore', {
      source: { target: 'jimi', eksCluster: local.target('jimi').eksCluster, namespace: 'demo', cluster: 'jimi' },
      backup: planned.backup,
      requestId: 'late-delete',
      timeoutSeconds: 600,
      manifest,
      summary,
    });
    expect({ dryRun, requestId }).toEqual({ dryRun: true, requestId: expect.any(String) });
    expect(execution).toMatchObject({ status: 'FAILED', error: 'RestoreTimedOut' });
    expect(execution.cause).toContain('no phase yet: CNPG is checking the snapshots');
  });

  test.each([
    ['unrecoverable', 'RestoreFailed', 'Cluster is unrecoverable and needs manual intervention'],
    ['job-failed', 'RestoreFailed', 'Job hendrix-job-failed-1-snapshot-recovery failed'],
    ['never-ready', 'RestoreTimedOut', 'not ready after 30 minutes; last state: Setting up primary'],
  ] as const)('a restore that goes %s ends %s with the reason', async (failure, error, reason) => {
    const clusterName = `hendrix-${failure}`;
    local.server.cnpg.configure('demo', clusterName, { restoreFailure: failure });
    // Kubernetes retries the Job's pods: its seventh failure, and so the Job's, comes 16 minutes in.
    const { execution } = await restoreOf({ target: 'hendrix', clusterName, timeoutMinutes: 30 });
    expect(execution).toMatchObject({ status: 'FAILED', error });
    expect(execution?.cause).toContain(reason);
    const event = local.events.events.find((e) => e.detail.clusterName === clusterName && e.detailType !== 'Restore Started')!;
    expect(event.detailType).toBe(error === 'RestoreFailed' ? 'Restore Failed' : 'Restore Timed Out');
  });
});
