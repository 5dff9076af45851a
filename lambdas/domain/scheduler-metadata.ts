import { KubeLabel } from './cnpg-api';

/** The labels and annotations cnpg-snapshot-scheduler writes on the objects it creates. */

export const MANAGER_NAME = 'cnpg-snapshot-scheduler';

const PREFIX = 'cnpg-snapshot-scheduler';

export const SchedulerLabel = {
  Target: `${PREFIX}/target`,
  RestoredFrom: `${PREFIX}/restored-from`,
  RestoreRequest: `${PREFIX}/restore-request`,
  /** On everything a restore drill creates (its Cluster, its verification Job): the value is the drilled target. */
  Drill: `${PREFIX}/drill`,
} as const;

export const SchedulerAnnotation = {
  ScheduledTime: `${PREFIX}/scheduled-time`,
  Execution: `${PREFIX}/execution`,
  RestoreRequestedAt: `${PREFIX}/restore-requested-at`,
  /** On a Backup a restore chose: retention keeps it (and its snapshots) until this time, the restore's deadline. */
  RestoreProtectedUntil: `${PREFIX}/restore-protected-until`,
} as const;

/**
 * The marks of what belongs to one target: the scheduler's Backups carry them from creation, and their
 * VolumeSnapshots (created by CNPG) get them when the Backup completes, so they stay recognisable after it is gone.
 */
export function ownershipLabels(target: string): Record<string, string> {
  return { [KubeLabel.ManagedBy]: MANAGER_NAME, [SchedulerLabel.Target]: target };
}

/** Whether an object carries the marks of this target. */
export function isMarkedFor(labels: Readonly<Record<string, string>> | undefined, target: string): boolean {
  return labels?.[KubeLabel.ManagedBy] === MANAGER_NAME && labels[SchedulerLabel.Target] === target;
}
