import { CNPG_METADATA_PREFIX, CnpgAnnotation, CnpgLabel, SnapshotRole } from './cnpg-api';
import type { CopyAccount } from './copy-policy';
import type { VolumeSnapshot, VolumeSnapshotContent } from './kube-objects';
import { majorOfImage } from './restore-image';
import { recordedCluster } from './restore-recorded-cluster';

/**
 * One completed backup as the recovery-point catalog keeps it outside the EKS cluster: enough to import its storage
 * snapshots into any namespace or EKS cluster of the deployment (as pre-provisioned VolumeSnapshotContents) and to
 * bootstrap a Cluster from them after the namespace, with its Backups and VolumeSnapshots, is gone.
 */
export interface RecoveryPointRecord {
  target: string;
  backup: string;
  eksCluster: string;
  namespace: string;
  cluster: string;
  startedAt?: string;
  stoppedAt: string;
  /** PostgreSQL major version of the image the source ran at backup time (from the recorded Cluster). */
  postgresMajor?: number;
  volumes: RecoveryPointVolume[];
  /** The source Cluster as CNPG recorded it on the snapshots (annotation `cnpg.io/clusterManifest`), JSON. */
  clusterManifest: string;
  /** Set once retention released the backup's storage for deletion: from then on it is no recovery point. */
  expiredAt?: string;
  /** Copies of the backup's storage snapshots in disaster recovery Regions, each with its own retention. */
  copies?: RecoveryPointCopy[];
}

/**
 * A copy of every volume's storage snapshot of the backup in another Region (disaster recovery). It outlives the
 * source's retention until its own `expiresAt`; a restore in that Region imports its snapshots.
 */
export interface RecoveryPointCopy {
  region: string;
  /** The other account the copy is kept in (its owner), and the role there it is reached through; absent: the scheduler's own. */
  account?: CopyAccount;
  /** The copies' KMS key in that Region (an ARN). */
  kmsKeyId: string;
  startedAt: string;
  /** When every volume's copy had completed; absent while any is still copying. */
  completedAt?: string;
  /** When the copy's own retention deletes it. */
  expiresAt: string;
  volumes: RecoveryPointCopyVolume[];
}

/** One volume's copy: the source snapshot it copies and the copy's own snapshot id in the copy's Region. */
export interface RecoveryPointCopyVolume {
  role: SnapshotRole;
  tablespace?: string;
  sourceSnapshotHandle: string;
  snapshotHandle: string;
}

/** One volume of the backup: its role, the snapshot and content that held it, and the storage snapshot itself. */
export interface RecoveryPointVolume {
  role: SnapshotRole;
  /** The tablespace, for a PG_TABLESPACE volume. */
  tablespace?: string;
  snapshot: string;
  content: string;
  /** The provider's snapshot id (an EBS snapshot id with the EBS CSI driver). */
  snapshotHandle: string;
  restoreSizeBytes: number;
  /** Whether the storage snapshot is encrypted, and under which KMS key (an ARN), as EC2 describes it. */
  encrypted?: boolean;
  kmsKeyId?: string;
  driver: string;
  volumeSnapshotClass?: string;
  /**
   * CNPG's labels and annotations on the snapshot (`cnpg.io/...`) but the recorded Cluster (kept once, in
   * clusterManifest): a snapshot imported elsewhere carries them again, since CNPG's recovery reads them from the
   * snapshot it restores (the backup_label of a hot backup among them: pkg/specs/jobs.go,
   * CreatePrimaryJobViaRestoreSnapshot). Absent in records written before they were kept.
   */
  cnpgLabels?: Record<string, string>;
  cnpgAnnotations?: Record<string, string>;
}

/** A completed backup's snapshot with the content it is bound to, as the requests that protected them answered. */
export interface ProtectedSnapshot {
  snapshot: VolumeSnapshot;
  content: VolumeSnapshotContent | undefined;
}

export type RecoveryPointRecordResult = { record: RecoveryPointRecord } | { incomplete: string[] };

const ROLES: ReadonlySet<string> = new Set(Object.values(SnapshotRole));

/** CNPG's own entries of a label or annotation map, but the recorded Cluster. */
function cnpgMetadata(entries: Readonly<Record<string, string>> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(entries ?? {}).filter(([key]) => key.startsWith(CNPG_METADATA_PREFIX) && key !== CnpgAnnotation.ClusterManifest),
  );
}

/**
 * The catalog record of a completed backup, from its snapshots and their bound contents; `incomplete` names what
 * is missing (a snapshot without a bound content or a storage snapshot handle, no recorded Cluster), since a
 * record that cannot be restored from would claim a recovery point that does not exist.
 */
export function recoveryPointRecordOf(input: {
  target: { name: string; eksCluster: string; namespace: string; cluster: string };
  backup: string;
  startedAt?: string;
  stoppedAt: string;
  snapshots: readonly ProtectedSnapshot[];
}): RecoveryPointRecordResult {
  const incomplete: string[] = [];
  const volumes: RecoveryPointVolume[] = [];
  for (const { snapshot, content } of input.snapshots) {
    const name = snapshot.metadata.name;
    const role = snapshot.metadata.annotations?.[CnpgAnnotation.PvcRole] ?? '';
    const snapshotHandle = content?.status?.snapshotHandle ?? content?.spec.source.snapshotHandle;
    if (!ROLES.has(role)) incomplete.push(`${name}: no volume role (annotation ${CnpgAnnotation.PvcRole})`);
    if (!content) incomplete.push(`${name}: no bound VolumeSnapshotContent`);
    else if (snapshotHandle === undefined) incomplete.push(`${name}: content ${content.metadata.name} has no snapshotHandle`);
    if (!content || snapshotHandle === undefined || !ROLES.has(role)) continue;
    const tablespace = snapshot.metadata.labels?.[CnpgLabel.TablespaceName];
    const className = content.spec.volumeSnapshotClassName ?? snapshot.spec.volumeSnapshotClassName;
    volumes.push({
      role: role as SnapshotRole,
      ...(tablespace !== undefined && { tablespace }),
      snapshot: name,
      content: content.metadata.name,
      snapshotHandle,
      restoreSizeBytes: content.status?.restoreSize ?? 0,
      driver: content.spec.driver,
      ...(className !== undefined && { volumeSnapshotClass: className }),
      cnpgLabels: cnpgMetadata(snapshot.metadata.labels),
      cnpgAnnotations: cnpgMetadata(snapshot.metadata.annotations),
    });
  }
  if (!volumes.some((v) => v.role === SnapshotRole.PgData)) incomplete.push('no PG_DATA volume');
  const withManifest = input.snapshots.find(({ snapshot }) => recordedCluster(snapshot) !== undefined)?.snapshot;
  const recorded = withManifest && recordedCluster(withManifest);
  if (!withManifest || !recorded) incomplete.push(`no snapshot carries the source Cluster (annotation ${CnpgAnnotation.ClusterManifest})`);
  if (incomplete.length > 0 || !withManifest || !recorded) return { incomplete };
  const image = recorded.status?.image ?? recorded.spec.imageName;
  const postgresMajor = majorOfImage({ ...recorded.spec, ...(image !== undefined && { imageName: image }) });
  const { target } = input;
  return {
    record: {
      target: target.name,
      backup: input.backup,
      eksCluster: target.eksCluster,
      namespace: target.namespace,
      cluster: target.cluster,
      ...(input.startedAt !== undefined && { startedAt: input.startedAt }),
      stoppedAt: input.stoppedAt,
      ...(postgresMajor !== undefined && { postgresMajor }),
      volumes,
      clusterManifest: withManifest.metadata.annotations![CnpgAnnotation.ClusterManifest]!,
    },
  };
}

/** A storage snapshot as the provider describes it (EC2 DescribeSnapshots): what the record takes from it. */
export interface DescribedStorageSnapshot {
  id: string;
  state: string;
  encrypted: boolean;
  kmsKeyId?: string;
}

/**
 * The record with each volume's encryption and KMS key as the provider describes its storage snapshot. A volume whose
 * snapshot the provider does not have, or has not completed, has no storage to restore from: `incomplete` names it,
 * since a record that claims it would claim a recovery point that does not exist.
 */
export function withStorageEncryption(
  record: RecoveryPointRecord,
  described: readonly DescribedStorageSnapshot[],
): RecoveryPointRecordResult {
  const byId = new Map(described.map((snapshot) => [snapshot.id, snapshot]));
  const incomplete: string[] = [];
  const volumes = record.volumes.map((volume): RecoveryPointVolume => {
    const storage = byId.get(volume.snapshotHandle);
    if (!storage) incomplete.push(`${volume.snapshot}: storage snapshot ${volume.snapshotHandle} does not exist at the provider`);
    else if (storage.state !== 'completed')
      incomplete.push(`${volume.snapshot}: storage snapshot ${volume.snapshotHandle} is ${storage.state}, not completed`);
    if (!storage) return volume;
    return { ...volume, encrypted: storage.encrypted, ...(storage.kmsKeyId !== undefined && { kmsKeyId: storage.kmsKeyId }) };
  });
  return incomplete.length > 0 ? { incomplete } : { record: { ...record, volumes } };
}

/** Whether every volume of the record carries its storage snapshot's encryption as the provider describes it. */
export const isStorageDescribed = (record: RecoveryPointRecord): boolean =>
  record.volumes.every((volume) => volume.encrypted !== undefined);

/**
 * What retention does to the catalog in one run: the records of the backups whose storage it released are marked
 * expired (before the release, so a record never claims storage being deleted), and an expired record is removed
 * once none of its snapshots is left in the namespace and it has no copy left in a DR Region (copy retention removes
 * it when its last copy goes: lambdas/domain/copy-retention.ts). A record that is not expired stays whatever the
 * cluster holds: after the namespace is lost it is the only way back to storage snapshots kept with Retain.
 */
export function catalogChangesOfRetention(input: {
  records: readonly RecoveryPointRecord[];
  releasedContents: ReadonlySet<string>;
  /** The snapshots of the namespace still there after the run. */
  remainingSnapshots: ReadonlySet<string>;
}): { expire: string[]; remove: string[] } {
  const expire: string[] = [];
  const remove: string[] = [];
  for (const record of input.records) {
    const expired = record.expiredAt !== undefined || record.volumes.some((v) => input.releasedContents.has(v.content));
    if (record.expiredAt === undefined && expired) expire.push(record.backup);
    const copied = (record.copies ?? []).length > 0;
    if (expired && !copied && !record.volumes.some((v) => input.remainingSnapshots.has(v.snapshot))) remove.push(record.backup);
  }
  return { expire, remove };
}
