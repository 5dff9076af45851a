import type { DeletionSchedule } from './retention-deletions';
import type { RetentionTrigger } from './retention-events';
import type { RetentionPlan } from './retention-plan';

/**
 * Which of the target's recovery-point records a retention run reads: all of them, or those of these backups.
 *
 * What a run changes in the catalog (catalogChangesOfRetention) depends on each record alone: it expires a record
 * whose storage it releases, and removes an expired one once none of its snapshots is left in the namespace. A
 * snapshot's content is released only in the run that deletes the snapshot, and a snapshot this run does not delete
 * is either left (so its record stays) or already gone; so a run changes only the records of the backups whose
 * snapshots it deletes, and, when it deletes a Backup, the Backup's record. A record is keyed by its backup's name,
 * which CNPG puts on each of the backup's snapshots (`cnpg.io/backupName`).
 *
 * A routine run after a backup reads those records alone: about one, where a target's catalog is a few hundred
 * records of a few kilobytes each, which a read of all of them every hour would pay for in DynamoDB read units. The
 * daily sweep and a run by hand read every record, so that a record expired earlier whose last snapshots went
 * between runs (their deletion was still under way), which no snapshot in the namespace names any more, is removed
 * within a day.
 */
export type CatalogReads = { all: true } | { all: false; backups: string[] };

export function catalogReadsOfRetention(trigger: RetentionTrigger, plan: RetentionPlan, schedule: DeletionSchedule): CatalogReads {
  if (trigger !== 'backup') return { all: true };
  const deletedSnapshots = new Set<string>();
  const backups = new Set<string>();
  for (const step of schedule.steps)
    if (step.verb === 'delete' && step.resource === 'volumesnapshots') deletedSnapshots.add(step.name);
    else if (step.verb === 'delete') backups.add(step.name);
  for (const snapshot of plan.snapshots) if (deletedSnapshots.has(snapshot.name)) backups.add(snapshot.backupName);
  return { all: false, backups: [...backups].sort() };
}
