import type { CopyPolicy } from './copy-policy';
import type { RecoveryPointCopy, RecoveryPointRecord, RecoveryPointVolume } from './recovery-point-record';
import { ownershipLabels, SnapshotCopyTag } from './scheduler-metadata';

/** One storage snapshot to copy into the DR Region: what EC2 CopySnapshot is asked (called in `region`). */
export interface SnapshotCopyRequest {
  /** The Region the copy is made in (EC2 CopySnapshot is called there). */
  region: string;
  sourceRegion: string;
  sourceSnapshotId: string;
  /** The copy's own KMS key in the destination Region (an ARN). */
  kmsKeyId: string;
  description: string;
  /** Tags of the copy, set as it is created (TagSpecifications): what IAM scopes deletion by. */
  tags: Record<string, string>;
}

const DAY_MS = 86_400_000;
/** EC2 allows at most 255 characters in a snapshot description (API Reference, CopySnapshot: Description). */
const DESCRIPTION_MAX = 255;

/** The tags that mark a copy of `sourceSnapshotId` as the target's copy of that backup. */
export function snapshotCopyTags(target: string, backup: string, sourceSnapshotId: string): Record<string, string> {
  return { ...ownershipLabels(target), [SnapshotCopyTag.Backup]: backup, [SnapshotCopyTag.SourceSnapshot]: sourceSnapshotId };
}

/** Whether a snapshot's tags mark it as the target's copy of that backup's source snapshot: only such a copy is ever deleted. */
export function isOwnCopy(tags: Readonly<Record<string, string>>, target: string, backup: string, sourceSnapshotId: string): boolean {
  const expected = snapshotCopyTags(target, backup, sourceSnapshotId);
  return Object.entries(expected).every(([key, value]) => tags[key] === value);
}

/** The copy request of every volume of the backup, in the record's order, tagged with the catalog it is recorded in. */
export function snapshotCopyRequests(input: {
  record: RecoveryPointRecord;
  policy: CopyPolicy;
  sourceRegion: string;
  /** The recovery-point catalog's name (SnapshotCopyTag.Catalog). */
  catalog: string;
}): SnapshotCopyRequest[] {
  const { record, policy } = input;
  return record.volumes.map((volume) => ({
    region: policy.region,
    sourceRegion: input.sourceRegion,
    sourceSnapshotId: volume.snapshotHandle,
    kmsKeyId: policy.kmsKeyArn,
    description: `cnpg-snapshot-scheduler ${record.target} ${record.backup} ${volumeName(volume)}`.slice(0, DESCRIPTION_MAX),
    tags: { ...snapshotCopyTags(record.target, record.backup, volume.snapshotHandle), [SnapshotCopyTag.Catalog]: input.catalog },
  }));
}

/**
 * The catalog's entry for the copies just started: each volume's copy, by its source snapshot. It expires
 * `keepDays` after the backup's recovery point (its stoppedAt), not after the copy: the copies' age is the data's age.
 */
export function startedCopy(input: {
  record: RecoveryPointRecord;
  policy: CopyPolicy;
  /** The copy's snapshot id by source snapshot id, for every volume. */
  copies: ReadonlyMap<string, string>;
  now: Date;
}): RecoveryPointCopy {
  const { record, policy } = input;
  const copyOf = (volume: RecoveryPointVolume) => {
    const id = input.copies.get(volume.snapshotHandle);
    if (id === undefined) throw new Error(`startedCopy: no copy of ${volume.snapshotHandle}`);
    return id;
  };
  return {
    region: policy.region,
    ...(policy.account && { account: policy.account }),
    kmsKeyId: policy.kmsKeyArn,
    startedAt: input.now.toISOString(),
    expiresAt: new Date(Date.parse(record.stoppedAt) + policy.keepDays * DAY_MS).toISOString(),
    volumes: record.volumes.map((volume) => ({
      role: volume.role,
      ...(volume.tablespace !== undefined && { tablespace: volume.tablespace }),
      sourceSnapshotHandle: volume.snapshotHandle,
      snapshotHandle: copyOf(volume),
    })),
  };
}

function volumeName(volume: RecoveryPointVolume): string {
  return volume.tablespace === undefined ? volume.role : `${volume.role} ${volume.tablespace}`;
}
