import type { Cluster, Job, PersistentVolumeClaim } from '../../lambdas/domain/kube-objects';
import { exampleCluster } from '../../simulator/kube-api-server/fixtures';
import { backupManifest, CNPG, NAMESPACE, startHarness, type Harness } from './api-harness';

let harness: Harness;
beforeEach(async () => {
  harness = await startHarness();
});
afterEach(() => harness.close());

const START = new Date('2026-11-02T00:00:00Z').getTime();
const advance = (seconds: number) => harness.clock.advance(seconds * 1000);
const snapshotRef = (name: string) => ({ name, kind: 'VolumeSnapshot', apiGroup: 'snapshot.storage.k8s.io' });

/** A completed volume-snapshot backup `nightly` of the seeded cluster hendrix (PGDATA and WAL), taken before the test starts. */
function completedBackup(): void {
  harness.server.seed(exampleCluster({ namespace: NAMESPACE, name: 'hendrix' }));
  harness.server.seed(backupManifest('nightly', 'hendrix'));
  advance(185);
}

function restoreManifest(name: string, recovery: Record<string, unknown>): Cluster {
  const { spec, apiVersion, kind } = exampleCluster({ namespace: NAMESPACE, name, instances: 1 });
  return { apiVersion, kind, metadata: { name, namespace: NAMESPACE }, spec: { ...spec, bootstrap: { recovery } } };
}

const fromSnapshots = (name = 'restored', wal = 'nightly-wal') =>
  restoreManifest(name, { volumeSnapshots: { storage: snapshotRef('nightly'), walStorage: snapshotRef(wal) } });

async function createCluster(manifest: Cluster): Promise<void> {
  await harness.admin.custom.createNamespacedCustomObject({ ...CNPG, namespace: NAMESPACE, plural: 'clusters', body: manifest });
}

const cluster = (name = 'restored') => harness.server.objects<Cluster>('clusters', NAMESPACE).find((c) => c.metadata.name === name)!;
const claims = (name = 'restored') =>
  harness.server
    .objects<PersistentVolumeClaim>('persistentvolumeclaims', NAMESPACE)
    .filter((c) => c.metadata.labels?.['cnpg.io/cluster'] === name);
const job = (name = 'restored') =>
  harness.server.objects<Job>('jobs', NAMESPACE).find((j) => j.metadata.name === `${name}-1-snapshot-recovery`);
const secondsSinceStart = (date: Date | undefined) => (date === undefined ? undefined : (date.getTime() - START) / 1000);

describe('a Cluster bootstrapped from volume snapshots', () => {
  test('gets claims restored from the snapshots and a snapshot-recovery job, while Setting up primary', async () => {
    completedBackup();
    await createCluster(fromSnapshots());
    expect(cluster().status).toMatchObject({
      phase: 'Setting up primary',
      phaseReason: 'Creating primary instance restored-1',
      readyInstances: 0,
    });
    expect(claims().map((c) => [c.metadata.name, c.spec.dataSource, c.status?.phase])).toEqual([
      ['restored-1', snapshotRef('nightly'), 'Pending'],
      ['restored-1-wal', snapshotRef('nightly-wal'), 'Pending'],
    ]);
    expect(job()?.metadata.labels).toMatchObject({ 'cnpg.io/jobRole': 'snapshot-recovery', 'cnpg.io/cluster': 'restored' });
    advance(9);
    expect(claims().map((c) => c.status?.phase)).toEqual(['Bound', 'Bound']);
  });

  test('becomes healthy and ready after the restore time, with its job succeeded', async () => {
    completedBackup();
    await createCluster(fromSnapshots());
    advance(89);
    expect(cluster().status?.phase).toBe('Setting up primary');
    advance(1);
    expect(cluster().status).toMatchObject({
      phase: 'Cluster in healthy state',
      readyInstances: 1,
      currentPrimary: 'restored-1',
      targetPrimary: 'restored-1',
      conditions: expect.arrayContaining([expect.objectContaining({ type: 'Ready', status: 'True', reason: 'ClusterIsReady' })]),
    });
    expect(job()?.status).toMatchObject({ succeeded: 1 });
    expect(secondsSinceStart(harness.server.cnpg.readyAt(NAMESPACE, 'restored'))).toBe(185 + 90);
  });

  test('takes the configured restore time', async () => {
    completedBackup();
    harness.server.cnpg.configure(NAMESPACE, 'restored', { restoreSeconds: 600 });
    await createCluster(fromSnapshots());
    advance(3600);
    expect(secondsSinceStart(harness.server.cnpg.readyAt(NAMESPACE, 'restored'))).toBe(185 + 600);
  });

  test.each([
    ['a snapshot that does not exist', () => fromSnapshots('restored', 'missing-wal')],
    [
      'a WAL snapshot whose pvcRole is PG_DATA',
      () => restoreManifest('restored', { volumeSnapshots: { storage: snapshotRef('nightly'), walStorage: snapshotRef('nightly') } }),
    ],
  ])('waits silently, with no phase, on %s', async (_case, manifest) => {
    completedBackup();
    await createCluster(manifest());
    advance(3600);
    expect(cluster().status).toBeUndefined();
    expect(claims()).toEqual([]);
    expect(job()).toBeUndefined();
  });

  test('waits while PGDATA and WAL come from different backups, and starts once they agree', async () => {
    completedBackup();
    harness.server.seed(backupManifest('later', 'hendrix'));
    advance(185);
    await createCluster(fromSnapshots('restored', 'later-wal'));
    advance(60);
    expect(cluster().status).toBeUndefined();
    await harness.admin.custom.deleteNamespacedCustomObject({ ...CNPG, namespace: NAMESPACE, plural: 'backups', name: 'later' });
    await harness.admin.custom.deleteNamespacedCustomObject({
      group: 'snapshot.storage.k8s.io',
      version: 'v1',
      namespace: NAMESPACE,
      plural: 'volumesnapshots',
      name: 'later-wal',
    });
    harness.server.seed({
      apiVersion: 'snapshot.storage.k8s.io/v1',
      kind: 'VolumeSnapshot',
      metadata: {
        name: 'later-wal',
        namespace: NAMESPACE,
        labels: { 'cnpg.io/backupName': 'nightly' },
        annotations: { 'cnpg.io/pvcRole': 'PG_WAL' },
      },
      spec: { source: { persistentVolumeClaimName: 'hendrix-2-wal' } },
      status: { readyToUse: true },
    });
    advance(90);
    expect(cluster().status?.phase).toBe('Cluster in healthy state');
    expect(secondsSinceStart(harness.server.cnpg.readyAt(NAMESPACE, 'restored'))).toBe(185 + 185 + 60 + 90);
  });

  test('can fail with its recovery job, every pod of it, staying in Setting up primary', async () => {
    completedBackup();
    harness.server.cnpg.configure(NAMESPACE, 'restored', { restoreFailure: 'job-failed' });
    await createCluster(fromSnapshots());
    advance(3600);
    expect(job()?.status).toMatchObject({
      failed: 7,
      conditions: [expect.objectContaining({ type: 'Failed', reason: 'BackoffLimitExceeded' })],
    });
    expect(cluster().status?.phase).toBe('Setting up primary');
    expect(harness.server.cnpg.readyAt(NAMESPACE, 'restored')).toBeUndefined();
  });

  test('can end unrecoverable', async () => {
    completedBackup();
    harness.server.cnpg.configure(NAMESPACE, 'restored', { restoreFailure: 'unrecoverable' });
    await createCluster(fromSnapshots());
    advance(3600);
    expect(cluster().status?.phase).toBe('Cluster is unrecoverable and needs manual intervention');
  });

  test('can never become ready', async () => {
    completedBackup();
    harness.server.cnpg.configure(NAMESPACE, 'restored', { restoreFailure: 'never-ready' });
    await createCluster(fromSnapshots());
    advance(24 * 3600);
    expect(cluster().status).toMatchObject({ phase: 'Setting up primary', readyInstances: 0 });
    expect(job()?.status).toMatchObject({ active: 1 });
  });

  test('owns its claims and job, so deleting it removes them', async () => {
    completedBackup();
    await createCluster(fromSnapshots());
    advance(90);
    await harness.admin.custom.deleteNamespacedCustomObject({ ...CNPG, namespace: NAMESPACE, plural: 'clusters', name: 'restored' });
    expect([claims(), job()]).toEqual([[], undefined]);
    expect(secondsSinceStart(harness.server.cnpg.readyAt(NAMESPACE, 'restored'))).toBe(185 + 90);
  });
});

describe('other bootstraps', () => {
  test('a Cluster recovering from a Backup waits for it to complete, then restores its snapshots', async () => {
    harness.server.seed(exampleCluster({ namespace: NAMESPACE, name: 'hendrix' }));
    harness.server.seed(backupManifest('nightly', 'hendrix'));
    await createCluster(restoreManifest('restored', { backup: { name: 'nightly' } }));
    advance(100);
    expect(cluster().status).toBeUndefined();
    advance(3600);
    expect(claims().map((c) => c.spec.dataSource?.name)).toEqual(['nightly', 'nightly-wal']);
    expect(secondsSinceStart(harness.server.cnpg.readyAt(NAMESPACE, 'restored'))).toBe(185 + 90);
  });

  test('a new Cluster without a bootstrap becomes healthy after the same delay', async () => {
    const { spec, apiVersion, kind } = exampleCluster({ namespace: NAMESPACE, name: 'fresh', instances: 3 });
    await createCluster({ apiVersion, kind, metadata: { name: 'fresh', namespace: NAMESPACE }, spec });
    advance(90);
    expect(cluster('fresh').status).toMatchObject({ phase: 'Cluster in healthy state', readyInstances: 3 });
    expect(claims('fresh').every((c) => c.spec.dataSource === undefined)).toBe(true);
  });

  test('a seeded Cluster keeps the status it was given', () => {
    harness.server.seed(exampleCluster({ namespace: NAMESPACE, name: 'hendrix' }));
    advance(3600);
    expect(cluster('hendrix').status?.conditions?.[0]?.lastTransitionTime).toBe('2026-10-01T00:00:00Z');
    expect(claims('hendrix')).toEqual([]);
  });
});
