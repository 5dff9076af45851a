import { PreconditionFailedError } from '../errors';
import { CNPG_API_VERSION, CnpgLabel, KubeLabel, SNAPSHOT_GROUP, SnapshotRole } from './cnpg-api';
import type { Backup, Cluster, ClusterSpec, DataSourceRef, StorageConfiguration, VolumeSnapshot } from './kube-objects';
import { largerQuantity } from './kube-quantity';
import type { RestoreRequest } from './restore-request';
import { MANAGER_NAME, SchedulerAnnotation, SchedulerLabel } from './scheduler-metadata';

/**
 * The Cluster a restore creates: the source's spec (image, parameters, resources, storage, placement, ...), a
 * `bootstrap.recovery.volumeSnapshots` from one backup's snapshots, and for a point in time or a replica the source's
 * WAL archive as external cluster `origin`.
 */

/** Source spec fields a restored cluster keeps: everything about how it runs, nothing about where it came from. */
const COPIED_SPEC_FIELDS = [
  'affinity',
  'certificates',
  'description',
  'enablePDB',
  'enableSuperuserAccess',
  'env',
  'envFrom',
  'ephemeralVolumeSource',
  'ephemeralVolumesSizeLimit',
  'failoverDelay',
  'imageCatalogRef',
  'imageName',
  'imagePullPolicy',
  'imagePullSecrets',
  'inheritedMetadata',
  'livenessProbeTimeout',
  'logLevel',
  'managed',
  'maxSyncReplicas',
  'minSyncReplicas',
  'monitoring',
  'nodeMaintenanceWindow',
  'podSecurityContext',
  'postgresGID',
  'postgresUID',
  'postgresql',
  'primaryUpdateMethod',
  'primaryUpdateStrategy',
  'priorityClassName',
  'probes',
  'projectedVolumeTemplate',
  'replicationSlots',
  'resources',
  'schedulerName',
  'seccompProfile',
  'securityContext',
  'serviceAccountTemplate',
  'smartShutdownTimeout',
  'startDelay',
  'stopDelay',
  'storage',
  'superuserSecret',
  'switchoverDelay',
  'tablespaces',
  'topologySpreadConstraints',
  'walStorage',
] as const;

const ORIGIN = 'origin';

const snapshotRef = (name: string): DataSourceRef => ({ name, kind: 'VolumeSnapshot', apiGroup: SNAPSHOT_GROUP });

export interface RestoreManifestInput {
  source: Cluster;
  backup: Backup;
  /** The VolumeSnapshots labelled with the backup's name. */
  snapshots: readonly VolumeSnapshot[];
  request: Pick<RestoreRequest, 'clusterName' | 'instances' | 'replica' | 'pointInTime' | 'requestId' | 'requestedAt'>;
}

export function buildRestoreCluster(input: RestoreManifestInput): Cluster {
  const { source, backup, request } = input;
  const backupName = backup.metadata.name!;
  const copied: Record<string, unknown> = {};
  for (const field of COPIED_SPEC_FIELDS) if (source.spec[field] !== undefined) copied[field] = structuredClone(source.spec[field]);
  const spec = copied as ClusterSpec;
  spec.instances = request.instances;

  const elements = backup.status?.snapshotBackupStatus?.elements ?? [];
  const snapshotNamed = (name: string) => {
    const snapshot = input.snapshots.find((s) => s.metadata.name === name && s.metadata.labels?.[CnpgLabel.BackupName] === backupName);
    if (!snapshot)
      throw new PreconditionFailedError(
        `VolumeSnapshot ${source.metadata.namespace}/${name} of backup ${backupName} does not exist (deleted?); choose another backup`,
      );
    return snapshot;
  };
  const data = elements.find((e) => e.type === SnapshotRole.PgData);
  if (!data) throw new PreconditionFailedError(`Backup ${backupName} lists no PG_DATA snapshot in status.snapshotBackupStatus`);
  const wal = elements.find((e) => e.type === SnapshotRole.PgWal);
  const tablespaces = elements.filter((e) => e.type === SnapshotRole.PgTablespace && e.tablespaceName);

  checkMajorVersion(spec, backup, snapshotNamed(data.name));
  spec.storage = atLeast(spec.storage, snapshotNamed(data.name));
  if (wal) {
    if (!spec.walStorage)
      throw new PreconditionFailedError(
        `Backup ${backupName} has a WAL snapshot but cluster ${source.metadata.name} has no spec.walStorage to restore it into`,
      );
    spec.walStorage = atLeast(spec.walStorage, snapshotNamed(wal.name));
  }
  if (tablespaces.length > 0 && spec.tablespaces)
    spec.tablespaces = spec.tablespaces.map((tablespace) => {
      const element = tablespaces.find((e) => e.tablespaceName === tablespace.name);
      return element ? { ...tablespace, storage: atLeast(tablespace.storage, snapshotNamed(element.name)) } : tablespace;
    });

  const volumeSnapshots: Record<string, unknown> = { storage: snapshotRef(data.name) };
  if (wal) volumeSnapshots.walStorage = snapshotRef(wal.name);
  if (tablespaces.length > 0)
    volumeSnapshots.tablespaceStorage = Object.fromEntries(tablespaces.map((e) => [e.tablespaceName!, snapshotRef(e.name)]));

  const needsArchive = request.pointInTime !== undefined || request.replica;
  const recovery: Record<string, unknown> = { volumeSnapshots };
  if (needsArchive) {
    const origin = walArchiveOf(source);
    if (!origin)
      throw new PreconditionFailedError(
        `${request.replica ? 'replica' : 'pointInTime'} needs a WAL archive, and cluster ${source.metadata.name} has none (no barman-cloud plugin with isWALArchiver, no spec.backup.barmanObjectStore)`,
      );
    spec.externalClusters = [origin];
    recovery.source = ORIGIN;
    if (request.pointInTime) recovery.recoveryTarget = { targetTime: request.pointInTime.toISOString().replace(/\.000Z$/, 'Z') };
  }
  if (request.replica) spec.replica = { enabled: true, source: ORIGIN };
  spec.bootstrap = { recovery };
  // The restored cluster must never archive into the source's WAL path: its archiver is left out (spec.plugins and
  // spec.backup are not copied); configure archiving for it once it is promoted.

  return {
    apiVersion: CNPG_API_VERSION,
    kind: 'Cluster',
    metadata: {
      name: request.clusterName,
      namespace: source.metadata.namespace!,
      labels: {
        [KubeLabel.ManagedBy]: MANAGER_NAME,
        [SchedulerLabel.RestoredFrom]: backupName,
        [SchedulerLabel.RestoreRequest]: request.requestId,
      },
      annotations: { [SchedulerAnnotation.RestoreRequestedAt]: request.requestedAt.toISOString() },
    },
    spec,
  };
}

/** A Cluster of that name that this same request created: follow it instead of creating another. */
export function isSameRestoreRequest(existing: Cluster, requestId: string): boolean {
  const labels = existing.metadata.labels ?? {};
  return labels[KubeLabel.ManagedBy] === MANAGER_NAME && labels[SchedulerLabel.RestoreRequest] === requestId;
}

function atLeast(storage: StorageConfiguration | undefined, snapshot: VolumeSnapshot): StorageConfiguration {
  const restoreSize = snapshot.status?.restoreSize;
  if (!restoreSize) return { ...storage };
  return { ...storage, size: storage?.size ? largerQuantity(storage.size, restoreSize) : restoreSize };
}

function majorOfImage(spec: ClusterSpec): number | undefined {
  if (spec.imageCatalogRef) return spec.imageCatalogRef.major;
  const tag = /:(\d+)(?:[.\-@]|$)/.exec(spec.imageName ?? '');
  return tag ? Number(tag[1]) : undefined;
}

function checkMajorVersion(spec: ClusterSpec, backup: Backup, dataSnapshot: VolumeSnapshot): void {
  const label = dataSnapshot.metadata.labels?.[CnpgLabel.MajorVersion];
  const backupMajor = label ? Number(label) : backup.status?.majorVersion;
  const imageMajor = majorOfImage(spec);
  if (backupMajor !== undefined && imageMajor !== undefined && backupMajor !== imageMajor)
    throw new PreconditionFailedError(
      `Backup ${backup.metadata.name} holds PostgreSQL ${backupMajor} data but the cluster image is PostgreSQL ${imageMajor}; a snapshot restores only into the same major version`,
    );
}

/** The source's WAL archive as an external cluster: its WAL-archiver plugin, or the in-tree barmanObjectStore. */
function walArchiveOf(source: Cluster): (Record<string, unknown> & { name: string }) | undefined {
  const plugin = source.spec.plugins?.find((p) => p.isWALArchiver && p.enabled !== false);
  if (plugin) {
    const parameters = plugin.parameters ?? {};
    return {
      name: ORIGIN,
      plugin: {
        name: plugin.name,
        parameters: { ...parameters, serverName: parameters.serverName ?? source.metadata.name! },
      },
    };
  }
  const store = source.spec.backup?.barmanObjectStore as Record<string, unknown> | undefined;
  if (store)
    return {
      name: ORIGIN,
      barmanObjectStore: { ...structuredClone(store), serverName: (store.serverName as string | undefined) ?? source.metadata.name! },
    };
  return undefined;
}
