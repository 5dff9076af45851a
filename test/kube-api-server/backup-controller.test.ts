import type { Backup, VolumeSnapshot } from '../../lambdas/domain/kube-objects';
import { exampleCluster, type ExampleClusterOptions } from '../../simulator/kube-api-server/fixtures';
import { backupManifest, CNPG, NAMESPACE, SCHEDULER, startHarness, type Harness } from './api-harness';

let harness: Harness;
beforeEach(async () => {
  harness = await startHarness();
});
afterEach(() => harness.close());

const START = new Date('2026-11-02T00:00:00Z').getTime();
const at = (seconds: number) => new Date(START + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

function seedCluster(options: Partial<ExampleClusterOptions> = {}): void {
  harness.server.seed(exampleCluster({ namespace: NAMESPACE, name: 'hendrix', ...options }));
}

async function createBackup(name: string, extra: Record<string, unknown> = {}): Promise<void> {
  await harness.as(SCHEDULER).custom.createNamespacedCustomObject({
    ...CNPG,
    namespace: NAMESPACE,
    plural: 'backups',
    body: backupManifest(name, 'hendrix', extra),
  });
}

const backup = (name: string) => harness.server.objects<Backup>('backups', NAMESPACE).find((b) => b.metadata.name === name)!;
const snapshots = () => harness.server.objects<VolumeSnapshot>('volumesnapshots', NAMESPACE);
const advance = (seconds: number) => harness.clock.advance(seconds * 1000);

describe('volume-snapshot backups', () => {
  test('go pending, started after 5 s, finalizing after 60 s more and completed after 120 s more', async () => {
    seedCluster();
    await createBackup('nightly');
    const phases = [backup('nightly').status?.phase];
    for (const step of [4, 1, 59, 1, 119, 1]) {
      advance(step);
      phases.push(backup('nightly').status?.phase);
    }
    expect(phases).toEqual(['pending', 'pending', 'started', 'started', 'finalizing', 'finalizing', 'completed']);
    expect(backup('nightly').status).toMatchObject({
      method: 'volumeSnapshot',
      startedAt: at(5),
      stoppedAt: at(185),
      backupId: 'nightly',
      backupName: 'nightly',
      majorVersion: 17,
    });
  });

  test('a clock jump processes every transition at the time it was due', async () => {
    seedCluster();
    await createBackup('nightly');
    advance(3600);
    expect(backup('nightly').status).toMatchObject({ phase: 'completed', startedAt: at(5), stoppedAt: at(185) });
    expect(snapshots()[0]!.status).toMatchObject({ creationTime: at(65), readyToUse: true });
  });

  test('snapshot PGDATA, WAL and each tablespace of the elected pod, with the labels and annotations CNPG writes', async () => {
    seedCluster({ tablespaces: ['analytics_2024'] });
    await createBackup('nightly');
    advance(5);
    expect(
      snapshots().map((s) => [s.metadata.name, s.spec.source.persistentVolumeClaimName, s.metadata.annotations?.['cnpg.io/pvcRole']]),
    ).toEqual([
      ['nightly', 'hendrix-2', 'PG_DATA'],
      ['nightly-tbs-analytics-2024', 'hendrix-2-tbs-analytics-2024', 'PG_TABLESPACE'],
      ['nightly-wal', 'hendrix-2-wal', 'PG_WAL'],
    ]);
    const data = snapshots()[0]!;
    expect(data.spec.volumeSnapshotClassName).toBe('csi-aws-vsc');
    expect(data.metadata.labels).toMatchObject({
      'cnpg.io/cluster': 'hendrix',
      'cnpg.io/backupName': 'nightly',
      'cnpg.io/majorVersion': '17',
      'cnpg.io/backupDate': '20261102',
      'cnpg.io/backupMonth': '202611',
      'cnpg.io/backupYear': '2026',
      'app.kubernetes.io/managed-by': 'cloudnative-pg',
    });
    expect(data.metadata.annotations).toMatchObject({
      'cnpg.io/instanceName': 'hendrix-2',
      'cnpg.io/instanceRole': 'replica',
      'cnpg.io/onlineBackup': 'false',
    });
    expect(data.metadata.labels).not.toHaveProperty('cnpg.io/pvcRole');
    expect(backup('nightly').status?.phase).toBe('started');
  });

  test("the stanza's labels and annotations go on every snapshot, under the ones CNPG sets itself", async () => {
    // createSnapshot copies the stanza's over the PVC's; enrichSnapshot then sets its own over both.
    const cluster = exampleCluster({ namespace: NAMESPACE, name: 'hendrix' });
    cluster.spec.backup!.volumeSnapshot = {
      ...cluster.spec.backup!.volumeSnapshot!,
      labels: { team: 'payments', 'app.kubernetes.io/managed-by': 'platform', 'cnpg.io/backupName': 'other' },
      annotations: { owner: 'dba', 'cnpg.io/clusterManifest': '{}' },
    };
    harness.server.seed(cluster);
    await createBackup('nightly');
    advance(5);
    for (const snapshot of snapshots()) {
      expect(snapshot.metadata.labels).toMatchObject({
        team: 'payments',
        'app.kubernetes.io/managed-by': 'cloudnative-pg',
        'cnpg.io/backupName': 'nightly',
        'cnpg.io/cluster': 'hendrix',
      });
      expect(snapshot.metadata.annotations?.owner).toBe('dba');
      expect(JSON.parse(snapshot.metadata.annotations!['cnpg.io/clusterManifest']!)).toMatchObject({ metadata: { name: 'hendrix' } });
    }
    expect(snapshots()).toHaveLength(2);
  });

  test('record the snapshots in the backup when they are provisioned, and stamp them at completion', async () => {
    seedCluster({ tablespaces: ['tbs1'] });
    await createBackup('nightly');
    advance(65);
    expect(backup('nightly').status).toMatchObject({
      phase: 'finalizing',
      snapshotBackupStatus: {
        elements: [
          { name: 'nightly', type: 'PG_DATA' },
          { name: 'nightly-tbs-tbs1', type: 'PG_TABLESPACE', tablespaceName: 'tbs1' },
          { name: 'nightly-wal', type: 'PG_WAL' },
        ],
      },
      beginWal: expect.stringMatching(/^[0-9A-F]{24}$/),
      endLSN: expect.stringMatching(/^[0-9A-F]+\/[0-9A-F]+$/),
    });
    expect(snapshots().map((s) => s.status)).toEqual([
      expect.objectContaining({
        readyToUse: false,
        restoreSize: '50Gi',
        boundVolumeSnapshotContentName: expect.stringMatching(/^snapcontent-/),
      }),
      expect.objectContaining({ readyToUse: false, restoreSize: '5Gi' }),
      expect.objectContaining({ readyToUse: false, restoreSize: '10Gi' }),
    ]);
    advance(120);
    expect(snapshots().map((s) => [s.status?.readyToUse, s.metadata.annotations?.['cnpg.io/backupEndTime']])).toEqual([
      [true, at(185)],
      [true, at(185)],
      [true, at(185)],
    ]);
  });

  test.each([
    ['prefer-standby (the default) on a 3-instance cluster', { instances: 3 }, {}, 'hendrix-2'],
    ['prefer-standby on a single instance', { instances: 1 }, {}, 'hendrix-1'],
    ['target primary', { instances: 3 }, { target: 'primary' }, 'hendrix-1'],
  ])('elect the pod for %s', async (_case, cluster, spec, pod) => {
    seedCluster(cluster);
    await createBackup('nightly', spec);
    advance(5);
    expect(backup('nightly').status).toMatchObject({ instanceID: { podName: pod } });
  });

  test('own their snapshots when the cluster says snapshotOwnerReference: backup, so deleting the backup deletes them', async () => {
    seedCluster({ snapshotOwnerReference: 'backup' });
    await createBackup('nightly');
    advance(185);
    expect(snapshots()[0]!.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'Backup', name: 'nightly', uid: backup('nightly').metadata.uid, controller: true }),
    ]);
    await harness.as(SCHEDULER).custom.deleteNamespacedCustomObject({ ...CNPG, namespace: NAMESPACE, plural: 'backups', name: 'nightly' });
    expect(snapshots()).toEqual([]);
  });

  test('run one at a time per cluster: a second backup waits, then starts 5 s after the first ends', async () => {
    seedCluster();
    await createBackup('first');
    advance(10);
    await createBackup('second');
    advance(100);
    expect([backup('first').status?.phase, backup('second').status?.phase]).toEqual(['finalizing', 'pending']);
    advance(3600);
    expect(backup('second').status).toMatchObject({ phase: 'completed', startedAt: at(190) });
  });

  test('queue the oldest pending backup first, by creation time and then name', async () => {
    seedCluster();
    await createBackup('running');
    advance(10);
    await createBackup('b-later-name');
    await createBackup('a-earlier-name');
    advance(185);
    expect([backup('a-earlier-name').status?.phase, backup('b-later-name').status?.phase]).toEqual(['started', 'pending']);
  });

  test('fail when the CSI driver reports an error, leaving the snapshots behind with the error', async () => {
    seedCluster();
    harness.server.cnpg.configure(NAMESPACE, 'hendrix', { csiError: 'SnapshotCreationPerVolumeRateExceeded' });
    await createBackup('nightly');
    advance(65);
    expect(backup('nightly').status).toMatchObject({
      phase: 'failed',
      error: "can't execute snapshot backup: SnapshotCreationPerVolumeRateExceeded",
    });
    expect(snapshots().map((s) => s.status?.error?.message)).toEqual([
      'SnapshotCreationPerVolumeRateExceeded',
      'SnapshotCreationPerVolumeRateExceeded',
    ]);
  });

  test('stay pending while the operator is stuck, and start 5 s after it recovers', async () => {
    seedCluster();
    harness.server.cnpg.configure(NAMESPACE, 'hendrix', { stuckPending: true });
    await createBackup('nightly');
    advance(3600);
    expect(backup('nightly').status?.phase).toBe('pending');
    harness.server.cnpg.configure(NAMESPACE, 'hendrix', { stuckPending: false });
    advance(5);
    expect(backup('nightly').status).toMatchObject({ phase: 'started', startedAt: at(3605) });
  });

  test('take the configured time to finalize', async () => {
    seedCluster();
    harness.server.cnpg.configure(NAMESPACE, 'hendrix', { finalizingSeconds: 1800 });
    await createBackup('nightly');
    advance(1864);
    expect(backup('nightly').status?.phase).toBe('finalizing');
    advance(1);
    expect(backup('nightly').status).toMatchObject({ phase: 'completed', stoppedAt: at(1865) });
  });

  test('fail at once on a hibernated cluster', async () => {
    seedCluster({ hibernated: true });
    await createBackup('nightly');
    expect(backup('nightly').status).toMatchObject({ phase: 'failed', error: 'cannot backup a hibernated cluster' });
    expect(snapshots()).toEqual([]);
  });

  test('fail at once on a cluster without a volumeSnapshot stanza', async () => {
    seedCluster({ volumeSnapshot: false });
    await createBackup('nightly');
    expect(backup('nightly').status).toMatchObject({ phase: 'failed', error: 'no volumeSnapshot section defined on the target cluster' });
  });

  test('stay pending while their cluster does not exist, and start once it does', async () => {
    await createBackup('nightly');
    advance(600);
    expect(backup('nightly').status?.phase).toBe('pending');
    seedCluster();
    advance(5);
    expect(backup('nightly').status).toMatchObject({ phase: 'started', startedAt: at(605) });
  });

  test('queue with backups of every method: a barman backup ahead (never run here) holds the snapshot backups', async () => {
    // CanExecuteBackup lists the cluster's Backups whatever their method; no instance manager runs the barman one here.
    seedCluster();
    await createBackup('barman', { method: 'barmanObjectStore' });
    advance(1);
    await createBackup('nightly');
    advance(3600);
    expect([backup('barman').status?.phase, backup('nightly').status?.phase]).toEqual(['pending', 'pending']);
  });

  test('a finalizing backup is not executing, but as the oldest not done it still holds a newer one', async () => {
    seedCluster();
    harness.server.cnpg.configure(NAMESPACE, 'hendrix', { finalizingSeconds: 7200 });
    await createBackup('first');
    advance(100);
    await createBackup('second');
    advance(3600);
    expect([backup('first').status?.phase, backup('second').status?.phase]).toEqual(['finalizing', 'pending']);
    advance(3600);
    expect(backup('first').status).toMatchObject({ phase: 'completed', stoppedAt: at(7265) });
    advance(5);
    expect(backup('second').status).toMatchObject({ phase: 'started', startedAt: at(7270) });
  });

  test('the admission guard holds a refused backup as an invalid definition, with the fields it refused', async () => {
    seedCluster();
    harness.server.cnpg.configure(NAMESPACE, 'hendrix', { refuseVolumeSnapshotBackups: true });
    await createBackup('refused');
    advance(3600);
    expect(backup('refused').status).toEqual({
      phase: 'invalid backup definition',
      error: 'the resource failed admission validation on: spec.method (see the operator logs for details)',
    });
  });

  test('an invalid definition is not final: admitted again, the backup is reset and started', async () => {
    seedCluster();
    harness.server.cnpg.configure(NAMESPACE, 'hendrix', { refuseVolumeSnapshotBackups: true });
    await createBackup('refused');
    advance(600);
    expect(backup('refused').status?.phase).toBe('invalid backup definition');
    harness.server.cnpg.configure(NAMESPACE, 'hendrix', { refuseVolumeSnapshotBackups: false });
    expect(backup('refused').status).toEqual({ phase: 'pending' });
    advance(5);
    expect(backup('refused').status).toMatchObject({ phase: 'started', startedAt: at(605) });
  });

  test("a backup's onlineConfiguration replaces the cluster's whole one (GetVolumeSnapshotConfiguration)", async () => {
    seedCluster({ onlineConfiguration: { waitForArchive: false } });
    await createBackup('checkpoint', { onlineConfiguration: { immediateCheckpoint: true } });
    advance(5);
    // The Backup CRD defaults waitForArchive to true: the cluster's false is gone.
    expect(harness.server.cnpg.configurationUsedBy(NAMESPACE, 'checkpoint')?.onlineConfiguration).toEqual({
      immediateCheckpoint: true,
      waitForArchive: true,
    });
  });

  test("without an onlineConfiguration of its own, a backup runs with the cluster's", async () => {
    seedCluster({ onlineConfiguration: { waitForArchive: false } });
    await createBackup('plain');
    advance(5);
    expect(harness.server.cnpg.configurationUsedBy(NAMESPACE, 'plain')).toMatchObject({
      online: true,
      onlineConfiguration: { waitForArchive: false },
    });
  });
});
