/**
 * The strings CloudNativePG 1.30 and the CSI external-snapshotter write, copied literally from upstream so that the
 * simulation never agrees with a wrong constant of the product (it imports nothing from lambdas/).
 */

/** cloudnative-pg api/v1/backup_types.go: BackupPhasePending ... BackupPhaseDefinitionInvalid. */
export const BackupPhase = {
  Pending: 'pending',
  Started: 'started',
  Running: 'running',
  Finalizing: 'finalizing',
  Completed: 'completed',
  Failed: 'failed',
  DefinitionInvalid: 'invalid backup definition',
} as const;

/** cloudnative-pg api/v1/cluster_types.go: PhaseSettingUpPrimary, PhaseHealthy, PhaseUnrecoverable. */
export const ClusterPhase = {
  SettingUpPrimary: 'Setting up primary',
  Healthy: 'Cluster in healthy state',
  Unrecoverable: 'Cluster is unrecoverable and needs manual intervention',
} as const;

/** cloudnative-pg pkg/utils/labels_annotations.go. */
export const Label = {
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
  PvcRole: 'cnpg.io/pvcRole',
} as const;

/** cloudnative-pg pkg/utils/labels_annotations.go. */
export const Annotation = {
  PvcRole: 'cnpg.io/pvcRole',
  InstanceRole: 'cnpg.io/instanceRole',
  BackupStartTime: 'cnpg.io/backupStartTime',
  BackupEndTime: 'cnpg.io/backupEndTime',
  SnapshotStartTime: 'cnpg.io/snapshotStartTime',
  SnapshotEndTime: 'cnpg.io/snapshotEndTime',
  Hibernation: 'cnpg.io/hibernation',
  ClusterManifest: 'cnpg.io/clusterManifest',
  NodeSerial: 'cnpg.io/nodeSerial',
  PvcStatus: 'cnpg.io/pvcStatus',
  OnlineBackup: 'cnpg.io/onlineBackup',
  BackupStartWal: 'cnpg.io/backupStartWAL',
  BackupEndWal: 'cnpg.io/backupEndWAL',
  BackupLabelFile: 'cnpg.io/backupLabelFile',
  BackupTablespaceMapFile: 'cnpg.io/backupTablespaceMapFile',
} as const;

/** cloudnative-pg pkg/utils/labels_annotations.go: PVCRolePgData, PVCRolePgWal, PVCRolePgTablespace. */
export const PvcRole = {
  PgData: 'PG_DATA',
  PgWal: 'PG_WAL',
  PgTablespace: 'PG_TABLESPACE',
} as const;

/** cloudnative-pg pkg/specs/jobs.go: the job roles of a bootstrap (jobRoleSnapshotRecovery, jobRoleInitDB). */
export const JobRole = {
  SnapshotRecovery: 'snapshot-recovery',
  InitDb: 'initdb',
} as const;

export const SNAPSHOT_API_VERSION = 'snapshot.storage.k8s.io/v1';
export const SNAPSHOT_API_GROUP = 'snapshot.storage.k8s.io';

/** kubernetes-csi/external-snapshotter pkg/utils/util.go: the finalizers of snapshots and contents. */
export const SnapshotFinalizer = {
  AsSource: 'snapshot.storage.kubernetes.io/volumesnapshot-as-source-protection',
  Bound: 'snapshot.storage.kubernetes.io/volumesnapshot-bound-protection',
  Content: 'snapshot.storage.kubernetes.io/volumesnapshotcontent-bound-protection',
} as const;

/** kubernetes-csi/external-snapshotter pkg/utils/util.go: AnnVolumeSnapshotBeingDeleted. */
export const VOLUME_SNAPSHOT_BEING_DELETED = 'snapshot.storage.kubernetes.io/volumesnapshot-being-deleted';
