import type { BackupDecision, RetentionPlan, SnapshotDecision } from './retention-plan';
import type { RetentionPolicy } from './target-spec';

/**
 * How one run carries out a retention plan: the requests, in order, and what is left for later.
 *
 * - Order: first the work a previous run left unfinished (a doomed Backup that is already being deleted, or some
 *   of whose snapshots are gone or being deleted); then the other doomed Backups, oldest first; then the orphaned
 *   snapshots, oldest first. A run cut short has then removed the least valuable objects.
 * - A Backup's snapshots go before the Backup. Until the last of them is deleted (or its deletion accepted), the
 *   Backup stays: it is the record that the deletion is not finished, so the next run's plan dooms it again and
 *   finishes it first. No deletion of ours ever leaves snapshots behind without their Backup.
 * - Under scope `managed`, a snapshot without this target's marks (its Backup completed while the marking failed) is
 *   marked just before it is deleted: only snapshots carrying the marks are ever deleted.
 * - A snapshot of ours (marked, or marked in this run) had its bound content set to `deletionPolicy: Retain` when its
 *   Backup completed, so that losing the namespace or the snapshot object keeps the storage snapshot. Just before it
 *   is deleted, that content is released (`deletionPolicy: Delete`): deleting the snapshot then deletes the storage
 *   snapshot too, and nothing leaks. Contents of snapshots not ours are never changed.
 * - Nothing whose deletion the API server has already accepted (deletionTimestamp) is requested again: it goes by
 *   itself once its finalizers are removed, and it is reported as in progress.
 * - At most `budget` requests per run (marks, releases and deletes). A mark or release and the delete it prepares are
 *   never split; once
 *   a request does not fit, every later one is deferred, so doomed = in progress + requested + deferred.
 */

export type RetentionStep =
  | { verb: 'mark'; resource: 'volumesnapshots'; name: string }
  | { verb: 'release'; resource: 'volumesnapshotcontents'; name: string }
  | { verb: 'delete'; resource: 'volumesnapshots' | 'backups'; name: string };

export interface ObjectNames {
  backups: string[];
  snapshots: string[];
}

export interface DeletionSchedule {
  /** The requests of this run, in the order they must be sent. */
  steps: RetentionStep[];
  /** Doomed objects the API server is already deleting: no request, they go by themselves. */
  inProgress: ObjectNames;
  /** Doomed objects left for the next run: this run's budget ran out before them. */
  deferred: ObjectNames;
}

interface Unit {
  backup?: BackupDecision;
  /** Its doomed snapshots, oldest first. */
  snapshots: SnapshotDecision[];
}

const isDoomed = (decision: { action: 'keep' | 'delete' }) => decision.action === 'delete';

function isUnfinished(unit: Unit): boolean {
  const { backup } = unit;
  return (
    backup !== undefined && (backup.deleting === true || backup.missingSnapshots !== undefined || unit.snapshots.some((s) => s.deleting))
  );
}

/** Doomed Backups with their doomed snapshots, then orphans, in the order of the rules above. */
function unitsInOrder(plan: RetentionPlan): Unit[] {
  const groups = new Map<string, Unit>();
  // Plans list newest first; deletions go oldest first.
  for (let i = plan.backups.length - 1; i >= 0; i -= 1) {
    const backup = plan.backups[i]!;
    if (isDoomed(backup)) groups.set(backup.name, { backup, snapshots: [] });
  }
  const orphans: Unit[] = [];
  // A plan lists each Backup's snapshots together: one lookup per Backup, not per snapshot.
  let backupName: string | undefined;
  let group: Unit | undefined;
  for (let i = plan.snapshots.length - 1; i >= 0; i -= 1) {
    const snapshot = plan.snapshots[i]!;
    if (!isDoomed(snapshot)) continue;
    if (snapshot.backupName !== backupName) {
      backupName = snapshot.backupName;
      group = groups.get(backupName);
    }
    if (group) group.snapshots.push(snapshot);
    else orphans.push({ snapshots: [snapshot] });
  }
  const unfinished: Unit[] = [];
  const others: Unit[] = [];
  for (const unit of groups.values()) (isUnfinished(unit) ? unfinished : others).push(unit);
  return unfinished.concat(others, orphans);
}

export function scheduleDeletions(plan: RetentionPlan, options: { scope: RetentionPolicy['scope']; budget: number }): DeletionSchedule {
  const steps: RetentionStep[] = [];
  const inProgress: ObjectNames = { backups: [], snapshots: [] };
  const deferred: ObjectNames = { backups: [], snapshots: [] };
  let open = true;
  const fits = (cost: number) => {
    open &&= steps.length + cost <= options.budget;
    return open;
  };
  for (const unit of unitsInOrder(plan)) {
    for (const snapshot of unit.snapshots) {
      if (snapshot.deleting) {
        inProgress.snapshots.push(snapshot.name);
        continue;
      }
      const mark = options.scope === 'managed' && !snapshot.marked;
      const release = (snapshot.marked || mark) && snapshot.content !== undefined ? snapshot.content : undefined;
      if (!fits(1 + (mark ? 1 : 0) + (release !== undefined ? 1 : 0))) {
        deferred.snapshots.push(snapshot.name);
        continue;
      }
      if (mark) steps.push({ verb: 'mark', resource: 'volumesnapshots', name: snapshot.name });
      if (release !== undefined) steps.push({ verb: 'release', resource: 'volumesnapshotcontents', name: release });
      steps.push({ verb: 'delete', resource: 'volumesnapshots', name: snapshot.name });
    }
    const { backup } = unit;
    if (!backup) continue;
    if (backup.deleting) inProgress.backups.push(backup.name);
    else if (fits(1)) steps.push({ verb: 'delete', resource: 'backups', name: backup.name });
    else deferred.backups.push(backup.name);
  }
  return { steps, inProgress, deferred };
}
