import { COPY_DEADLINE_HOURS } from './copy-progress';
import type { RecoveryPointCopy, RecoveryPointRecord } from './recovery-point-record';
import { isOwnCopy } from './snapshot-copy-request';

/**
 * The retention of disaster recovery copies, apart from the source's: a copy is deleted in its Region once past its
 * own `expiresAt`, with three exceptions that keep what must not go.
 * - The newest completed copy of the target in each Region is kept whatever its age, as the source keeps at least
 *   minKeep backups: a target whose backups stopped (or whose source Region is gone, where nothing new is copied)
 *   keeps one recovery point in the DR Region.
 * - A copy started less than COPY_DEADLINE_HOURS ago is its copy workflow's, which completes or deletes it.
 * - Only a snapshot whose tags mark it as the target's copy of that backup's source is deleted (isOwnCopy): one that
 *   is not ours is left, reported, and keeps its copy in the catalog.
 */

/** One copy of one backup: the record's key and the copy's Region (a backup has at most one copy per Region). */
export interface CopyRef {
  backup: string;
  region: string;
}

/** A copy's snapshot in its Region. */
export interface CopySnapshotRef extends CopyRef {
  snapshotId: string;
}

export interface CopyRetentionPlan {
  /** Expired copies kept: the newest completed copy of the target in their Region. */
  kept: CopyRef[];
  /** The snapshots to delete, each in its copy's Region. */
  deletions: CopySnapshotRef[];
  /** Snapshots of expired copies that are not marked as ours: never deleted. */
  foreign: CopySnapshotRef[];
  /** The copies whose every snapshot is deleted by this plan or already gone: their catalog entries go. */
  forget: CopyRef[];
}

/** The key under which a described snapshot of a Region is looked up. */
export const snapshotKey = (region: string, snapshotId: string) => `${region}/${snapshotId}`;

/** The newest completed copy of each Region, by the recovery point's time (then the backup's name). */
function newestCompleted(records: readonly RecoveryPointRecord[]): Set<string> {
  const newest = new Map<string, RecoveryPointRecord>();
  for (const record of records)
    for (const copy of record.copies ?? []) {
      if (copy.completedAt === undefined) continue;
      const current = newest.get(copy.region);
      const later =
        !current || record.stoppedAt > current.stoppedAt || (record.stoppedAt === current.stoppedAt && record.backup > current.backup);
      if (later) newest.set(copy.region, record);
    }
  return new Set([...newest].map(([region, record]) => `${record.backup}@${region}`));
}

/** The copies past their expiresAt that retention may delete now, and the expired ones it keeps. */
export function expiredCopies(
  records: readonly RecoveryPointRecord[],
  now: Date,
): { expired: Array<{ record: RecoveryPointRecord; copy: RecoveryPointCopy }>; kept: CopyRef[] } {
  const protectedCopies = newestCompleted(records);
  const settledBefore = now.getTime() - COPY_DEADLINE_HOURS * 3_600_000;
  const expired: Array<{ record: RecoveryPointRecord; copy: RecoveryPointCopy }> = [];
  const kept: CopyRef[] = [];
  for (const record of records)
    for (const copy of record.copies ?? []) {
      if (Date.parse(copy.expiresAt) > now.getTime()) continue;
      if (protectedCopies.has(`${record.backup}@${copy.region}`)) kept.push({ backup: record.backup, region: copy.region });
      else if (copy.completedAt !== undefined || Date.parse(copy.startedAt) <= settledBefore) expired.push({ record, copy });
    }
  return { expired, kept };
}

/**
 * What one run of copy retention does, given the expired copies' snapshots as DescribeSnapshots answered in their
 * Regions (by snapshotKey; a snapshot not there is gone already).
 */
export function planCopyRetention(input: {
  target: string;
  records: readonly RecoveryPointRecord[];
  now: Date;
  described: ReadonlyMap<string, { tags: Readonly<Record<string, string>> }>;
}): CopyRetentionPlan {
  const { expired, kept } = expiredCopies(input.records, input.now);
  const deletions: CopySnapshotRef[] = [];
  const foreign: CopySnapshotRef[] = [];
  const forget: CopyRef[] = [];
  for (const { record, copy } of expired) {
    const ref = { backup: record.backup, region: copy.region };
    let leftAlone = false;
    for (const volume of copy.volumes) {
      const snapshot = input.described.get(snapshotKey(copy.region, volume.snapshotHandle));
      if (!snapshot) continue;
      const at = { ...ref, snapshotId: volume.snapshotHandle };
      if (isOwnCopy(snapshot.tags, input.target, record.backup, volume.sourceSnapshotHandle)) deletions.push(at);
      else {
        foreign.push(at);
        leftAlone = true;
      }
    }
    if (!leftAlone) forget.push(ref);
  }
  return { kept, deletions, foreign, forget };
}

/**
 * The records copy retention removes: released by the source's retention (expiredAt), without a copy left once the
 * plan's copies are forgotten, and none of whose source snapshots is left in the source Region.
 */
export function recordsWithNothingLeft(input: {
  records: readonly RecoveryPointRecord[];
  forgotten: readonly CopyRef[];
  /** The source snapshots still in the source Region. */
  sourceSnapshotsLeft: ReadonlySet<string>;
}): string[] {
  const forgotten = new Set(input.forgotten.map((ref) => `${ref.backup}@${ref.region}`));
  return input.records
    .filter((record) => record.expiredAt !== undefined)
    .filter((record) => (record.copies ?? []).every((copy) => forgotten.has(`${record.backup}@${copy.region}`)))
    .filter((record) => !record.volumes.some((volume) => input.sourceSnapshotsLeft.has(volume.snapshotHandle)))
    .map((record) => record.backup);
}
