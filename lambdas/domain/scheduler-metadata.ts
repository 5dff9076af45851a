/** The labels and annotations cnpg-snapshot-scheduler writes on the objects it creates. */

export const MANAGER_NAME = 'cnpg-snapshot-scheduler';

const PREFIX = 'cnpg-snapshot-scheduler';

export const SchedulerLabel = {
  Target: `${PREFIX}/target`,
  RestoredFrom: `${PREFIX}/restored-from`,
  RestoreRequest: `${PREFIX}/restore-request`,
} as const;

export const SchedulerAnnotation = {
  ScheduledTime: `${PREFIX}/scheduled-time`,
  Execution: `${PREFIX}/execution`,
  RestoreRequestedAt: `${PREFIX}/restore-requested-at`,
  /** On a Backup a restore chose: retention keeps it (and its snapshots) until this time, the restore's deadline. */
  RestoreProtectedUntil: `${PREFIX}/restore-protected-until`,
} as const;
