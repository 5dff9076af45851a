import { PreconditionFailedError } from '../../lambdas/errors';
import { buildRestoreCluster, isSameRestoreRequest, type RestoreManifestInput } from '../../lambdas/domain/restore-manifest';
import { crdSchemaViolations } from '../support/crd-schemas';
import { completedBackup, snapshotsOf, sourceCluster } from './restore-fixtures';

const backup = completedBackup('hendrix-20261124030000', '2026-11-24T03:03:00Z');
const request: RestoreManifestInput['request'] = {
  clusterName: 'hendrix-restore',
  instances: 1,
  replica: false,
  requestId: 'incident-4711',
  requestedAt: new Date('2026-11-25T03:00:00Z'),
};
const build = (overrides: Partial<RestoreManifestInput> = {}) =>
  buildRestoreCluster({ source: sourceCluster(), backup, snapshots: snapshotsOf(backup), request, ...overrides });

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PreconditionFailedError);
    return (error as Error).message;
  }
  throw new Error('no error');
}

describe('the restored Cluster manifest', () => {
  test('copies how the source runs and bootstraps from the backup snapshots, valid for the upstream CRD', () => {
    const cluster = build();
    expect(crdSchemaViolations('Cluster', cluster)).toEqual([]);
    expect(cluster.metadata).toEqual({
      name: 'hendrix-restore',
      namespace: 'demo',
      labels: {
        'app.kubernetes.io/managed-by': 'cnpg-snapshot-scheduler',
        'cnpg-snapshot-scheduler/restored-from': 'hendrix-20261124030000',
        'cnpg-snapshot-scheduler/restore-request': 'incident-4711',
      },
      annotations: { 'cnpg-snapshot-scheduler/restore-requested-at': '2026-11-25T03:00:00.000Z' },
    });
    const source = sourceCluster();
    expect(cluster.spec).toMatchObject({
      instances: 1,
      imageName: source.spec.imageName,
      postgresql: source.spec.postgresql,
      resources: source.spec.resources,
      storage: { size: '50Gi', storageClass: 'gp3' },
      walStorage: { size: '10Gi', storageClass: 'gp3' },
    });
    expect(cluster.spec.bootstrap).toEqual({
      recovery: {
        volumeSnapshots: {
          storage: { name: 'hendrix-20261124030000', kind: 'VolumeSnapshot', apiGroup: 'snapshot.storage.k8s.io' },
          walStorage: { name: 'hendrix-20261124030000-wal', kind: 'VolumeSnapshot', apiGroup: 'snapshot.storage.k8s.io' },
        },
      },
    });
  });

  test('never copies where the source came from or where it archives: bootstrap, replica, backup, plugins', () => {
    const source = sourceCluster({ walArchive: 'plugin' });
    source.spec.bootstrap = { initdb: { database: 'app' } };
    const cluster = build({ source });
    expect(cluster.spec.backup).toBeUndefined();
    expect(cluster.spec.plugins).toBeUndefined();
    expect(cluster.spec.replica).toBeUndefined();
    expect(cluster.spec.externalClusters).toBeUndefined();
    expect(cluster.status).toBeUndefined();
  });

  test('copies affinity and tablespaces, and restores each tablespace from its snapshot', () => {
    const source = sourceCluster({ tablespaces: ['analytics'] });
    source.spec.affinity = { enablePodAntiAffinity: true, topologyKey: 'topology.kubernetes.io/zone' };
    const withTablespace = completedBackup('hendrix-t', '2026-11-24T03:03:00Z', { tablespaces: ['analytics'] });
    const cluster = build({ source, backup: withTablespace, snapshots: snapshotsOf(withTablespace) });
    expect(crdSchemaViolations('Cluster', cluster)).toEqual([]);
    expect(cluster.spec.affinity).toEqual(source.spec.affinity);
    expect(cluster.spec.tablespaces).toEqual(source.spec.tablespaces);
    expect(cluster.spec.bootstrap).toMatchObject({
      recovery: {
        volumeSnapshots: {
          tablespaceStorage: {
            analytics: { name: 'hendrix-t-tbs-analytics', kind: 'VolumeSnapshot', apiGroup: 'snapshot.storage.k8s.io' },
          },
        },
      },
    });
  });

  test('takes the instance count of the request', () => expect(build({ request: { ...request, instances: 3 } }).spec.instances).toBe(3));

  test('raises volume sizes to at least the snapshots restore size', () => {
    const cluster = build({ snapshots: snapshotsOf(backup, '64Gi', '0.5Ti') });
    expect(cluster.spec.storage?.size).toBe('64Gi');
    expect(cluster.spec.walStorage?.size).toBe('0.5Ti');
    expect(build({ snapshots: snapshotsOf(backup, '20Gi', '1Gi') }).spec.storage?.size).toBe('50Gi');
  });

  test('point in time through the barman-cloud plugin archive: origin external cluster and target time', () => {
    const cluster = build({
      source: sourceCluster({ walArchive: 'plugin' }),
      request: { ...request, pointInTime: new Date('2026-11-24T03:17:00Z') },
    });
    expect(crdSchemaViolations('Cluster', cluster)).toEqual([]);
    expect(cluster.spec.externalClusters).toEqual([
      {
        name: 'origin',
        plugin: { name: 'barman-cloud.cloudnative-pg.io', parameters: { barmanObjectName: 'wal-archive', serverName: 'hendrix' } },
      },
    ]);
    expect(cluster.spec.bootstrap).toMatchObject({
      recovery: { source: 'origin', recoveryTarget: { targetTime: '2026-11-24T03:17:00Z' } },
    });
  });

  test('point in time through an in-tree barmanObjectStore archive', () => {
    const cluster = build({
      source: sourceCluster({ walArchive: 'barmanObjectStore' }),
      request: { ...request, pointInTime: new Date('2026-11-24T03:17:00Z') },
    });
    expect(crdSchemaViolations('Cluster', cluster)).toEqual([]);
    expect(cluster.spec.externalClusters).toEqual([
      {
        name: 'origin',
        barmanObjectStore: {
          destinationPath: 's3://wal-archive/hendrix',
          s3Credentials: { inheritFromIAMRole: true },
          serverName: 'hendrix',
        },
      },
    ]);
  });

  test('replica mode starts the new cluster as a replica of the source through its archive', () => {
    const cluster = build({ source: sourceCluster({ walArchive: 'plugin' }), request: { ...request, replica: true } });
    expect(crdSchemaViolations('Cluster', cluster)).toEqual([]);
    expect(cluster.spec.replica).toEqual({ enabled: true, source: 'origin' });
    expect(cluster.spec.bootstrap).toMatchObject({ recovery: { source: 'origin' } });
  });

  test.each([
    [
      'a point in time without a WAL archive',
      { request: { ...request, pointInTime: new Date('2026-11-24T03:17:00Z') } },
      'pointInTime needs a WAL archive, and cluster hendrix has none',
    ],
    [
      'a replica without a WAL archive',
      { request: { ...request, replica: true } },
      'replica needs a WAL archive, and cluster hendrix has none',
    ],
    [
      'a deleted snapshot',
      { snapshots: snapshotsOf(backup).slice(0, 1) },
      'VolumeSnapshot demo/hendrix-20261124030000-wal of backup hendrix-20261124030000 does not exist (deleted?); choose another backup',
    ],
    [
      'a PostgreSQL major mismatch',
      { source: sourceCluster({ imageName: 'ghcr.io/cloudnative-pg/postgresql:16.4' }) },
      'holds PostgreSQL 17 data but the cluster image is PostgreSQL 16',
    ],
    [
      'a WAL snapshot without walStorage',
      { source: sourceCluster({ walStorage: false }) },
      'has a WAL snapshot but cluster hendrix has no spec.walStorage',
    ],
  ])('refuses %s', (_case, overrides, message) => {
    expect(refusal(() => build(overrides as Partial<RestoreManifestInput>))).toContain(message);
  });

  test('recognises a Cluster this request created, and nothing else', () => {
    const cluster = build();
    expect(isSameRestoreRequest(cluster, 'incident-4711')).toBe(true);
    expect(isSameRestoreRequest(cluster, 'another')).toBe(false);
    expect(isSameRestoreRequest(sourceCluster(), 'incident-4711')).toBe(false);
  });
});
