import { snapshotKey } from './copy-retention';
import type { RecoveryPointRecord } from './recovery-point-record';
import { ownershipLabels, SnapshotCopyTag } from './scheduler-metadata';

/**
 * A copy no catalog record knows is an orphan: StartSnapshotCopies called CopySnapshot, then could neither record the
 * copy (addCopy) nor delete it again (its Lambda died in between, or the delete failed too). Nothing follows or expires
 * it, so copy retention deletes it once it is older than ORPHAN_COPY_GRACE_HOURS.
 *
 * Why the grace is safe: a copy is recorded by the invocation that made it, right after CopySnapshot answers, or never
 * (a retry of the step makes copies of its own). StartSnapshotCopies's Lambda times out after 30 seconds and its
 * step gives up after 6 attempts with at most a minute between them (lib/workflow-tasks.ts): a quarter of an hour at
 * worst. A day is two orders of magnitude more, so no start still under way can have a copy it is about to record
 * taken for an orphan, and the daily sweep deletes an orphan on the first or second run after it was made
 * (test/infra/snapshot-copies.test.ts checks the grace against the synthesized step).
 */
export const ORPHAN_COPY_GRACE_HOURS = 24;

/** A snapshot of a DR Region as DescribeSnapshots answers for it. */
export interface TaggedSnapshot {
  id: string;
  region: string;
  /** When the copy started (EC2's StartTime, ISO 8601). */
  startTime: string;
  tags: Readonly<Record<string, string>>;
}

/** A copy of ours that no record knows, to delete. */
export interface OrphanCopy {
  region: string;
  snapshotId: string;
  /** The backup and the source snapshot its tags name. */
  backup: string;
  sourceSnapshotId: string;
  startedAt: string;
}

/**
 * The tags every copy of the target made for this catalog carries (snapshotCopyRequests), and the only snapshots the
 * sweep ever considers: the scheduler's mark, the target and the catalog, so no other deployment's copy (another
 * catalog), no other target's and nothing untagged is ever taken for an orphan.
 */
export function orphanCopySearchTags(target: string, catalog: string): Record<string, string> {
  return { ...ownershipLabels(target), [SnapshotCopyTag.Catalog]: catalog };
}

/**
 * The snapshots among `snapshots` that are the target's copies for this catalog (every tag of orphanCopySearchTags,
 * and a backup and a source snapshot named), that no record of the target knows as a copy's volume in that Region,
 * and that started at least ORPHAN_COPY_GRACE_HOURS before `now` (one whose start time cannot be read is left).
 */
export function findOrphanCopies(input: {
  target: string;
  catalog: string;
  records: readonly RecoveryPointRecord[];
  snapshots: readonly TaggedSnapshot[];
  now: Date;
}): OrphanCopy[] {
  const ours = Object.entries(orphanCopySearchTags(input.target, input.catalog));
  const known = new Set(
    input.records.flatMap((record) =>
      (record.copies ?? []).flatMap((copy) => copy.volumes.map((volume) => snapshotKey(copy.region, volume.snapshotHandle))),
    ),
  );
  const startedBefore = input.now.getTime() - ORPHAN_COPY_GRACE_HOURS * 3_600_000;
  const orphans: OrphanCopy[] = [];
  for (const snapshot of input.snapshots) {
    const backup = snapshot.tags[SnapshotCopyTag.Backup];
    const sourceSnapshotId = snapshot.tags[SnapshotCopyTag.SourceSnapshot];
    if (!ours.every(([key, value]) => snapshot.tags[key] === value) || !backup || !sourceSnapshotId) continue;
    if (known.has(snapshotKey(snapshot.region, snapshot.id))) continue;
    if (!(Date.parse(snapshot.startTime) <= startedBefore)) continue;
    orphans.push({ region: snapshot.region, snapshotId: snapshot.id, backup, sourceSnapshotId, startedAt: snapshot.startTime });
  }
  return orphans;
}
