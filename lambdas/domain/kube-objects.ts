import type { BackupSpec, BackupStatus } from './generated/backup';
import type { ClusterSpec, ClusterStatus } from './generated/cluster';
import type { VolumeSnapshotSpec, VolumeSnapshotStatus } from './generated/volume-snapshot';

/**
 * The Kubernetes objects the scheduler reads or writes. The spec and status of the CloudNativePG and CSI objects are
 * generated from the upstream CRDs (lambdas/domain/generated, `npm run crd-types`); the envelope and the built-in
 * kinds carry only the fields the scheduler touches.
 */

export type { BackupSpec, BackupStatus, ClusterSpec, ClusterStatus, VolumeSnapshotSpec, VolumeSnapshotStatus };

/** The scheduler names every object it creates, and every object the API returns has a name. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  finalizers?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
}

export interface Backup extends KubeObject {
  apiVersion: 'postgresql.cnpg.io/v1';
  kind: 'Backup';
  spec: BackupSpec;
  status?: BackupStatus;
}

/** How a hot backup starts and ends: CNPG's OnlineConfiguration, on the cluster's volumeSnapshot stanza or a Backup. */
export type OnlineConfiguration = NonNullable<BackupSpec['onlineConfiguration']>;

/** One volume snapshot of a backup, as CNPG lists them in status.snapshotBackupStatus. */
export type SnapshotElement = NonNullable<NonNullable<BackupStatus['snapshotBackupStatus']>['elements']>[number];

export interface Cluster extends KubeObject {
  apiVersion: 'postgresql.cnpg.io/v1';
  kind: 'Cluster';
  spec: ClusterSpec;
  status?: ClusterStatus;
}

/** The storage of a volume of a Cluster: data (spec.storage), WAL (spec.walStorage) or a tablespace. */
export type StorageConfiguration = NonNullable<ClusterSpec['storage']>;

export interface VolumeSnapshot extends KubeObject {
  apiVersion: 'snapshot.storage.k8s.io/v1';
  kind: 'VolumeSnapshot';
  spec: VolumeSnapshotSpec;
  status?: VolumeSnapshotStatus;
}

export interface DataSourceRef {
  name: string;
  kind: string;
  apiGroup?: string;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface VolumeSnapshotClass extends KubeObject {
  apiVersion: 'snapshot.storage.k8s.io/v1';
  kind: 'VolumeSnapshotClass';
  driver: string;
  deletionPolicy: 'Delete' | 'Retain';
}

/** The cluster-scoped record of one storage snapshot; its deletionPolicy (copied from the class at creation) decides its fate. */
export interface VolumeSnapshotContent extends KubeObject {
  apiVersion: 'snapshot.storage.k8s.io/v1';
  kind: 'VolumeSnapshotContent';
  spec: {
    deletionPolicy: 'Delete' | 'Retain';
    driver: string;
    source: { snapshotHandle?: string; volumeHandle?: string };
    volumeSnapshotRef: { name?: string; namespace?: string; uid?: string };
    volumeSnapshotClassName?: string;
  };
  status?: { snapshotHandle?: string; readyToUse?: boolean; restoreSize?: number; creationTime?: number };
}

export interface PersistentVolumeClaim extends KubeObject {
  apiVersion: 'v1';
  kind: 'PersistentVolumeClaim';
  spec: { dataSource?: DataSourceRef; dataSourceRef?: DataSourceRef; [key: string]: unknown };
  status?: { phase?: string };
}

export interface Job extends KubeObject {
  apiVersion: 'batch/v1';
  kind: 'Job';
  spec?: { backoffLimit?: number; [key: string]: unknown };
  status?: { failed?: number; succeeded?: number; conditions?: Condition[] };
}

/** How a container ended: its exit code and its termination message (the file, or with FallbackToLogsOnError its log's tail). */
export interface ContainerTerminated {
  exitCode: number;
  reason?: string;
  message?: string;
}

export interface Pod extends KubeObject {
  apiVersion: 'v1';
  kind: 'Pod';
  status?: {
    phase?: string;
    containerStatuses?: Array<{
      name: string;
      state?: { terminated?: ContainerTerminated; running?: unknown; waiting?: { reason?: string } };
    }>;
  };
}
