import { PreconditionFailedError } from '../errors';
import { CNPG_API_VERSION, CnpgAnnotation, CnpgLabel, KubeLabel, SNAPSHOT_GROUP, SnapshotRole } from './cnpg-api';
import type {
  Backup,
  Cluster,
  ClusterSpec,
  DataSourceRef,
  KubeObject,
  SnapshotElement,
  StorageConfiguration,
  VolumeSnapshot,
} from './kube-objects';
import { largerQuantity } from './kube-quantity';
import { applicationDatabaseOf, type ApplicationDatabase } from './restore-application-database';
import { majorOfImage, pinImage } from './restore-image';
import { recordedCluster, restoreSpecSource } from './restore-recorded-cluster';
import type { RestoreRequest, RestoreSpecSource } from './restore-request';
import { chooseServiceAccount } from './restore-service-account';
import { COPIED_SPEC_FIELDS } from './restore-spec-fields';
import { snapshotOwnershipWarning } from './snapshot-ownership';
import { MANAGER_NAME, SchedulerAnnotation, SchedulerLabel } from './scheduler-metadata';

/**
 * The Cluster a restore creates: the source's spec (image, parameters, resources, storage, placement, ...), a
 * `bootstrap.recovery.volumeSnapshots` from one backup's snapshots, and for a point in time or a replica the source's
 * WAL archive as external cluster `origin`.
 */

/** The external cluster through which a restore reads the source's WAL archive. */
const RESTORE_ORIGIN = 'origin';
const BARMAN_CLOUD_PLUGIN = 'barman-cloud.cloudnative-pg.io';

type ExternalCluster = NonNullable<ClusterSpec['externalClusters']>[number];
type Plugin = NonNullable<ClusterSpec['plugins']>[number];
type Recovery = NonNullable<NonNullable<ClusterSpec['bootstrap']>['recovery']>;
type SnapshotSources = Recovery['volumeSnapshots'] & object;

export interface RestoreManifestInput {
  /** The live source Cluster; undefined when it has been deleted. */
  live: Cluster | undefined;
  source: { namespace: string; cluster: string };
  backup: Backup;
  /** The VolumeSnapshots labelled with the backup's name. */
  snapshots: readonly VolumeSnapshot[];
  request: Pick<
    RestoreRequest,
    'clusterName' | 'instances' | 'replica' | 'pointInTime' | 'requestedAt' | 'specFrom' | 'serviceAccountName'
  > & { requestId: string };
}

/** What a restore will create, and what the operator needs to know about it. */
export interface RestorePlan {
  manifest: Cluster;
  /** Where the restored spec came from: the live Cluster or the backup's record of it. */
  specFrom: RestoreSpecSource;
  /** The application database and owner carried over into the recovery bootstrap. */
  application: ApplicationDatabase;
  image: string;
  /** Whether WAL is replayed from the source's archive after the snapshots: to a point in time, or for ever (replica). */
  walReplay: 'none' | 'pointInTime' | 'replica';
  serviceAccountName?: string;
  warnings: string[];
}

export function buildRestorePlan(input: RestoreManifestInput): RestorePlan {
  const { backup, request, live } = input;
  const backupName = backup.metadata.name;
  const snapshots = backupSnapshots(input);
  const recorded = recordedCluster(snapshots.data.snapshot);
  const chosen = restoreSpecSource({
    asked: request.specFrom,
    live,
    recorded,
    source: input.source,
    dataSnapshot: snapshots.data.element.name,
  });
  const source = chosen.cluster;
  const sourceName = input.source.cluster;
  const warnings: string[] = [];
  if (chosen.from === 'backup')
    warnings.push(
      `Restored with the spec Cluster ${sourceName} had when backup ${backupName} was taken (annotation ${CnpgAnnotation.ClusterManifest})${live ? '' : ', as the Cluster no longer exists'}`,
    );
  const ownership = snapshotOwnershipWarning((live ?? source).spec, `${input.source.namespace}/${sourceName}`);
  if (ownership) warnings.push(ownership);

  const spec = runtimeSpecOf(source, sourceName, request.clusterName, request.instances);
  const pinned = pinImage(spec, backup, recorded, live);
  if (pinned.warning) warnings.push(pinned.warning);
  checkMajorVersion(spec, backup, snapshots.data.snapshot);
  spec.storage = atLeast(spec.storage, snapshots.data.snapshot);
  if (snapshots.wal) {
    if (!spec.walStorage)
      throw new PreconditionFailedError(
        `Backup ${backupName} has a WAL snapshot but cluster ${sourceName} has no spec.walStorage to restore it into`,
      );
    spec.walStorage = atLeast(spec.walStorage, snapshots.wal.snapshot);
  }
  for (const { element, snapshot } of snapshots.tablespaces) {
    const declared = spec.tablespaces?.find((tablespace) => tablespace.name === element.tablespaceName);
    if (!declared)
      throw new PreconditionFailedError(
        `Backup ${backupName} has a snapshot of tablespace ${element.tablespaceName} but cluster ${sourceName} declares no such tablespace in spec.tablespaces`,
      );
    declared.storage = atLeast(declared.storage, snapshot);
  }

  const volumeSnapshots: SnapshotSources = { storage: snapshotRef(snapshots.data.element.name) };
  if (snapshots.wal) volumeSnapshots.walStorage = snapshotRef(snapshots.wal.element.name);
  if (snapshots.tablespaces.length > 0)
    volumeSnapshots.tablespaceStorage = Object.fromEntries(
      snapshots.tablespaces.map(({ element }) => [element.tablespaceName!, snapshotRef(element.name)]),
    );
  const application = applicationDatabaseOf(source);
  const recovery: Recovery = { volumeSnapshots, database: application.database, owner: application.owner };

  const readsArchive = request.replica ? 'replica' : request.pointInTime !== undefined ? 'pointInTime' : undefined;
  if (readsArchive) {
    const origin = walArchiveOf(source, sourceName);
    if (!origin)
      throw new PreconditionFailedError(
        `${readsArchive} needs a WAL archive, and cluster ${sourceName} has none (no enabled WAL-archiver plugin such as ${BARMAN_CLOUD_PLUGIN}, no spec.backup.barmanObjectStore)`,
      );
    spec.externalClusters = [origin];
    // Without a source CNPG writes no recovery configuration, and PostgreSQL would ignore the recovery target.
    recovery.source = RESTORE_ORIGIN;
    if (request.pointInTime) recovery.recoveryTarget = { targetTime: request.pointInTime.toISOString().replace(/\.000Z$/, 'Z') };
    if (request.replica) spec.replica = { enabled: true, source: RESTORE_ORIGIN };
  }
  const account = chooseServiceAccount({
    spec,
    requested: request.serviceAccountName,
    readsArchive,
    sourceName,
    sourceExists: live !== undefined,
  });
  if (account.warning) warnings.push(account.warning);
  spec.bootstrap = { recovery };

  const manifest: Cluster = {
    apiVersion: CNPG_API_VERSION,
    kind: 'Cluster',
    metadata: {
      name: request.clusterName,
      namespace: input.source.namespace,
      labels: {
        [KubeLabel.ManagedBy]: MANAGER_NAME,
        [SchedulerLabel.RestoredFrom]: backupName,
        [SchedulerLabel.RestoreRequest]: request.requestId,
      },
      annotations: { [SchedulerAnnotation.RestoreRequestedAt]: request.requestedAt.toISOString() },
    },
    spec,
  };
  return {
    manifest,
    specFrom: chosen.from,
    application,
    image: pinned.image,
    walReplay: readsArchive ?? 'none',
    ...(account.name !== undefined && { serviceAccountName: account.name }),
    warnings,
  };
}

/**
 * An object of that name (the Cluster, or an imported snapshot or content) that this same request created: follow
 * it instead of creating another.
 */
export function isSameRestoreRequest(existing: Pick<KubeObject, 'metadata'>, requestId: string): boolean {
  const labels = existing.metadata.labels ?? {};
  return labels[KubeLabel.ManagedBy] === MANAGER_NAME && labels[SchedulerLabel.RestoreRequest] === requestId;
}

/** The source's spec without its identity and WAL archive, fitted to the restored cluster's name and size. */
function runtimeSpecOf(source: Cluster, sourceName: string, clusterName: string, instances: number): ClusterSpec {
  const spec: ClusterSpec = { instances };
  for (const field of COPIED_SPEC_FIELDS) copyField(spec, source.spec, field);

  // The restored cluster must never archive into the source's WAL path, so it starts without WAL archiving: the
  // in-tree archive's fields go, the rest of spec.backup (volumeSnapshot, target) is kept.
  const { barmanObjectStore: _archive, retentionPolicy: _archiveRetention, ...snapshotBackup } = source.spec.backup ?? {};
  if (Object.keys(snapshotBackup).length > 0) spec.backup = structuredClone(snapshotBackup);
  const plugins = (source.spec.plugins ?? []).filter((plugin) => !plugin.isWALArchiver).map((plugin) => ownPlugin(plugin, clusterName));
  if (plugins.length > 0) spec.plugins = plugins;

  const managed = source.spec.managed;
  if (managed?.roles || managed?.services?.disabledDefaultServices)
    spec.managed = structuredClone({
      ...(managed.roles !== undefined && { roles: managed.roles }),
      // Additional services are dropped: they carry explicit names, which the source's own services already hold.
      ...(managed.services?.disabledDefaultServices !== undefined && {
        services: { disabledDefaultServices: managed.services.disabledDefaultServices },
      }),
    });

  fitSynchronousReplication(spec, instances);
  spreadOwnPods(spec, sourceName, clusterName);
  return spec;
}

/** Copies one spec field, when the source sets it, as a deep copy: the source object is never shared. */
// Generic so that the field's value type is the same on both sides of the assignment.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
function copyField<K extends keyof ClusterSpec>(spec: ClusterSpec, from: ClusterSpec, field: K): void {
  if (from[field] !== undefined) spec[field] = structuredClone(from[field]);
}

/** A barman-cloud plugin kept for base backups writes under the new cluster's name, never into the source's folder. */
function ownPlugin(plugin: Plugin, clusterName: string): Plugin {
  const copy = structuredClone(plugin);
  if (copy.name === BARMAN_CLOUD_PLUGIN && copy.parameters?.serverName) copy.parameters.serverName = clusterName;
  return copy;
}

/** CNPG's webhook refuses synchronous settings that need more standbys than the restored cluster has: it runs without them. */
function fitSynchronousReplication(spec: ClusterSpec, instances: number): void {
  if (typeof spec.maxSyncReplicas === 'number' && spec.maxSyncReplicas >= instances) {
    delete spec.maxSyncReplicas;
    delete spec.minSyncReplicas;
  }
  const postgresql = spec.postgresql;
  const synchronous = postgresql?.synchronous;
  if (
    postgresql &&
    synchronous &&
    synchronous.number >= instances + (synchronous.standbyNamesPre?.length ?? 0) + (synchronous.standbyNamesPost?.length ?? 0)
  )
    delete postgresql.synchronous;
}

/** Topology spread constraints that select the source's pods by `cnpg.io/cluster` select the restored cluster's instead. */
function spreadOwnPods(spec: ClusterSpec, sourceName: string, clusterName: string): void {
  for (const constraint of spec.topologySpreadConstraints ?? []) {
    const matchLabels = constraint.labelSelector?.matchLabels;
    if (matchLabels?.[CnpgLabel.Cluster] === sourceName) matchLabels[CnpgLabel.Cluster] = clusterName;
  }
}

interface BackupSnapshot {
  element: SnapshotElement;
  snapshot: VolumeSnapshot;
}

/** The backup's snapshots by role, each checked to exist and to belong to the backup, as CNPG will check them. */
function backupSnapshots(input: RestoreManifestInput): { data: BackupSnapshot; wal?: BackupSnapshot; tablespaces: BackupSnapshot[] } {
  const backupName = input.backup.metadata.name;
  const { namespace } = input.source;
  const resolve = (element: SnapshotElement): BackupSnapshot => {
    const snapshot = input.snapshots.find((s) => s.metadata.name === element.name);
    if (!snapshot)
      throw new PreconditionFailedError(
        `VolumeSnapshot ${namespace}/${element.name} of backup ${backupName} does not exist (deleted?); choose another backup`,
      );
    // The CSI provisioner refuses both as a volume's source (external-provisioner pkg/controller/controller.go,
    // getSnapshotSource): the restore would wait for ever.
    if (snapshot.metadata.deletionTimestamp)
      throw new PreconditionFailedError(
        `VolumeSnapshot ${namespace}/${element.name} of backup ${backupName} is being deleted (since ${snapshot.metadata.deletionTimestamp}); choose another backup`,
      );
    if (snapshot.status?.readyToUse !== true)
      throw new PreconditionFailedError(
        `VolumeSnapshot ${namespace}/${element.name} of backup ${backupName} is not ready to use${snapshot.status?.error?.message ? ` (${snapshot.status.error.message})` : ''}; choose another backup`,
      );
    const label = snapshot.metadata.labels?.[CnpgLabel.BackupName];
    if (label !== backupName)
      throw new PreconditionFailedError(
        `VolumeSnapshot ${namespace}/${element.name} is labelled ${CnpgLabel.BackupName}=${label ?? '(none)'}, not ${backupName}; CNPG restores only the snapshots of one backup`,
      );
    return { element, snapshot };
  };
  const elements = input.backup.status?.snapshotBackupStatus?.elements ?? [];
  const data = elements.find((e) => e.type === SnapshotRole.PgData);
  if (!data) throw new PreconditionFailedError(`Backup ${backupName} lists no PG_DATA snapshot in status.snapshotBackupStatus`);
  const wal = elements.find((e) => e.type === SnapshotRole.PgWal);
  return {
    data: resolve(data),
    ...(wal && { wal: resolve(wal) }),
    tablespaces: elements.filter((e) => e.type === SnapshotRole.PgTablespace && e.tablespaceName).map(resolve),
  };
}

const snapshotRef = (name: string): DataSourceRef => ({ name, kind: 'VolumeSnapshot', apiGroup: SNAPSHOT_GROUP });

/** The volume's size, raised to the snapshot's restore size: a PVC smaller than its source snapshot cannot be provisioned. */
function atLeast(storage: StorageConfiguration | undefined, snapshot: VolumeSnapshot): StorageConfiguration {
  const restoreSize = snapshot.status?.restoreSize;
  const requested = storage?.size ?? templateRequest(storage);
  if (!restoreSize) return { ...storage };
  return { ...storage, size: requested ? largerQuantity(requested, restoreSize) : restoreSize };
}

function templateRequest(storage: StorageConfiguration | undefined): string | undefined {
  const request = storage?.pvcTemplate?.resources?.requests?.storage;
  return request === undefined ? undefined : String(request);
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

/** The source's WAL archive as external cluster `origin`: its enabled WAL-archiver plugin, or the in-tree barmanObjectStore. */
function walArchiveOf(source: Cluster, sourceName: string): ExternalCluster | undefined {
  const plugin = source.spec.plugins?.find((p) => p.isWALArchiver && p.enabled !== false);
  if (plugin) {
    const parameters = { ...plugin.parameters };
    // barman-cloud files WAL under serverName, which defaults to the archiving cluster's name: the source's, not ours.
    if (plugin.name === BARMAN_CLOUD_PLUGIN) parameters.serverName = parameters.serverName ?? sourceName;
    return { name: RESTORE_ORIGIN, plugin: { name: plugin.name, parameters } };
  }
  const store = source.spec.backup?.barmanObjectStore;
  if (store) {
    // An explicit serverName is where the source archives; without one it archives under its own name.
    const serverName = store.serverName ?? sourceName;
    return { name: RESTORE_ORIGIN, barmanObjectStore: { ...structuredClone(store), serverName } };
  }
  return undefined;
}
