import { recordedBackup, recoveryPointImport } from '../../lambdas/domain/recovery-point-import';
import type { RecoveryPointRecord } from '../../lambdas/domain/recovery-point-record';

const RECORD: RecoveryPointRecord = {
  target: 'hendrix',
  backup: 'hendrix-20261124000000',
  eksCluster: 'prod-eks',
  namespace: 'demo',
  cluster: 'hendrix',
  startedAt: '2026-11-24T00:00:05Z',
  stoppedAt: '2026-11-24T00:03:05Z',
  postgresMajor: 17,
  clusterManifest: '{"metadata":{"name":"hendrix"},"spec":{"instances":3}}',
  volumes: [
    {
      role: 'PG_DATA',
      snapshot: 'hendrix-20261124000000',
      content: 'snapcontent-1',
      snapshotHandle: 'snap-0aa',
      restoreSizeBytes: 53_687_091_200,
      driver: 'ebs.csi.aws.com',
      volumeSnapshotClass: 'csi-aws-vsc',
      cnpgLabels: { 'cnpg.io/backupName': 'hendrix-20261124000000' },
      cnpgAnnotations: { 'cnpg.io/pvcRole': 'PG_DATA', 'cnpg.io/backupLabelFile': 'U1RBUlQ=' },
    },
    {
      role: 'PG_TABLESPACE',
      tablespace: 'idx',
      snapshot: 'hendrix-20261124000000-tbs-idx',
      content: 'snapcontent-2',
      snapshotHandle: 'snap-0bb',
      restoreSizeBytes: 1_073_741_824,
      driver: 'ebs.csi.aws.com',
    },
  ],
};

describe('a recovery point imported from the catalog', () => {
  const imported = recoveryPointImport(RECORD, { eksCluster: 'dr-eks', namespace: 'payments' }, 'req-1');

  test('is one Retain content per volume, naming the storage snapshot and the VolumeSnapshot it is for', () => {
    expect(imported.contents.map((c) => [c.metadata.name, c.spec])).toEqual([
      [
        imported.snapshots[0]!.metadata.name,
        {
          deletionPolicy: 'Retain',
          driver: 'ebs.csi.aws.com',
          source: { snapshotHandle: 'snap-0aa' },
          volumeSnapshotRef: { name: imported.snapshots[0]!.metadata.name, namespace: 'payments' },
          volumeSnapshotClassName: 'csi-aws-vsc',
        },
      ],
      [
        imported.snapshots[1]!.metadata.name,
        {
          deletionPolicy: 'Retain',
          driver: 'ebs.csi.aws.com',
          source: { snapshotHandle: 'snap-0bb' },
          volumeSnapshotRef: { name: imported.snapshots[1]!.metadata.name, namespace: 'payments' },
        },
      ],
    ]);
  });

  test("gives each snapshot the original's name with the request's digest, CNPG's metadata, and the recorded Cluster on PGDATA", () => {
    const [data, tablespace] = imported.snapshots;
    expect(data!.metadata.name).toMatch(/^hendrix-20261124000000-[0-9a-f]{8}$/);
    expect(tablespace!.metadata.name).toMatch(/^hendrix-20261124000000-tbs-idx-[0-9a-f]{8}$/);
    expect(data!.metadata.labels).toEqual({
      'cnpg.io/backupName': 'hendrix-20261124000000',
      'app.kubernetes.io/managed-by': 'cnpg-snapshot-scheduler',
      'cnpg-snapshot-scheduler/restore-request': 'req-1',
    });
    expect(data!.metadata.annotations).toEqual({
      ...RECORD.volumes[0]!.cnpgAnnotations,
      'cnpg.io/clusterManifest': RECORD.clusterManifest,
    });
    expect(tablespace!.metadata.annotations).toEqual({});
    expect(data!.spec).toEqual({ source: { volumeSnapshotContentName: data!.metadata.name }, volumeSnapshotClassName: 'csi-aws-vsc' });
    // Another request imports under other names: two restores of one backup never share an object.
    const other = recoveryPointImport(RECORD, { eksCluster: 'dr-eks', namespace: 'payments' }, 'req-2');
    expect(other.snapshots[0]!.metadata.name).not.toBe(data!.metadata.name);
  });

  test('is planned as the Backup the catalog recorded, its elements naming the imported snapshots', () => {
    expect(imported.plan.backup.status).toEqual({
      phase: 'completed',
      startedAt: RECORD.startedAt,
      stoppedAt: RECORD.stoppedAt,
      majorVersion: 17,
      snapshotBackupStatus: {
        elements: [
          { name: imported.snapshots[0]!.metadata.name, type: 'PG_DATA' },
          { name: imported.snapshots[1]!.metadata.name, type: 'PG_TABLESPACE', tablespaceName: 'idx' },
        ],
      },
    });
    expect(imported.plan.snapshots.map((s) => s.status)).toEqual([
      { readyToUse: true, restoreSize: '53687091200' },
      { readyToUse: true, restoreSize: '1073741824' },
    ]);
    expect(recordedBackup(RECORD).status?.snapshotBackupStatus?.elements?.map((e) => e.name)).toEqual([
      'hendrix-20261124000000',
      'hendrix-20261124000000-tbs-idx',
    ]);
  });
});
