/**
 * Names that CloudNativePG 1.30 and the CSI external-snapshotter (v8) define, in one place.
 * Sources: cloudnative-pg api/v1/backup_types.go, api/v1/cluster_types.go,
 * pkg/utils/labels_annotations.go; external-snapshotter client/apis/volumesnapshot/v1.
 */

export const CNPG_GROUP = 'postgresql.cnpg.io';
export const CNPG_VERSION = 'v1';
export const CNPG_API_VERSION = `${CNPG_GROUP}/${CNPG_VERSION}`;
export const SNAPSHOT_GROUP = 'snapshot.storage.k8s.io';
export const SNAPSHOT_VERSION = 'v1';
export const SNAPSHOT_API_VERSION = `${SNAPSHOT_GROUP}/${SNAPSHOT_VERSION}`;

export const BackupPhase = {
  Pending: 'pending',
  Started: 'started',
  Running: 'running',
  Finalizing: 'finalizing',
  Completed: 'completed',
  Failed: 'failed',
  WalArchivingFailing: 'walArchivingFailing',
  DefinitionInvalid: 'invalid backup definition',
} as const;
export type BackupPhase = (typeof BackupPhase)[keyof typeof BackupPhase];

export const ClusterPhase = {
  SettingUpPrimary: 'Setting up primary',
  CreatingReplica: 'Creating a new replica',
  Healthy: 'Cluster in healthy state',
  WaitingForInstances: 'Waiting for the instances to become active',
  Unrecoverable: 'Cluster is unrecoverable and needs manual intervention',
  UnknownPlugin: 'Cluster cannot proceed to reconciliation due to an unknown plugin being required',
  PluginError: 'Cluster cannot proceed to reconciliation due to an error while interacting with plugins',
  InvalidImageCatalog: 'Cluster has incomplete or invalid image catalog',
  MissingArchitectureBinary: 'Cluster cannot execute instance online upgrade due to missing architecture binary',
  CannotCreateObjects: 'Unable to create required cluster objects',
  InvalidDefinition: 'Invalid cluster definition',
} as const;

/** Cluster phases after which CNPG needs a human: a restore that reaches one has failed. */
export const CLUSTER_FAILURE_PHASES: ReadonlySet<string> = new Set([
  ClusterPhase.Unrecoverable,
  ClusterPhase.UnknownPlugin,
  ClusterPhase.PluginError,
  ClusterPhase.InvalidImageCatalog,
  ClusterPhase.MissingArchitectureBinary,
  ClusterPhase.CannotCreateObjects,
  ClusterPhase.InvalidDefinition,
]);

export const SnapshotRole = {
  PgData: 'PG_DATA',
  PgWal: 'PG_WAL',
  PgTablespace: 'PG_TABLESPACE',
} as const;
export type SnapshotRole = (typeof SnapshotRole)[keyof typeof SnapshotRole];

export const CnpgLabel = {
  Cluster: 'cnpg.io/cluster',
  BackupName: 'cnpg.io/backupName',
  MajorVersion: 'cnpg.io/majorVersion',
  BackupDate: 'cnpg.io/backupDate',
  BackupMonth: 'cnpg.io/backupMonth',
  BackupYear: 'cnpg.io/backupYear',
  BackupTimeline: 'cnpg.io/backupTimeline',
  TablespaceName: 'cnpg.io/tablespaceName',
  JobRole: 'cnpg.io/jobRole',
  InstanceName: 'cnpg.io/instanceName',
} as const;

export const CnpgAnnotation = {
  PvcRole: 'cnpg.io/pvcRole',
  InstanceRole: 'cnpg.io/instanceRole',
  BackupStartTime: 'cnpg.io/backupStartTime',
  BackupEndTime: 'cnpg.io/backupEndTime',
  SnapshotStartTime: 'cnpg.io/snapshotStartTime',
  SnapshotEndTime: 'cnpg.io/snapshotEndTime',
  VolumeSnapshotDeadline: 'cnpg.io/volumeSnapshotDeadline',
  Hibernation: 'cnpg.io/hibernation',
  ClusterManifest: 'cnpg.io/clusterManifest',
  /** A hot backup's backup_label, base64 (annotateSnapshotsWithBackupData); the recovery Job writes it back. */
  BackupLabelFile: 'cnpg.io/backupLabelFile',
  /** A hot backup's tablespace_map, base64, likewise. */
  BackupTablespaceMapFile: 'cnpg.io/backupTablespaceMapFile',
} as const;

/** The prefix of CNPG's own labels and annotations (pkg/utils/labels_annotations.go, MetadataNamespace). */
export const CNPG_METADATA_PREFIX = 'cnpg.io/';

/** Kubernetes recommended labels the scheduler writes on what it creates. */
export const KubeLabel = {
  ManagedBy: 'app.kubernetes.io/managed-by',
} as const;

export const ReadyCondition = 'Ready';
export const SNAPSHOT_RECOVERY_JOB_ROLE = 'snapshot-recovery';
