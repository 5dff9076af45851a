import { PreconditionFailedError } from '../../lambdas/errors';
import type { Backup, Cluster, ClusterSpec } from '../../lambdas/domain/kube-objects';
import { buildRestorePlan, isSameRestoreRequest, type RestoreManifestInput, type RestorePlan } from '../../lambdas/domain/restore-manifest';
import { crdSchemaViolations } from '../../simulator/crd-schemas';
import { completedBackup, snapshotsOf, sourceCluster } from './restore-fixtures';

const backup = completedBackup('hendrix-20261124030000', '2026-11-24T03:03:00Z');
const request: RestoreManifestInput['request'] = {
  clusterName: 'hendrix-restore',
  instances: 1,
  replica: false,
  requestId: 'incident-4711',
  requestedAt: new Date('2026-11-25T03:00:00Z'),
};
const pointInTime = new Date('2026-11-24T03:17:00Z');
const snapshotRef = (name: string) => ({ name, kind: 'VolumeSnapshot', apiGroup: 'snapshot.storage.k8s.io' });

/** What a test varies: the live source (`source`, null when it is gone), the backup, its snapshots, the request. */
type Overrides = Partial<Pick<RestoreManifestInput, 'backup' | 'snapshots' | 'request'>> & { source?: Cluster | null };

/** Plans the restore and requires the manifest to be valid for the upstream Cluster CRD, whatever the test looks at. */
function plan(overrides: Overrides = {}): RestorePlan {
  const { source, ...rest } = overrides;
  const input = { backup, request, ...rest };
  const result = buildRestorePlan({
    live: source === null ? undefined : (source ?? sourceCluster()),
    source: { namespace: 'demo', cluster: 'hendrix' },
    snapshots: snapshotsOf(input.backup),
    ...input,
  });
  expect(crdSchemaViolations('Cluster', result.manifest)).toEqual([]);
  return result;
}

const restore = (overrides: Overrides = {}): Cluster => plan(overrides).manifest;

/** The backup's snapshots as CNPG annotates them: the source Cluster at backup time in cnpg.io/clusterManifest. */
function recording(cluster: Cluster, snapshots = snapshotsOf(backup)) {
  for (const snapshot of snapshots) snapshot.metadata.annotations!['cnpg.io/clusterManifest'] = JSON.stringify(cluster);
  return snapshots;
}

function sourceWith(spec: Partial<ClusterSpec>, options: Parameters<typeof sourceCluster>[0] = {}): Cluster {
  const source = sourceCluster(options);
  source.spec = { ...source.spec, ...spec };
  return source;
}

function refusal(overrides: Overrides): string {
  try {
    restore(overrides);
  } catch (error) {
    expect(error).toBeInstanceOf(PreconditionFailedError);
    return (error as Error).message;
  }
  throw new Error('no error');
}

describe('the restored Cluster', () => {
  test('is named by the request, in the source namespace, labelled as ours with its backup and request', () => {
    expect(restore()).toMatchObject({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Cluster',
      metadata: {
        name: 'hendrix-restore',
        namespace: 'demo',
        labels: {
          'app.kubernetes.io/managed-by': 'cnpg-snapshot-scheduler',
          'cnpg-snapshot-scheduler/restored-from': 'hendrix-20261124030000',
          'cnpg-snapshot-scheduler/restore-request': 'incident-4711',
        },
        annotations: { 'cnpg-snapshot-scheduler/restore-requested-at': '2026-11-25T03:00:00.000Z' },
      },
    });
  });

  test('carries no other metadata: no cnpg.io/cluster label, nothing of the source object', () => {
    const source = sourceCluster();
    source.metadata = {
      ...source.metadata,
      uid: 'a1b2',
      resourceVersion: '42',
      labels: { 'cnpg.io/cluster': 'hendrix', team: 'payments' },
    };
    const { metadata } = restore({ source });
    expect(Object.keys(metadata).sort()).toEqual(['annotations', 'labels', 'name', 'namespace']);
    expect(Object.keys(metadata.labels!)).toHaveLength(3);
  });

  test('has no status', () => expect(restore()).not.toHaveProperty('status'));

  test('has the instance count of the request', () => {
    expect(restore().spec.instances).toBe(1);
    expect(restore({ request: { ...request, instances: 3 } }).spec.instances).toBe(3);
  });

  describe('copies how the source runs', () => {
    const runtime: Partial<ClusterSpec> = {
      affinity: { enablePodAntiAffinity: true, topologyKey: 'topology.kubernetes.io/zone', nodeSelector: { workload: 'postgres' } },
      description: 'payments database',
      enablePDB: false,
      enableSuperuserAccess: true,
      env: [{ name: 'TZ', value: 'UTC' }],
      ephemeralVolumesSizeLimit: { shm: '1Gi' },
      failoverDelay: 30,
      imagePullPolicy: 'IfNotPresent',
      imagePullSecrets: [{ name: 'registry' }],
      inheritedMetadata: { labels: { team: 'payments' } },
      logLevel: 'debug',
      monitoring: { customQueriesConfigMap: [{ name: 'payments-queries', key: 'queries.yaml' }] },
      podSelectorRefs: [{ name: 'app', selector: { matchLabels: { app: 'payments' } } }],
      postgresql: {
        parameters: { max_connections: '200', shared_buffers: '256MB' },
        pg_hba: ['host app app 10.0.0.0/8 scram-sha-256'],
      },
      primaryLease: { leaseDurationSeconds: 20 },
      primaryUpdateMethod: 'switchover',
      primaryUpdateStrategy: 'supervised',
      priorityClassName: 'database-critical',
      probes: { readiness: { periodSeconds: 5 } },
      replicationSlots: { highAvailability: { enabled: true, slotPrefix: '_cnpg_' } },
      resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { memory: '2Gi' } },
      serviceAccountName: 'payments-db',
      serviceAccountTemplate: { metadata: { annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/hendrix' } } },
      smartShutdownTimeout: 120,
      startDelay: 1800,
      stopDelay: 900,
      storage: { size: '50Gi', storageClass: 'gp3' },
      superuserSecret: { name: 'hendrix-superuser' },
      switchoverDelay: 600,
      walStorage: { size: '10Gi', storageClass: 'gp3' },
    };
    const restored = () => restore({ source: sourceWith(runtime) });

    test.each(Object.keys(runtime) as (keyof ClusterSpec)[])('%s', (field) => expect(restored().spec[field]).toEqual(runtime[field]));

    test('the image catalog, when the source uses one instead of an image name', () => {
      const source = sourceWith({
        imageName: undefined,
        imageCatalogRef: { apiGroup: 'postgresql.cnpg.io', kind: 'ClusterImageCatalog', name: 'postgresql', major: 17 },
      });
      delete source.spec.imageName;
      const { spec } = restore({ source });
      expect(spec.imageCatalogRef).toEqual(source.spec.imageCatalogRef);
      expect(spec).not.toHaveProperty('imageName');
    });

    test('the image name', () => expect(restore().spec.imageName).toBe('ghcr.io/cloudnative-pg/postgresql:17.5'));

    test('managed roles, but no additional services: their names are the source’s', () => {
      const managed = {
        roles: [{ name: 'reporting', ensure: 'present', login: true, passwordSecret: { name: 'reporting-password' } }],
        services: {
          disabledDefaultServices: ['ro'],
          additional: [{ selectorType: 'rw', serviceTemplate: { metadata: { name: 'hendrix-lb' }, spec: { type: 'LoadBalancer' } } }],
        },
      } satisfies ClusterSpec['managed'];
      expect(restore({ source: sourceWith({ managed }) }).spec.managed).toEqual({
        roles: managed.roles,
        services: { disabledDefaultServices: ['ro'] },
      });
    });

    test('topology spread constraints, spreading the restored cluster’s own pods', () => {
      const constraint = {
        maxSkew: 1,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'DoNotSchedule',
        labelSelector: { matchLabels: { 'cnpg.io/cluster': 'hendrix', 'cnpg.io/podRole': 'instance' } },
      };
      expect(restore({ source: sourceWith({ topologySpreadConstraints: [constraint] }) }).spec.topologySpreadConstraints).toEqual([
        { ...constraint, labelSelector: { matchLabels: { 'cnpg.io/cluster': 'hendrix-restore', 'cnpg.io/podRole': 'instance' } } },
      ]);
    });

    test('synchronous replication, when the restored cluster has enough instances for it', () => {
      const sync = {
        minSyncReplicas: 1,
        maxSyncReplicas: 2,
        postgresql: { synchronous: { method: 'any', number: 1 } },
      } satisfies Partial<ClusterSpec>;
      expect(restore({ source: sourceWith(sync), request: { ...request, instances: 3 } }).spec).toMatchObject(sync);
    });

    test('but not synchronous replication a smaller restored cluster cannot satisfy (CNPG would refuse it)', () => {
      const sync = {
        minSyncReplicas: 1,
        maxSyncReplicas: 1,
        postgresql: { parameters: { work_mem: '8MB' }, synchronous: { method: 'any', number: 1 } },
      } satisfies Partial<ClusterSpec>;
      const { spec } = restore({ source: sourceWith(sync) });
      expect(spec).not.toHaveProperty('minSyncReplicas');
      expect(spec).not.toHaveProperty('maxSyncReplicas');
      expect(spec.postgresql).toEqual({ parameters: { work_mem: '8MB' } });
    });

    test('the volume-snapshot backup configuration, so the restored cluster can be backed up the same way', () =>
      expect(restore().spec.backup).toEqual({
        volumeSnapshot: { className: 'csi-aws-vsc', online: true, snapshotOwnerReference: 'none' },
      }));

    test('plugins other than the WAL archiver', () => {
      const source = sourceCluster({ walArchive: 'plugin' });
      source.spec.plugins!.push({ name: 'cnpg-i-hello-world.cloudnative-pg.io', parameters: { greeting: 'hi' } });
      expect(restore({ source }).spec.plugins).toEqual([{ name: 'cnpg-i-hello-world.cloudnative-pg.io', parameters: { greeting: 'hi' } }]);
    });

    test('a barman-cloud plugin kept for base backups, writing under the restored cluster’s name', () => {
      const source = sourceWith({
        plugins: [
          {
            name: 'barman-cloud.cloudnative-pg.io',
            isWALArchiver: false,
            parameters: { barmanObjectName: 'store', serverName: 'hendrix' },
          },
        ],
      });
      expect(restore({ source }).spec.plugins).toEqual([
        {
          name: 'barman-cloud.cloudnative-pg.io',
          isWALArchiver: false,
          parameters: { barmanObjectName: 'store', serverName: 'hendrix-restore' },
        },
      ]);
    });
  });

  describe('never copies where the source came from or where it archives', () => {
    test('bootstrap, replica, external clusters and certificates', () => {
      const source = sourceWith({
        bootstrap: { initdb: { database: 'app', owner: 'app' } },
        replica: { enabled: false, source: 'old-primary' },
        externalClusters: [{ name: 'old-primary', connectionParameters: { host: 'old-primary-rw', user: 'streaming_replica' } }],
        certificates: { serverTLSSecret: 'hendrix-server-tls', serverCASecret: 'hendrix-ca' },
      });
      const { spec } = restore({ source });
      expect(spec).not.toHaveProperty('replica');
      expect(spec).not.toHaveProperty('externalClusters');
      expect(spec).not.toHaveProperty('certificates');
      expect(Object.keys(spec.bootstrap!)).toEqual(['recovery']);
    });

    test('the WAL-archiver plugin', () =>
      expect(restore({ source: sourceCluster({ walArchive: 'plugin' }) }).spec).not.toHaveProperty('plugins'));

    test('the in-tree barmanObjectStore and its retention policy', () => {
      const source = sourceCluster({ walArchive: 'barmanObjectStore' });
      source.spec.backup!.retentionPolicy = '30d';
      expect(restore({ source }).spec.backup).toEqual({
        volumeSnapshot: { className: 'csi-aws-vsc', online: true, snapshotOwnerReference: 'none' },
      });
    });

    test('nor the archive when it recovers through it', () => {
      const { spec } = restore({ source: sourceCluster({ walArchive: 'barmanObjectStore' }), request: { ...request, pointInTime } });
      expect(spec.backup).not.toHaveProperty('barmanObjectStore');
    });

    test('and keeps no backup section when the source had only an archive', () => {
      const source = sourceCluster({ walArchive: 'barmanObjectStore', volumeSnapshot: false });
      expect(restore({ source }).spec).not.toHaveProperty('backup');
    });
  });

  describe('bootstraps from the backup’s snapshots', () => {
    test('data and WAL volumes, referenced as VolumeSnapshots', () => {
      expect(restore().spec.bootstrap).toEqual({
        recovery: {
          volumeSnapshots: {
            storage: snapshotRef('hendrix-20261124030000'),
            walStorage: snapshotRef('hendrix-20261124030000-wal'),
          },
          database: 'app',
          owner: 'app',
        },
      });
    });

    test('only the data volume when the backup has no WAL snapshot', () => {
      const dataOnly = completedBackup('hendrix-d', '2026-11-24T03:03:00Z', { wal: false });
      expect(restore({ source: sourceCluster({ walStorage: false }), backup: dataOnly }).spec.bootstrap).toEqual({
        recovery: { volumeSnapshots: { storage: snapshotRef('hendrix-d') }, database: 'app', owner: 'app' },
      });
    });

    test('each tablespace from its own snapshot, by tablespace name', () => {
      const withTablespaces = completedBackup('hendrix-t', '2026-11-24T03:03:00Z', { tablespaces: ['analytics', 'archive'] });
      const { spec } = restore({ source: sourceCluster({ tablespaces: ['analytics', 'archive'] }), backup: withTablespaces });
      expect(spec.bootstrap).toEqual({
        recovery: {
          volumeSnapshots: {
            storage: snapshotRef('hendrix-t'),
            walStorage: snapshotRef('hendrix-t-wal'),
            tablespaceStorage: { analytics: snapshotRef('hendrix-t-tbs-analytics'), archive: snapshotRef('hendrix-t-tbs-archive') },
          },
          database: 'app',
          owner: 'app',
        },
      });
      expect(spec.tablespaces).toEqual([
        { name: 'analytics', storage: { size: '5Gi', storageClass: 'gp3' } },
        { name: 'archive', storage: { size: '5Gi', storageClass: 'gp3' } },
      ]);
    });

    test('a tablespace declared after the backup is left to CNPG to create empty', () => {
      const { spec } = restore({ source: sourceCluster({ tablespaces: ['analytics'] }) });
      expect(spec.tablespaces).toEqual([{ name: 'analytics', storage: { size: '5Gi', storageClass: 'gp3' } }]);
      expect(spec.bootstrap).not.toHaveProperty('recovery.volumeSnapshots.tablespaceStorage');
    });
  });

  describe('sizes every volume to hold its snapshot', () => {
    const sized = (sizes: Parameters<typeof snapshotsOf>[1], source = sourceCluster()) =>
      restore({ source, snapshots: snapshotsOf(backup, sizes) }).spec;

    test('a larger data snapshot raises the data volume', () =>
      expect(sized({ data: '64Gi' }).storage).toEqual({ size: '64Gi', storageClass: 'gp3' }));
    test('a smaller one leaves it as it is', () => expect(sized({ data: '20Gi' }).storage?.size).toBe('50Gi'));
    test('decimal and binary units are compared as bytes: 60G is more than 50Gi', () =>
      expect(sized({ data: '60G' }).storage?.size).toBe('60G'));
    test('and 53G is less than 50Gi', () => expect(sized({ data: '53G' }).storage?.size).toBe('50Gi'));
    test('a larger WAL snapshot raises the WAL volume', () => expect(sized({ wal: '0.5Ti' }).walStorage?.size).toBe('0.5Ti'));
    test('a WAL snapshot in Mi smaller than the volume leaves it', () => expect(sized({ wal: '512Mi' }).walStorage?.size).toBe('10Gi'));

    test('a larger tablespace snapshot raises the tablespace volume', () => {
      const withTablespace = completedBackup('hendrix-t', '2026-11-24T03:03:00Z', { tablespaces: ['analytics'] });
      const { spec } = restore({
        source: sourceCluster({ tablespaces: ['analytics'] }),
        backup: withTablespace,
        snapshots: snapshotsOf(withTablespace, { tablespace: '8Gi' }),
      });
      expect(spec.tablespaces?.[0]?.storage.size).toBe('8Gi');
    });

    test('a volume sized by its PVC template is compared by the template’s request', () => {
      const pvcTemplate = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '100Gi' } }, storageClassName: 'gp3' };
      const source = sourceWith({ storage: { pvcTemplate } });
      expect(sized({ data: '64Gi' }, source).storage).toEqual({ pvcTemplate, size: '100Gi' });
      expect(sized({ data: '128Gi' }, source).storage).toEqual({ pvcTemplate, size: '128Gi' });
    });
  });

  describe('for a point in time, replays the source’s WAL archive up to it', () => {
    test('through the barman-cloud plugin, reading the source’s server name', () => {
      const { spec } = restore({ source: sourceCluster({ walArchive: 'plugin' }), request: { ...request, pointInTime } });
      expect(spec.externalClusters).toEqual([
        {
          name: 'origin',
          plugin: { name: 'barman-cloud.cloudnative-pg.io', parameters: { barmanObjectName: 'wal-archive', serverName: 'hendrix' } },
        },
      ]);
      expect(spec.bootstrap).toEqual({
        recovery: {
          volumeSnapshots: { storage: snapshotRef('hendrix-20261124030000'), walStorage: snapshotRef('hendrix-20261124030000-wal') },
          database: 'app',
          owner: 'app',
          source: 'origin',
          recoveryTarget: { targetTime: '2026-11-24T03:17:00Z' },
        },
      });
    });

    test('under the plugin’s own serverName when the source archives under one', () => {
      const source = sourceCluster({ walArchive: 'plugin' });
      source.spec.plugins![0]!.parameters!.serverName = 'hendrix-v2';
      expect(restore({ source, request: { ...request, pointInTime } }).spec.externalClusters).toEqual([
        {
          name: 'origin',
          plugin: { name: 'barman-cloud.cloudnative-pg.io', parameters: { barmanObjectName: 'wal-archive', serverName: 'hendrix-v2' } },
        },
      ]);
    });

    test('through an in-tree barmanObjectStore, copied with the source’s server name', () => {
      const { spec } = restore({ source: sourceCluster({ walArchive: 'barmanObjectStore' }), request: { ...request, pointInTime } });
      expect(spec.externalClusters).toEqual([
        {
          name: 'origin',
          barmanObjectStore: {
            destinationPath: 's3://wal-archive/hendrix',
            s3Credentials: { inheritFromIAMRole: true },
            serverName: 'hendrix',
          },
        },
      ]);
      expect(spec.bootstrap).toMatchObject({ recovery: { source: 'origin', recoveryTarget: { targetTime: '2026-11-24T03:17:00Z' } } });
    });

    test('keeping sub-second precision in the target time', () => {
      const { spec } = restore({
        source: sourceCluster({ walArchive: 'plugin' }),
        request: { ...request, pointInTime: new Date('2026-11-24T03:17:00.250Z') },
      });
      expect(spec.bootstrap).toMatchObject({ recovery: { recoveryTarget: { targetTime: '2026-11-24T03:17:00.250Z' } } });
    });
  });

  describe('as a replica, follows the source through its WAL archive', () => {
    test('with the barman-cloud plugin', () => {
      const { spec } = restore({ source: sourceCluster({ walArchive: 'plugin' }), request: { ...request, replica: true } });
      expect(spec.replica).toEqual({ enabled: true, source: 'origin' });
      expect(spec.externalClusters).toEqual([
        {
          name: 'origin',
          plugin: { name: 'barman-cloud.cloudnative-pg.io', parameters: { barmanObjectName: 'wal-archive', serverName: 'hendrix' } },
        },
      ]);
      expect(spec.bootstrap).toMatchObject({ recovery: { source: 'origin' } });
      expect(spec.bootstrap).not.toHaveProperty('recovery.recoveryTarget');
    });

    test('with an in-tree barmanObjectStore', () => {
      const { spec } = restore({ source: sourceCluster({ walArchive: 'barmanObjectStore' }), request: { ...request, replica: true } });
      expect(spec.replica).toEqual({ enabled: true, source: 'origin' });
      expect(spec.externalClusters?.[0]).toMatchObject({ name: 'origin', barmanObjectStore: { serverName: 'hendrix' } });
    });
  });

  describe('checks PostgreSQL versions', () => {
    test('the snapshot’s major version must be the image’s', () => {
      expect(refusal({ source: sourceCluster({ imageName: 'ghcr.io/cloudnative-pg/postgresql:16.4' }) })).toBe(
        'Backup hendrix-20261124030000 holds PostgreSQL 17 data but the cluster image is PostgreSQL 16; a snapshot restores only into the same major version',
      );
    });

    test('or the image catalog’s', () => {
      const source = sourceWith({ imageCatalogRef: { apiGroup: 'postgresql.cnpg.io', kind: 'ImageCatalog', name: 'pg', major: 18 } });
      delete source.spec.imageName;
      expect(refusal({ source })).toContain('holds PostgreSQL 17 data but the cluster image is PostgreSQL 18');
    });

    test('the backup’s major version counts when the snapshot has no label', () => {
      const snapshots = snapshotsOf(backup);
      delete snapshots[0]!.metadata.labels!['cnpg.io/majorVersion'];
      const older: Backup = { ...backup, status: { ...backup.status, majorVersion: 15 } };
      expect(refusal({ backup: older, snapshots })).toContain('holds PostgreSQL 15 data but the cluster image is PostgreSQL 17');
    });

    test('an image pinned by digest alone is not checked', () => {
      const source = sourceCluster({
        imageName: 'ghcr.io/cloudnative-pg/postgresql@sha256:4ebb83ad6701cf90cd16f4c0b502676238ffdb1169bf27c5ae60e9a5bdc7b925',
      });
      expect(restore({ source }).spec.imageName).toBe(source.spec.imageName);
    });

    test('a registry port is not mistaken for a version', () =>
      expect(refusal({ source: sourceCluster({ imageName: 'registry.internal:5000/postgresql:16-bookworm' }) })).toContain(
        'cluster image is PostgreSQL 16',
      ));
  });

  test.each([
    [
      'a point in time without a WAL archive',
      () => ({ request: { ...request, pointInTime } }),
      'pointInTime needs a WAL archive, and cluster hendrix has none (no enabled WAL-archiver plugin such as barman-cloud.cloudnative-pg.io, no spec.backup.barmanObjectStore)',
    ],
    [
      'a replica without a WAL archive',
      () => ({ request: { ...request, replica: true } }),
      'replica needs a WAL archive, and cluster hendrix has none (no enabled WAL-archiver plugin such as barman-cloud.cloudnative-pg.io, no spec.backup.barmanObjectStore)',
    ],
    [
      'a point in time through a disabled archiver',
      () => {
        const source = sourceCluster({ walArchive: 'plugin' });
        source.spec.plugins![0]!.enabled = false;
        return { source, request: { ...request, pointInTime } };
      },
      'pointInTime needs a WAL archive, and cluster hendrix has none (no enabled WAL-archiver plugin such as barman-cloud.cloudnative-pg.io, no spec.backup.barmanObjectStore)',
    ],
    [
      'a deleted snapshot',
      () => ({ snapshots: snapshotsOf(backup).slice(0, 1) }),
      'VolumeSnapshot demo/hendrix-20261124030000-wal of backup hendrix-20261124030000 does not exist (deleted?); choose another backup',
    ],
    [
      'a snapshot of another backup under the expected name',
      () => {
        const snapshots = snapshotsOf(backup);
        snapshots[1]!.metadata.labels!['cnpg.io/backupName'] = 'hendrix-20261123030000';
        return { snapshots };
      },
      'VolumeSnapshot demo/hendrix-20261124030000-wal is labelled cnpg.io/backupName=hendrix-20261123030000, not hendrix-20261124030000; CNPG restores only the snapshots of one backup',
    ],
    [
      'a snapshot without a backup label',
      () => {
        const snapshots = snapshotsOf(backup);
        delete snapshots[0]!.metadata.labels!['cnpg.io/backupName'];
        return { snapshots };
      },
      'VolumeSnapshot demo/hendrix-20261124030000 is labelled cnpg.io/backupName=(none), not hendrix-20261124030000; CNPG restores only the snapshots of one backup',
    ],
    [
      'a backup that lists no data snapshot',
      () => ({ backup: { ...backup, status: { ...backup.status, snapshotBackupStatus: { elements: [] } } } }),
      'Backup hendrix-20261124030000 lists no PG_DATA snapshot in status.snapshotBackupStatus',
    ],
    [
      'a WAL snapshot without walStorage',
      () => ({ source: sourceCluster({ walStorage: false }) }),
      'Backup hendrix-20261124030000 has a WAL snapshot but cluster hendrix has no spec.walStorage to restore it into',
    ],
    [
      'a tablespace snapshot the cluster does not declare',
      () => ({ backup: completedBackup('hendrix-t', '2026-11-24T03:03:00Z', { tablespaces: ['analytics'] }) }),
      'Backup hendrix-t has a snapshot of tablespace analytics but cluster hendrix declares no such tablespace in spec.tablespaces',
    ],
  ])('refuses %s', (_case, overrides, message) => {
    expect(refusal(overrides())).toBe(message);
  });
});

describe('the application database', () => {
  test('is the source’s, with its owner, so the <new>-app Secret and services point at the restored data', () => {
    const source = sourceWith({ bootstrap: { initdb: { database: 'orders', owner: 'orders_owner' } } });
    const restored = plan({ source });
    expect(restored.manifest.spec.bootstrap).toMatchObject({ recovery: { database: 'orders', owner: 'orders_owner' } });
    expect(restored.application).toEqual({ database: 'orders', owner: 'orders_owner' });
  });

  test('owned by a user of its own name when the source names no owner, as CNPG defaults it', () =>
    expect(plan({ source: sourceWith({ bootstrap: { initdb: { database: 'orders' } } }) }).application).toEqual({
      database: 'orders',
      owner: 'orders',
    }));

  test('is the one a restored source was itself restored with', () =>
    expect(plan({ source: sourceWith({ bootstrap: { recovery: { database: 'billing', owner: 'biller' } } }) }).application).toEqual({
      database: 'billing',
      owner: 'biller',
    }));

  test('is app when the source names none, as CNPG defaults it', () =>
    expect(plan().application).toEqual({ database: 'app', owner: 'app' }));
});

describe('when the source Cluster is gone', () => {
  const recorded = sourceWith({ bootstrap: { initdb: { database: 'orders', owner: 'orders' } } });
  recorded.status = { ...recorded.status, image: 'ghcr.io/cloudnative-pg/postgresql:17.5' };

  test('restores from the spec the backup recorded in cnpg.io/clusterManifest, saying so', () => {
    const restored = plan({ source: null, snapshots: recording(recorded) });
    expect(restored.specFrom).toBe('backup');
    expect(restored.manifest.spec).toMatchObject({ imageName: 'ghcr.io/cloudnative-pg/postgresql:17.5', storage: { size: '50Gi' } });
    expect(restored.application).toEqual({ database: 'orders', owner: 'orders' });
    expect(restored.warnings).toContain(
      'Restored with the spec Cluster hendrix had when backup hendrix-20261124030000 was taken (annotation cnpg.io/clusterManifest), as the Cluster no longer exists',
    );
  });

  test('restores from the backup’s record on request, also while the Cluster exists', () => {
    const live = sourceWith({ postgresql: { parameters: { work_mem: '1GB' } } });
    const restored = plan({ source: live, snapshots: recording(recorded), request: { ...request, specFrom: 'backup' } });
    expect(restored.specFrom).toBe('backup');
    expect(restored.manifest.spec.postgresql).toEqual(recorded.spec.postgresql);
  });

  test.each([
    [
      'the live Cluster asked for',
      { source: null, snapshots: recording(recorded), request: { ...request, specFrom: 'cluster' as const } },
      'Cluster demo/hendrix does not exist; restore it from the spec its backup recorded with specFrom "backup" (the default when the Cluster is gone)',
    ],
    [
      'a backup without a recorded spec',
      { source: null },
      'Cluster demo/hendrix does not exist and VolumeSnapshot demo/hendrix-20261124030000 carries no readable cnpg.io/clusterManifest annotation to restore its spec from',
    ],
    [
      'a point in time, whose archive is read under the source ServiceAccount, gone with it',
      { source: null, snapshots: recording(sourceCluster({ walArchive: 'plugin' })), request: { ...request, pointInTime } },
      "pointInTime reads the source's WAL archive with the IAM identity of the ServiceAccount it runs under, and ServiceAccount hendrix, which CNPG made for Cluster hendrix, went with it: create a ServiceAccount that the archive's IAM role trusts (IRSA: annotation eks.amazonaws.com/role-arn and the role's trust policy naming it; EKS Pod Identity: an association for it) and pass its name as serviceAccountName",
    ],
  ])('refuses %s', (_case, overrides, message) => expect(refusal(overrides)).toBe(message));
});

describe('the image', () => {
  test('is pinned to the one the backup was taken with when the source pins none (CNPG would run its default)', () => {
    const unpinned = sourceWith({});
    delete unpinned.spec.imageName;
    unpinned.status = { ...unpinned.status, image: 'ghcr.io/cloudnative-pg/postgresql:17.5-system-trixie' };
    const running18 = sourceWith({});
    delete running18.spec.imageName;
    running18.status = { ...running18.status, image: 'ghcr.io/cloudnative-pg/postgresql:18.4-system-trixie' };
    const restored = plan({ source: running18, snapshots: recording(unpinned) });
    expect(restored.manifest.spec.imageName).toBe('ghcr.io/cloudnative-pg/postgresql:17.5-system-trixie');
    expect(restored.warnings).toContain(
      'The restored cluster runs ghcr.io/cloudnative-pg/postgresql:17.5-system-trixie, the image backup hendrix-20261124030000 was taken with; the source runs ghcr.io/cloudnative-pg/postgresql:18.4-system-trixie now',
    );
  });

  test('is the live one when the backup recorded none', () => {
    const unpinned = sourceWith({});
    delete unpinned.spec.imageName;
    unpinned.status = { ...unpinned.status, image: 'ghcr.io/cloudnative-pg/postgresql:17.2' };
    expect(restore({ source: unpinned }).spec.imageName).toBe('ghcr.io/cloudnative-pg/postgresql:17.2');
  });

  test('is refused when nothing says which it was', () => {
    const unpinned = sourceWith({});
    delete unpinned.spec.imageName;
    delete unpinned.status!.image;
    expect(refusal({ source: unpinned })).toContain('The image backup hendrix-20261124030000 was taken with is unknown');
  });
});

describe('the ServiceAccount', () => {
  const irsa = { serviceAccountTemplate: { metadata: { annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/hendrix' } } } };

  test('is the one CNPG makes for the restored cluster when it reads no archive', () => {
    const restored = plan({ source: sourceWith(irsa) });
    expect(restored.manifest.spec).not.toHaveProperty('serviceAccountName');
    expect(restored.manifest.spec.serviceAccountTemplate).toEqual(irsa.serviceAccountTemplate);
  });

  test('is the source’s for a point in time, which reads its archive with the source’s IAM identity', () => {
    const restored = plan({ source: sourceWith(irsa, { walArchive: 'plugin' }), request: { ...request, pointInTime } });
    expect(restored.manifest.spec.serviceAccountName).toBe('hendrix');
    expect(restored.manifest.spec).not.toHaveProperty('serviceAccountTemplate');
    expect(restored.serviceAccountName).toBe('hendrix');
    expect(restored.warnings.some((w) => w.startsWith('The restored cluster runs under ServiceAccount hendrix'))).toBe(true);
  });

  test('is the source’s own shared one when it names one', () =>
    expect(
      plan({ source: sourceWith({ serviceAccountName: 'db-archive' }, { walArchive: 'plugin' }), request: { ...request, replica: true } })
        .manifest.spec.serviceAccountName,
    ).toBe('db-archive'));

  test('is the requested one, instead of any template', () => {
    const restored = plan({
      source: sourceWith(irsa, { walArchive: 'plugin' }),
      request: { ...request, pointInTime, serviceAccountName: 'dr' },
    });
    expect(restored.manifest.spec.serviceAccountName).toBe('dr');
    expect(restored.manifest.spec).not.toHaveProperty('serviceAccountTemplate');
    expect(restored.warnings).toEqual([]);
  });

  test('is the requested one when the source is gone', () =>
    expect(
      plan({
        source: null,
        snapshots: recording(sourceCluster({ walArchive: 'plugin' })),
        request: { ...request, pointInTime, serviceAccountName: 'dr' },
      }).manifest.spec.serviceAccountName,
    ).toBe('dr'));
});

describe('warns', () => {
  test.each([
    ['cluster', 'deleting the Cluster deletes every one of its snapshots'],
    ['backup', 'deleting a Backup object deletes its snapshots'],
  ] as const)('when the source’s snapshotOwnerReference is %s', (owner, warning) =>
    expect(plan({ source: sourceCluster({ snapshotOwnerReference: owner }) }).warnings.join('\n')).toContain(warning),
  );

  test('of nothing for a plain restore', () => expect(plan().warnings).toEqual([]));
});

describe('refuses a snapshot CSI would refuse as a volume’s source', () => {
  test('being deleted', () => {
    const snapshots = snapshotsOf(backup);
    snapshots[0]!.metadata.deletionTimestamp = '2026-11-25T02:59:00Z';
    expect(refusal({ snapshots })).toBe(
      'VolumeSnapshot demo/hendrix-20261124030000 of backup hendrix-20261124030000 is being deleted (since 2026-11-25T02:59:00Z); choose another backup',
    );
  });

  test('not ready to use', () => {
    const snapshots = snapshotsOf(backup);
    snapshots[1]!.status = { ...snapshots[1]!.status, readyToUse: false, error: { message: 'SnapshotCreationFailed' } };
    expect(refusal({ snapshots })).toBe(
      'VolumeSnapshot demo/hendrix-20261124030000-wal of backup hendrix-20261124030000 is not ready to use (SnapshotCreationFailed); choose another backup',
    );
  });
});

describe('an existing Cluster of the restored name', () => {
  const existing = buildRestorePlan({
    live: sourceCluster(),
    source: { namespace: 'demo', cluster: 'hendrix' },
    backup,
    snapshots: snapshotsOf(backup),
    request,
  }).manifest;

  test('is this request’s, made before: follow it', () => expect(isSameRestoreRequest(existing, 'incident-4711')).toBe(true));
  test('of another request is a clash', () => expect(isSameRestoreRequest(existing, 'incident-4712')).toBe(false));
  test('not created by the scheduler is a clash, whatever its labels say', () => {
    const foreign: Cluster = {
      ...existing,
      metadata: { ...existing.metadata, labels: { 'cnpg-snapshot-scheduler/restore-request': 'incident-4711' } },
    };
    expect(isSameRestoreRequest(foreign, 'incident-4711')).toBe(false);
  });
  test('without labels is a clash', () => expect(isSameRestoreRequest(sourceCluster(), 'incident-4711')).toBe(false));
});
