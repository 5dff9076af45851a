import type { VolumeSnapshot, VolumeSnapshotContent } from '../../lambdas/domain/kube-objects';
import {
  catalogChangesOfRetention,
  recoveryPointRecordOf,
  withStorageEncryption,
  type RecoveryPointRecord,
} from '../../lambdas/domain/recovery-point-record';

const TARGET = { name: 'hendrix', eksCluster: 'prod-eks', namespace: 'demo', cluster: 'hendrix' };
const MANIFEST = JSON.stringify({
  metadata: { name: 'hendrix' },
  spec: { imageName: 'ghcr.io/cloudnative-pg/postgresql:16.4' },
  status: { image: 'ghcr.io/cloudnative-pg/postgresql:17.5' },
});

function snapshot(name: string, role: string, extra: { tablespace?: string; manifest?: boolean } = {}): VolumeSnapshot {
  return {
    apiVersion: 'snapshot.storage.k8s.io/v1',
    kind: 'VolumeSnapshot',
    metadata: {
      name,
      namespace: 'demo',
      ...(extra.tablespace !== undefined && { labels: { 'cnpg.io/tablespaceName': extra.tablespace } }),
      annotations: { 'cnpg.io/pvcRole': role, ...((extra.manifest ?? true) && { 'cnpg.io/clusterManifest': MANIFEST }) },
    },
    spec: { source: { persistentVolumeClaimName: `hendrix-1-${name}` }, volumeSnapshotClassName: 'csi-aws-vsc' },
  };
}

function content(name: string, handle: string | undefined): VolumeSnapshotContent {
  return {
    apiVersion: 'snapshot.storage.k8s.io/v1',
    kind: 'VolumeSnapshotContent',
    metadata: { name },
    spec: { deletionPolicy: 'Retain', driver: 'ebs.csi.aws.com', source: { volumeHandle: 'vol-1' }, volumeSnapshotRef: { name } },
    status: { ...(handle !== undefined && { snapshotHandle: handle }), restoreSize: 1024 },
  };
}

describe('the catalog record of a completed backup', () => {
  test('names each volume by role, with the storage snapshot; the major version is that of the image the source ran', () => {
    const data = snapshot('b1', 'PG_DATA');
    // CNPG's labels and annotations are kept (a restore elsewhere needs the backup_label); anyone else's are not.
    const hotDataSnapshot: VolumeSnapshot = {
      ...data,
      metadata: {
        ...data.metadata,
        labels: { 'cnpg.io/backupName': 'b1', 'team.example.com/owner': 'payments' },
        annotations: { ...data.metadata.annotations, 'cnpg.io/backupLabelFile': 'U1RBUlQ=', 'kubectl.kubernetes.io/last-applied': '{}' },
      },
    };
    const result = recoveryPointRecordOf({
      target: TARGET,
      backup: 'b1',
      stoppedAt: '2026-11-30T11:03:05Z',
      snapshots: [
        { snapshot: hotDataSnapshot, content: content('c1', 'snap-1') },
        { snapshot: snapshot('b1-tbs-idx', 'PG_TABLESPACE', { tablespace: 'idx', manifest: false }), content: content('c2', 'snap-2') },
      ],
    });
    expect(result).toEqual({
      record: {
        target: 'hendrix',
        backup: 'b1',
        eksCluster: 'prod-eks',
        namespace: 'demo',
        cluster: 'hendrix',
        stoppedAt: '2026-11-30T11:03:05Z',
        postgresMajor: 17,
        clusterManifest: MANIFEST,
        volumes: [
          {
            role: 'PG_DATA',
            snapshot: 'b1',
            content: 'c1',
            snapshotHandle: 'snap-1',
            restoreSizeBytes: 1024,
            driver: 'ebs.csi.aws.com',
            volumeSnapshotClass: 'csi-aws-vsc',
            cnpgLabels: { 'cnpg.io/backupName': 'b1' },
            cnpgAnnotations: { 'cnpg.io/pvcRole': 'PG_DATA', 'cnpg.io/backupLabelFile': 'U1RBUlQ=' },
          },
          {
            role: 'PG_TABLESPACE',
            tablespace: 'idx',
            snapshot: 'b1-tbs-idx',
            content: 'c2',
            snapshotHandle: 'snap-2',
            restoreSizeBytes: 1024,
            driver: 'ebs.csi.aws.com',
            volumeSnapshotClass: 'csi-aws-vsc',
            cnpgLabels: { 'cnpg.io/tablespaceName': 'idx' },
            cnpgAnnotations: { 'cnpg.io/pvcRole': 'PG_TABLESPACE' },
          },
        ],
      },
    });
  });

  test('is not made when a volume could not be restored from: each gap is named', () => {
    const result = recoveryPointRecordOf({
      target: TARGET,
      backup: 'b1',
      stoppedAt: '2026-11-30T11:03:05Z',
      snapshots: [
        { snapshot: snapshot('b1', 'PG_DATA', { manifest: false }), content: content('c1', undefined) },
        { snapshot: snapshot('b1-wal', 'PG_WAL', { manifest: false }), content: undefined },
      ],
    });
    expect(result).toEqual({
      incomplete: [
        'b1: content c1 has no snapshotHandle',
        'b1-wal: no bound VolumeSnapshotContent',
        'no PG_DATA volume',
        'no snapshot carries the source Cluster (annotation cnpg.io/clusterManifest)',
      ],
    });
  });
});

describe('the storage snapshots of a record as the provider describes them', () => {
  const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-4000-8000-0000000e0b5d';
  const made = recoveryPointRecordOf({
    target: TARGET,
    backup: 'b1',
    stoppedAt: '2026-11-30T11:03:05Z',
    snapshots: [
      { snapshot: snapshot('b1', 'PG_DATA'), content: content('c1', 'snap-data') },
      { snapshot: snapshot('b1-wal', 'PG_WAL'), content: content('c2', 'snap-wal') },
    ],
  });
  if (!('record' in made)) throw new Error('the fixture makes a record');
  const { record } = made;

  test("give each volume its encryption and KMS key, the size staying the content's", () => {
    const result = withStorageEncryption(record, [
      { id: 'snap-wal', state: 'completed', encrypted: false },
      { id: 'snap-data', state: 'completed', encrypted: true, kmsKeyId: KEY },
    ]);
    expect(result).toEqual({
      record: {
        ...record,
        volumes: [
          { ...record.volumes[0], encrypted: true, kmsKeyId: KEY, restoreSizeBytes: 1024 },
          { ...record.volumes[1], encrypted: false, restoreSizeBytes: 1024 },
        ],
      },
    });
  });

  test('make no record when a storage snapshot does not exist or has not completed: each is named', () => {
    expect(withStorageEncryption(record, [{ id: 'snap-data', state: 'error', encrypted: true, kmsKeyId: KEY }])).toEqual({
      incomplete: [
        'b1: storage snapshot snap-data is error, not completed',
        'b1-wal: storage snapshot snap-wal does not exist at the provider',
      ],
    });
  });
});

describe('what retention does to the catalog', () => {
  const record = (backup: string, expiredAt?: string): RecoveryPointRecord => ({
    target: 'hendrix',
    backup,
    eksCluster: 'prod-eks',
    namespace: 'demo',
    cluster: 'hendrix',
    stoppedAt: '2026-11-30T11:03:05Z',
    volumes: [
      {
        role: 'PG_DATA',
        snapshot: backup,
        content: `content-${backup}`,
        snapshotHandle: `snap-${backup}`,
        restoreSizeBytes: 1,
        driver: 'ebs.csi.aws.com',
      },
    ],
    clusterManifest: MANIFEST,
    ...(expiredAt !== undefined && { expiredAt }),
  });

  test('expires the records whose storage it releases, and removes an expired record only once its snapshots are gone', () => {
    const changes = catalogChangesOfRetention({
      records: [record('released-gone'), record('released-deleting'), record('expired-earlier', '2026-11-30T00:00:00Z'), record('kept')],
      releasedContents: new Set(['content-released-gone', 'content-released-deleting']),
      remainingSnapshots: new Set(['released-deleting', 'kept']),
    });
    expect(changes).toEqual({ expire: ['released-gone', 'released-deleting'], remove: ['released-gone', 'expired-earlier'] });
  });

  test('keeps an expired record whose snapshots are gone while it has a copy in a DR Region (copy retention removes it)', () => {
    const copied: RecoveryPointRecord = {
      ...record('copied', '2026-11-30T00:00:00Z'),
      copies: [
        {
          region: 'us-west-2',
          kmsKeyId: 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
          startedAt: '2026-11-30T11:04:00Z',
          completedAt: '2026-11-30T11:40:00Z',
          expiresAt: '2026-12-30T11:03:05Z',
          volumes: [{ role: 'PG_DATA', sourceSnapshotHandle: 'snap-copied', snapshotHandle: 'snap-copy-copied' }],
        },
      ],
    };
    expect(catalogChangesOfRetention({ records: [copied], releasedContents: new Set(), remainingSnapshots: new Set() })).toEqual({
      expire: [],
      remove: [],
    });
  });

  test('keeps a record that is not expired, also when none of its snapshots is left (the namespace was lost)', () => {
    expect(catalogChangesOfRetention({ records: [record('lost')], releasedContents: new Set(), remainingSnapshots: new Set() })).toEqual({
      expire: [],
      remove: [],
    });
  });
});
