/**
 * The parts of Kubernetes objects the scheduler reads or writes. Fields it never touches are left out;
 * objects read from the API may carry more, and manifests are checked against the upstream CRD schemas in tests.
 */

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

export interface SnapshotElement {
  name: string;
  type: string;
  tablespaceName?: string;
}

export interface BackupSpec {
  cluster: { name: string };
  method?: 'barmanObjectStore' | 'volumeSnapshot' | 'plugin';
  online?: boolean;
  onlineConfiguration?: OnlineConfiguration;
  target?: 'primary' | 'prefer-standby';
}

export interface BackupStatus {
  phase?: string;
  method?: string;
  error?: string;
  startedAt?: string;
  stoppedAt?: string;
  majorVersion?: number;
  online?: boolean;
  snapshotBackupStatus?: { elements?: SnapshotElement[] };
  beginWal?: string;
  endWal?: string;
  beginLSN?: string;
  endLSN?: string;
}

export interface Backup extends KubeObject {
  apiVersion: 'postgresql.cnpg.io/v1';
  kind: 'Backup';
  spec: BackupSpec;
  status?: BackupStatus;
}

export interface DataSourceRef {
  name: string;
  kind: string;
  apiGroup?: string;
}

export interface StorageConfiguration {
  size?: string;
  storageClass?: string;
  resizeInUseVolumes?: boolean;
  pvcTemplate?: Record<string, unknown>;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/** A CNPG Cluster. `spec` is kept open: a restore copies fields the scheduler does not interpret. */
export interface Cluster extends KubeObject {
  apiVersion: 'postgresql.cnpg.io/v1';
  kind: 'Cluster';
  spec: ClusterSpec;
  status?: ClusterStatus;
}

/** How a hot backup starts and ends: CNPG's OnlineConfiguration, on the cluster's volumeSnapshot stanza or a Backup. */
export interface OnlineConfiguration {
  immediateCheckpoint?: boolean;
  waitForArchive?: boolean;
}

export interface ClusterSpec {
  instances?: number;
  imageName?: string;
  imageCatalogRef?: { apiGroup?: string; kind: string; name: string; major: number };
  storage?: StorageConfiguration;
  walStorage?: StorageConfiguration;
  tablespaces?: Array<{ name: string; storage: StorageConfiguration; [key: string]: unknown }>;
  backup?: {
    target?: string;
    volumeSnapshot?: {
      className?: string;
      walClassName?: string;
      online?: boolean;
      onlineConfiguration?: OnlineConfiguration;
      [key: string]: unknown;
    };
    barmanObjectStore?: Record<string, unknown>;
    [key: string]: unknown;
  };
  bootstrap?: Record<string, unknown>;
  externalClusters?: Array<Record<string, unknown> & { name: string }>;
  plugins?: Array<{ name: string; enabled?: boolean; isWALArchiver?: boolean; parameters?: Record<string, string> }>;
  replica?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface ClusterStatus {
  phase?: string;
  /** The PostgreSQL image the instances run (CNPG sets it, also when the spec pins none). */
  image?: string;
  phaseReason?: string;
  instances?: number;
  readyInstances?: number;
  currentPrimary?: string;
  targetPrimary?: string;
  conditions?: Condition[];
}

export interface VolumeSnapshot extends KubeObject {
  apiVersion: 'snapshot.storage.k8s.io/v1';
  kind: 'VolumeSnapshot';
  spec: {
    source: { persistentVolumeClaimName?: string; volumeSnapshotContentName?: string };
    volumeSnapshotClassName?: string;
  };
  status?: {
    boundVolumeSnapshotContentName?: string;
    creationTime?: string;
    readyToUse?: boolean;
    restoreSize?: string;
    error?: { message?: string; time?: string };
  };
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
