import { createHash } from 'node:crypto';
import { BackupPhase, CNPG_API_VERSION, CnpgAnnotation, KubeLabel, SNAPSHOT_API_VERSION, SnapshotRole } from './cnpg-api';
import type { Backup, VolumeSnapshot, VolumeSnapshotContent } from './kube-objects';
import type { RecoveryPointRecord, RecoveryPointVolume } from './recovery-point-record';
import { MANAGER_NAME, SchedulerLabel } from './scheduler-metadata';

/** Where a restore from the catalog creates its snapshots and its Cluster. */
export interface RestoreDestination {
  eksCluster: string;
  namespace: string;
}

/**
 * A recovery point brought into a namespace from the catalog, as the CSI snapshotter imports a snapshot taken
 * elsewhere ("pre-provisioned" snapshots: kubernetes-csi external-snapshotter docs, and Kubernetes docs, Concepts,
 * Storage, Volume Snapshots, "Pre-provisioned Volume Snapshot"): for each volume a VolumeSnapshotContent naming the
 * storage snapshot by its handle and the VolumeSnapshot it is for, and that VolumeSnapshot, naming the content.
 */
export interface RecoveryPointImport {
  /** Cluster-scoped, `deletionPolicy: Retain`: deleting the import never deletes the storage snapshot retention owns. */
  contents: VolumeSnapshotContent[];
  /** In the destination namespace, with the labels and annotations CNPG wrote on the originals. */
  snapshots: VolumeSnapshot[];
  /**
   * What the restore plan reads: the backup as the catalog recorded it, its elements naming the imported snapshots,
   * and those snapshots as they are once bound (ready, of the recorded size).
   */
  plan: { backup: Backup; snapshots: VolumeSnapshot[] };
}

const SUFFIX_LENGTH = 8;

export function recoveryPointImport(record: RecoveryPointRecord, destination: RestoreDestination, requestId: string): RecoveryPointImport {
  // Names of one request's imported objects: the original snapshot's name and a digest of the request.
  const suffix = createHash('sha256').update(requestId).digest('hex').slice(0, SUFFIX_LENGTH);
  const importedName = (volume: RecoveryPointVolume) => `${volume.snapshot}-${suffix}`;
  const marks = { [KubeLabel.ManagedBy]: MANAGER_NAME, [SchedulerLabel.RestoreRequest]: requestId };
  const contents: VolumeSnapshotContent[] = [];
  const snapshots: VolumeSnapshot[] = [];
  const planned: VolumeSnapshot[] = [];
  for (const volume of record.volumes) {
    const name = importedName(volume);
    contents.push({
      apiVersion: SNAPSHOT_API_VERSION,
      kind: 'VolumeSnapshotContent',
      metadata: { name, labels: marks },
      spec: {
        deletionPolicy: 'Retain',
        driver: volume.driver,
        source: { snapshotHandle: volume.snapshotHandle },
        volumeSnapshotRef: { name, namespace: destination.namespace },
        ...(volume.volumeSnapshotClass !== undefined && { volumeSnapshotClassName: volume.volumeSnapshotClass }),
      },
    });
    const annotations = {
      ...volume.cnpgAnnotations,
      ...(volume.role === SnapshotRole.PgData && { [CnpgAnnotation.ClusterManifest]: record.clusterManifest }),
    };
    const snapshot: VolumeSnapshot = {
      apiVersion: SNAPSHOT_API_VERSION,
      kind: 'VolumeSnapshot',
      metadata: { name, namespace: destination.namespace, labels: { ...volume.cnpgLabels, ...marks }, annotations },
      spec: {
        source: { volumeSnapshotContentName: name },
        ...(volume.volumeSnapshotClass !== undefined && { volumeSnapshotClassName: volume.volumeSnapshotClass }),
      },
    };
    snapshots.push(snapshot);
    planned.push({ ...snapshot, status: { readyToUse: true, restoreSize: String(volume.restoreSizeBytes) } });
  }
  return { contents, snapshots, plan: { backup: recordedBackup(record, importedName), snapshots: planned } };
}

/** The Backup a record stands for, its elements named by `nameOf` (the source's snapshot names, or the imported ones). */
export function recordedBackup(record: RecoveryPointRecord, nameOf: (volume: RecoveryPointVolume) => string = (v) => v.snapshot): Backup {
  return {
    apiVersion: CNPG_API_VERSION,
    kind: 'Backup',
    metadata: { name: record.backup, namespace: record.namespace },
    spec: { cluster: { name: record.cluster }, method: 'volumeSnapshot' },
    status: {
      phase: BackupPhase.Completed,
      ...(record.startedAt !== undefined && { startedAt: record.startedAt }),
      stoppedAt: record.stoppedAt,
      ...(record.postgresMajor !== undefined && { majorVersion: record.postgresMajor }),
      snapshotBackupStatus: {
        elements: record.volumes.map((volume) => ({
          name: nameOf(volume),
          type: volume.role,
          ...(volume.tablespace !== undefined && { tablespaceName: volume.tablespace }),
        })),
      },
    },
  };
}
